"""Modules packaged under another name with the same API (Debian's `Cryptodome` for `Crypto`).

`install(aliases)` maps each alias (alias -> real name) onto its real module, where only the real
one is installed. Both the judge and the worker call it, so tests and code import alike.
"""

import importlib
import importlib.abc
import importlib.util
import sys


class _Loader(importlib.abc.Loader):
    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        return importlib.import_module(self.real)

    def exec_module(self, module):
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, aliases):
        self.aliases = aliases

    def find_spec(self, name, path=None, target=None):
        top, _, rest = name.partition(".")
        real = self.aliases.get(top)
        if real is None:
            return None
        full = real + ("." + rest if rest else "")
        if importlib.util.find_spec(full) is None:
            return None
        return importlib.util.spec_from_loader(name, _Loader(full))


def install(aliases):
    missing = {a: r for a, r in aliases.items() if importlib.util.find_spec(a) is None and importlib.util.find_spec(r) is not None}
    if missing:
        sys.meta_path.insert(0, _Finder(missing))
