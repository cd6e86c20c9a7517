import type { ScoreResult, ScoreTask } from './server-score.js';

/** Runs one task at a time on each of its `slots` (a worker thread each, or the main thread). */
export interface Executor {
  readonly slots: number;
  run(slot: number, task: ScoreTask): Promise<ScoreResult>;
  close(): Promise<void>;
}

interface Job {
  tasks: readonly ScoreTask[];
  next: number;
  done: number;
  results: ScoreResult[];
  failed: boolean;
  resolve(results: ScoreResult[]): void;
  reject(error: unknown): void;
}

/** Options of {@link FairScheduler}. */
export interface ScheduleOptions {
  /** A task above this cost is heavy. */
  heavyChars: number;
}

/**
 * Hands the completions of admitted requests to the executor's slots fairly: one completion of each
 * request in turn (round robin), so a light request waits for at most one completion of each other
 * request, not for their whole batches. Heavy completions may hold all slots but one, so a light
 * request always finds a slot that frees within a light completion's time.
 */
export class FairScheduler {
  readonly #executor: Executor;
  readonly #heavyChars: number;
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
  submit(tasks: readonly ScoreTask[]): Promise<ScoreResult[]> {
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#jobs.push({ tasks, next: 0, done: 0, results: new Array(tasks.length), failed: false, resolve, reject });
      for (const t of tasks) this.queuedChars += t.cost;
      this.#pump();
    });
  }

  #pick(): { job: Job; task: ScoreTask } | undefined {
    const n = this.#jobs.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#turn + k) % n;
      const job = this.#jobs[i] as Job;
      const task = job.tasks[job.next];
      if (!task) continue;
      if (task.cost > this.#heavyChars && this.#heavyRunning >= this.#maxHeavy) continue;
      this.#turn = i + 1;
      job.next++;
      return { job, task };
    }
    return undefined;
  }

  #pump(): void {
    while (this.#free.length > 0) {
      const picked = this.#pick();
      if (!picked) return;
      const slot = this.#free.pop() as number;
      this.#start(slot, picked.job, picked.task);
    }
  }

  #start(slot: number, job: Job, task: ScoreTask): void {
    const heavy = task.cost > this.#heavyChars;
    if (heavy) this.#heavyRunning++;
    const index = job.next - 1;
    const t0 = performance.now();
    this.#executor.run(slot, task).then(
      (result) => {
        const ms = performance.now() - t0;
        if (ms > 0) this.#rate = this.#rate === 0 ? task.cost / ms : 0.8 * this.#rate + 0.2 * (task.cost / ms);
        job.results[index] = result;
        this.#finish(slot, job, task, heavy);
      },
      (error: unknown) => {
        if (!job.failed) {
          job.failed = true;
          job.reject(error);
        }
        this.#finish(slot, job, task, heavy);
      },
    );
  }

  #finish(slot: number, job: Job, task: ScoreTask, heavy: boolean): void {
    this.#free.push(slot);
    if (heavy) this.#heavyRunning--;
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
    this.#pump();
  }
}
