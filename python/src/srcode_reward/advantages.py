"""Advantages that keep per-token credit under group-relative estimators (GRPO and kin).

GRPO-style estimators sum each response's token rewards and normalise the sums within the group of
responses to one prompt: the credit of a single secure or vulnerable span is spread over the whole
response. :func:`token_advantages` adds the token rewards back on top of the group advantage:

    A[i, t] = (group_advantage[i] + token_coef * r[i, t] / scale) * mask[i, t]

where ``scale`` is the largest ``|r|`` over the valid tokens of the batch (so the per-token part lies
in ``[-token_coef, token_coef]``). Tokens without a reward keep the group advantage; a batch whose
token rewards are all zero gets plain GRPO. Lists work everywhere; torch tensors are computed with
torch on their own device.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Dict, Hashable, List, Optional, Sequence

from srcode_reward.rows import to_list, torch_or_none


def group_advantages(
    scores: Sequence[float],
    index: Optional[Sequence[Hashable]] = None,
    *,
    normalize_std: bool = True,
    epsilon: float = 1e-6,
) -> List[float]:
    """GRPO's advantage of each score: minus its group's mean, over its group's std (sample std).

    ``index`` names each score's group (the prompt it answers; verl's ``uid``); ``None`` puts all
    scores in one group. A group of one gets its score unchanged (mean 0, std 1), as verl does.
    ``normalize_std=False`` only subtracts the mean (Dr. GRPO).
    """
    values = [float(x) for x in to_list(scores)]
    keys = list(to_list(index)) if index is not None else [0] * len(values)
    if len(keys) != len(values):
        raise ValueError(f"index has {len(keys)} entries for {len(values)} scores")
    groups: Dict[Hashable, List[float]] = defaultdict(list)
    for k, v in zip(keys, values):
        groups[k].append(v)
    stats = {}
    for k, members in groups.items():
        if len(members) == 1:
            stats[k] = (0.0, 1.0)
            continue
        mean = sum(members) / len(members)
        std = math.sqrt(sum((x - mean) ** 2 for x in members) / (len(members) - 1))
        stats[k] = (mean, std)
    out = []
    for k, v in zip(keys, values):
        mean, std = stats[k]
        centred = v - mean
        # a constant group (std 0) has zero advantage, whatever epsilon
        out.append(centred / (std + epsilon) if normalize_std and centred else centred)
    return out


def token_advantages(
    sequence_advantages: Any,
    token_rewards: Any,
    mask: Any,
    *,
    token_coef: float = 1.0,
    scale: Optional[float] = None,
) -> Any:
    """Per-token advantages ``[batch, length]``: each sequence's advantage plus its scaled token rewards.

    ``sequence_advantages`` has one value per row; ``token_rewards`` and ``mask`` (1 on the response's
    tokens, 0 on padding) are ``[batch, length]`` tensors or nested lists. ``scale`` defaults to the
    largest ``|reward|`` over the valid tokens (1 when all are zero). Returns the type it was given.
    """
    torch = torch_or_none()
    if torch is not None and isinstance(token_rewards, torch.Tensor):
        r = token_rewards.float()
        m = torch.as_tensor(mask, device=r.device).to(r.dtype)
        seq = torch.as_tensor(sequence_advantages, dtype=r.dtype, device=r.device).reshape(-1, 1)
        top = scale if scale is not None else float((r * m).abs().max().item()) if r.numel() else 0.0
        return (seq + token_coef * r / (top or 1.0)) * m
    rows = [[float(x) for x in row] for row in (token_rewards.tolist() if hasattr(token_rewards, "tolist") else token_rewards)]
    masks = [[float(x) for x in row] for row in (mask.tolist() if hasattr(mask, "tolist") else mask)]
    seq = [float(x) for x in to_list(sequence_advantages)]
    if not len(seq) == len(rows) == len(masks):
        raise ValueError(f"{len(seq)} sequence advantages, {len(rows)} reward rows and {len(masks)} mask rows")
    if scale is None:
        scale = max((abs(x) for row, mrow in zip(rows, masks) for x, k in zip(row, mrow) if k), default=0.0)
    top = scale or 1.0
    return [[(a + token_coef * x / top) * k for x, k in zip(row, mrow)] for a, row, mrow in zip(seq, rows, masks)]


def masked_sums(token_rewards: Any, mask: Any) -> List[float]:
    """Each row's sum of rewards over its valid tokens."""
    rows = token_rewards.tolist() if hasattr(token_rewards, "tolist") else token_rewards
    masks = mask.tolist() if hasattr(mask, "tolist") else mask
    return [float(sum(x * k for x, k in zip(row, mrow))) for row, mrow in zip(rows, masks)]
