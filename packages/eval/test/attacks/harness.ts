import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { homedir, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProProblem, loadProProblems } from '../../src/codeeval-pro.js';
import { type CwevalTask, loadCwevalTasks } from '../../src/cweval.js';
import { detectIsolation } from '../../src/sandbox.js';

/** The shared benchmark data, beside the repository. */
export const DATA = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const PKG = fileURLToPath(new URL('../../', import.meta.url));

const iso = detectIsolation();
/** Every kind of isolation the sandbox knows is available here (root, unshare, setpriv, tmpfs). */
export const FULL_ISOLATION = iso.network && iso.mount && iso.ipc && iso.pid && iso.user && iso.disk;
const proData = existsSync(join(DATA, 'codeeval-pro', 'humaneval_pro.json'));
const cwevalData = existsSync(join(DATA, 'cweval', 'core'));
const pytest = spawnSync('/usr/bin/python3', ['-c', 'import pytest'], { stdio: 'ignore' }).status === 0;
const gcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;

/** Why the Pro attacks cannot run here, or undefined when they can. */
export const PRO_SKIP = !FULL_ISOLATION
  ? 'full isolation unavailable (detectIsolation() is not all true: needs root, unshare, setpriv, tmpfs)'
  : !proData
    ? `${DATA}/codeeval-pro is absent`
    : undefined;
/** Why the CWEval attacks cannot run here, or undefined when they can. */
export const CWEVAL_SKIP = PRO_SKIP?.startsWith('full')
  ? PRO_SKIP
  : !cwevalData
    ? `${DATA}/cweval is absent`
    : !pytest || !gcc
      ? "Debian's /usr/bin/python3 with pytest, or gcc, is missing"
      : undefined;

let pro: ProProblem[] | undefined;
/** A problem of HumanEval Pro (`he/<id>`) or MBPP Pro (`mbpp/<id>`). */
export function proProblem(key: `${'he' | 'mbpp'}/${string}`): ProProblem {
  pro ??= [
    ...loadProProblems(join(DATA, 'codeeval-pro', 'humaneval_pro.json')).map((p) => ({ ...p, id: `he/${p.id}` })),
    ...loadProProblems(join(DATA, 'codeeval-pro', 'mbpp_pro.json')).map((p) => ({ ...p, id: `mbpp/${p.id}` })),
  ];
  const p = pro.find((x) => x.id === key);
  if (!p) throw new Error(`no problem ${key}`);
  return p;
}

let cweval: CwevalTask[] | undefined;
/** A CWEval task by id. */
export function cwevalTask(id: string): CwevalTask {
  cweval ??= loadCwevalTasks(join(DATA, 'cweval'));
  const t = cweval.find((x) => x.id === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
}

/** The uids this process's sandboxes run as (see `freshUid` in the sandbox). */
function myUids(): [number, number] {
  const base = 3_000_000 + (process.pid % 100_000) * 100;
  return [base, base + 100];
}

/** Pids of live processes running as one of this process's sandbox uids. */
export function sandboxProcesses(): string[] {
  const [lo, hi] = myUids();
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const real = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      if ((uid >= lo && uid < hi) || (real >= lo && real < hi)) out.push(`${name} ${/^Name:\s+(.*)$/m.exec(status)?.[1]}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The host's SysV IPC objects (what `ipcs` lists): key, id and owner of each. */
export function sysvObjects(): string[] {
  const out: string[] = [];
  for (const kind of ['shm', 'sem', 'msg']) {
    const lines = readFileSync(`/proc/sysvipc/${kind}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // key id perms ... uid gid cuid cgid: the columns differ by kind, so keep the whole line.
      out.push(`${kind} ${f.join(' ')}`);
    }
  }
  return out.sort();
}

/** The POSIX message queues of the host's IPC namespace among `names` (opened without creating). */
function posixQueuesPresent(names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const script = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for n in sys.argv[1:]:
    fd = libc.mq_open(n.encode(), os.O_RDONLY)
    if fd >= 0:
        print(n); libc.mq_close(fd); libc.mq_unlink(n.encode())
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...names], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

/** What one attack is told about the host, so that it can try to reach it. */
export interface Target {
  /** Unique to this attack: names its marker files, queues and IPC keys. */
  token: string;
  /** A SysV key for this attack's shared memory, semaphores and queues. */
  key: number;
  /** Folders of the host a marker file is tried in (none may appear). */
  dirs: string[];
  /** TCP addresses of a real listener on the host (loopback and every interface). */
  tcp: [string, number][];
  /** A Unix socket of the host listening in a folder every user can reach (tried only when set). */
  unix?: string;
  /** The listener's abstract Unix socket name (leading NUL left off). */
  abstract: string;
}

/**
 * The host side of an attack file: a real listener that must see no connection, a secret in this
 * process's environment that must be in no output, and checks that no file, process or IPC object
 * of any attack is left on the host.
 */
export class Host {
  readonly secret = `srcode-secret-${randomBytes(12).toString('hex')}`;
  readonly connections: string[] = [];
  readonly #servers: Server[] = [];
  readonly #cache = join(PKG, 'node_modules', '.cache', `srcode-attacks-${process.pid}`);
  readonly #targets: Target[] = [];
  #port = 0;
  #ipcBefore: string[] = [];

  /** Start the listeners and note the host's IPC objects. */
  async start(): Promise<void> {
    process.env.SRCODE_ATTACK_SECRET = this.secret;
    this.#ipcBefore = sysvObjects();
    mkdirSync(this.#cache, { recursive: true });
    chmodSync(this.#cache, 0o755);
    chmodSync(join(this.#cache, '..'), 0o755);
    const listen = (address: string | { port: number; host: string }) =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer((socket) => {
          this.connections.push(typeof address === 'string' ? address : `${address.host}:${socket.localPort}`);
          socket.destroy();
        });
        server.once('error', reject);
        if (typeof address === 'string') server.listen(address, () => resolve(server));
        else server.listen(address.port, address.host, () => resolve(server));
      });
    const tcp = await listen({ port: 0, host: '0.0.0.0' });
    const addr = tcp.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : 0;
    this.#servers.push(tcp, await listen(this.unixPath), await listen(`\0${this.abstractName}`));
    chmodSync(this.unixPath, 0o777);
  }

  get unixPath(): string {
    return join(this.#cache, 'listen.sock');
  }

  get abstractName(): string {
    return `srcode-attacks-${process.pid}`;
  }

  /** A fresh target for one attack; `unix` adds the host's listening Unix socket to what it tries. */
  target(options: { unix?: boolean } = {}): Target {
    const token = randomBytes(6).toString('hex');
    const ips = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && i.family === 'IPv4')
      .map((i) => (i as { address: string }).address);
    const t: Target = {
      token,
      key: 0x53000000 + randomBytes(3).readUIntBE(0, 3),
      dirs: [
        ...new Set([
          '/tmp',
          '/var/tmp',
          '/run/lock',
          '/var/lock',
          '/dev/shm',
          '/run',
          '/',
          REPO,
          PKG,
          homedir(),
          tmpdir(),
          DATA,
          this.#cache,
          '/usr/local/bin',
          '/etc',
        ]),
      ],
      tcp: [...new Set(['127.0.0.1', ...ips])].map((ip) => [ip, this.#port]),
      ...(options.unix ? { unix: this.unixPath } : {}),
      abstract: this.abstractName,
    };
    this.#targets.push(t);
    return t;
  }

  /** Marker files of `t` that reached the host (must be empty). */
  markers(t: Target): string[] {
    return t.dirs.map((d) => join(d, `srcode-attack-${t.token}`)).filter((p) => existsSync(p));
  }

  /** SysV objects that appeared on the host since `start`, made by a sandbox or with an attack's key. */
  newIpc(): string[] {
    const before = new Set(this.#ipcBefore);
    const keys = new Set(this.#targets.flatMap((t) => [t.key, t.key + 1, t.key + 2].map(String)));
    return sysvObjects().filter((o) => !before.has(o) && (keys.has(o.split(' ')[1] ?? '') || / 3\d{6} /.test(o)));
  }

  /** Everything any attack left on the host: processes, IPC objects, queues, connections. */
  leftovers(): { processes: string[]; ipc: string[]; queues: string[]; connections: string[] } {
    return {
      processes: sandboxProcesses(),
      ipc: this.newIpc(),
      queues: posixQueuesPresent(this.#targets.map((t) => `/srcode-${t.token}`)),
      connections: [...this.connections],
    };
  }

  /** Close the listeners and remove the socket folder (and any marker an attack left, after counting it). */
  async stop(): Promise<void> {
    await Promise.all(this.#servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(this.#cache, { recursive: true, force: true });
    for (const t of this.#targets) for (const m of this.markers(t)) rmSync(m, { force: true });
  }
}

/**
 * Python run at load by every Python attack before its own move: it tries to write a marker in
 * every host folder, connect to the host's listeners, leave SysV and POSIX IPC objects behind, and
 * print every environment it can read (so a secret reaching it would show in the output).
 */
export function pythonHarm(t: Target): string {
  return `
import ctypes as _ct, json as _js, os as _os, socket as _so, sys as _sy
_T = _js.loads(${JSON.stringify(JSON.stringify(t))})
def _harm():
    for d in _T["dirs"]:
        try:
            with open(_os.path.join(d, "srcode-attack-" + _T["token"]), "w") as f:
                f.write(_T["token"])
        except Exception:
            pass
    for host, port in _T["tcp"]:
        try:
            _so.create_connection((host, port), timeout=0.3).close()
        except Exception:
            pass
    for path in [p for p in (_T.get("unix"), "\\0" + _T["abstract"]) if p]:
        try:
            s = _so.socket(_so.AF_UNIX)
            s.settimeout(0.3)
            s.connect(path)
            s.close()
        except Exception:
            pass
    try:
        libc = _ct.CDLL(None, use_errno=True)
        libc.shmget(_T["key"], 4096, 0o1000 | 0o666)
        libc.semget(_T["key"] + 1, 1, 0o1000 | 0o666)
        libc.msgget(_T["key"] + 2, 0o1000 | 0o666)
        libc.mq_open(("/srcode-" + _T["token"]).encode(), _os.O_CREAT | _os.O_RDWR, 0o666, None)
    except Exception:
        pass
    seen = [repr(dict(_os.environ))]
    for pid in _os.listdir("/proc"):
        for leaf in ("environ", "cmdline"):
            try:
                with open("/proc/%s/%s" % (pid, leaf), "rb") as f:
                    seen.append(f.read().decode("utf-8", "replace"))
            except Exception:
                pass
    _sy.stderr.write("seen: " + " | ".join(seen).replace("\\n", " ").replace("\\0", " ")[:3000] + "\\n")
_harm()
`;
}

/**
 * C run before main by every C attack: a constructor trying the same as `pythonHarm`.
 */
export function cHarm(t: Target): string {
  const dirs = t.dirs.map((d) => JSON.stringify(join(d, `srcode-attack-${t.token}`))).join(', ');
  const tcp = t.tcp.map(([h, p]) => `{${JSON.stringify(h)}, ${p}}`).join(', ');
  return `
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <stddef.h>
extern char **environ;
__attribute__((constructor)) static void srcode_harm(void) {
  const char *markers[] = {${dirs}};
  for (size_t i = 0; i < sizeof markers / sizeof *markers; i++) {
    int fd = open(markers[i], O_WRONLY | O_CREAT, 0666);
    if (fd >= 0) { write(fd, "${t.token}", ${t.token.length}); close(fd); }
  }
  struct { const char *host; int port; } tcp[] = {${tcp}};
  for (size_t i = 0; i < sizeof tcp / sizeof *tcp; i++) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(tcp[i].port);
    inet_pton(AF_INET, tcp[i].host, &a.sin_addr);
    connect(s, (struct sockaddr *)&a, sizeof a);
    usleep(50000);
    close(s);
  }
  for (int abs = ${t.unix ? 0 : 1}; abs < 2; abs++) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un u = {0};
    u.sun_family = AF_UNIX;
    const char *name = abs ? "${t.abstract}" : "${t.unix ?? ''}";
    strncpy(u.sun_path + abs, name, sizeof u.sun_path - 2);
    connect(s, (struct sockaddr *)&u, offsetof(struct sockaddr_un, sun_path) + abs + strlen(name));
    close(s);
  }
  shmget(${t.key}, 4096, IPC_CREAT | 0666);
  semget(${t.key + 1}, 1, IPC_CREAT | 0666);
  msgget(${t.key + 2}, IPC_CREAT | 0666);
  mq_open("/srcode-${t.token}", O_CREAT | O_RDWR, 0666, NULL);
  for (char **e = environ; *e; e++) fprintf(stderr, "seen: %s\\n", *e);
}
`;
}

/** What must hold after every attack: no marker on the host, no secret in anything the runner returned. */
export function harmDone(host: Host, t: Target, outcome: unknown): { markers: string[]; secretInOutput: boolean } {
  return { markers: host.markers(t), secretInOutput: JSON.stringify(outcome).includes(host.secret) };
}

/** Indent `code` by `n` spaces (for a Python function body). */
export function indent(code: string, n = 4): string {
  const pad = ' '.repeat(n);
  return code
    .split('\n')
    .map((l) => (l.trim() ? pad + l : l))
    .join('\n');
}

/**
 * A Python module that, if the trusted judge ever imports or runs it, forges a passing verdict:
 * it finds the run's nonce on the judge's stack and writes to the verdict descriptor. Planted by
 * attacks wherever the code under test can write; a run it reaches comes back passed.
 */
export const JUDGE_TAKEOVER = `import json, os, sys
def _srcode_takeover():
    if os.geteuid() != 0:
        return
    nonce = None
    f = sys._getframe()
    while f is not None and nonce is None:
        for v in list(f.f_locals.values()):
            if type(v) is dict and type(v.get("nonce")) is str:
                nonce = v["nonce"]
        if type(f.f_locals.get("nonce")) is str:
            nonce = f.f_locals["nonce"]
        f = f.f_back
    fd = getattr(sys.modules.get("judge"), "_verdict", None)
    if nonce is None or fd is None:
        return
    c = {"passed": 1, "failed": 0, "errors": 0, "skipped": 0, "collected": 1}
    os.write(fd, json.dumps({"nonce": nonce, "status": "passed", "calls": 1, "counts": {"functionality": c, "security": c}}).encode())
    os._exit(0)
_srcode_takeover()
`;

/** Python: plant `JUDGE_TAKEOVER` where unittest's discovery of the working folder would import it. */
export const PLANT_DISCOVERABLE = `with open("test_takeover.py", "w") as _f:
    _f.write(${JSON.stringify(JUDGE_TAKEOVER)})`;
