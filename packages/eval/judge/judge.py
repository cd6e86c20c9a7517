"""What the trusted judges share: starting the untrusted worker and writing the verdict.

A judge runs inside the sandbox's namespaces as their root, so the code under test (another
uid, no capabilities) can neither signal it, read its memory or files descriptors, nor reach the
verdict pipe (file descriptor 3, inherited from the host and closed in every child).
"""

import json
import os
import resource
import sys

sys.dont_write_bytecode = True
LIB = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, LIB)

from wire import Peer, WireError  # noqa: E402

VERDICT_FD = int(os.environ.get("SRCODE_VERDICT_FD", "3"))
_verdict = None


def take_verdict_channel():
    """Move the verdict pipe to a descriptor no child inherits; call first thing."""
    global _verdict
    fd = os.dup(VERDICT_FD)  # os.dup makes the copy non-inheritable
    os.close(VERDICT_FD)
    _verdict = fd


def write_verdict(verdict):
    data = (json.dumps(verdict, separators=(",", ":")) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        n = os.write(_verdict, view)
        view = view[n:]
    os.close(_verdict)


def untrusted_uid():
    raw = os.environ.get("SRCODE_UNTRUSTED_UID", "")
    return int(raw) if raw.isdigit() else None


def drop_privileges(uid, workdir):
    """In a forked child: become the untrusted user, in the work folder, with nothing inherited."""
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            os._exit(126)
    os.chdir(workdir)
    os.umask(0o022)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


MODULE_ALIASES = {}


def untrusted_env(workdir):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": workdir,
        "TMPDIR": "/tmp",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if MODULE_ALIASES:
        env["SRCODE_MODULE_ALIASES"] = json.dumps(MODULE_ALIASES)
    return env


class Judge(Peer):
    """The trusted end: lends only allow-listed objects, refuses private attributes."""

    LENDABLE = {}

    def __init__(self, rfd, wfd):
        super().__init__(rfd, wfd, lend=self._lend, trusted=True)

    def _lend(self, peer, value):
        kind = type(value)
        if kind in self.LENDABLE:
            return self.keep(value)
        owner = getattr(value, "__self__", None)
        name = getattr(value, "__name__", None)
        if owner is not None and type(owner) in self.LENDABLE and name in self.LENDABLE[type(owner)]:
            return self.keep(value)
        raise TypeError("a %s cannot be passed to the code under test" % kind.__name__)

    def perform(self, message):
        if message.get("op") == "ping":
            return "pong"
        if message.get("op") == "getattr":
            target = self.refs.get(message.get("ref"))
            allowed = self.LENDABLE.get(type(target), ())
            if message.get("name") not in allowed:
                raise AttributeError(str(message.get("name"))[:100])
        elif message.get("op") != "call":
            raise WireError("only calls and allowed attributes of lent objects")
        return super().perform(message)

    def resolve_import(self, module, qualname):
        # Nothing the code sends makes the judge import anything: a module named by the code could
        # run code here with the judge's rights (unittest's __main__ runs whatever tests it finds).
        raise WireError("modules and imports are not accepted from the code under test")

    def import_module(self, name):
        return shared_module(name)


# Modules a test may use by the name the program imported them under (`math.pi`, `Counter`): pure
# computation, nothing that imports or runs other code when loaded. Only these, and only by name.
SHARED_MODULES = frozenset(
    {
        "array",
        "bisect",
        "cmath",
        "collections",
        "copy",
        "datetime",
        "decimal",
        "fractions",
        "functools",
        "heapq",
        "itertools",
        "math",
        "numbers",
        "operator",
        "random",
        "re",
        "statistics",
        "string",
    }
)


def shared_module(name):
    """An allow-listed standard-library module, imported by the judge itself; refused otherwise."""
    if type(name) is not str or name not in SHARED_MODULES:
        raise WireError("module %r is not shared with the judge" % str(name)[:80])
    import importlib

    return importlib.import_module(name)


def lendable():
    """Objects a test may hand to the code under test, by type, with the attributes allowed on them."""
    table = {}
    try:
        import sqlite3

        table[sqlite3.Cursor] = {
            "execute",
            "executemany",
            "fetchone",
            "fetchall",
            "fetchmany",
            "rowcount",
            "lastrowid",
            "description",
            "arraysize",
            "close",
        }
    except ImportError:
        pass
    return table


def start_worker(module_path, workdir):
    """Fork the untrusted worker for `module_path`; return the judge's end of the wire and its pid."""
    to_worker_r, to_worker_w = os.pipe()
    to_judge_r, to_judge_w = os.pipe()
    uid = untrusted_uid()
    env = untrusted_env(workdir)
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(to_worker_r, 3)
            os.dup2(to_judge_w, 4)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(2, 1)
            os.closerange(5, 65536)
            drop_privileges(uid, workdir)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
            os.execve(
                sys.executable,
                [sys.executable, "-I", "-B", os.path.join(LIB, "worker.py"), module_path, "3", "4"],
                env,
            )
        finally:
            os._exit(127)
    os.close(to_worker_r)
    os.close(to_judge_w)
    judge = Judge(to_judge_r, to_worker_w)
    judge.LENDABLE = lendable()
    return judge, pid


def worker_status(pid, wait=0.0):
    """How the worker ended: None while alive. `wait` seconds are given for a worker whose wire
    closed to become reapable (its descriptors close before the kernel lets its parent reap it)."""
    import time

    deadline = time.monotonic() + wait
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return "gone"
        if done != 0 or time.monotonic() >= deadline:
            break
        time.sleep(0.005)
    if done == 0:
        return None
    if os.WIFSIGNALED(status):
        return "signal %d" % os.WTERMSIG(status)
    return "exit %d" % os.WEXITSTATUS(status)


def read_job():
    return json.loads(sys.stdin.read())


def exec_untrusted(argv, workdir):
    """Replace this (root) process with `argv` run as the sandbox user in `workdir`: what a launcher does."""
    uid = untrusted_uid()
    os.closerange(3, 65536)
    drop_privileges(uid, workdir)
    os.execve(argv[0], argv, untrusted_env(workdir))
