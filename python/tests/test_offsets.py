"""Code points against UTF-16 units, on text with characters outside the Basic Multilingual Plane."""

from __future__ import annotations

import random

import pytest

from srcode_reward import codepoint_to_utf16, ranges_from_utf16, ranges_to_utf16, utf16_length, utf16_to_codepoint

TEXT = "a🔒b𝔘é\n🔓"


def test_every_index_round_trips():
    js = TEXT.encode("utf-16-le")
    assert utf16_length(TEXT) == len(js) // 2 == len(TEXT) + 3
    for i in range(len(TEXT) + 1):
        u = codepoint_to_utf16(TEXT, i)
        assert len(TEXT[:i].encode("utf-16-le")) // 2 == u
        assert utf16_to_codepoint(TEXT, u) == i


def test_an_index_inside_a_surrogate_pair_maps_to_its_characters_end():
    assert utf16_to_codepoint(TEXT, 2) == 2  # the middle of 🔒 (UTF-16 1..3)


def test_range_lists_convert_both_ways_on_random_text():
    rng = random.Random(7)
    text = "".join(rng.choice("ab🔒\n𝔘é") for _ in range(200))
    ranges = sorted((min(a, b), max(a, b)) for a, b in ((rng.randrange(201), rng.randrange(201)) for _ in range(50)))
    assert ranges_from_utf16(text, ranges_to_utf16(text, ranges)) == ranges


def test_out_of_range_indices_are_refused():
    with pytest.raises(ValueError):
        codepoint_to_utf16(TEXT, len(TEXT) + 1)
    with pytest.raises(ValueError):
        utf16_to_codepoint(TEXT, utf16_length(TEXT) + 1)
