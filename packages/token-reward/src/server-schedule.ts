import type { Scored, ScoreTask } from './server-score.js';

/** How one task of a batch ended. */
export type Outcome = { ok: true; result: Scored } | { ok: false; error: unknown };

/** Runs one batch of tasks at a time on each of its `slots` (a worker thread each, or the main thread), in order. */
export interface Executor {
  readonly slots: number;
  /** One outcome per task, in order; rejects only when the slot itself failed (a worker died). */
  run(slot: number, tasks: readonly ScoreTask[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

interface Job {
  tasks: readonly ScoreTask[];
  next: number;
  done: number;
  results: Scored[];
  failed: boolean;
  resolve(results: Scored[]): void;
  reject(error: unknown): void;
}

/** Options of {@link FairScheduler}. */
export interface ScheduleOptions {
  /** A task above this cost is heavy. */
  heavyChars: number;
  /**
   * Most cost of light tasks handed to a slot at once. A hand-off to a worker thread costs a wake-up
   * of each side, which on a busy machine costs more than a short completion: several light
   * completions go in one message once there are more than the free slots can take one by one.
   * @default heavyChars / 2
   */
  batchChars?: number;
}

/** Most tasks in one batch. */
const MAX_BATCH = 8;

/**
 * Hands the completions of admitted requests to the executor's slots fairly: one completion of each
 * request in turn (round robin), so a light request waits for at most one completion of each other
 * request, not for their whole batches. Heavy completions may hold all slots but one, so a light
 * request always finds a slot that frees within a light completion's time. When more light
 * completions wait than there are free slots, a slot takes several at once (up to `batchChars`), in
 * the same round-robin order, so a light request waits at most for one such batch per slot.
 */
export class FairScheduler {
  readonly #executor: Executor;
  readonly #heavyChars: number;
  readonly #batchChars: number;
  readonly #maxHeavy: number;
  readonly #free: number[];
  #jobs: Job[] = [];
  #turn = 0;
  #heavyRunning = 0;
  /** Cost of the tasks not finished yet. */
  queuedChars = 0;
  /** Throughput estimate in cost units per millisecond per slot (an exponential average). */
  #rate = 0;

  constructor(executor: Executor, options: ScheduleOptions) {
    this.#executor = executor;
    this.#heavyChars = options.heavyChars;
    this.#batchChars = options.batchChars ?? Math.floor(options.heavyChars / 2);
    this.#maxHeavy = Math.max(1, executor.slots - 1);
    this.#free = Array.from({ length: executor.slots }, (_, i) => i);
  }

  /** Requests with completions still to run or running. */
  get jobs(): number {
    return this.#jobs.length;
  }

  /** Seconds until `extraChars` more work would likely be done, at the measured rate (at least 1). */
  retryAfterSeconds(extraChars = 0): number {
    const perMs = this.#rate * this.#executor.slots;
    if (perMs <= 0) return 1;
    return Math.min(120, Math.max(1, Math.ceil((this.queuedChars + extraChars) / perMs / 1000)));
  }

  /** Scores a request's completions; resolves in their order, or rejects with the first failure. */
  submit(tasks: readonly ScoreTask[]): Promise<Scored[]> {
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#jobs.push({ tasks, next: 0, done: 0, results: new Array(tasks.length), failed: false, resolve, reject });
      for (const t of tasks) this.queuedChars += t.cost;
      this.#pump();
    });
  }

  #pick(light = false): { job: Job; task: ScoreTask; index: number } | undefined {
    const n = this.#jobs.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#turn + k) % n;
      const job = this.#jobs[i] as Job;
      const task = job.tasks[job.next];
      if (!task) continue;
      const heavy = task.cost > this.#heavyChars;
      if (heavy && (light || this.#heavyRunning >= this.#maxHeavy)) continue;
      this.#turn = i + 1;
      job.next++;
      return { job, task, index: job.next - 1 };
    }
    return undefined;
  }

  /** Light tasks not handed out yet. */
  #waitingLight(): number {
    let n = 0;
    for (const job of this.#jobs)
      for (let i = job.next; i < job.tasks.length; i++) if ((job.tasks[i] as ScoreTask).cost <= this.#heavyChars) n++;
    return n;
  }

  #pump(): void {
    while (this.#free.length > 0) {
      const first = this.#pick();
      if (!first) return;
      const batch = [first];
      if (first.task.cost <= this.#heavyChars) {
        // a share of the waiting light tasks per free slot, so a few tasks still spread over the slots
        const share = Math.ceil((this.#waitingLight() + 1) / this.#free.length);
        let cost = first.task.cost;
        while (batch.length < Math.min(share, MAX_BATCH)) {
          const next = this.#peekLightCost();
          if (next === undefined || cost + next > this.#batchChars) break;
          const picked = this.#pick(true);
          if (!picked) break;
          batch.push(picked);
          cost += picked.task.cost;
        }
      }
      const slot = this.#free.pop() as number;
      this.#start(slot, batch);
    }
  }

  /** Cost of the light task `#pick(true)` would hand out next. */
  #peekLightCost(): number | undefined {
    const n = this.#jobs.length;
    for (let k = 0; k < n; k++) {
      const job = this.#jobs[(this.#turn + k) % n] as Job;
      const task = job.tasks[job.next];
      if (task && task.cost <= this.#heavyChars) return task.cost;
    }
    return undefined;
  }

  #start(slot: number, batch: Array<{ job: Job; task: ScoreTask; index: number }>): void {
    const heavy = batch.length === 1 && (batch[0] as { task: ScoreTask }).task.cost > this.#heavyChars;
    if (heavy) this.#heavyRunning++;
    const t0 = performance.now();
    const cost = batch.reduce((n, b) => n + b.task.cost, 0);
    this.#executor
      .run(
        slot,
        batch.map((b) => b.task),
      )
      .then(
        (outcomes) => {
          const ms = performance.now() - t0;
          if (ms > 0) this.#rate = this.#rate === 0 ? cost / ms : 0.8 * this.#rate + 0.2 * (cost / ms);
          batch.forEach((b, i) => {
            const o = outcomes[i];
            if (o?.ok) b.job.results[b.index] = o.result;
            else this.#fail(b.job, o ? o.error : new Error('a worker gave no outcome for a completion'));
            this.#taskDone(b.job, b.task);
          });
          this.#release(slot, heavy);
        },
        (error: unknown) => {
          for (const b of batch) {
            this.#fail(b.job, error);
            this.#taskDone(b.job, b.task);
          }
          this.#release(slot, heavy);
        },
      );
  }

  #fail(job: Job, error: unknown): void {
    if (job.failed) return;
    job.failed = true;
    job.reject(error);
  }

  #taskDone(job: Job, task: ScoreTask): void {
    this.queuedChars -= task.cost;
    job.done++;
    if (job.failed && job.next < job.tasks.length) {
      // a failed request's remaining completions are dropped
      for (let i = job.next; i < job.tasks.length; i++) this.queuedChars -= (job.tasks[i] as ScoreTask).cost;
      job.done += job.tasks.length - job.next;
      job.next = job.tasks.length;
    }
    if (job.done === job.tasks.length) {
      this.#jobs = this.#jobs.filter((j) => j !== job);
      if (!job.failed) job.resolve(job.results);
    }
  }

  #release(slot: number, heavy: boolean): void {
    this.#free.push(slot);
    if (heavy) this.#heavyRunning--;
    this.#pump();
  }
}
