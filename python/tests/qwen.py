"""The policy's tokenizer in the tests: Qwen's real ``tokenizer.json``, decoded in Python (byte-level BPE).

Encoding runs on the server (it answers a text's token ids); the trainer side only decodes ids, as
verl and TRL do with ``tokenizer.decode(ids, skip_special_tokens=True)``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence


def _byte_table() -> Dict[str, int]:
    """The byte-level alphabet: each byte's stand-in character, inverted (character -> byte)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars)}


class ByteLevelDecoder:
    """``decode(ids, skip_special_tokens)`` of a byte-level BPE ``tokenizer.json``, like Hugging Face's."""

    def __init__(self, path: Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.pieces: Dict[int, str] = {i: t for t, i in data["model"]["vocab"].items()}
        self.added = {t["id"]: (t["content"], bool(t.get("special"))) for t in data.get("added_tokens", [])}
        self.bytes_of = _byte_table()
        self.eos_token_id = next((i for i, (c, _) in self.added.items() if c == "<|im_end|>"), None)
        self.pad_token_id = next((i for i, (c, _) in self.added.items() if c == "<|endoftext|>"), 0)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        out = bytearray()
        for i in ids:
            i = int(i)
            if i in self.added:
                content, special = self.added[i]
                if not (special and skip_special_tokens):
                    out += content.encode("utf-8")
                continue
            out += bytes(self.bytes_of[ch] for ch in self.pieces[i])
        return out.decode("utf-8", errors="replace")  # as Hugging Face decodes a cut character

    def batch_decode(self, rows: Sequence[Sequence[int]], skip_special_tokens: bool = False) -> List[str]:
        return [self.decode(r, skip_special_tokens) for r in rows]


@lru_cache(maxsize=1)
def qwen_decoder(path: str) -> ByteLevelDecoder:
    return ByteLevelDecoder(Path(path) / "tokenizer.json")
