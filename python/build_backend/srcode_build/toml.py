"""Reads ``pyproject.toml``: ``tomllib`` on Python 3.11+, else a parser of the TOML subset project files use.

The subset: ``[table]`` headers, bare, quoted and dotted keys, basic and literal strings (one line),
integers, booleans, arrays (over several lines, trailing comma and comments allowed) and inline tables.
Anything else (multi-line strings, floats, dates, arrays of tables) is refused with its line number
rather than misread.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

try:  # Python 3.11+
    import tomllib as _tomllib
except ImportError:  # pragma: no cover - exercised on 3.9 and 3.10
    _tomllib = None  # type: ignore[assignment]


class TomlError(ValueError):
    """A file outside the supported subset, or malformed: ``path:line: message``."""


def load(path: str) -> Dict[str, Any]:
    """The document at ``path``, with ``tomllib`` when the standard library has it."""
    with open(path, "rb") as f:
        data = f.read()
    if _tomllib is not None:
        try:
            return _tomllib.loads(data.decode("utf-8"))
        except _tomllib.TOMLDecodeError as e:
            raise TomlError(f"{path}: {e}") from None
    return parse(data.decode("utf-8"), path)


_BARE = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"[+-]?[0-9](?:_?[0-9])*")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.pos = 0

    def fail(self, message: str) -> TomlError:
        line = self.text.count("\n", 0, self.pos) + 1
        return TomlError(f"{self.path}:{line}: {message}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self, newlines: bool) -> None:
        """Skips spaces and comments, and line ends too when ``newlines``."""
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif c == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def expect(self, c: str) -> None:
        if self.peek() != c:
            raise self.fail(f"expected {c!r}, found {self.peek() or 'end of file'!r}")
        self.pos += 1

    def end_of_line(self) -> None:
        self.skip(newlines=False)
        if self.peek() not in ("", "\n", "\r"):
            raise self.fail(f"unexpected {self.peek()!r} after a value")

    def key(self) -> List[str]:
        parts = []
        while True:
            self.skip(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                m = _BARE.match(self.text, self.pos)
                if m is None:
                    raise self.fail(f"expected a key, found {self.peek() or 'end of file'!r}")
                parts.append(m.group(0))
                self.pos = m.end()
            self.skip(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def string(self) -> str:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            raise self.fail("multi-line strings are not supported")
        self.pos += 1
        out = []
        while True:
            c = self.peek()
            if c in ("", "\n"):
                raise self.fail("unterminated string")
            self.pos += 1
            if c == quote:
                return "".join(out)
            if c == "\\" and quote == '"':
                e = self.peek()
                self.pos += 1
                if e in _ESCAPES:
                    out.append(_ESCAPES[e])
                elif e in ("u", "U"):
                    n = 4 if e == "u" else 8
                    digits = self.text[self.pos : self.pos + n]
                    if not re.fullmatch(r"[0-9A-Fa-f]{%d}" % n, digits):
                        raise self.fail(f"bad \\{e} escape")
                    out.append(chr(int(digits, 16)))
                    self.pos += n
                else:
                    raise self.fail(f"unknown escape \\{e}")
            else:
                out.append(c)

    def value(self) -> Any:
        self.skip(newlines=False)
        c = self.peek()
        if c in ('"', "'"):
            return self.string()
        if c == "[":
            return self.array()
        if c == "{":
            return self.inline_table()
        for word, v in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return v
        m = _INT.match(self.text, self.pos)
        if m is not None and not re.match(r"[0-9A-Za-z_.:-]", self.text[m.end() : m.end() + 1]):
            self.pos = m.end()
            return int(m.group(0).replace("_", ""))
        raise self.fail(f"unsupported value starting {self.text[self.pos : self.pos + 12]!r}")

    def array(self) -> List[Any]:
        self.expect("[")
        items = []
        while True:
            self.skip(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.value())
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.fail(f"expected ',' or ']' in an array, found {self.peek() or 'end of file'!r}")

    def inline_table(self) -> Dict[str, Any]:
        self.expect("{")
        table: Dict[str, Any] = {}
        self.skip(newlines=False)
        if self.peek() == "}":
            self.pos += 1
            return table
        while True:
            self.assign(table)
            self.skip(newlines=False)
            if self.peek() == "}":
                self.pos += 1
                return table
            self.expect(",")

    def assign(self, table: Dict[str, Any]) -> None:
        keys = self.key()
        self.expect("=")
        target = self.descend(table, keys[:-1])
        if keys[-1] in target:
            raise self.fail(f"key {'.'.join(keys)!r} defined twice")
        target[keys[-1]] = self.value()

    def descend(self, table: Dict[str, Any], keys: List[str]) -> Dict[str, Any]:
        for k in keys:
            table = table.setdefault(k, {})
            if not isinstance(table, dict):
                raise self.fail(f"key {k!r} is not a table")
        return table

    def document(self) -> Dict[str, Any]:
        root: Dict[str, Any] = {}
        current = root
        seen: List[Tuple[str, ...]] = []
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                return root
            if self.text.startswith("[[", self.pos):
                raise self.fail("arrays of tables are not supported")
            if self.peek() == "[":
                self.pos += 1
                keys = self.key()
                self.expect("]")
                if tuple(keys) in seen:
                    raise self.fail(f"table [{'.'.join(keys)}] defined twice")
                seen.append(tuple(keys))
                current = self.descend(root, keys)
            else:
                self.assign(current)
            self.end_of_line()


def parse(text: str, path: str = "<toml>") -> Dict[str, Any]:
    """Parses the supported TOML subset (see the module's doc); errors name ``path`` and the line."""
    return _Parser(text, path).document()
