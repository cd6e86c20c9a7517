"""PyTorch (CPU, float32) forward of a Llama/Qwen2 shape with random weights: the baseline of bench/hf-forward.ts.

Reads one JSON object on stdin: {"config": config.json fields, "tokens": T, "repeats": n, "threads": k}
and prints {"ms": median forward ms, "tokens_per_s", "rss_bytes", "params", "torch", "threads"}.
The model is make_fixtures.forward (the reference the fixtures come from), run under no_grad.
Run: /usr/bin/python3 reference/bench_forward.py < input.json
"""

import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import make_fixtures  # noqa: E402

torch.set_default_dtype(torch.float32)


def main():
    req = json.load(sys.stdin)
    cfg = req['config']
    torch.set_num_threads(req.get('threads', 2))
    gen = torch.Generator().manual_seed(0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    W = make_fixtures.random_weights(cfg, gen)
    params = sum(t.numel() for t in W.values())
    ids = torch.randint(0, cfg['vocab_size'], (1, req['tokens']), generator=gen)
    times = []
    with torch.no_grad():
        make_fixtures.next_token_logprobs(W, cfg, ids)  # warm-up
        for _ in range(req.get('repeats', 3)):
            t0 = time.perf_counter()
            make_fixtures.next_token_logprobs(W, cfg, ids)
            times.append((time.perf_counter() - t0) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss0
    ms = statistics.median(times)
    print(json.dumps({'ms': ms, 'tokens_per_s': req['tokens'] / (ms / 1000), 'rss_bytes': rss, 'params': params,
                      'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
