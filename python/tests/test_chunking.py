"""Batches past the server's limits: the client splits them itself, learning limits from 413 answers."""

from __future__ import annotations

import json

import pytest
from servers import Relay, Serve

from srcode_reward import RewardClient, RewardServiceError, ServerLimits


def batch_of(pair, n):
    """``n`` completions cycling through the fixed code, the vulnerable code and an unrelated one."""
    texts = [pair["fixedCode"], pair["vulnerableCode"], "int unrelated(void) { return 0; }\n"]
    return [texts[i % 3] for i in range(n)]


def test_a_1000_completion_batch_is_split_by_the_default_limits_without_a_413(server, pair):
    relay = Relay(server.url)
    try:
        with RewardClient(relay.url, concurrency=4) as client:
            results = client.rewards(batch_of(pair, 1000), pair_id=pair["id"])
            single = client.rewards(batch_of(pair, 3), pair_id=pair["id"])
    finally:
        relay.close()
    assert len(results) == 1000
    # the server's default is 256 completions a request: 4 requests, none refused, plus the one of 3
    assert relay.requests == 5
    assert sorted(len(json.loads(b)["completions"]) for b in relay.bodies) == [3, 232, 256, 256, 256]
    for i, r in enumerate(results):
        assert r.id == f"completion-{i}"
        assert r.rewards == single[i % 3].rewards


def test_a_tiny_max_completions_is_learned_from_the_413_and_every_completion_answered(pairs_file, pair):
    tiny = Serve("--pairs", str(pairs_file), "--tokenizer", "bytes", "--workers", "1", "--max-completions", "7")
    try:
        with RewardClient(tiny.url, concurrency=8) as client:
            results = client.rewards(batch_of(pair, 1000), pair_id=pair["id"])
            assert client.limits.max_completions == 7
            expected = client.rewards(batch_of(pair, 3), pair_id=pair["id"])
    finally:
        tiny.stop()
    assert [r.rewards for r in results] == [expected[i % 3].rewards for i in range(1000)]


def test_the_work_budget_and_body_size_are_learned_too(pairs_file, pair):
    budget = 2000  # characters: a handful of these completions a request
    small = Serve("--pairs", str(pairs_file), "--tokenizer", "bytes", "--workers", "1", "--max-work-chars", str(budget))
    try:
        with RewardClient(small.url) as client:
            results = client.rewards(batch_of(pair, 60), pair_id=pair["id"])
            assert client.limits.max_work_chars == budget
    finally:
        small.stop()
    assert len(results) == 60 and results[0].total > 0 and results[1].total < 0
    body = Serve("--pairs", str(pairs_file), "--tokenizer", "bytes", "--workers", "1", "--max-body-bytes", "3000")
    try:
        with RewardClient(body.url) as client:
            results = client.rewards(batch_of(pair, 40), pair_id=pair["id"])
            assert client.limits.max_body_bytes == 3000
    finally:
        body.stop()
    assert len(results) == 40


def test_limits_a_server_states_in_healthz_are_used(server, pair):
    relay = Relay(server.url)
    # a server that states its limits (a future /healthz field the client already reads)
    relay.queue(("status", 200, {"content-type": "application/json"}, {"ok": True, "limits": {"maxCompletions": 5}}))
    try:
        with RewardClient(relay.url) as client:
            client.health()
            assert client.limits.max_completions == 5
            client.rewards(batch_of(pair, 12), pair_id=pair["id"])
    finally:
        relay.close()
    assert relay.requests == 1 + 3


def test_one_completion_past_the_text_limit_is_refused_before_sending(server):
    with RewardClient(server.url, limits=ServerLimits(max_text_length=10)) as client, pytest.raises(RewardServiceError) as e:
        client.rewards(["short", "x" * 11])
    assert (e.value.status, e.value.code) == (413, "too-large")
    assert "completions[1]" in e.value.message
