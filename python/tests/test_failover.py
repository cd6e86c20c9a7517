"""Scale-out: trainer threads against three real replicas, one killed mid-run; nothing lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from servers import Serve, free_port_url

from srcode_reward import Retry, RewardClient


def test_three_replicas_one_killed_mid_run_every_request_answered(pairs_file, pair):
    replicas = [Serve("--pairs", str(pairs_file), "--tokenizer", "bytes", "--workers", "1") for _ in range(3)]
    texts = [pair["fixedCode"], pair["vulnerableCode"]]
    answered = []
    lock = threading.Lock()
    killed = threading.Event()
    try:
        with RewardClient([r.url for r in replicas], retry=Retry(attempts=8, backoff=0.05, max_backoff=0.5)) as client:
            expected = [r.rewards for r in client.rewards(texts, pair_id=pair["id"])]

            def worker(k: int) -> None:
                for step in range(24):
                    if k == 0 and step == 6:
                        replicas[1].kill()
                        killed.set()
                    batch = [texts[(k + step + j) % 2] for j in range(6)]
                    results = client.rewards(batch, pair_id=pair["id"])
                    assert [r.rewards for r in results] == [expected[(k + step + j) % 2] for j in range(6)]
                    with lock:
                        answered.append(len(results))

            with ThreadPoolExecutor(8) as pool:
                for f in [pool.submit(worker, k) for k in range(8)]:
                    f.result()
    finally:
        for r in replicas:
            r.kill()
    assert killed.is_set() and replicas[1].proc.returncode is not None
    assert len(answered) == 8 * 24 and sum(answered) == 8 * 24 * 6


def test_a_second_url_takes_over_when_the_first_is_down(server, pair):
    with RewardClient([free_port_url(), server.url], retry=Retry(attempts=3, backoff=0.05)) as client:
        results = [client.rewards([pair["fixedCode"]], pair_id=pair["id"])[0] for _ in range(10)]
    assert all(r.total > 0 for r in results)
