"""Tiny random Llama/Qwen2 checkpoints and what the engine must compute on them (development time only).

Run with Debian's Python, which has torch: /usr/bin/python3 reference/make_fixtures.py (add --peft-roundtrip to check
the adapters the engine saved, see peft_roundtrip, and write their expected log-probs).
It writes test/fixtures/hf/<name>/ folders: config.json, model.safetensors (or shards and an index),
expected.json (ids and log-probs from this reference), and for one of them a LoRA adapter folder with
one step's gradients. The forward pass below is written from the architecture's definition: RMSNorm,
rotary embeddings on the two halves of each head (rotate_half), grouped-query attention, SwiGLU MLP,
optional q/k/v biases (Qwen2), tied or separate output embeddings; and GPT-2 (learned positions,
LayerNorm, Conv1D weights, tanh GELU). No Hugging Face library is used.
"""

import json
import math
import os
import re
import struct
import sys

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'hf')


# ---------------------------------------------------------------- safetensors writer


def write_safetensors(path, tensors, dtype):
    """tensors: name -> float tensor; dtype 'F32' | 'F16' | 'BF16'. Returns the tensors as stored, in float64."""
    header = {'__metadata__': {'format': 'pt'}}
    blobs = []
    stored = {}
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach()
        if dtype == 'F32':
            q = t.to(torch.float32)
            raw = q.contiguous().numpy().tobytes()
        elif dtype == 'F16':
            q = t.to(torch.float16)
            raw = q.contiguous().numpy().tobytes()
        elif dtype == 'BF16':
            q = t.to(torch.bfloat16)
            raw = q.contiguous().view(torch.int16).numpy().tobytes()
        else:
            raise ValueError(dtype)
        stored[name] = q.to(torch.float64)
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(',', ':'))
    text += ' ' * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text.encode())
        for b in blobs:
            f.write(b)
    return stored


# ---------------------------------------------------------------- the architecture


def rope_inv_freq(cfg):
    dh = cfg.get('head_dim') or cfg['hidden_size'] // cfg['num_attention_heads']
    inv = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh))
    sc = cfg.get('rope_scaling')
    if sc:
        kind = sc.get('rope_type', sc.get('type'))
        if kind == 'linear':
            inv = inv / sc['factor']
        elif kind == 'llama3':
            factor, lo, hi = sc['factor'], sc['low_freq_factor'], sc['high_freq_factor']
            old = sc['original_max_position_embeddings']
            wavelen = 2 * math.pi / inv
            out = torch.where(wavelen > old / lo, inv / factor, inv)
            smooth = (old / wavelen - lo) / (hi - lo)
            smoothed = (1 - smooth) * out / factor + smooth * out
            medium = (wavelen >= old / hi) & (wavelen <= old / lo)
            inv = torch.where(medium, smoothed, out)
        else:
            raise ValueError(kind)
    return inv


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def forward(W, cfg, ids, lora=None):
    """ids: LongTensor [B, T]. W: HF-named weights (float64). lora: {'scale', 'A': {module: A}, 'B': {...}}. Returns logits [B, T, V]."""
    B, T = ids.shape
    D = cfg['hidden_size']
    H = cfg['num_attention_heads']
    KV = cfg.get('num_key_value_heads', H)
    dh = cfg.get('head_dim') or D // H
    eps = cfg['rms_norm_eps']

    def lin(x, name):
        y = x @ W[name + '.weight'].T
        if name + '.bias' in W:
            y = y + W[name + '.bias']
        if lora is not None and name in lora['A']:
            y = y + lora['scale'] * ((x @ lora['A'][name].T) @ lora['B'][name].T)
        return y

    x = W['model.embed_tokens.weight'][ids]
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, rope_inv_freq(cfg))
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    mask = torch.full((T, T), float('-inf'), dtype=x.dtype).triu(1)
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}.'
        h = rms_norm(x, W[p + 'input_layernorm.weight'], eps)
        q = lin(h, p + 'self_attn.q_proj').view(B, T, H, dh).transpose(1, 2)
        k = lin(h, p + 'self_attn.k_proj').view(B, T, KV, dh).transpose(1, 2)
        v = lin(h, p + 'self_attn.v_proj').view(B, T, KV, dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # query head i reads key/value head i // (H / KV)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + mask, dim=-1) @ v
        x = x + lin(att.transpose(1, 2).reshape(B, T, H * dh), p + 'self_attn.o_proj')
        h = rms_norm(x, W[p + 'post_attention_layernorm.weight'], eps)
        gate = lin(h, p + 'mlp.gate_proj')
        x = x + lin(torch.nn.functional.silu(gate) * lin(h, p + 'mlp.up_proj'), p + 'mlp.down_proj')
    x = rms_norm(x, W['model.norm.weight'], eps)
    head = W['model.embed_tokens.weight'] if cfg.get('tie_word_embeddings') else W['lm_head.weight']
    return x @ head.T


def next_token_logprobs(W, cfg, ids, lora=None):
    """logprobs[b, i] = log p(ids[b, i + 1] | ids[b, :i + 1])."""
    f = forward_gpt2 if cfg['model_type'] == 'gpt2' else forward
    lsm = torch.log_softmax(f(W, cfg, ids, lora), dim=-1)
    return lsm[:, :-1].gather(-1, ids[:, 1:, None])[..., 0]


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward_gpt2(W, cfg, ids, lora=None):
    """GPT-2: learned positions, pre-LayerNorm blocks, one fused q/k/v Conv1D ([in, out] weights, x @ W + b),
    tanh-GELU MLP, a final LayerNorm, the output projection tied to the token embedding."""
    B, T = ids.shape
    D, H = cfg['n_embd'], cfg['n_head']
    dh = D // H
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    def conv(x, n):
        y = x @ W[n + '.weight'] + W[n + '.bias']
        m = 'transformer.' + n
        if lora is not None and m in lora['A']:
            y = y + lora['scale'] * ((x @ lora['A'][m].T) @ lora['B'][m].T)
        return y

    x = W['wte.weight'][ids] + W['wpe.weight'][:T]
    mask = torch.full((T, T), float('-inf'), dtype=x.dtype).triu(1)
    for l in range(cfg['n_layer']):
        p = f'h.{l}.'
        h = layer_norm(x, W[p + 'ln_1.weight'], W[p + 'ln_1.bias'], eps)
        q, k, v = conv(h, p + 'attn.c_attn').split(D, dim=-1)
        q, k, v = (t.view(B, T, H, dh).transpose(1, 2) for t in (q, k, v))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + mask, dim=-1) @ v
        x = x + conv(att.transpose(1, 2).reshape(B, T, D), p + 'attn.c_proj')
        h = layer_norm(x, W[p + 'ln_2.weight'], W[p + 'ln_2.bias'], eps)
        x = x + conv(gelu_tanh(conv(h, p + 'mlp.c_fc')), p + 'mlp.c_proj')
    x = layer_norm(x, W['ln_f.weight'], W['ln_f.bias'], eps)
    return x @ W['wte.weight'].T


def random_gpt2(cfg, gen):
    D, F, V, P = cfg['n_embd'], cfg.get('n_inner') or 4 * cfg['n_embd'], cfg['vocab_size'], cfg['n_positions']
    r = lambda *s, std=0.2: torch.randn(*s, generator=gen) * std
    W = {'wte.weight': r(V, D, std=0.4), 'wpe.weight': r(P, D, std=0.1), 'ln_f.weight': 1 + r(D, std=0.1), 'ln_f.bias': r(D, std=0.1)}
    for l in range(cfg['n_layer']):
        p = f'h.{l}.'
        for n in ('ln_1', 'ln_2'):
            W[p + n + '.weight'] = 1 + r(D, std=0.1)
            W[p + n + '.bias'] = r(D, std=0.1)
        for n, (i, o) in {'attn.c_attn': (D, 3 * D), 'attn.c_proj': (D, D), 'mlp.c_fc': (D, F), 'mlp.c_proj': (F, D)}.items():
            W[p + n + '.weight'] = r(i, o)
            W[p + n + '.bias'] = r(o, std=0.1)
    return W


def write_gpt2(name, seed):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    cfg = {'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'n_embd': 32, 'n_layer': 2, 'n_head': 4,
           'n_positions': 32, 'n_inner': None, 'vocab_size': 64, 'layer_norm_epsilon': 1e-5,
           'activation_function': 'gelu_new', 'bos_token_id': 1, 'eos_token_id': 2, 'tie_word_embeddings': True}
    W = random_gpt2(cfg, gen)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    # the key names as GPT2LMHeadModel.save_pretrained writes them (a transformer. prefix, no lm_head)
    stored = write_safetensors(os.path.join(folder, 'model.safetensors'), {'transformer.' + k: v for k, v in W.items()}, 'F16')
    stored = {k[len('transformer.'):]: v for k, v in stored.items()}
    expected = {'dtype': 'F16', 'sequences': []}
    seqs = sequences(cfg['vocab_size'], gen)
    for ids in seqs:
        lp = next_token_logprobs(stored, cfg, ids)
        expected['sequences'].append({'ids': ids[0].tolist(), 'logprobs': lp[0].tolist()})
    with open(os.path.join(folder, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
    write_lora(folder, cfg, stored, seqs, r=2, alpha=4, targets=['c_attn', 'c_proj', 'c_fc'], seed=12)


# ---------------------------------------------------------------- random checkpoints


def random_weights(cfg, gen):
    D = cfg['hidden_size']
    H = cfg['num_attention_heads']
    KV = cfg.get('num_key_value_heads', H)
    dh = cfg.get('head_dim') or D // H
    F = cfg['intermediate_size']
    V = cfg['vocab_size']
    r = lambda *s, std=0.2: torch.randn(*s, generator=gen) * std
    W = {'model.embed_tokens.weight': r(V, D, std=0.4), 'model.norm.weight': 1 + r(D, std=0.1)}
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}.'
        W[p + 'input_layernorm.weight'] = 1 + r(D, std=0.1)
        W[p + 'post_attention_layernorm.weight'] = 1 + r(D, std=0.1)
        W[p + 'self_attn.q_proj.weight'] = r(H * dh, D)
        W[p + 'self_attn.k_proj.weight'] = r(KV * dh, D)
        W[p + 'self_attn.v_proj.weight'] = r(KV * dh, D)
        W[p + 'self_attn.o_proj.weight'] = r(D, H * dh)
        if cfg['model_type'] == 'qwen2' or cfg.get('attention_bias'):
            W[p + 'self_attn.q_proj.bias'] = r(H * dh, std=0.1)
            W[p + 'self_attn.k_proj.bias'] = r(KV * dh, std=0.1)
            W[p + 'self_attn.v_proj.bias'] = r(KV * dh, std=0.1)
        if cfg['model_type'] == 'llama' and cfg.get('attention_bias'):
            W[p + 'self_attn.o_proj.bias'] = r(D, std=0.1)
        W[p + 'mlp.gate_proj.weight'] = r(F, D)
        W[p + 'mlp.up_proj.weight'] = r(F, D)
        W[p + 'mlp.down_proj.weight'] = r(D, F)
    if not cfg.get('tie_word_embeddings'):
        W['lm_head.weight'] = r(V, D, std=0.2)
    return W


# ---------------------------------------------------------------- a tiny byte-level BPE tokenizer


def bytes_to_unicode():
    """GPT-2's printable stand-in of each byte."""
    direct = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table = {b: chr(b) for b in direct}
    n = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + n)
            n += 1
    return table


# Qwen2's split pattern, as tokenizer.json stores it, and an equivalent for ASCII text in Python's re.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
ASCII_SPLIT = re.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
CORPUS = """def copy(dst, src, n):
    return strncpy(dst, src, n)

int main(void) {
    char buf[16];
    strncpy(buf, argv[1], sizeof buf);
    return 0;
}
def read(path):
    with open(path) as f:
        return f.read()
"""
SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>']


def train_bpe(n_merges):
    b2u = bytes_to_unicode()
    words = [[b2u[b] for b in w.encode()] for w in ASCII_SPLIT.findall(CORPUS)]
    vocab = {b2u[b]: b for b in range(256)}
    merges = []
    for _ in range(n_merges):
        counts = {}
        for w in words:
            for a, b in zip(w, w[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], p))
        merges.append(best)
        vocab[best[0] + best[1]] = len(vocab)
        words = [merge_word(w, best) for w in words]
    return vocab, merges


def merge_word(w, pair):
    out, i = [], 0
    while i < len(w):
        if i + 1 < len(w) and (w[i], w[i + 1]) == pair:
            out.append(w[i] + w[i + 1])
            i += 2
        else:
            out.append(w[i])
            i += 1
    return out


def bpe_encode(text, vocab, merges, specials):
    """Reference encoder: specials split out first, then the split pattern, bytes, and merges by rank."""
    b2u = bytes_to_unicode()
    rank = {m: i for i, m in enumerate(merges)}
    ids = []
    parts = re.split('(' + '|'.join(re.escape(s) for s in specials) + ')', text)
    for part in parts:
        if part in specials:
            ids.append(specials[part])
            continue
        for word in ASCII_SPLIT.findall(part):
            w = [b2u[b] for b in word.encode()]
            while len(w) > 1:
                pairs = [(rank.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(w, w[1:]))]
                best, i = min(pairs)
                if best == 1 << 30:
                    break
                w = merge_word(w, (w[i], w[i + 1]))
            ids.extend(vocab[t] for t in w)
    return ids


CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def write_tokenizer(folder, vocab, merges):
    special_ids = {}
    added = []
    for s in SPECIALS:
        special_ids[s] = len(vocab) + len(special_ids)
        added.append({'id': special_ids[s], 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
                      'normalized': False, 'special': True})
    tok = {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': added,
        'normalizer': {'type': 'NFC'},
        'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
            {'type': 'Split', 'pattern': {'Regex': QWEN2_SPLIT}, 'behavior': 'Isolated', 'invert': False},
            {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        ]},
        'post_processor': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                  'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
                  'vocab': vocab, 'merges': [f'{a} {b}' for a, b in merges]},
    }
    with open(os.path.join(folder, 'tokenizer.json'), 'w') as f:
        json.dump(tok, f, ensure_ascii=False)
    cfg = {'bos_token': None, 'eos_token': '<|im_end|>', 'pad_token': '<|endoftext|>', 'chat_template': CHATML,
           'model_max_length': 64, 'tokenizer_class': 'Qwen2Tokenizer'}
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w') as f:
        json.dump(cfg, f, indent=1)
    return special_ids


# ---------------------------------------------------------------- fixtures


def base_config(model_type, **kw):
    cfg = {
        'architectures': ['LlamaForCausalLM' if model_type == 'llama' else 'Qwen2ForCausalLM'],
        'model_type': model_type,
        'hidden_size': 32,
        'intermediate_size': 48,
        'num_hidden_layers': 2,
        'num_attention_heads': 4,
        'num_key_value_heads': 2,
        'vocab_size': 64,
        'max_position_embeddings': 64,
        'rms_norm_eps': 1e-6,
        'rope_theta': 10000.0,
        'hidden_act': 'silu',
        'tie_word_embeddings': False,
        'bos_token_id': 1,
        'eos_token_id': 2,
        'torch_dtype': 'float32',
    }
    cfg.update(kw)
    return cfg


def sequences(V, gen):
    a = torch.randint(0, V, (1, 12), generator=gen)
    b = torch.randint(0, V, (1, 7), generator=gen)
    return a, b


def write_checkpoint(name, cfg, dtype, seed, shards=1, tokenizer=False):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    special_ids = None
    if tokenizer:
        vocab, merges = train_bpe(40)
        cfg['vocab_size'] = len(vocab) + len(SPECIALS) + 5  # padded past the tokenizer, as real checkpoints are
        special_ids = write_tokenizer(folder, vocab, merges)
        cfg['bos_token_id'] = special_ids['<|endoftext|>']
        cfg['eos_token_id'] = special_ids['<|im_end|>']
    W = random_weights(cfg, gen)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    names = sorted(W)
    if shards == 1:
        stored = write_safetensors(os.path.join(folder, 'model.safetensors'), W, dtype)
    else:
        stored, weight_map = {}, {}
        per = math.ceil(len(names) / shards)
        for s in range(shards):
            file = f'model-{s + 1:05d}-of-{shards:05d}.safetensors'
            part = {n: W[n] for n in names[s * per:(s + 1) * per]}
            stored.update(write_safetensors(os.path.join(folder, file), part, dtype))
            weight_map.update({n: file for n in part})
        with open(os.path.join(folder, 'model.safetensors.index.json'), 'w') as f:
            json.dump({'metadata': {'total_size': 0}, 'weight_map': weight_map}, f, indent=2)
    seqs = sequences(cfg['vocab_size'], gen)
    expected = {'dtype': dtype, 'sequences': []}
    for ids in seqs:
        lp = next_token_logprobs(stored, cfg, ids)
        expected['sequences'].append({'ids': ids[0].tolist(), 'logprobs': lp[0].tolist()})
    if tokenizer:
        texts = ['def copy(dst, src, n):\n    return strncpy(dst, src, n)\n', "It's 42 ok\n\n  x", 'a<|im_end|>b']
        expected['tokenizer'] = [{'text': t, 'ids': bpe_encode(t, vocab, merges, special_ids)} for t in texts]
    with open(os.path.join(folder, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
    return folder, stored, seqs


def write_lora(folder, cfg, W, seqs, r, alpha, targets, seed):
    """An adapter with random (non-zero) A and B, its log-probs, and the gradients of the mean NLL of both sequences."""
    gen = torch.Generator().manual_seed(seed)
    if cfg['model_type'] == 'gpt2':
        D = cfg['n_embd']
        F = cfg.get('n_inner') or 4 * D
        dims = {'attn.c_attn': (D, 3 * D), 'attn.c_proj': (D, D), 'mlp.c_fc': (D, F), 'mlp.c_proj': (F, D)}
        modules = [(f'transformer.h.{l}.{n}', dims[n]) for l in range(cfg['n_layer']) for n in dims
                   if n.split('.')[1] in targets]
    else:
        D = cfg['hidden_size']
        H = cfg['num_attention_heads']
        KV = cfg.get('num_key_value_heads', H)
        dh = cfg.get('head_dim') or D // H
        F = cfg['intermediate_size']
        dims = {'q_proj': (D, H * dh), 'k_proj': (D, KV * dh), 'v_proj': (D, KV * dh), 'o_proj': (H * dh, D),
                'gate_proj': (D, F), 'up_proj': (D, F), 'down_proj': (F, D)}
        modules = [(f"model.layers.{l}.{'mlp' if m in ('gate_proj', 'up_proj', 'down_proj') else 'self_attn'}.{m}",
                    dims[m]) for l in range(cfg['num_hidden_layers']) for m in targets]
    A, Bm = {}, {}
    for name, (i, o) in modules:
        A[name] = (torch.randn(r, i, generator=gen) * 0.3).to(torch.float32).to(torch.float64).requires_grad_()
        Bm[name] = (torch.randn(o, r, generator=gen) * 0.3).to(torch.float32).to(torch.float64).requires_grad_()
    lora = {'scale': alpha / r, 'A': A, 'B': Bm}
    sub = os.path.join(folder, 'lora')
    os.makedirs(sub, exist_ok=True)
    peft = {}
    for name in A:
        peft[f'base_model.model.{name}.lora_A.weight'] = A[name]
        peft[f'base_model.model.{name}.lora_B.weight'] = Bm[name]
    write_safetensors(os.path.join(sub, 'adapter_model.safetensors'), peft, 'F32')
    with open(os.path.join(sub, 'adapter_config.json'), 'w') as f:
        json.dump({'peft_type': 'LORA', 'task_type': 'CAUSAL_LM', 'r': r, 'lora_alpha': alpha, 'lora_dropout': 0.0,
                   'target_modules': targets, 'bias': 'none', 'fan_in_fan_out': cfg['model_type'] == 'gpt2',
                   'inference_mode': True,
                   'base_model_name_or_path': None, 'modules_to_save': None, 'use_rslora': False}, f, indent=2)
    # loss: mean over every scored position of both sequences of -log p
    total, count, lps = 0, 0, []
    for ids in seqs:
        lp = next_token_logprobs(W, cfg, ids, lora)
        lps.append({'ids': ids[0].tolist(), 'logprobs': lp[0].tolist()})
        total = total - lp.sum()
        count += lp.numel()
    loss = total / count
    loss.backward()
    grads = {}
    for name in A:
        grads[f'base_model.model.{name}.lora_A.weight'] = A[name].grad
        grads[f'base_model.model.{name}.lora_B.weight'] = Bm[name].grad
    write_safetensors(os.path.join(sub, 'expected-grads.safetensors'), grads, 'F32')
    with open(os.path.join(sub, 'expected.json'), 'w') as f:
        json.dump({'loss': loss.item(), 'sequences': lps}, f, indent=1)


# ---------------------------------------------------------------- PEFT round trip: adapters the engine wrote


def read_safetensors(path):
    """name -> float64 tensor, from a safetensors file (F32, F16 or BF16), read from the format's definition."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        start, end = e['data_offsets']
        buf = bytearray(raw[base + start:base + end])
        if e['dtype'] == 'F32':
            t = torch.frombuffer(buf, dtype=torch.float32)
        elif e['dtype'] == 'F16':
            t = torch.frombuffer(buf, dtype=torch.float16)
        elif e['dtype'] == 'BF16':
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            raise ValueError(f'{path}: {name}: dtype {e["dtype"]}')
        out[name] = t.reshape(e['shape']).to(torch.float64)
    return out


def read_model(folder):
    """A checkpoint folder's weights, single file or sharded."""
    single = os.path.join(folder, 'model.safetensors')
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(folder, 'model.safetensors.index.json')) as f:
        files = sorted(set(json.load(f)['weight_map'].values()))
    W = {}
    for file in files:
        W.update(read_safetensors(os.path.join(folder, file)))
    return W


PEFT_KEY = re.compile(r'^base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_(A|B)\.weight$')
GPT2_PEFT_KEY = re.compile(r'^base_model\.model\.transformer\.h\.(\d+)\.(attn|mlp)\.(c_attn|c_proj|c_fc)\.lora_(A|B)\.weight$')


def peft_roundtrip(name):
    """Loads the adapter the engine saved (test/fixtures/hf/<name>/engine-lora) the way PEFT would for a
    LlamaForCausalLM / Qwen2ForCausalLM / GPT2LMHeadModel: adapter_config.json's r, lora_alpha (scale alpha / r) and
    target_modules; keys base_model.model.<module>.lora_A.weight [r, in] and .lora_B.weight [out, r]. Every
    key, shape and field is checked, then this reference's log-probs with the adapter are written to
    engine-lora/expected.json for the engine's test to match."""
    folder = os.path.join(OUT, name)
    sub = os.path.join(folder, 'engine-lora')
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = json.load(f)
    with open(os.path.join(sub, 'adapter_config.json')) as f:
        ac = json.load(f)
    gpt2 = cfg['model_type'] == 'gpt2'
    assert ac['peft_type'] == 'LORA' and ac['task_type'] == 'CAUSAL_LM', ac
    assert ac['bias'] == 'none' and ac['use_rslora'] is False and ac['use_dora'] is False, ac
    # PEFT's flag for Conv1D layers, whose weights are [in, out]: true for GPT-2 only
    assert ac['fan_in_fan_out'] is gpt2 and ac['layers_to_transform'] is None, ac
    assert ac['rank_pattern'] == {} and ac['alpha_pattern'] == {}, ac
    r, alpha, targets = ac['r'], ac['lora_alpha'], ac['target_modules']
    assert isinstance(r, int) and r >= 1 and alpha > 0, ac
    if gpt2:
        D = cfg['n_embd']
        F = cfg.get('n_inner') or 4 * D
        L = cfg['n_layer']
        # (parent, module) -> (in, out); c_proj names both the attention output and the MLP output, as in PEFT
        dims = {('attn', 'c_attn'): (D, 3 * D), ('attn', 'c_proj'): (D, D), ('mlp', 'c_fc'): (D, F), ('mlp', 'c_proj'): (F, D)}
        key_re, prefix = GPT2_PEFT_KEY, 'transformer.h'
    else:
        D = cfg['hidden_size']
        H = cfg['num_attention_heads']
        KV = cfg.get('num_key_value_heads', H)
        dh = cfg.get('head_dim') or D // H
        F = cfg['intermediate_size']
        L = cfg['num_hidden_layers']
        dims = {('self_attn', 'q_proj'): (D, H * dh), ('self_attn', 'k_proj'): (D, KV * dh),
                ('self_attn', 'v_proj'): (D, KV * dh), ('self_attn', 'o_proj'): (H * dh, D),
                ('mlp', 'gate_proj'): (D, F), ('mlp', 'up_proj'): (D, F), ('mlp', 'down_proj'): (F, D)}
        key_re, prefix = PEFT_KEY, 'model.layers'
    assert set(targets) <= {m for _, m in dims}, ac
    tensors = read_safetensors(os.path.join(sub, 'adapter_model.safetensors'))
    A, Bm = {}, {}
    for key, t in tensors.items():
        m = key_re.match(key)
        assert m, f'not a PEFT LoRA key of a {cfg["model_type"]} model: {key}'
        layer, parent, module, which = int(m[1]), m[2], m[3], m[4]
        assert layer < L and module in targets and (parent, module) in dims, key
        i, o = dims[(parent, module)]
        want = (r, i) if which == 'A' else (o, r)
        assert tuple(t.shape) == want, f'{key}: shape {tuple(t.shape)}, PEFT has {want}'
        (A if which == 'A' else Bm)[f'{prefix}.{layer}.{parent}.{module}'] = t
    expected_modules = {f'{prefix}.{l}.{p}.{m}' for l in range(L) for (p, m) in dims if m in targets}
    assert set(A) == expected_modules and set(Bm) == expected_modules, sorted(expected_modules ^ set(A))
    W = read_model(folder)
    if gpt2:
        W = {k[len('transformer.'):] if k.startswith('transformer.') else k: v for k, v in W.items()}
    lora = {'scale': alpha / r, 'A': A, 'B': Bm}
    with open(os.path.join(folder, 'expected.json')) as f:
        seqs = [s['ids'] for s in json.load(f)['sequences']]
    out = {'scale': alpha / r, 'sequences': []}
    for ids in seqs:
        lp = next_token_logprobs(W, cfg, torch.tensor([ids]), lora)
        out['sequences'].append({'ids': ids, 'logprobs': lp[0].tolist()})
    with open(os.path.join(sub, 'expected.json'), 'w') as f:
        json.dump(out, f, indent=1)
    print('checked', sub, f'({len(tensors)} tensors)', file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    folder, W, seqs = write_checkpoint('llama-tiny', base_config('llama'), 'F32', seed=1)
    write_lora(folder, base_config('llama'), W, seqs, r=4, alpha=8,
               targets=['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], seed=11)
    write_checkpoint('qwen2-tiny-bf16', base_config('qwen2', num_key_value_heads=1, rope_theta=1000000.0,
                                                    tie_word_embeddings=True, torch_dtype='bfloat16'),
                     'BF16', seed=2, tokenizer=True)
    write_checkpoint('llama-tiny-f16-sharded', base_config('llama', head_dim=16, num_attention_heads=2,
                                                           num_key_value_heads=1, attention_bias=True,
                                                           torch_dtype='float16',
                                                           rope_scaling={'rope_type': 'llama3', 'factor': 8.0,
                                                                         'low_freq_factor': 1.0,
                                                                         'high_freq_factor': 4.0,
                                                                         'original_max_position_embeddings': 64}),
                     'F16', seed=3, shards=2)
    write_gpt2('gpt2-tiny-f16', seed=4)
    print('wrote', OUT, file=sys.stderr)


if __name__ == '__main__':
    # --peft-roundtrip: check the adapters the engine wrote (engine-lora/, made by test/hf-peft.test.ts
    # with RL_CORE_WRITE_ENGINE_ADAPTERS=1) and write their expected log-probs; the base fixtures stay as they are
    if sys.argv[1:] == ['--peft-roundtrip']:
        for fixture in ('llama-tiny', 'qwen2-tiny-bf16', 'gpt2-tiny-f16'):
            peft_roundtrip(fixture)
    else:
        main()
