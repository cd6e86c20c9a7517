import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { processRuns } from '../../../common/process.js';
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
  /** Size of each private /tmp, /var/tmp, /dev/shm and /run when they can be replaced. @default 67108864 */
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
  /**
   * A mount namespace: every host file system read-only, private /tmp, /var/tmp, /dev/shm and /run
   * (so /run/lock and /var/lock), the work folder the only other place a run can write.
   */
  mount: boolean;
  /** An IPC namespace: shared memory, semaphores and message queues die with the run. */
  ipc: boolean;
  /** The work folder is a size-capped file system of its own (`SandboxCreateOptions.diskBytes`). */
  disk: boolean;
  /** A PID namespace: when the command ends, every process it started dies with it. */
  pid: boolean;
  /** The command runs as a fresh unprivileged uid, so the process limit holds and host files are read-only. */
  user: boolean;
}

/** The namespaces a sandboxed command gets; the probe in `detectIsolation` tries exactly these. */
const UNSHARE_ARGS = ['--net', '--mount', '--ipc', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];

let cachedIsolation: Isolation | undefined;

/**
 * Probe once what isolation is available: namespaces need `unshare` and privilege (root here, or a
 * kernel that allows unprivileged user namespaces is not relied on); the uid drop needs root and setpriv.
 */
export function detectIsolation(): Isolation {
  if (cachedIsolation) return cachedIsolation;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  // The probe does what a run does: host read-only, then a new root pivoted into.
  const probeRoot = mkdtempSync(join(tmpdir(), 'srcode-probe-'));
  let ns: boolean;
  try {
    const dir = shQuote(probeRoot);
    ns = ok('unshare', [
      ...UNSHARE_ARGS,
      'sh',
      '-c',
      `${readOnlyHostScript()}\ntouch /srcode-probe 2>/dev/null && exit 1\nmount -t tmpfs -o size=64k tmpfs ${dir} && cd ${dir} && mkdir .old && pivot_root . .old || exit 1\nexit 0`,
    ]);
  } finally {
    rmSync(probeRoot, { recursive: true, force: true });
  }
  const user = root && ok('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  cachedIsolation = { network: ns, mount: ns, ipc: ns, pid: ns, user, disk: root && ns && canMountTmpfs() };
  return cachedIsolation;
}

/** Whether a size-capped tmpfs can be mounted on the host (root, and a kernel that lets it). */
function canMountTmpfs(): boolean {
  const probe = join(tmpdir(), `srcode-tmpfs-probe-${process.pid}`);
  try {
    mkdirSync(probe, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' }).status !== 0) return false;
    spawnSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Remount every mount of the new namespace read-only (a shell fragment run as its root). */
function readOnlyHostScript(): string {
  return [
    'while read -r _ _ _ _ mp _; do',
    '  mp=$(printf "%b" "$mp")',
    '  mount -o remount,bind,ro "$mp" 2>/dev/null || true',
    'done < /proc/self/mountinfo',
  ].join('\n');
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
  /**
   * Total bytes the work folder may hold (a tmpfs of that size, where `isolation.disk`): a run that
   * writes more gets ENOSPC. @default 268435456 (256 MiB)
   */
  diskBytes?: number;
  /**
   * Files only trusted runs can read (`trusted: true`): written with mode 0600 to a folder beside the
   * work folder that the sandbox user cannot list, at `sandbox.judgeDir`. Test sources and expected
   * values go here.
   */
  judgeFiles?: Record<string, string | Uint8Array>;
  /** Files every run can read and none can change, at `sandbox.libDir` (a judge's own code, say). */
  readOnlyFiles?: Record<string, string | Uint8Array>;
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
  /**
   * Run `command` as the sandbox's trusted judge: as root of the run's namespaces instead of the
   * sandbox user, with `SRCODE_UNTRUSTED_UID` naming the uid it must run the code under test as, and
   * a pipe on file descriptor 3 whose text comes back as `verdict`. The code under test, as another
   * uid without capabilities, cannot signal the judge, read its memory or descriptors, or reach that
   * pipe. Only as strong as `isolation.user` (without it, judge and code share a uid).
   */
  trusted?: boolean;
}

/** How a sandboxed command ended, with its (capped) output and the isolation it had. */
export interface SandboxResult extends SpawnResult {
  /** Wall-clock time of the run. */
  durationMs: number;
  /** The isolation the command ran under: refuse untrusted code where it is all false. */
  isolation: Isolation;
  /** What a trusted run wrote to its verdict pipe (up to `outputBytes`); absent for other runs. */
  verdict?: string;
}

/** Host folders a sandboxed program sees (read-only): the system's programs, libraries and settings. */
const SYSTEM_FOLDERS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];
/** Device nodes a sandboxed program gets. */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const DEFAULT_DISK_BYTES = 256 * 1024 * 1024;
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
  /** Where `judgeFiles` are: readable by trusted runs only. */
  readonly judgeDir: string;
  /** Where `readOnlyFiles` are: readable by every run, writable by none. */
  readonly libDir: string;
  /** What isolation this sandbox's commands get. */
  readonly isolation: Isolation;
  readonly #uid: number | undefined;
  readonly #limiter: 'prlimit' | 'ulimit';
  #disposed = false;
  #mounted = false;

  private constructor(root: string, isolation: Isolation, uid: number | undefined, limiter: 'prlimit' | 'ulimit') {
    this.root = root;
    this.dir = join(root, 'work');
    this.judgeDir = join(root, 'judge');
    this.libDir = join(root, 'lib');
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
    const isolation: Isolation =
      options.isolate === false ? { network: false, mount: false, ipc: false, pid: false, user: false, disk: false } : detectIsolation();
    const base = resolve(options.baseDir ?? tmpdir());
    await sweepStale(base);
    const root = await mkdtemp(join(base, `srcode-sandbox-${process.pid}-`));
    await chmod(root, 0o711);
    const uid = isolation.user ? freshUid() : undefined;
    const sandbox = new Sandbox(root, isolation, uid, options.limiter ?? (hasPrlimit() ? 'prlimit' : 'ulimit'));
    try {
      await mkdir(sandbox.dir);
      await mkdir(sandbox.judgeDir, { mode: 0o711 });
      await mkdir(sandbox.libDir, { mode: 0o755 });
      await mkdir(join(root, 'fs'), { mode: 0o700 });
      if (isolation.disk) {
        const size = options.diskBytes ?? DEFAULT_DISK_BYTES;
        const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', sandbox.dir], { encoding: 'utf8' });
        if (r.status !== 0) throw new EvaluationError('sandbox-failed', `could not mount the work folder: ${r.stderr.trim()}`);
        sandbox.#mounted = true;
      }
      for (const [name, content] of Object.entries(options.files ?? {})) await sandbox.writeFile(name, content);
      for (const [name, content] of Object.entries(options.judgeFiles ?? {})) await writeInside(sandbox.judgeDir, name, content, 0o600);
      for (const [name, content] of Object.entries(options.readOnlyFiles ?? {})) await writeInside(sandbox.libDir, name, content);
    } catch (cause) {
      await sandbox.dispose();
      throw cause;
    }
    return sandbox;
  }

  /** Write a file inside the sandbox directory (refusing paths that leave it). */
  async writeFile(name: string, content: string | Uint8Array): Promise<void> {
    await writeInside(this.dir, name, content);
  }

  /**
   * Read a file of the sandbox directory as UTF-8 (`name` relative to it). Refuses a path that leaves
   * the directory, through `..` or through a link the code under test planted.
   */
  async readFile(name: string): Promise<string> {
    const path = resolve(this.dir, name);
    const real = await realpath(path).catch(() => path);
    const top = await realpath(this.dir);
    if (!real.startsWith(top + sep)) throw new EvaluationError('invalid-input', `sandbox file '${name}' is outside the sandbox directory`);
    return readFile(real, 'utf8');
  }

  /** Run one command in the sandbox directory. */
  async run(options: SandboxRunOptions): Promise<SandboxResult> {
    if (this.#disposed) throw new EvaluationError('sandbox-failed', 'the sandbox was already disposed');
    const limits = resolveLimits(options.limits);
    if (this.#uid !== undefined) await chownTree(this.dir, this.#uid);
    const trusted = options.trusted === true;
    const argv = this.#wrap(options.command, limits, trusted);
    const started = performance.now();
    const result = await spawnLimited(argv, {
      kill: (child) => this.#kill(child, trusted),
      cwd: this.dir,
      env: {
        PATH: BASE_PATH,
        HOME: this.dir,
        TMPDIR: this.dir,
        LANG: 'C.UTF-8',
        ...options.env,
        ...(trusted && this.#uid !== undefined ? { SRCODE_UNTRUSTED_UID: String(this.#uid) } : {}),
      },
      stdin: options.stdin,
      limits,
      verdict: trusted,
    });
    await this.#reap();
    return { ...result, durationMs: performance.now() - started, isolation: this.isolation };
  }

  /** Kill whatever is left and delete the directory. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#reap();
    if (this.#mounted) unmount(this.dir);
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Stop a run: kill the sandbox uid's processes first (the namespace's init among them, so its
   * parent reaps it and no zombie is left to the host), then the whole process group as a backstop.
   */
  #kill(child: ChildProcess, trusted: boolean): void {
    if (this.#uid === undefined) {
      killGroup(child);
      return;
    }
    killAll(processesOfSync(this.#uid));
    if (trusted) killGroup(child);
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

  #wrap(command: readonly string[], limits: SandboxLimits, trusted: boolean): string[] {
    const limit =
      this.#limiter === 'prlimit'
        ? [
            'prlimit',
            `--nproc=${limits.maxProcesses}`,
            `--as=${limits.memoryBytes}`,
            `--fsize=${limits.fileSizeBytes}`,
            // Soft below hard: the limit sends SIGXCPU first, so a run that hit it can be told apart.
            `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
            '--core=0',
            '--',
          ]
        : [
            'sh',
            '-c',
            `{ ulimit -u ${limits.maxProcesses} 2>/dev/null || ulimit -p ${limits.maxProcesses}; } && ulimit -v ${Math.floor(limits.memoryBytes / 1024)} && ulimit -f ${Math.floor(limits.fileSizeBytes / 512)} && ulimit -S -t ${limits.cpuSeconds} && ulimit -H -t ${limits.cpuSeconds + 1} && ulimit -c 0 && exec "$@"`,
            'sh',
          ];
    const drop =
      this.#uid !== undefined && !trusted ? ['setpriv', `--reuid=${this.#uid}`, `--regid=${this.#uid}`, '--clear-groups', '--'] : [];
    const inner = [...drop, ...limit, ...command];
    if (!this.isolation.mount) return inner;
    // A new root holding only what programs need: the system folders read-only, fresh /dev, /proc,
    // /tmp, /var/tmp, /run (so /run/lock, /var/lock) and /dev/shm, and the sandbox at its own path,
    // its work folder the one writable place of the host. Nothing else of the host is mounted, so no
    // host file or Unix socket outside these folders can be reached (a read-only mount alone still
    // lets a socket be connected to).
    const q = shQuote;
    const fs = join(this.root, 'fs');
    const at = (path: string) => q(`${fs}${path}`);
    const size = (bytes: number, mode: string) => `size=${bytes},mode=${mode}`;
    const steps: string[] = [
      'set -e',
      readOnlyHostScript(),
      `mount -t tmpfs -o ${size(1 << 22, '0755')} tmpfs ${q(fs)}`,
      `for d in ${SYSTEM_FOLDERS.join(' ')}; do`,
      `  if [ -L "$d" ]; then ln -s "$(readlink "$d")" ${q(fs)}"$d"`,
      `  elif [ -d "$d" ]; then mkdir -p ${q(fs)}"$d"; mount --rbind "$d" ${q(fs)}"$d"; mount -o remount,bind,ro ${q(fs)}"$d"; fi`,
      'done',
      `mkdir -p ${at('/dev')} ${at('/proc')} ${at('/tmp')} ${at('/var/tmp')} ${at('/run')}`,
      `mount -t tmpfs -o ${size(1 << 16, '0755')} tmpfs ${at('/dev')}`,
      `for n in ${DEVICES.join(' ')}; do touch ${q(fs)}/dev/$n; mount --bind /dev/$n ${q(fs)}/dev/$n; done`,
      `ln -s /proc/self/fd ${at('/dev/fd')}`,
      `ln -s /proc/self/fd/0 ${at('/dev/stdin')}`,
      `ln -s /proc/self/fd/1 ${at('/dev/stdout')}`,
      `ln -s /proc/self/fd/2 ${at('/dev/stderr')}`,
      `mkdir ${at('/dev/shm')}`,
      `mount -t tmpfs -o ${size(limits.tmpfsBytes, '1777')} tmpfs ${at('/dev/shm')}`,
      `mount -t proc proc ${at('/proc')}`,
      `mount -t tmpfs -o ${size(limits.tmpfsBytes, '1777')} tmpfs ${at('/tmp')}`,
      `mount -t tmpfs -o ${size(limits.tmpfsBytes, '1777')} tmpfs ${at('/var/tmp')}`,
      `mount -t tmpfs -o ${size(1 << 20, '0755')} tmpfs ${at('/run')}`,
      `mkdir -m 1777 ${at('/run/lock')}`,
      `ln -s /run/lock ${at('/var/lock')}`,
    ];
    for (const part of ['work', 'judge', 'lib']) {
      const from = join(this.root, part);
      steps.push(`mkdir -p ${at(from)}`, `mount --bind ${q(from)} ${at(from)}`);
    }
    steps.push(
      `mount -o remount,bind,rw ${at(this.dir)}`,
      `cd ${q(fs)}`,
      'mkdir .old',
      'pivot_root . .old',
      'umount -l /.old',
      'rmdir /.old',
      'mount -o remount,bind,ro /',
      `cd ${q(this.dir)}`,
      'exec "$@"',
    );
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

/**
 * One command in a one-use sandbox holding `files`.
 *
 * @example
 * ```ts
 * import { runInSandbox } from '@srcode/eval';
 *
 * const r = await runInSandbox({
 *   files: { 'main.py': 'import os\nprint(sum(range(10)), os.getcwd() == os.environ["HOME"])\n' },
 *   command: ['/usr/bin/python3', 'main.py'],
 *   limits: { timeoutMs: 10_000 },
 * });
 * console.log(r.exitCode, r.stdout.trim(), r.timedOut); // 0 45 True false
 * ```
 */
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
    /** Open a pipe on fd 3 and return what arrives on it as `verdict`. */
    verdict?: boolean;
  },
): Promise<SpawnResult & { verdict?: string }> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new EvaluationError('invalid-input', 'the sandbox was given an empty command');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: options.verdict ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    });
    const cap = options.limits.outputBytes;
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[], verdict: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0, verdict: 0 };
    let timedOut = false;
    let outputTruncated = false;
    const timer = setTimeout(() => {
      timedOut = true;
      options.kill(child);
    }, options.limits.timeoutMs);
    const collect = (stream: 'stdout' | 'stderr' | 'verdict') => (data: Buffer) => {
      const room = cap - sizes[stream];
      if (room > 0) chunks[stream].push(room >= data.length ? data : data.subarray(0, room));
      sizes[stream] += data.length;
      if (sizes[stream] > cap && !outputTruncated) {
        outputTruncated = true;
        options.kill(child);
      }
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    if (options.verdict) (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', collect('verdict'));
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin ?? '');
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
        ...(options.verdict ? { verdict: Buffer.concat(chunks.verdict).toString('utf8') } : {}),
      });
    });
  });
}

async function writeInside(dir: string, name: string, content: string | Uint8Array, mode?: number): Promise<void> {
  const path = resolve(dir, name);
  if (!path.startsWith(dir + sep)) throw new EvaluationError('invalid-input', `sandbox file '${name}' is outside the sandbox directory`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, mode === undefined ? {} : { mode });
  if (mode !== undefined) await chmod(path, mode);
}

function unmount(path: string): void {
  if (spawnSync('umount', [path], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', path], { stdio: 'ignore' });
}

const swept = new Set<string>();

/**
 * Remove what sandboxes of processes that no longer run left in `base` (a crash or SIGKILL skips
 * `dispose`): their work-folder mounts and their folders. Once per base folder and process.
 */
async function sweepStale(base: string): Promise<void> {
  if (swept.has(base)) return;
  swept.add(base);
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^srcode-sandbox-(\d+)-/.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processRuns(pid)) continue;
    const root = join(base, name);
    for (const mount of mountsUnder(root).reverse()) unmount(mount);
    await rm(root, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  }
}

function mountsUnder(root: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const point = line.split(' ')[4];
    if (point === undefined) continue;
    const path = point.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (path === root || path.startsWith(`${root}/`)) out.push(path);
  }
  return out;
}
