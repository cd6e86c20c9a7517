"""Several replicas of the service: round-robin, fail-over, and retries that honour ``Retry-After``."""

from __future__ import annotations

import random
import threading
import time
from typing import Callable, List, Optional, Sequence, Tuple

from srcode_reward.errors import RewardServiceError
from srcode_reward.retry import Retry, retry_after_seconds
from srcode_reward.transport import Answer, Endpoint


class _State:
    """What the client remembers of one server: consecutive failures, and when it may be asked again."""

    __slots__ = ("failures", "not_before")

    def __init__(self) -> None:
        self.failures = 0
        self.not_before = 0.0


class EndpointPool:
    """The servers of one client, chosen in turn; a failing one is skipped until its wait is over."""

    def __init__(self, urls: Sequence[str], retry: Retry, max_idle: int = 16) -> None:
        self.endpoints = [Endpoint(u, max_idle=max_idle) for u in urls]
        self.retry = retry
        self._states = [_State() for _ in self.endpoints]
        self._next = 0
        self._lock = threading.Lock()
        self._rng = random.Random()

    def close(self) -> None:
        for endpoint in self.endpoints:
            endpoint.close()

    def _pick(self, now: float, avoid: Optional[int]) -> Tuple[int, float]:
        """The next server in turn that may be asked now (another than ``avoid`` when there is one), or the soonest free."""
        with self._lock:
            n = len(self.endpoints)
            order = [(self._next + k) % n for k in range(n)]
            ready = [i for i in order if self._states[i].not_before <= now]
            choice = next((i for i in ready if i != avoid), ready[0] if ready else None)
            if choice is None:
                choice = min(order, key=lambda i: self._states[i].not_before)
            self._next = (choice + 1) % n
            return choice, max(0.0, self._states[choice].not_before - now)

    def _failed(self, i: int, retry_after: Optional[float]) -> float:
        with self._lock:
            state = self._states[i]
            state.failures += 1
            wait = self.retry.wait(state.failures, self._rng)
            if retry_after is not None:
                wait = max(wait, min(retry_after, self.retry.max_retry_after))
            state.not_before = max(state.not_before, time.monotonic() + wait)
            return wait

    def _succeeded(self, i: int) -> None:
        with self._lock:
            self._states[i].failures = 0
            self._states[i].not_before = 0.0

    def send(
        self,
        method: str,
        path: str,
        body: Optional[bytes],
        timeout: float,
        error_of: Callable[[Answer, str], RewardServiceError],
    ) -> Tuple[Answer, str]:
        """Sends the request until a server answers 2xx, a non-retryable status comes, or the policy gives up.

        Returns the answer and the URL that gave it; raises :class:`RewardServiceError` for the last
        failure, with ``attempts`` and the ``history`` of the earlier ones.
        """
        retry = self.retry
        started = time.monotonic()
        history: List[str] = []
        last: Optional[RewardServiceError] = None
        previous: Optional[int] = None
        for attempt in range(1, retry.attempts + 1):
            now = time.monotonic()
            i, wait = self._pick(now, previous)
            if now + wait - started > retry.deadline:
                break
            if wait > 0:
                time.sleep(wait)
            endpoint = self.endpoints[i]
            previous = i
            try:
                answer = endpoint.exchange(method, path, body, timeout)
            except RewardServiceError as e:
                last = e
                self._failed(i, None)
            else:
                if 200 <= answer.status < 300:
                    self._succeeded(i)
                    return answer, endpoint.url
                last = error_of(answer, endpoint.url)
                last.retry_after = retry_after_seconds(answer.headers)
                if answer.status not in retry.statuses:
                    last.attempts, last.history = attempt, history
                    raise last
                self._failed(i, last.retry_after)
            history.append(f"{endpoint.url}: {last.status if last.status is not None else 'no answer'} {last.code}")
        if last is None:
            last = RewardServiceError(None, "timeout", f"no attempt fit in the {retry.deadline:g} s deadline")
        last.attempts = len(history)
        last.history = history[:-1]
        raise last
