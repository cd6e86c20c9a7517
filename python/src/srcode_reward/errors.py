"""The one exception the client raises for a failed call to the reward service."""

from __future__ import annotations

from typing import List, Optional

#: Codes the client itself gives to failures that never got an answer from a server.
CLIENT_CODES = ("connection", "timeout", "bad-response")


class RewardServiceError(RuntimeError):
    """A call to the reward service that failed for good (after any retries).

    ``status`` is the HTTP status of the last answer (``None`` when no server answered: a refused
    connection or a timeout), ``code`` the server's error code (``invalid-request``, ``unknown-pair``,
    ``too-large``, ``busy``...) or one of the client's own (``connection``, ``timeout``,
    ``bad-response``), ``message`` what the server (or the client) said, ``url`` the endpoint of the
    last attempt, ``attempts`` how many requests were sent, and ``retry_after`` the seconds the server
    asked to wait, when it did.
    """

    def __init__(
        self,
        status: Optional[int],
        code: str,
        message: str,
        *,
        url: str = "",
        attempts: int = 1,
        retry_after: Optional[float] = None,
        history: Optional[List[str]] = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.url = url
        self.attempts = attempts
        self.retry_after = retry_after
        #: One line per failed attempt before this one (``url: status code``), oldest first.
        self.history = list(history or [])
        super().__init__(str(self))

    def __str__(self) -> str:
        status = "no answer" if self.status is None else str(self.status)
        where = f" ({self.url}, {self.attempts} attempt{'s' if self.attempts != 1 else ''})" if self.url else ""
        return f"reward service said {status} {self.code}: {self.message}{where}"

    @property
    def retryable(self) -> bool:
        """Whether trying again later (or elsewhere) may succeed: busy, rate-limited, a server fault, no answer."""
        if self.status is None:
            return self.code in ("connection", "timeout")
        return self.status in (408, 429) or self.status >= 500

    def __reduce__(self):  # picklable, so it crosses Ray and multiprocessing boundaries intact
        return (
            _rebuild,
            (self.status, self.code, self.message, self.url, self.attempts, self.retry_after, self.history),
        )


def _rebuild(status, code, message, url, attempts, retry_after, history) -> RewardServiceError:
    return RewardServiceError(
        status, code, message, url=url, attempts=attempts, retry_after=retry_after, history=history
    )
