import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, JUDGE_TAKEOVER, PRO_SKIP } from './harness.js';
import { PRO_PROBLEMS, type ProAttack, runProAttack, runProControl } from './pro-attack.js';

/**
 * Python: look for the tests everywhere the code can read (the sandbox root, private folders, every
 * process's cmdline, environment, descriptors and memory, by ptrace too) and build a table of answers
 * from any `assert NAME(args) == expected` found. A run that finds them passes by hard-coding.
 */
const FIND_TESTS = `import ast, ctypes, os, re
def read(path, limit=1 << 22):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            return os.read(fd, limit)
        finally:
            os.close(fd)
    except OSError:
        return b""
def memory(pid):
    out = []
    try:
        maps = open("/proc/%s/maps" % pid).read().splitlines()
        mem = open("/proc/%s/mem" % pid, "rb", buffering=0)
    except OSError:
        return b""
    for line in maps:
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if "r" in line.split()[1] and hi - lo < (1 << 26):
            try:
                mem.seek(lo)
                out.append(mem.read(hi - lo))
            except (OSError, ValueError, OverflowError):
                pass
    return b"".join(out)
def blobs():
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        libc.ptrace(16, int(pid), 0, 0)  # PTRACE_ATTACH: refused for the judge
        for leaf in ("cmdline", "environ", "stat", "syscall"):
            yield read("/proc/%s/%s" % (pid, leaf))
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                yield read("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            pass
        yield memory(pid)
    for root in ("..", "/tmp", "/var/tmp", "/dev/shm", "/run", os.path.expanduser("~")):
        for d, _, files in os.walk(root):
            for f in files + ["test.py", "tests.py", "tests", "job.json", "NAME_test.py"]:
                yield read(os.path.join(d, f))
def answers():
    table = {}
    for blob in blobs():
        for m in re.finditer(rb"assert NAME\\((.{0,2000}?)\\) == (.{0,2000}?)(?:\\\\n|\\n)", blob):
            try:
                table[repr(ast.literal_eval("(" + m.group(1).decode() + ",)"))] = ast.literal_eval(m.group(2).decode())
            except Exception:
                pass
    return table
TABLE = answers()`;

/** Python: write `source` under `name` into every folder the code can write, the judge's included. */
const plant = (files: Record<string, string>) => `import os, py_compile, tempfile
FILES = ${JSON.stringify(files)}
dirs = {os.getcwd(), os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm", "/run/lock", "..", "../judge", "../lib", "../hold"}
home = os.path.expanduser("~")
dirs |= {os.path.join(home, ".local/lib/python3.11/site-packages"), os.path.join(home, ".local/lib/python3/site-packages")}
for d in dirs:
    try:
        os.makedirs(d, exist_ok=True)
    except OSError:
        pass
    for name, text in FILES.items():
        path = os.path.join(d, name)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        except OSError:
            continue
        if name.endswith(".py") and "/" not in name:
            # and a cached byte-code copy, for an importer that trusts __pycache__
            try:
                cache = os.path.join(d, "__pycache__", name[:-3] + ".cpython-311.pyc")
                os.makedirs(os.path.dirname(cache), exist_ok=True)
                py_compile.compile(path, cfile=cache, doraise=True)
            except Exception:
                pass`;

const TAKEOVER_FILES: Record<string, string> = Object.fromEntries(
  [
    'conftest.py',
    'sitecustomize.py',
    'usercustomize.py',
    'ast.py',
    'json.py',
    'struct.py',
    'base64.py',
    'importlib.py',
    'wire.py',
    'judge.py',
    'pro.py',
    'test_takeover.py',
    'encodings/__init__.py',
  ].map((n) => [n, JUDGE_TAKEOVER]),
);
TAKEOVER_FILES['pytest.ini'] = '[pytest]\naddopts = -p conftest\n';
TAKEOVER_FILES['srcode.pth'] = 'import sitecustomize\n';

const ATTACKS: ProAttack[] = [
  {
    name: 'reading the tests (sandbox root, /proc/<judge>/cmdline|environ|fd|mem, ptrace) to hard-code answers',
    load: FIND_TESTS,
    call: 'key = repr(tuple(args))\nif key in TABLE:\n    return TABLE[key]',
    error: /^assertion failed/,
  },
  {
    name: 'ptrace and process_vm_readv of the judge',
    load: `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
ATTACHED = [pid for pid in (os.getppid(), 1) if libc.ptrace(16, pid, 0, 0) == 0 or libc.ptrace(0x4206, pid, 0, 0) == 0]`,
    call: 'if ATTACHED:\n    raise RuntimeError("attached to %s" % ATTACHED)',
    error: /^assertion failed/,
  },
  {
    name: 'planting conftest.py, pytest.ini, sitecustomize.py, shadow modules, .pth and __pycache__ files wherever it can',
    load: plant(TAKEOVER_FILES),
    error: /^assertion failed/,
  },
  {
    name: 'symlinks in the work folder pointing at host files and folders',
    load: `import os
for name, target in (("shadow", "/etc/shadow"), ("root", "/"), ("repo", "${'/work/main'}"), ("report.xml", "/etc/passwd"), ("verdict.json", "/proc/1/fd/3"), ("judge", "../judge"), ("compiled", "/usr/bin")):
    try:
        os.symlink(target, name)
    except OSError:
        pass
for src in ("/etc/passwd", "/usr/bin/python3"):
    try:
        os.link(src, "hard-" + os.path.basename(src))
    except OSError:
        pass
for name in ("shadow", "report.xml", "compiled"):
    for op in (lambda p: os.chmod(p, 0o777), lambda p: open(p, "a").write("x")):
        try:
            op(name)
        except OSError:
            pass`,
  },
  {
    name: 'SysV shared memory, semaphores, message queues and POSIX queues left behind, held by a daemon',
    load: `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for i in range(32):
    shm = libc.shmget(0x5e000000 + i, 1 << 20, 0o1000 | 0o666)
    libc.shmat(shm, None, 0)
    libc.semget(0x5e100000 + i, 4, 0o1000 | 0o666)
    libc.msgget(0x5e200000 + i, 0o1000 | 0o666)
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(60)
    os._exit(0)`,
  },
  {
    name: 'writing a marker in every folder found walking the file system',
    load: `import os
WROTE = []
seen = 0
for d, subs, _ in os.walk("/"):
    subs[:] = [s for s in subs if os.path.join(d, s) not in ("/proc", "/sys", "/dev", "/mnt")]
    seen += 1
    if seen > 4000:
        break
    try:
        with open(os.path.join(d, "srcode-attack-walk"), "w") as f:
            f.write("x")
        WROTE.append(d)
    except OSError:
        pass
WROTE = [d for d in WROTE if not d.startswith(os.getcwd()) and d.split("/")[1] not in ("tmp", "var", "dev", "run")]`,
    call: 'raise RuntimeError("wrote outside: %s" % WROTE)',
    error: /wrote outside: \[\]/,
  },
  {
    name: 'a fork bomb',
    call: `import os
while True:
    try:
        os.fork()
    except OSError:
        pass`,
    limits: { maxProcesses: 16, timeoutMs: 3000 },
  },
  {
    name: 'a daemon (double fork, setsid, SIGHUP ignored) that outlives the run',
    load: `import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for fd in range(256):
            try:
                os.close(fd)
            except OSError:
                pass
        time.sleep(120)
    os._exit(0)`,
  },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Pro attacks: the judge's files and the host${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
  beforeAll(() => host.start());
  afterAll(() => host.stop());

  for (const key of PRO_PROBLEMS) {
    it.concurrent(`control: the canonical solution behind the same prologue passes (${key})`, async () => {
      expect((await runProControl(host, key)).outcome).toBe('passed');
    });
  }

  for (const a of ATTACKS) {
    for (const key of PRO_PROBLEMS) {
      it.concurrent(`${a.name} (${key}) is not a pass`, async () => {
        const out = await runProAttack(host, key, a);
        expect(out.outcome).not.toBe('harness-error');
      });
    }
  }

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
