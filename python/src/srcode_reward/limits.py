"""The server's per-request limits, as the client knows them, and the split of a batch into requests within them."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any, List, Mapping, Optional, Sequence, Tuple

# The messages of the server's 413 answers name the limit that was passed.
_PATTERNS = (
    ("max_completions", re.compile(r"\d+ (?:completions|queries); the limit is (\d+)")),
    ("max_work_chars", re.compile(r"the budget is (\d+)")),
    ("max_body_bytes", re.compile(r"over the (\d+)-byte limit")),
    ("max_text_length", re.compile(r"has \d+ UTF-16 units; the limit is (\d+)")),
)

#: Bytes of a request's body outside its completions (the pair id, options, brackets), kept in reserve.
ENVELOPE_BYTES = 4096


@dataclass(frozen=True)
class ServerLimits:
    """Limits of one request, as ``srcode-reward serve`` applies them (``None``: not known, not applied).

    The defaults are the server's own; the client lowers them when a server says otherwise (in
    ``GET /healthz`` under ``limits``, or in the message of a 413 answer) and splits batches to fit.
    """

    #: Completions (or OpenRLHF queries) in one request (``--max-completions``). @default 256
    max_completions: Optional[int] = 256
    #: UTF-16 units of completions and inline pairs in one request (``--max-work-chars``). @default 4194304
    max_work_chars: Optional[int] = 4 * 1024 * 1024
    #: Bytes of one request's body (``--max-body-bytes``). @default 33554432
    max_body_bytes: Optional[int] = 32 * 1024 * 1024
    #: UTF-16 units of one completion (``maxTextLength``). @default 4194304
    max_text_length: Optional[int] = 4 * 1024 * 1024

    def merged(self, other: Mapping[str, int]) -> "ServerLimits":
        """These limits, each lowered to ``other``'s value for it where ``other`` names one."""
        changes = {}
        for name, value in other.items():
            if not hasattr(self, name) or not isinstance(value, int) or value <= 0:
                continue
            current = getattr(self, name)
            changes[name] = value if current is None else min(current, value)
        return replace(self, **changes) if changes else self


_HEALTH_KEYS = {
    "maxCompletions": "max_completions",
    "maxWorkChars": "max_work_chars",
    "maxBodyBytes": "max_body_bytes",
    "maxTextLength": "max_text_length",
}


def limits_from_health(body: Any) -> Mapping[str, int]:
    """The limits a ``GET /healthz`` answer states under ``limits`` (camelCase keys), if any."""
    raw = body.get("limits") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {snake: raw[camel] for camel, snake in _HEALTH_KEYS.items() if isinstance(raw.get(camel), int)}


def limits_from_message(message: str) -> Mapping[str, int]:
    """The limit a 413 message names (``{"max_completions": 8}`` for "9 completions; the limit is 8 ...")."""
    found = {}
    for name, pattern in _PATTERNS:
        m = pattern.search(message)
        if m:
            found[name] = int(m.group(1))
    return found


class LimitBook:
    """The limits learned so far, shared by the threads of one client."""

    def __init__(self, initial: ServerLimits) -> None:
        self._limits = initial
        self._lock = threading.Lock()

    @property
    def current(self) -> ServerLimits:
        return self._limits

    def learn(self, found: Mapping[str, int]) -> bool:
        """Lowers the limits to ``found``; whether anything changed."""
        with self._lock:
            before = self._limits
            self._limits = before.merged(found)
            return self._limits != before


def plan_chunks(
    costs: Sequence[Tuple[int, int]],
    limits: ServerLimits,
    base_work: int = 0,
    cap: Optional[int] = None,
) -> List[Tuple[int, int]]:
    """Splits items of ``(work, body bytes)`` into ``[start, end)`` runs that each fit one request.

    ``base_work`` is the work every request carries besides its items (an inline pair sent once
    per request); ``cap`` an extra bound on the items per request. An item that alone exceeds a
    limit gets a run of its own (the server's answer then says which limit it passed).
    """
    most = min(x for x in (limits.max_completions, cap) if x is not None) if (limits.max_completions or cap) else None
    chunks: List[Tuple[int, int]] = []
    start, work, size = 0, base_work, ENVELOPE_BYTES
    for i, (w, b) in enumerate(costs):
        full = i > start and (
            (most is not None and i - start >= most)
            or (limits.max_work_chars is not None and work + w > limits.max_work_chars)
            or (limits.max_body_bytes is not None and size + b + 1 > limits.max_body_bytes)
        )
        if full:
            chunks.append((start, i))
            start, work, size = i, base_work, ENVELOPE_BYTES
        work += w
        size += b + 1
    if start < len(costs):
        chunks.append((start, len(costs)))
    return chunks
