import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RepairPair } from '@srcode/dataset';
import { TokenRewardError, type TokenRewardErrorCode } from './errors.js';
import type { Executor, Outcome } from './server-schedule.js';
import { type ScoreEnv, type Scored, type ScoreTask, scoreTask } from './server-score.js';
import type { WorkerSetup } from './server-options.js';

/** Scores on the main thread, one completion per turn of the event loop, so I/O goes on between them. */
export class InlineExecutor implements Executor {
  readonly slots = 1;
  readonly #env: ScoreEnv;

  constructor(env: ScoreEnv) {
    this.#env = env;
  }

  async run(_slot: number, tasks: readonly ScoreTask[]): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const task of tasks) {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        out.push({ ok: true, result: await scoreTask(task, this.#env) });
      } catch (error) {
        out.push({ ok: false, error });
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** What a worker thread starts from (structured-cloned). */
export interface WorkerInit {
  pairs: RepairPair[];
  /** The module href and data of a {@link WorkerSetup}. */
  setup?: { module: string; data?: unknown };
  /** Use `byteTokenizer` when there is no setup. */
  byteTokenizer: boolean;
}

/** An error as it crosses from a worker. */
export interface WorkerError {
  name: string;
  code?: string;
  message: string;
}

/** A message from a worker: ready, or the outcomes of batch `seq`, one per task in order. */
export type WorkerReply =
  | { kind: 'ready'; tokenizer: boolean }
  | { kind: 'setup-failed'; message: string }
  | { kind: 'done'; seq: number; outcomes: Array<{ ok: true; result: Scored } | { ok: false; error: WorkerError }> };

/**
 * How to start a worker: the built `server-worker.js` beside this module, or (running from sources,
 * as the tests do) a bootstrap that registers tsx in the thread and imports `server-worker.ts`.
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const js = new URL('./server-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { entry: js, eval: false };
  // tsx's ESM API (its --import entry does not reach worker threads on Node 20)
  const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx')), 'esm/api/index.mjs')).href;
  const tsconfig = fileURLToPath(new URL('../test/tsconfig.cli.json', import.meta.url));
  const target = new URL('./server-worker.ts', import.meta.url).href;
  const options = existsSync(tsconfig) ? JSON.stringify({ tsconfig }) : '{}';
  return {
    entry: `import(${JSON.stringify(api)}).then((m) => { m.register(${options}); return import(${JSON.stringify(target)}); });`,
    eval: true,
  };
}

/** The error a worker reported, as the class the server maps to a status. */
function revive(e: WorkerError): Error {
  if (e.name === 'TokenRewardError' && e.code) return new TokenRewardError(e.code as TokenRewardErrorCode, e.message);
  return Object.assign(new Error(e.message), { name: e.name, code: e.code });
}

/**
 * Young-generation size of each worker's heap: matching allocates many short-lived objects, and a
 * worker's default young generation is smaller than the main thread's (more scavenges per map).
 */
const YOUNG_GENERATION_MB = 48;

interface Slot {
  worker: Worker;
  pending?: { seq: number; resolve(r: Outcome[]): void; reject(e: unknown): void };
}

/** A pool of worker threads, one batch of tasks at a time on each; a worker that dies is replaced. */
export class WorkerExecutor implements Executor {
  readonly slots: number;
  readonly #init: WorkerInit;
  readonly #workers: Slot[] = [];
  #seq = 0;
  #closed = false;
  /** Whether the workers have a tokenizer (known once `ready` resolved). */
  tokenizes = false;
  /** Resolves once every worker has set up (rejects with a setup failure). */
  readonly ready: Promise<void>;

  constructor(count: number, init: { pairs: ReadonlyMap<string, RepairPair>; setup?: WorkerSetup; byteTokenizer: boolean }) {
    this.slots = count;
    this.#init = {
      pairs: [...init.pairs.values()],
      byteTokenizer: init.byteTokenizer,
      ...(init.setup ? { setup: { module: String(init.setup.module), data: init.setup.data } } : {}),
    };
    const started: Promise<void>[] = [];
    for (let i = 0; i < count; i++) started.push(this.#spawn(i));
    this.ready = Promise.all(started).then(() => undefined);
    // a setup failure is reported through `ready`; do not let it go unhandled meanwhile
    this.ready.catch(() => undefined);
  }

  #spawn(i: number): Promise<void> {
    const { entry, eval: isCode } = workerEntry();
    const worker = new Worker(entry, {
      workerData: this.#init,
      eval: isCode,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    // idle workers do not keep the process alive: a listening server does
    worker.unref();
    const slot: Slot = { worker };
    this.#workers[i] = slot;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerReply) => {
        if (m.kind === 'ready') {
          this.tokenizes = m.tokenizer;
          return resolve();
        }
        if (m.kind === 'setup-failed') return reject(new TokenRewardError('invalid-input', `worker setup failed: ${m.message}`));
        const p = slot.pending;
        if (!p || p.seq !== m.seq) return;
        slot.pending = undefined;
        p.resolve(m.outcomes.map((o) => (o.ok ? o : { ok: false, error: revive(o.error) })));
      });
      worker.on('error', (e) => reject(e));
      worker.on('exit', (code) => {
        const p = slot.pending;
        slot.pending = undefined;
        p?.reject(new Error(`a worker thread stopped (exit code ${code}) while scoring`));
        if (!this.#closed && this.#workers[i] === slot) void this.#spawn(i).catch(() => undefined);
      });
    });
  }

  run(slot: number, tasks: readonly ScoreTask[]): Promise<Outcome[]> {
    const s = this.#workers[slot];
    if (!s) return Promise.reject(new Error(`no worker ${slot}`));
    return new Promise((resolve, reject) => {
      const seq = ++this.#seq;
      s.pending = { seq, resolve, reject };
      s.worker.postMessage({ seq, tasks });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((s) => s.worker.terminate()));
  }
}
