"""PyTorch (CPU) twin of one TransformerPolicy SFT step, the baseline of bench/train-step.ts.

Reads one JSON object on stdin and prints one JSON object on stdout:

  in:  {"vocabSize", "maxLength", "layers", "width", "heads", "ffnMultiple", "seed",
        "learningRate", "maxGradNorm", "adamEpsilon", "batch", "tokens": [batch * maxLength ints],
        "mask": [batch * (maxLength - 1) floats], "warmup", "steps", "threads",
        "weights": {name: {"shape": [...], "data": [...]}}  (optional: the tfjs initial weights)}
  out: {"ms_per_step", "step_ms": [...], "losses": [...], "torch": version, "threads"}

The model is the one in src/tfjs/transformer.ts, parameter for parameter and in the same layout:
pre-norm blocks (layer norm, eps 1e-5), causal multi-head attention from one fused qkv matrix with an
additive -1e9 mask, a GELU MLP in its sigmoid form x * sigmoid(1.702 x), a final layer norm, an LM head
and a value head, all stored as [in, out] matrices used as x @ W. The loss is the token-mean masked
cross-entropy of the next token; gradients are clipped to a global norm, then one Adam step.
The token embedding is a row lookup where the tfjs model multiplies a one-hot matrix: the same values
and gradients, by a cheaper op. The per-token entropy that the tfjs forward pass also computes (unused by
this loss) is not computed here. Without "weights" the parameters are drawn from the same distributions
with torch's own generator, so the loss curve then matches only in shape.

Run: /usr/bin/python3 bench/torch_step.py < input.json  (stdlib + torch only).
"""

import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def parameter_shapes(c):
    d = c["width"]
    f = c["width"] * c["ffnMultiple"]
    out = [("tok_emb", [c["vocabSize"], d]), ("pos_emb", [c["maxLength"], d])]
    for l in range(c["layers"]):
        out += [
            (f"h{l}.ln1.g", [d]),
            (f"h{l}.ln1.b", [d]),
            (f"h{l}.attn.qkv", [d, 3 * d]),
            (f"h{l}.attn.out", [d, d]),
            (f"h{l}.ln2.g", [d]),
            (f"h{l}.ln2.b", [d]),
            (f"h{l}.mlp.in", [d, f]),
            (f"h{l}.mlp.in_b", [f]),
            (f"h{l}.mlp.out", [f, d]),
            (f"h{l}.mlp.out_b", [d]),
        ]
    out += [("ln_f.g", [d]), ("ln_f.b", [d]), ("head", [d, c["vocabSize"]]), ("value.w", [d, 1]), ("value.b", [1])]
    return out


def initial_value(name, shape, c, gen):
    if name.endswith(".g"):
        return torch.ones(shape)
    if name.endswith("_b") or name.endswith(".b"):
        return torch.zeros(shape)
    std = 0.02 / math.sqrt(2 * c["layers"]) if name.endswith("attn.out") or name.endswith("mlp.out") else 0.02
    return torch.randn(shape, generator=gen) * std


def build_params(c, weights):
    gen = torch.Generator().manual_seed(int(c.get("seed", 0)))
    params = {}
    for name, shape in parameter_shapes(c):
        if weights is not None:
            w = weights[name]
            if list(w["shape"]) != shape:
                raise ValueError(f"expected weight {name} of shape {shape}, found {w['shape']}")
            t = torch.tensor(w["data"], dtype=torch.float32).reshape(shape)
        else:
            t = initial_value(name, shape, c, gen)
        params[name] = t.requires_grad_(True)
    return params


def gelu(x):
    return x * torch.sigmoid(1.702 * x)


def forward(p, c, tokens, causal):
    B, T = tokens.shape
    d, h = c["width"], c["heads"]
    dh = d // h
    x = F.embedding(tokens, p["tok_emb"]) + p["pos_emb"][:T]
    for l in range(c["layers"]):
        a = F.layer_norm(x, (d,), p[f"h{l}.ln1.g"], p[f"h{l}.ln1.b"], 1e-5)
        q, k, v = (t.reshape(B, T, h, dh).transpose(1, 2) for t in (a @ p[f"h{l}.attn.qkv"]).split(d, dim=-1))
        scores = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(dh)) + causal[:T, :T]
        att = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, d)
        x = x + att @ p[f"h{l}.attn.out"]
        m = F.layer_norm(x, (d,), p[f"h{l}.ln2.g"], p[f"h{l}.ln2.b"], 1e-5)
        x = x + gelu(m @ p[f"h{l}.mlp.in"] + p[f"h{l}.mlp.in_b"]) @ p[f"h{l}.mlp.out"] + p[f"h{l}.mlp.out_b"]
    hidden = F.layer_norm(x, (d,), p["ln_f.g"], p["ln_f.b"], 1e-5)
    logits = hidden @ p["head"]
    values = (hidden @ p["value.w"] + p["value.b"]).squeeze(-1)
    return logits, values


def blas_library():
    """The BLAS that torch's matrix products go through: Debian's build calls whichever libblas.so.3 is selected."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.split()[-1].rsplit("/", 1)[-1]}
    except OSError:
        return "unknown"
    for path in sorted(paths):
        if "/blas/libblas" in path:
            return "reference (libblas3)"
    return ", ".join(sorted({p.rsplit("/", 2)[-2] for p in paths})) or "unknown"


def main():
    cfg = json.load(sys.stdin)
    torch.set_num_threads(int(cfg.get("threads", 2)))
    B, T, V = cfg["batch"], cfg["maxLength"], cfg["vocabSize"]
    tokens = torch.tensor(cfg["tokens"], dtype=torch.int64).reshape(B, T)
    mask = torch.tensor(cfg["mask"], dtype=torch.float32).reshape(B, T - 1)
    # token-mean aggregation: every real token weighs 1 / (number of real tokens).
    weight = mask / mask.sum().clamp(min=1)
    causal = torch.triu(torch.full((T, T), -1e9), diagonal=1)
    params = build_params(cfg, cfg.get("weights"))
    plist = list(params.values())
    opt = torch.optim.Adam(plist, lr=cfg["learningRate"], betas=(0.9, 0.999), eps=cfg.get("adamEpsilon", 1e-7))
    max_norm = cfg.get("maxGradNorm")
    targets = tokens[:, 1:]

    def step():
        logits, _values = forward(params, cfg, tokens, causal)
        logp = torch.log_softmax(logits[:, : T - 1], dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        loss = -(logp * weight).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if max_norm is not None and math.isfinite(max_norm):
            torch.nn.utils.clip_grad_norm_(plist, max_norm)
        opt.step()
        return loss.item()

    losses = [step() for _ in range(int(cfg["warmup"]))]
    step_ms = []
    for _ in range(int(cfg["steps"])):
        t0 = time.perf_counter()
        losses.append(step())
        step_ms.append((time.perf_counter() - t0) * 1000)
    json.dump(
        {
            "ms_per_step": statistics.median(step_ms),
            "step_ms": step_ms,
            "losses": losses,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": blas_library(),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
