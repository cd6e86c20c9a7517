"""One HTTP exchange with one server, over kept-alive connections (standard library ``http.client``)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

from srcode_reward._version import __version__
from srcode_reward.errors import RewardServiceError

USER_AGENT = f"srcode-reward-python/{__version__}"

# failures of a connection the server had already closed while it sat idle in the pool
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class Answer:
    """A server's answer: status, headers (lower-case names) and the parsed JSON body (``None`` if not JSON)."""

    status: int
    headers: Dict[str, str]
    body: Any
    raw: bytes


class Endpoint:
    """One server: its base URL and a pool of idle kept-alive connections, shared by threads."""

    def __init__(self, url: str, max_idle: int = 16) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"{url}: expected an http:// or https:// URL")
        if not parts.hostname:
            raise ValueError(f"{url}: expected a host name")
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.max_idle = max_idle
        self._idle: List[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def _take(self) -> Optional[http.client.HTTPConnection]:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Closes the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def exchange(self, method: str, path: str, body: Optional[bytes], timeout: float) -> Answer:
        """Sends one request and reads the whole answer.

        A kept-alive connection the server closed meanwhile is replaced by a fresh one once, without
        counting as a failure. Raises :class:`RewardServiceError` with code ``connection`` or ``timeout``
        when no answer arrives.
        """
        reused = self._take()
        conn = reused or self._connect(timeout)
        try:
            try:
                return self._send(conn, method, path, body, timeout)
            except _STALE:
                conn.close()
                if reused is None:
                    raise
                conn = self._connect(timeout)
                return self._send(conn, method, path, body, timeout)
        except socket.timeout as e:  # TimeoutError on 3.10+
            conn.close()
            raise RewardServiceError(None, "timeout", f"no answer within {timeout:g} s ({e})", url=self.url) from None
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise RewardServiceError(None, "connection", f"{type(e).__name__}: {e}", url=self.url) from None

    def _send(self, conn: http.client.HTTPConnection, method: str, path: str, body: Optional[bytes], timeout: float) -> Answer:
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, self.prefix + path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            conn.close()
        else:
            self._give_back(conn)
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                parsed = None
        return Answer(response.status, answer_headers, parsed, raw)
