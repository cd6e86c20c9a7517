"""Offsets between Python's code points and the UTF-16 units of the service's data (findings, pairs).

A Python ``str`` is indexed by code points, as are the offsets Hugging Face tokenizers return with
``return_offsets_mapping=True``. The client sends ``offsetUnit: "codepoint"``, so the spans and offsets
the server answers are Python indices too. The data schemas (a finding's ``range``, a pair's
``changes``) are in UTF-16 units, as JavaScript counts: these helpers convert, and they differ only
for characters outside the Basic Multilingual Plane (emoji, some CJK), which count twice in UTF-16.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import List, Sequence, Tuple


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 units (what the server's limits count)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _astral(text: str) -> List[int]:
    return [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]


def codepoint_to_utf16(text: str, index: int) -> int:
    """The UTF-16 index of code point ``index`` of ``text`` (0 <= index <= len(text))."""
    if not 0 <= index <= len(text):
        raise ValueError(f"index {index} is outside the text (0..{len(text)})")
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def utf16_to_codepoint(text: str, index: int) -> int:
    """The code point index of UTF-16 index ``index``; an index inside a surrogate pair maps to its character's end."""
    astral = _astral(text)
    total = len(text) + len(astral)
    if not 0 <= index <= total:
        raise ValueError(f"UTF-16 index {index} is outside the text (0..{total})")
    # the k-th astral character (code point a_k) starts at UTF-16 index a_k + k
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if mid + bisect_right(astral, mid - 1) < index:
            lo = mid + 1
        else:
            hi = mid
    return lo


def ranges_to_utf16(text: str, ranges: Sequence[Sequence[int]]) -> List[Tuple[int, int]]:
    """Code point ``(start, end)`` ranges of ``text`` as UTF-16 ranges (for a finding's ``range``)."""
    astral = _astral(text)

    def at(i: int) -> int:
        if not 0 <= i <= len(text):
            raise ValueError(f"index {i} is outside the text (0..{len(text)})")
        return i + bisect_right(astral, i - 1)

    return [(at(s), at(e)) for s, e in ranges]


def ranges_from_utf16(text: str, ranges: Sequence[Sequence[int]]) -> List[Tuple[int, int]]:
    """UTF-16 ``(start, end)`` ranges (a finding's, a pair's change) as code point ranges of ``text``."""
    return [(utf16_to_codepoint(text, s), utf16_to_codepoint(text, e)) for s, e in ranges]
