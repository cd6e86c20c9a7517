"""PyTorch (CPU, float32) forward of a Llama/Qwen2 shape with random weights: the baseline of bench/hf-forward.ts.

Reads one JSON object on stdin: {"config": config.json fields, "tokens": T, "repeats": n, "threads": k,
"lora": optional {"r", "alpha", "targets": [...]}} and prints {"ms": median ms, "tokens_per_s", "rss_bytes",
"params", "torch", "threads"}. The model is make_fixtures.forward (the reference the fixtures come from):
without "lora" a forward under no_grad; with it one LoRA training step (forward, the mean next-token NLL,
backward into the adapters only, an Adam step), as HfPolicy.sftStep does.
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
    if 'lora' in req:
        lo = req['lora']
        D, F = cfg['hidden_size'], cfg['intermediate_size']
        dh = cfg.get('head_dim') or D // cfg['num_attention_heads']
        q, kv = cfg['num_attention_heads'] * dh, cfg['num_key_value_heads'] * dh
        dims = {'q_proj': (D, q), 'k_proj': (D, kv), 'v_proj': (D, kv), 'o_proj': (q, D),
                'gate_proj': (D, F), 'up_proj': (D, F), 'down_proj': (F, D)}
        A, B = {}, {}
        for l in range(cfg['num_hidden_layers']):
            for m in lo['targets']:
                sub = 'mlp' if m in ('gate_proj', 'up_proj', 'down_proj') else 'self_attn'
                name = f'model.layers.{l}.{sub}.{m}'
                i, o = dims[m]
                A[name] = (torch.rand(lo['r'], i, generator=gen) - 0.5).requires_grad_()
                B[name] = torch.zeros(o, lo['r']).requires_grad_()
        lora = {'scale': lo['alpha'] / lo['r'], 'A': A, 'B': B}
        opt = torch.optim.Adam([*A.values(), *B.values()], lr=1e-4)

        def step():
            opt.zero_grad()
            loss = -make_fixtures.next_token_logprobs(W, cfg, ids, lora).mean()
            loss.backward()
            opt.step()

        step()  # warm-up
        for _ in range(req.get('repeats', 3)):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1000)
    else:
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
