import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { EvaluationError } from './errors.js';

/** Resource limits of one sandboxed command. */
export interface SandboxLimits {
  /** Wall-clock limit; the whole process tree is killed after it. @default 10000 */
  timeoutMs: number;
  /** CPU-time limit (RLIMIT_CPU). @default ceil(timeoutMs / 1000) + 1 */
  cpuSeconds: number;
  /** Address-space limit per process (RLIMIT_AS). @default 536870912 (512 MiB) */
  memoryBytes: number;
  /** Processes and threads of the sandbox user (RLIMIT_NPROC). @default 64 */
  maxProcesses: number;
  /** Largest file a process may write (RLIMIT_FSIZE). @default 16777216 (16 MiB) */
  fileSizeBytes: number;
  /** Bytes kept of stdout and of stderr each; past it the run is killed and marked truncated. @default 1048576 */
  outputBytes: number;
  /** Size of the private /tmp, /var/tmp and /dev/shm when they can be replaced. @default 67108864 */
  tmpfsBytes: number;
}

/** The defaults of `SandboxLimits` (`cpuSeconds` follows `timeoutMs`). */
export const DEFAULT_LIMITS: Readonly<Omit<SandboxLimits, 'cpuSeconds'>> = {
  timeoutMs: 10_000,
  memoryBytes: 512 * 1024 * 1024,
  maxProcesses: 64,
  fileSizeBytes: 16 * 1024 * 1024,
  outputBytes: 1024 * 1024,
  tmpfsBytes: 64 * 1024 * 1024,
};

/** What this machine lets the sandbox do; everything false is the documented fallback (limits only). */
export interface Isolation {
  /** A network namespace with only a downed loopback: no connection can leave. */
  network: boolean;
  /** A mount namespace with private /tmp, /var/tmp and /dev/shm. */
  mount: boolean;
  /** A PID namespace: when the command ends, every process it started dies with it. */
  pid: boolean;
  /** The command runs as a fresh unprivileged uid, so the process limit holds and host files are read-only. */
  user: boolean;
}

/** The namespaces a sandboxed command gets; the probe in `detectIsolation` tries exactly these. */
const UNSHARE_ARGS = ['--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];

let cachedIsolation: Isolation | undefined;

/**
 * Probe once what isolation is available: namespaces need `unshare` and privilege (root here, or a
 * kernel that allows unprivileged user namespaces is not relied on); the uid drop needs root and setpriv.
 */
export function detectIsolation(): Isolation {
  if (cachedIsolation) return cachedIsolation;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const ns = ok('unshare', [...UNSHARE_ARGS, 'true']);
  const user = root && ok('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  cachedIsolation = { network: ns, mount: ns, pid: ns, user };
  return cachedIsolation;
}

/** Whether `prlimit` can apply limits here (util-linux); without it a `sh -c 'ulimit …'` wrapper is used. */
let prlimitPresent: boolean | undefined;
function hasPrlimit(): boolean {
  prlimitPresent ??= spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;
  return prlimitPresent;
}

/** Options of `Sandbox.create`. */
export interface SandboxCreateOptions {
  /** Files to write into the sandbox directory, by relative path. */
  files?: Record<string, string | Uint8Array>;
  /** Where the sandbox directory is made. @default os.tmpdir() */
  baseDir?: string;
  /**
   * `false` runs without namespaces or a uid drop (the documented fallback), even where they exist.
   * @default true (use whatever `detectIsolation()` finds)
   */
  isolate?: boolean;
  /** How rlimits are applied. @default 'prlimit' when installed, else 'ulimit' (a `sh -c` wrapper) */
  limiter?: 'prlimit' | 'ulimit';
}

/** One command to run in a sandbox. */
export interface SandboxRunOptions {
  /** Program and arguments, run without a shell in the sandbox directory. */
  command: readonly string[];
  /** Limits of this run, over `DEFAULT_LIMITS`. */
  limits?: Partial<SandboxLimits>;
  /** Extra environment; the base is PATH, HOME/TMPDIR (the sandbox directory) and LANG only. */
  env?: Record<string, string>;
  /** Text written to the command's standard input. */
  stdin?: string;
}

/** How a sandboxed command ended, with its (capped) output and the isolation it had. */
export interface SandboxResult extends SpawnResult {
  /** Wall-clock time of the run. */
  durationMs: number;
  /** The isolation the command ran under: refuse untrusted code where it is all false. */
  isolation: Isolation;
}

const WORLD_WRITABLE = ['/tmp', '/var/tmp', '/dev/shm'];
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let uidCounter = 0;

/** A uid no account uses: distinct per process and per sandbox, so RLIMIT_NPROC counts only this run. */
function freshUid(): number {
  uidCounter = (uidCounter + 1) % 100;
  return 3_000_000 + (process.pid % 100_000) * 100 + uidCounter;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function resolveLimits(limits: Partial<SandboxLimits> = {}): SandboxLimits {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  return { ...merged, cpuSeconds: limits.cpuSeconds ?? Math.ceil(merged.timeoutMs / 1000) + 1 };
}

/**
 * A fresh temporary directory that runs commands under limits. Always `dispose()` it (or use
 * `withSandbox`): that kills anything left and removes the directory.
 */
export class Sandbox {
  /** The sandbox's own temporary directory (holding `dir`), removed on dispose. */
  readonly root: string;
  /** The working directory commands run in and files are written to. */
  readonly dir: string;
  /** What isolation this sandbox's commands get. */
  readonly isolation: Isolation;
  readonly #uid: number | undefined;
  readonly #limiter: 'prlimit' | 'ulimit';
  #disposed = false;

  private constructor(root: string, dir: string, isolation: Isolation, uid: number | undefined, limiter: 'prlimit' | 'ulimit') {
    this.root = root;
    this.dir = dir;
    this.isolation = isolation;
    this.#uid = uid;
    this.#limiter = limiter;
  }

  /** The uid commands run as, when the privilege drop is available. */
  get uid(): number | undefined {
    return this.#uid;
  }

  /** Make a sandbox, writing `files` (relative paths) into its directory. */
  static async create(options: SandboxCreateOptions = {}): Promise<Sandbox> {
    const isolation = options.isolate === false ? { network: false, mount: false, pid: false, user: false } : detectIsolation();
    const root = await mkdtemp(join(resolve(options.baseDir ?? tmpdir()), 'srcode-sandbox-'));
    await chmod(root, 0o711);
    const dir = join(root, 'work');
    await mkdir(dir);
    const uid = isolation.user ? freshUid() : undefined;
    const sandbox = new Sandbox(root, dir, isolation, uid, options.limiter ?? (hasPrlimit() ? 'prlimit' : 'ulimit'));
    try {
      for (const [name, content] of Object.entries(options.files ?? {})) await sandbox.writeFile(name, content);
    } catch (cause) {
      await sandbox.dispose();
      throw cause;
    }
    return sandbox;
  }

  /** Write a file inside the sandbox directory (refusing paths that leave it). */
  async writeFile(name: string, content: string | Uint8Array): Promise<void> {
    const path = resolve(this.dir, name);
    if (!path.startsWith(this.dir + sep))
      throw new EvaluationError('invalid-input', `sandbox file '${name}' is outside the sandbox directory`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  /** Read a file of the sandbox directory as UTF-8 (`name` relative to it). */
  async readFile(name: string): Promise<string> {
    return readFile(resolve(this.dir, name), 'utf8');
  }

  /** Run one command in the sandbox directory. */
  async run(options: SandboxRunOptions): Promise<SandboxResult> {
    if (this.#disposed) throw new EvaluationError('sandbox-failed', 'the sandbox was already disposed');
    const limits = resolveLimits(options.limits);
    if (this.#uid !== undefined) await chownTree(this.dir, this.#uid);
    const argv = this.#wrap(options.command, limits);
    const started = performance.now();
    const result = await spawnLimited(argv, {
      kill: (child) => this.#kill(child),
      cwd: this.dir,
      env: { PATH: BASE_PATH, HOME: this.dir, TMPDIR: this.dir, LANG: 'C.UTF-8', ...options.env },
      stdin: options.stdin,
      limits,
    });
    await this.#reap();
    return { ...result, durationMs: performance.now() - started, isolation: this.isolation };
  }

  /** Kill whatever is left and delete the directory. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#reap();
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Stop a run: kill the sandbox uid's processes first (the namespace's init among them, so its
   * parent reaps it and no zombie is left to the host), then the whole process group as a backstop.
   */
  #kill(child: ChildProcess): void {
    if (this.#uid === undefined) {
      killGroup(child);
      return;
    }
    killAll(processesOfSync(this.#uid));
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) killGroup(child);
    }, 250).unref();
  }

  /** Kill every process still running as this sandbox's uid (by pid, from /proc). */
  async #reap(): Promise<void> {
    if (this.#uid === undefined) return;
    for (let round = 0; round < 5; round++) {
      const pids = await processesOf(this.#uid);
      if (pids.length === 0) return;
      killAll(pids);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #wrap(command: readonly string[], limits: SandboxLimits): string[] {
    const limit =
      this.#limiter === 'prlimit'
        ? [
            'prlimit',
            `--nproc=${limits.maxProcesses}`,
            `--as=${limits.memoryBytes}`,
            `--fsize=${limits.fileSizeBytes}`,
            `--cpu=${limits.cpuSeconds}`,
            '--core=0',
            '--',
          ]
        : [
            'sh',
            '-c',
            `{ ulimit -u ${limits.maxProcesses} 2>/dev/null || ulimit -p ${limits.maxProcesses}; } && ulimit -v ${Math.floor(limits.memoryBytes / 1024)} && ulimit -f ${Math.floor(limits.fileSizeBytes / 512)} && ulimit -t ${limits.cpuSeconds} && ulimit -c 0 && exec "$@"`,
            'sh',
          ];
    const drop = this.#uid !== undefined ? ['setpriv', `--reuid=${this.#uid}`, `--regid=${this.#uid}`, '--clear-groups', '--'] : [];
    const inner = [...drop, ...limit, ...command];
    if (!this.isolation.mount) return inner;
    // Private world-writable directories: a fresh tmpfs each; the one holding the sandbox keeps
    // the sandbox directory visible at its own path (mounted into the new tmpfs before it moves over).
    const steps: string[] = ['set -e'];
    const size = `size=${limits.tmpfsBytes},mode=1777`;
    for (const d of WORLD_WRITABLE) {
      if (this.root.startsWith(`${d}/`)) {
        const hold = join(this.root, 'hold');
        const mirror = join(hold, this.dir.slice(d.length + 1));
        steps.push(
          `mkdir -p ${shQuote(hold)}`,
          `mount -t tmpfs -o ${size} tmpfs ${shQuote(hold)}`,
          `mkdir -p ${shQuote(mirror)}`,
          `mount --bind ${shQuote(this.dir)} ${shQuote(mirror)}`,
          `mount --move ${shQuote(hold)} ${shQuote(d)}`,
        );
      } else {
        steps.push(`if [ -d ${d} ]; then mount -t tmpfs -o ${size} tmpfs ${d}; fi`);
      }
    }
    steps.push(`cd ${shQuote(this.dir)}`, 'exec "$@"');
    return ['unshare', ...UNSHARE_ARGS, '--', 'sh', '-c', steps.join('\n'), 'sh', ...inner];
  }
}

/** Create a sandbox, hand it to `fn`, and always dispose of it. */
export async function withSandbox<T>(files: Record<string, string | Uint8Array>, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await Sandbox.create({ files });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.dispose();
  }
}

/** One command in a one-use sandbox holding `files`. */
export async function runInSandbox(options: SandboxRunOptions & { files?: Record<string, string | Uint8Array> }): Promise<SandboxResult> {
  return withSandbox(options.files ?? {}, (sandbox) => sandbox.run(options));
}

async function chownTree(path: string, uid: number): Promise<void> {
  await chown(path, uid, uid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid);
    else if (entry.isFile()) await chown(child, uid, uid);
  }
}

function uidOf(status: string): number {
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
}

function processesOfSync(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (uidOf(readFileSync(`/proc/${name}/status`, 'utf8')) === uid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Pids of the processes running as `uid` (read from /proc). */
export async function processesOf(uid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      if (uidOf(status) === uid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** What a sandboxed process left behind (its output is capped). */
export interface SpawnResult {
  /** The exit code; null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  /** Standard output, up to the output cap. */
  stdout: string;
  /** Standard error, up to the output cap. */
  stderr: string;
  /** The wall-clock limit killed the run. */
  timedOut: boolean;
  /** Output passed the cap, so the run was killed. */
  outputTruncated: boolean;
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

/** Spawn in a new process group; enforce the wall-clock and output caps by killing the group. */
function spawnLimited(
  argv: readonly string[],
  options: {
    kill: (child: ChildProcess) => void;
    cwd: string;
    env: Record<string, string>;
    stdin: string | undefined;
    limits: SandboxLimits;
  },
): Promise<SpawnResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new EvaluationError('invalid-input', 'the sandbox was given an empty command');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const cap = options.limits.outputBytes;
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0 };
    let timedOut = false;
    let outputTruncated = false;
    const timer = setTimeout(() => {
      timedOut = true;
      options.kill(child);
    }, options.limits.timeoutMs);
    const collect = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
      const room = cap - sizes[stream];
      if (room > 0) chunks[stream].push(room >= data.length ? data : data.subarray(0, room));
      sizes[stream] += data.length;
      if (sizes[stream] > cap && !outputTruncated) {
        outputTruncated = true;
        options.kill(child);
      }
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new EvaluationError('sandbox-failed', `could not start ${cmd}: ${cause.message}`, { cause }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      killGroup(child);
      resolvePromise({
        exitCode,
        signal,
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        timedOut,
        outputTruncated,
      });
    });
  });
}
