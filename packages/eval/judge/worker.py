"""The untrusted side: runs as the sandbox's unprivileged user and serves calls into one module.

argv: worker.py <module file> <read fd> <write fd>. Started by the judge, never by the host.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from wire import Peer, PeerLost  # noqa: E402


def install_aliases():
    """Modules packaged under another name with the same API (SRCODE_MODULE_ALIASES: alias -> real)."""
    import importlib
    import importlib.abc
    import importlib.util
    import json

    try:
        aliases = json.loads(os.environ.get("SRCODE_MODULE_ALIASES", "{}"))
    except ValueError:
        return
    missing = {a: r for a, r in aliases.items() if importlib.util.find_spec(a) is None and importlib.util.find_spec(r) is not None}
    if not missing:
        return

    class Loader(importlib.abc.Loader):
        def __init__(self, real):
            self.real = real

        def create_module(self, spec):
            return importlib.import_module(self.real)

        def exec_module(self, module):
            pass

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            top, _, rest = name.partition(".")
            real = missing.get(top)
            if real is None:
                return None
            full = real + ("." + rest if rest else "")
            if importlib.util.find_spec(full) is None:
                return None
            return importlib.util.spec_from_loader(name, Loader(full))

    sys.meta_path.insert(0, Finder())


def main():
    install_aliases()
    path, rfd, wfd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    peer = Peer(rfd, wfd)
    sys.path[0] = os.getcwd()
    module_name = os.path.splitext(os.path.basename(path))[0]
    import types

    module = types.ModuleType(module_name)
    module.__file__ = os.path.abspath(path)
    sys.modules[module_name] = module
    exposed = []
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        exec(compile(source, path, "exec"), module.__dict__)
        for name, value in list(module.__dict__.items()):
            if name.startswith("__"):
                continue
            try:
                # A callable also goes as a reference, for a judge that will not import it.
                exposed.append([name, peer.encode(value), peer.keep(value) if callable(value) else None])
            except Exception:  # noqa: BLE001 - an unsendable global is simply not offered
                pass
        peer.send({"op": "ready", "globals": exposed})
    except PeerLost:
        return
    except BaseException as error:  # noqa: BLE001 - the module failed to load: say why
        peer.send({"op": "failed", "type": type(error).__name__, "message": str(error)[:2000]})
        return
    try:
        while True:
            peer.serve_one(peer.receive())
    except PeerLost:
        return


main()
