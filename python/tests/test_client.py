"""The client against the real server: rewards, code-point offsets, errors, connection reuse."""

from __future__ import annotations

import re

import pytest
from servers import Relay

from srcode_reward import Completion, RewardClient, RewardServiceError, pad_rows, ranges_to_utf16

EMOJI_FIX = "/* 🔒 bounded copy */\n"


def toy_tokens(text):
    """A stand-in policy tokenizer: words, symbols and whitespace runs, with code-point offsets."""
    return [(m.start(), m.end()) for m in re.finditer(r"\s+|\w+|[^\w\s]", text)]


def test_fixed_code_earns_a_positive_reward_on_its_fix_and_the_vulnerable_code_a_penalty(server, pair):
    with RewardClient(server.url) as client:
        fixed, vulnerable = client.rewards([pair["fixedCode"], pair["vulnerableCode"]], pair_id=pair["id"])
    assert fixed.total > 0 and vulnerable.total < 0
    [secure] = [s for s in fixed.spans if s["polarity"] == "secure"]
    assert pair["fixedCode"][secure["start"] : secure["end"]].startswith("snprintf(")
    assert len(fixed.token_ids) == len(pair["fixedCode"].encode("utf-8")) == len(fixed.rewards)


def test_spans_and_offsets_index_the_python_string_past_astral_characters(server, pair):
    text = EMOJI_FIX + pair["fixedCode"]
    offsets = toy_tokens(text)
    with RewardClient(server.url) as client:
        [result] = client.rewards([Completion(text, offsets=offsets)], pair_id=pair["id"])
    [secure] = [s for s in result.spans if s["polarity"] == "secure"]
    # code points: the emoji counts once, as Python counts it (UTF-16 would be one further)
    assert text[secure["start"] : secure["end"]] == "snprintf(dst, len, \"%s\", src)"
    assert ranges_to_utf16(text, [(secure["start"], secure["end"])]) == [(secure["start"] + 1, secure["end"] + 1)]
    assert len(result.rewards) == len(offsets)
    rewarded = {text[s:e] for (s, e), r in zip(offsets, result.rewards) if r > 0}
    assert "snprintf" in rewarded and "bounded" not in rewarded and "🔒" not in rewarded


def test_a_bad_request_raises_with_the_status_and_the_server_code(server, pair):
    with RewardClient(server.url) as client:
        with pytest.raises(RewardServiceError) as bad:
            client.rewards([{"text": "ab", "offsets": [[0, 9]]}], pair_id=pair["id"])
        with pytest.raises(RewardServiceError) as unknown:
            client.rewards(["int x;"], pair_id="no-such-pair")
    assert (bad.value.status, bad.value.code) == (400, "invalid-offsets")
    assert "past the text's end" in bad.value.message and bad.value.attempts == 1
    assert (unknown.value.status, unknown.value.code) == (404, "unknown-pair")
    assert "reward service said 404 unknown-pair" in str(unknown.value)


def test_an_error_page_that_is_not_json_keeps_its_status(server, pair):
    relay = Relay(server.url)
    relay.queue(("status", 418, {"content-type": "text/html"}, b"<html>teapot</html>"))
    try:
        with RewardClient(relay.url) as client, pytest.raises(RewardServiceError) as e:
            client.rewards(["int x;"], pair_id=pair["id"])
    finally:
        relay.close()
    assert (e.value.status, e.value.code) == (418, "bad-response")
    assert "teapot" in e.value.message


def test_requests_reuse_one_kept_alive_connection(server, pair):
    relay = Relay(server.url)
    try:
        with RewardClient(relay.url, concurrency=1) as client:
            for _ in range(12):
                client.rewards(["int x;"], pair_id=pair["id"])
    finally:
        relay.close()
    assert relay.requests == 12 and relay.connections == 1


def test_per_completion_pairs_and_options_reach_the_server(server, pairs):
    c_pair = next(p for p in pairs if p["language"] == "c")
    py_pair = next(p for p in pairs if p["language"] == "python")
    batch = [
        Completion(c_pair["fixedCode"], pair_id=c_pair["id"]),
        Completion(py_pair["fixedCode"], pair_id=py_pair["id"]),
        Completion(py_pair["fixedCode"], pair_id=py_pair["id"], options={"instanceReward": 5}),
    ]
    with RewardClient(server.url) as client:
        c, py, bonus = client.rewards(batch)
    assert (c.pair_id, py.pair_id) == (c_pair["id"], py_pair["id"])
    assert py.total > 0 and bonus.total == pytest.approx(py.total + 5)


def test_rows_are_padded_and_cut_to_the_response_length():
    rows = pad_rows([[1.0, 2.0, 3.0], {"rewards": [4.0]}, []], 2)
    assert rows == [[1.0, 2.0], [4.0, 0.0], [0.0, 0.0]]
    assert pad_rows([[1.0, 2.0, 3.0]], 4, lengths=[2]) == [[1.0, 2.0, 0.0, 0.0]]


def test_one_refused_completion_gets_zero_rewards_and_the_rest_of_the_batch_is_scored(server, pair):
    good = pair["fixedCode"]
    batch = [good, {"text": "ab", "offsets": [[0, 1], [1, 9]]}, good, {"text": "cd", "tokenIds": [1, 2, 3], "offsets": [[0, 1], [1, 2], [2, 7]]}, good]
    with RewardClient(server.url) as client:
        results = client.rewards(batch, pair_id=pair["id"], on_invalid="zero")
        with pytest.raises(RewardServiceError):
            client.rewards(batch, pair_id=pair["id"])
    assert [r.error is None for r in results] == [True, False, True, False, True]
    assert results[1].rewards == [0.0, 0.0] and results[3].rewards == [0.0, 0.0, 0.0]
    assert "past the text's end" in results[1].error
    assert results[0].total == results[2].total == results[4].total > 0
    assert [r.id for r in results] == [f"completion-{i}" for i in range(5)]


def test_a_lone_surrogate_is_refused_before_sending(server):
    with RewardClient(server.url) as client, pytest.raises(ValueError, match="lone surrogate"):
        client.rewards(["ok", "bad \udc80 byte"])


def test_a_client_and_its_errors_cross_a_pickle_as_ray_and_multiprocessing_send_them(server, pair):
    import pickle  # noqa: PLC0415

    with RewardClient([server.url], concurrency=3) as client:
        client.rewards(["int x;"], pair_id=pair["id"])
        copy = pickle.loads(pickle.dumps(client))
    with copy:
        assert (copy.urls, copy.concurrency) == ([server.url], 3)
        assert copy.rewards([pair["fixedCode"]], pair_id=pair["id"])[0].total > 0
        with pytest.raises(RewardServiceError) as e:
            copy.rewards(["x"], pair_id="missing")
    again = pickle.loads(pickle.dumps(e.value))
    assert (again.status, again.code, str(again)) == (404, "unknown-pair", str(e.value))
