"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field
from typing import FrozenSet, Mapping, Optional


@dataclass(frozen=True)
class Retry:
    """The client's retry policy (every request to the service is idempotent, so all may be retried).

    A request is tried up to ``attempts`` times in all, over every server URL; it is retried on a
    status in ``statuses`` (busy, rate-limited, a server fault), on a refused or dropped connection and
    on a timeout. Waits grow as ``backoff * 2**n`` up to ``max_backoff`` seconds, each scattered by
    +/- ``jitter`` (a fraction) so many trainer workers do not retry in step. A ``Retry-After`` header
    is honoured: that server is not asked again before it says, up to ``max_retry_after`` seconds.
    ``deadline`` bounds one call's total time, waits included.
    """

    #: Requests sent in all for one call, over every server. @default 6
    attempts: int = 6
    #: First wait, in seconds. @default 0.2
    backoff: float = 0.2
    #: Longest wait between two attempts, in seconds. @default 10
    max_backoff: float = 10.0
    #: Spread of each wait, as a fraction of it. @default 0.25
    jitter: float = 0.25
    #: Longest ``Retry-After`` honoured, in seconds. @default 60
    max_retry_after: float = 60.0
    #: Longest total time of one call, waits included, in seconds. @default 600
    deadline: float = 600.0
    #: Statuses worth another attempt. @default 408, 429 and 500-599
    statuses: FrozenSet[int] = field(default_factory=lambda: frozenset({408, 429, *range(500, 600)}))

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be >= 1, not {self.attempts}")
        if self.backoff < 0 or self.max_backoff < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("backoff and max_backoff must be >= 0 and jitter within [0, 1]")

    def wait(self, failures: int, rng: Optional[random.Random] = None) -> float:
        """Seconds to wait after ``failures`` failed attempts in a row (1 for the first)."""
        base = min(self.max_backoff, self.backoff * (2 ** max(0, failures - 1)))
        spread = base * self.jitter
        return max(0.0, base + (rng or random).uniform(-spread, spread))


def retry_after_seconds(headers: Mapping[str, str], now: Optional[float] = None) -> Optional[float]:
    """The ``Retry-After`` header as seconds from now (delta-seconds or an HTTP date), or ``None``."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
