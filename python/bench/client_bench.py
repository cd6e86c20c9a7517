#!/usr/bin/env python3
"""Client throughput against a real ``srcode-reward serve`` on loopback: completions/s at 1 and 8 threads.

Baseline, measured in the same run: one thread posting with ``urllib`` (a new connection a request,
as the old example script did). Needs the built server (``pnpm --filter @srcode/token-reward build``).
Run: ``/usr/bin/python3 python/bench/client_bench.py [--seconds 6] [--batch 16] [--helpers 30]``.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent / "tests")]

from servers import DATASET_CLI, Serve, run_node  # noqa: E402

from srcode_reward import RewardClient  # noqa: E402


def completions(pair, n, helpers=30):
    """The pair's code after ``helpers`` unrelated functions (30: about 1.5 KB), half fixed, half vulnerable."""
    filler = "".join(f"static int helper_{k}(int x) {{ return x * {k} + 1; }}\n" for k in range(helpers))
    return [filler + (pair["fixedCode"] if i % 2 else pair["vulnerableCode"]) for i in range(n)]


def run_for(seconds, threads, send):
    done = [0] * threads
    stop = time.monotonic() + seconds

    def loop(k):
        while time.monotonic() < stop:
            done[k] += send()

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    return sum(done) / (time.monotonic() - started)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--helpers", type=int, default=30, help="unrelated functions before the pair's code (30: about 1.5 KB)")
    args = ap.parse_args()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"srcode-client-bench-{os.getpid()}"
    work.mkdir(exist_ok=True)
    pairs_file = work / "pairs.jsonl"
    run_node(DATASET_CLI, "import", "--format", "sven", "--dataset", "sample", run_node(DATASET_CLI, "sample-path").strip(), "--out", str(pairs_file))
    pair = next(json.loads(l) for l in pairs_file.read_text().splitlines() if "strcpy(dst, src)" in l)
    server = Serve("--pairs", str(pairs_file), "--tokenizer", "bytes")
    batch = completions(pair, args.batch, args.helpers)
    body = json.dumps({"pairId": pair["id"], "completions": [{"text": t} for t in batch]}).encode()
    try:
        def raw():
            req = urllib.request.Request(f"{server.url}/v1/rewards", data=body, headers={"content-type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as answer:
                return len(json.load(answer)["results"])

        raw()
        baseline = run_for(args.seconds, 1, raw)
        rows = [("urllib, 1 thread (baseline)", baseline)]
        with RewardClient(server.url, concurrency=8) as client:
            send = lambda: len(client.rewards(batch, pair_id=pair["id"]))  # noqa: E731
            send()
            for threads in (1, 8):
                rows.append((f"RewardClient, {threads} thread{'s' if threads > 1 else ''}", run_for(args.seconds, threads, send)))
            big = completions(pair, 1024, args.helpers)
            started = time.monotonic()
            client.rewards(big, pair_id=pair["id"])
            rows.append(("RewardClient, one call of 1024 (split to 4, 4 at once)", 1024 / (time.monotonic() - started)))
    finally:
        server.stop()
    load = os.getloadavg()[0]
    print(f"{args.batch} completions of {len(batch[0])} characters a request, {os.cpu_count()} cores, load {load:.1f}")
    for name, rate in rows:
        print(f"  {name:<56} {rate:8.0f} completions/s  {rate / baseline:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
