"""The untrusted side: runs as the sandbox's unprivileged user and serves calls into one module.

argv: worker.py <module file> <read fd> <write fd>. Started by the judge, never by the host.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aliases  # noqa: E402
from wire import Peer, PeerLost  # noqa: E402


def main():
    try:
        aliases.install(json.loads(os.environ.get("SRCODE_MODULE_ALIASES", "{}")))
    except ValueError:
        pass
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
