"""Per-token reward rows of one length, as lists or (when torch imports) tensors, for a trainer's batch."""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence


def torch_or_none():
    """The ``torch`` module, or ``None`` when it is not installed (the client works without it)."""
    try:
        import torch  # noqa: PLC0415 - optional, imported on use
    except ImportError:
        return None
    return torch


def _values(row: Any) -> List[float]:
    rewards = getattr(row, "rewards", row)
    if isinstance(rewards, dict):
        rewards = rewards["rewards"]
    return [float(x) for x in rewards]


def pad_rows(
    results: Iterable[Any],
    length: int,
    pad: float = 0.0,
    lengths: Optional[Sequence[int]] = None,
) -> List[List[float]]:
    """Each result's per-token rewards as a row of exactly ``length`` values.

    A row longer than ``length`` is cut, a shorter one right-padded with ``pad``. ``lengths`` (one
    per row) cuts each row to its own valid length first, so positions past a response's end (its
    padding) always hold ``pad``. A result may be a :class:`~srcode_reward.RewardResult`, a reply
    dict with ``rewards``, or a plain list of numbers.
    """
    if length < 0:
        raise ValueError(f"length must be >= 0, not {length}")
    rows = []
    for i, result in enumerate(results):
        values = _values(result)
        keep = length if lengths is None else min(length, int(lengths[i]))
        row = values[:keep]
        rows.append(row + [pad] * (length - len(row)))
    return rows


def as_tensor(rows: List[List[float]], like: Any = None, dtype: Any = None):
    """``rows`` as a float32 tensor on ``like``'s device when torch imports, else the rows themselves."""
    torch = torch_or_none()
    if torch is None:
        return rows
    device = getattr(like, "device", None)
    out = torch.tensor(rows, dtype=dtype or torch.float32)
    if len(rows) == 0:
        out = out.reshape(0, 0)
    return out.to(device) if device is not None else out


def to_lists(value: Any) -> List[List[int]]:
    """A [batch, length] tensor, array or nested sequence as lists of ints."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return [[int(x) for x in row] for row in value]


def to_list(value: Any) -> List[Any]:
    """A 1-D tensor, array or sequence as a list."""
    if hasattr(value, "tolist"):
        return list(value.tolist())
    return list(value)


def shape_of(value: Any) -> Sequence[int]:
    """``(batch, length)`` of a 2-D tensor, array or nested sequence."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(int(x) for x in shape)
    rows = list(value)
    return (len(rows), len(rows[0]) if rows else 0)
