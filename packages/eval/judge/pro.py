"""Judge of a self-invoking problem (HumanEval Pro, MBPP Pro): the asserts run here, the code there.

Job on stdin: {"nonce", "solution": path of the program, "tests": source of the asserts,
"names": the functions the problem defines}. The program runs in the untrusted worker; the
asserts run in this process against plain values decoded from the wire. The verdict (fd 3) is
"passed" only when every statement of the tests ran to its end and the worker still answers.
"""

import builtins
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import judge  # noqa: E402
from wire import PeerLost, RemoteRef, WireError  # noqa: E402


def main():
    judge.take_verdict_channel()
    job = judge.read_job()
    nonce = job["nonce"]
    workdir = os.getcwd()
    verdict = {"nonce": nonce, "status": "failed", "calls": 0}
    peer, pid = judge.start_worker(job["solution"], workdir)
    try:
        ready = peer.receive()
        if ready.get("op") != "ready":
            verdict["reason"] = "the program did not load: %s: %s" % (
                str(ready.get("type"))[:100],
                str(ready.get("message"))[:500],
            )
            return verdict
        names = test_names(job["tests"])
        scope = {"__builtins__": builtins, "__name__": "__tests__"}
        calls = [0]
        for entry in ready.get("globals", []):
            if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str:
                raise WireError("a global is a name, a value and a reference")
            name, data, ref = entry
            if name not in names:
                continue
            if type(data) is dict and (set(data) == {"$module"} or set(data) == {"$import"}):
                try:
                    scope[name] = shared_global(peer, name, data)
                except Exception:  # noqa: BLE001 - not shared: a module is left out, a callable stays in the worker
                    if type(ref) is dict and set(ref) == {"$ref"}:
                        scope[name] = counted(peer.decode(ref), calls)
            else:
                value = peer.decode(data)
                scope[name] = counted(value, calls) if type(value) is RemoteRef else value
        code = compile(job["tests"], "tests", "exec")
        try:
            exec(code, scope)
        except AssertionError as error:
            verdict["reason"] = "assertion failed%s" % (": " + str(error)[:500] if str(error) else "")
            return verdict
        except PeerLost:
            verdict["reason"] = "the program exited before the tests finished"
            return verdict
        except Exception as error:  # noqa: BLE001 - any other failure of a test is a failure
            verdict["reason"] = "%s: %s" % (type(error).__name__, str(error)[:500])
            return verdict
        verdict["calls"] = calls[0]
        if calls[0] == 0:
            verdict["reason"] = "the tests never called the program"
            return verdict
        if peer.request("ping") != "pong" or judge.worker_status(pid) is not None:
            verdict["reason"] = "the program exited before the tests finished"
            return verdict
        verdict["status"] = "passed"
        return verdict
    except PeerLost:
        verdict["reason"] = "the program exited before the tests finished"
        return verdict
    except WireError as error:
        verdict["reason"] = "the program broke the wire: %s" % error
        return verdict
    except Exception as error:  # noqa: BLE001 - e.g. a reply too deep or too big to decode: never a pass
        verdict["reason"] = "the judge could not use the program's answer: %s: %s" % (type(error).__name__, str(error)[:300])
        return verdict
    finally:
        status = judge.worker_status(pid, wait=2.0 if peer.lost else 0.0)
        if status is not None:
            verdict["worker"] = status


def shared_global(peer, name, data):
    """A module, or a standard-library function or class the program imported under its own name
    (`from math import sqrt`), imported afresh here; anything else stays in the worker."""
    if "$module" in data:
        # `import math`: the judge imports an allow-listed module of that very name itself.
        if data["$module"] != name:
            raise WireError("a module under another name is not shared")
        return judge.shared_module(name)
    body = data["$import"]
    if type(body) is not list or len(body) != 2 or not all(type(b) is str for b in body):
        raise WireError("malformed import")
    module, qualname = body
    if qualname != name or name.startswith("_"):
        raise WireError("an import under another name stays in the worker")
    value = getattr(judge.shared_module(module), qualname)
    if not callable(value):
        raise WireError("not a function or class")
    return value


def test_names(tests):
    """The names the tests read that are not builtins: the only globals taken from the program."""
    import ast

    found = {n.id for n in ast.walk(ast.parse(tests)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return found - set(dir(builtins))


def counted(ref, calls):
    def call(*args, **kwargs):
        calls[0] += 1
        return ref(*args, **kwargs)

    return call


if __name__ == "__main__":
    judge.write_verdict(main())
