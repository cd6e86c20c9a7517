"""Retries: 503/429 with Retry-After, dropped connections, timeouts, dead servers, and what is never retried."""

from __future__ import annotations

import time

import pytest
from servers import Relay, free_port_url

from srcode_reward import Retry, RewardClient, RewardServiceError
from srcode_reward.retry import retry_after_seconds

FAST = Retry(attempts=4, backoff=0.05, max_backoff=0.2)


@pytest.fixture
def relay(server):
    r = Relay(server.url)
    yield r
    r.close()


def busy(seconds="1"):
    return ("status", 503, {"retry-after": seconds, "content-type": "application/json"}, {"error": {"code": "busy", "message": "queue full"}})


def test_a_503_with_retry_after_is_waited_out_then_answered(relay, pair):
    relay.queue(busy("1"))
    with RewardClient(relay.url, retry=FAST) as client:
        started = time.monotonic()
        [result] = client.rewards([pair["fixedCode"]], pair_id=pair["id"])
        elapsed = time.monotonic() - started
    assert result.total > 0 and relay.requests == 2
    # the backoff alone would retry after about 0.05 s: the server's Retry-After set the wait
    assert 0.95 <= elapsed < 5


def test_a_busy_replica_is_skipped_for_another_without_waiting(server, pair):
    busy_one = Relay(server.url)
    busy_one.queue(busy("30"))
    try:
        with RewardClient([busy_one.url, server.url], retry=FAST) as client:
            started = time.monotonic()
            [result] = client.rewards([pair["fixedCode"]], pair_id=pair["id"])
            assert time.monotonic() - started < 5
    finally:
        busy_one.close()
    assert result.total > 0 and busy_one.requests == 1


def test_429_and_a_dropped_connection_are_retried(relay, pair):
    relay.queue(("status", 429, {"retry-after": "0"}, {"error": {"code": "rate", "message": "slow down"}}), ("drop",))
    with RewardClient(relay.url, retry=FAST) as client:
        [result] = client.rewards([pair["fixedCode"]], pair_id=pair["id"])
    assert result.total > 0 and relay.requests == 3


def test_a_client_error_is_not_retried(relay):
    with RewardClient(relay.url, retry=FAST) as client, pytest.raises(RewardServiceError) as e:
        client.rewards(["x"], pair_id="missing")
    assert e.value.status == 404 and relay.requests == 1


def test_giving_up_reports_every_attempt(relay, pair):
    relay.queue(*[busy("0")] * 10)
    with RewardClient(relay.url, retry=FAST) as client, pytest.raises(RewardServiceError) as e:
        client.rewards([pair["fixedCode"]], pair_id=pair["id"])
    assert (e.value.status, e.value.code, e.value.attempts) == (503, "busy", 4)
    assert len(e.value.history) == 3 and all("503 busy" in h for h in e.value.history)
    assert relay.requests == 4


def test_a_slow_server_times_out_and_the_request_moves_to_a_fast_one(server, relay, pair):
    relay.queue(("delay", 3), ("delay", 3))
    with RewardClient(relay.url, timeout=0.5, retry=Retry(attempts=2, backoff=0.05)) as client:
        with pytest.raises(RewardServiceError) as e:
            client.rewards([pair["fixedCode"]], pair_id=pair["id"])
    assert (e.value.status, e.value.code) == (None, "timeout")
    relay.queue(("delay", 3))
    with RewardClient([relay.url, server.url], timeout=0.5, retry=FAST) as client:
        started = time.monotonic()
        [result] = client.rewards([pair["fixedCode"]], pair_id=pair["id"])
        assert time.monotonic() - started < 2.5
    assert result.total > 0


def test_a_server_that_is_down_is_a_connection_error(pair):
    with RewardClient(free_port_url(), retry=Retry(attempts=2, backoff=0.01)) as client, pytest.raises(RewardServiceError) as e:
        client.rewards(["x"], pair_id=pair["id"])
    assert (e.value.status, e.value.code, e.value.attempts) == (None, "connection", 2)
    assert e.value.retryable


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
