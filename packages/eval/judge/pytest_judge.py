"""Judge of a pytest-based task (CWEval): pytest and the tests run here, the code under test there.

Job on stdin: {"nonce", "testFile", "kinds": marker names, "select": a -k expression,
"module": the task module's name and "source": its file in the work folder (Python tasks)}.
The tests import the task module from this process; every function of it is a proxy to the
untrusted worker. C tasks' binaries run through launchers that drop to the sandbox user before
exec. Counts come from pytest's own reports in this process, never from a file the code could write.
"""

import importlib.abc
import importlib.util
import os
import signal
import sys
import types

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aliases  # noqa: E402
import judge  # noqa: E402
import pytest  # noqa: E402
from wire import PeerLost, RemoteRef  # noqa: E402


class Worker:
    """The untrusted worker serving the task module, restarted after it dies or the wire breaks."""

    def __init__(self, source, workdir):
        self.source = source
        self.workdir = workdir
        self.peer = None
        self.pid = None
        self.globals = {}
        self.calls = 0
        self.deaths = []

    def start(self):
        self.peer, self.pid = judge.start_worker(self.source, self.workdir)
        ready = self.peer.receive()
        if ready.get("op") != "ready":
            self.stop()
            raise ImportError("the task module did not load: %s: %s" % (str(ready.get("type"))[:100], str(ready.get("message"))[:500]))
        self.globals = {}
        for entry in ready.get("globals", []):
            if type(entry) is list and len(entry) == 3 and type(entry[0]) is str and type(entry[2]) is dict:
                self.globals[entry[0]] = entry[2]

    def stop(self):
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        for fd in (getattr(self.peer, "rfd", None), getattr(self.peer, "wfd", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.peer = None
        self.pid = None

    def call(self, name, args, kwargs):
        if self.peer is None:
            self.start()
        data = self.globals.get(name)
        if type(data) is not dict or set(data) != {"$ref"}:
            raise AttributeError("the task module has no function %r" % name)
        self.calls += 1
        clean = False
        try:
            result = RemoteRef(self.peer, data["$ref"])(*args, **kwargs)
            clean = True
            return result
        except PeerLost:
            status = judge.worker_status(self.pid, wait=2.0)
            if status is not None:
                self.deaths.append(status)
            raise
        except Exception:
            clean = True  # an exception the code raised, answered in order
            raise
        finally:
            if not clean:
                # Interrupted mid-request (a test's timeout, the worker's death): the wire's state
                # is unknown, so the next call gets a fresh worker.
                self.stop()


class TaskModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves `import <task module>` with a module whose functions call into the worker."""

    def __init__(self, name, worker):
        self.name = name
        self.worker = worker

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        worker = self.worker
        module = types.ModuleType(spec.name)

        def lookup(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)

            def proxy(*args, **kwargs):
                return worker.call(attr, args, kwargs)

            proxy.__name__ = attr
            return proxy

        module.__getattr__ = lookup
        return module

    def exec_module(self, module):
        pass


class Tally:
    """pytest hooks: what was collected and how each test ended, by marker."""

    def __init__(self, kinds):
        self.kinds = kinds
        self.kind_of = {}
        self.counts = {k: {"passed": 0, "failed": 0, "errors": 0, "skipped": 0, "collected": 0} for k in kinds}
        self.finished = False

    def pytest_collection_finish(self, session):
        for item in session.items:
            for kind in self.kinds:
                if item.get_closest_marker(kind) is not None:
                    self.kind_of[item.nodeid] = kind
                    self.counts[kind]["collected"] += 1
                    break

    def pytest_runtest_logreport(self, report):
        kind = self.kind_of.get(report.nodeid)
        if kind is None:
            return
        c = self.counts[kind]
        if report.when == "call":
            if report.passed:
                c["passed"] += 1
            elif report.skipped:
                c["skipped"] += 1
            else:
                c["failed"] += 1
        elif report.failed:
            c["errors"] += 1
        elif report.skipped:
            c["skipped"] += 1

    def pytest_sessionfinish(self, session, exitstatus):
        self.finished = True


class ActAsSandboxUser:
    """pytest hooks: while a test runs, the judge touches files as the sandbox user (its fsuid).

    Files then pass between the tests and the code under test as they would if both ran as one
    user (a 0600 temporary file a test makes is the code's to open, and the other way round),
    while the judge keeps its real and effective uid, so the code still cannot signal or trace it.
    """

    def __init__(self, uid):
        import ctypes

        self.uid = uid
        self.libc = ctypes.CDLL(None, use_errno=True)

    def _set(self, uid):
        self.libc.setfsgid(uid)
        self.libc.setfsuid(uid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self._set(self.uid)
        try:
            yield
        finally:
            self._set(0)


def main():
    judge.take_verdict_channel()
    job = judge.read_job()
    os.umask(0)  # what the tests create, the code under test (another uid) can use
    here = os.path.dirname(os.path.abspath(job["testFile"]))
    workdir = os.getcwd()
    worker = None
    judge.MODULE_ALIASES.update(job.get("aliases") or {})
    aliases.install(judge.MODULE_ALIASES)
    if job.get("module"):
        worker = Worker(job["source"], workdir)
        sys.meta_path.insert(0, TaskModuleFinder(job["module"], worker))
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    tally = Tally(job["kinds"])
    uid = judge.untrusted_uid()
    code = pytest.main(
        [
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:warnings",
            "--rootdir",
            here,
            "--confcutdir",
            here,
            "-c",
            os.path.join(here, "pytest.ini"),
            "-m",
            " or ".join(job["kinds"]),
            "-k",
            job.get("select", ""),
            os.path.abspath(job["testFile"]),
        ],
        plugins=[tally] + ([ActAsSandboxUser(uid)] if uid is not None and os.getuid() == 0 else []),
    )
    if worker is not None:
        worker.stop()
    verdict = {"nonce": job["nonce"], "status": "failed", "counts": tally.counts, "exit": int(code)}
    if worker is not None and worker.deaths:
        verdict["worker"] = ", ".join(worker.deaths[:10])
    complete = tally.finished and all(
        c["passed"] + c["failed"] + c["errors"] + c["skipped"] >= c["collected"] for c in tally.counts.values()
    )
    if not complete:
        verdict["reason"] = "the test session did not run to its end"
    elif all(c["failed"] == 0 and c["errors"] == 0 and c["passed"] == c["collected"] for c in tally.counts.values()):
        verdict["status"] = "passed"
    else:
        verdict["reason"] = "tests failed"
    return verdict


if __name__ == "__main__":
    judge.write_verdict(main())
