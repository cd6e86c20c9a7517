"""What one completion sends to ``POST /v1/rewards``, and what comes back for it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from srcode_reward.offsets import utf16_length

OFFSET_UNITS = ("codepoint", "utf16", "byte")


@dataclass
class Completion:
    """One completion to score.

    ``offsets`` are the ``[start, end)`` of each of the trainer's tokens in ``text``, in
    ``offset_unit`` (``"codepoint"``: Python ``str`` indices, what Hugging Face tokenizers return),
    from ``offset_base`` (where the completion starts when the offsets index prompt + completion).
    Without offsets, ``token_ids`` ask the server's tokenizer (``serve --tokenizer``) to place those
    ids in ``text`` (the ids must be the ones that decode to ``text``); with neither, the server
    tokenizes ``text`` and answers its ids and offsets. ``pair_id`` (a pair the server loaded) or
    ``pair`` (a RepairPair dict) and ``options`` override the request's. ``findings`` are analyser
    findings (Finding dicts, UTF-16 ranges) folded in as vulnerable spans.
    """

    text: str
    offsets: Optional[Sequence[Sequence[int]]] = None
    token_ids: Optional[Sequence[int]] = None
    pair_id: Optional[str] = None
    pair: Optional[Mapping[str, Any]] = None
    options: Optional[Mapping[str, Any]] = None
    offset_unit: str = "codepoint"
    offset_base: int = 0
    language: Optional[str] = None
    findings: Optional[Sequence[Mapping[str, Any]]] = None
    id: Optional[str] = None

    def to_wire(self) -> Dict[str, Any]:
        """The completion as the service's JSON object."""
        if self.offset_unit not in OFFSET_UNITS:
            raise ValueError(f"offset_unit must be one of {', '.join(OFFSET_UNITS)}, not {self.offset_unit!r}")
        out: Dict[str, Any] = {"text": self.text, "offsetUnit": self.offset_unit}
        if self.offsets is not None:
            out["offsets"] = [[int(s), int(e)] for s, e in self.offsets]
        if self.token_ids is not None:
            out["tokenIds"] = [int(t) for t in self.token_ids]
        if self.offset_base:
            out["offsetBase"] = int(self.offset_base)
        for key, value in (
            ("pairId", self.pair_id),
            ("pair", self.pair),
            ("options", self.options),
            ("language", self.language),
            ("id", self.id),
        ):
            if value is not None:
                out[key] = dict(value) if isinstance(value, Mapping) else value
        if self.findings:
            out["findings"] = [dict(f) for f in self.findings]
        return out


CompletionLike = Union[Completion, str, Mapping[str, Any]]


def wire_completion(item: CompletionLike, default_unit: str = "codepoint") -> Dict[str, Any]:
    """A :class:`Completion`, a bare text, or a dict already in the wire format, as the wire dict.

    A dict without ``offsetUnit`` gets ``default_unit``, so replies index Python strings.
    """
    if isinstance(item, Completion):
        return item.to_wire()
    if isinstance(item, str):
        return {"text": item, "offsetUnit": default_unit}
    if isinstance(item, Mapping):
        out = dict(item)
        if not isinstance(out.get("text"), str):
            raise ValueError("a completion dict needs a 'text' string")
        out.setdefault("offsetUnit", default_unit)
        return out
    raise TypeError(f"expected a Completion, a str or a dict, not {type(item).__name__}")


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate (undecodable bytes read with ``surrogateescape``) is refused."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"a text holds a lone surrogate at {e.start}: it is not valid Unicode") from None


def work_of(wire: Mapping[str, Any]) -> int:
    """What the server counts against its work budget: the text's UTF-16 units and an inline pair's code."""
    work = utf16_length(wire["text"])
    pair = wire.get("pair")
    if isinstance(pair, Mapping):
        work += utf16_length(str(pair.get("vulnerableCode", ""))) + utf16_length(str(pair.get("fixedCode", "")))
    return work


@dataclass
class RewardResult:
    """The service's answer for one completion.

    ``rewards`` holds one reward per token (the trainer's tokens when offsets were sent), ``spans``
    the matched spans (``start``/``end`` in the completion's ``offset_unit``, ``polarity``,
    ``weight``, ``source``...), ``truncated`` whether matching stopped at its node budget;
    ``token_ids``/``offsets`` are the server's own tokens when it tokenized.
    """

    id: str
    rewards: List[float]
    spans: List[Dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    pair_id: Optional[str] = None
    token_ids: Optional[List[int]] = None
    offsets: Optional[List[List[int]]] = None
    #: Why the server refused this completion, when the call was made with ``on_invalid="zero"``.
    error: Optional[str] = None

    @property
    def total(self) -> float:
        """The sum of the per-token rewards (a sequence-level reward)."""
        return float(sum(self.rewards))

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> "RewardResult":
        """A result object of the reply's ``results``."""
        return cls(
            id=str(raw.get("id", "")),
            rewards=[float(x) for x in raw["rewards"]],
            spans=list(raw.get("spans", [])),
            truncated=bool(raw.get("truncated", False)),
            pair_id=raw.get("pairId"),
            token_ids=raw.get("tokenIds"),
            offsets=raw.get("offsets"),
        )
