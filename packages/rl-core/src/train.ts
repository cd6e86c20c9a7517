import type { AggregationMode } from './aggregate.js';
import { type Checkpointable, isCheckpointable, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { RlCoreError } from './errors.js';
import type { Completion, Policy } from './policy.js';
import { type RandomStream, seededRandom } from './sampling.js';
import { checkValueWarmup, type RlOptions, type RlStepMetrics, rlStep, sftStep } from './trainer.js';

/** What a stage's draw function gets before each step. */
export interface StepContext {
  /** The step about to run, counted from 1 over the whole run (a resumed run goes on counting). */
  step: number;
  /**
   * The trainer's random stream. Draw the step's data from it (and from nothing else random): its
   * position is saved in every checkpoint, so a resumed run draws what an uninterrupted one would.
   */
  random: RandomStream;
}

/** Supervised fine-tuning: masked cross-entropy on target tokens after each prompt. */
export interface SftStage<T> {
  /** The examples of one step (its batch). */
  examples(context: StepContext): readonly T[];
  /** An example's prompt tokens (not trained on). */
  prompt(example: T): readonly number[];
  /** An example's target tokens, the stop token included: the loss covers these only. */
  target(example: T): readonly number[];
  /** @default 'token-mean' */
  mode?: AggregationMode;
}

/**
 * RL: each step samples a group of completions per task, rewards them and runs `epochs` PPO passes (`rlStep`);
 * `valueWarmup`, when set, runs on the first step of the run only (step 1: a resumed run does not repeat it).
 */
export interface RlStage<T> extends RlOptions {
  /** The policy the KL penalty measures against (usually a frozen copy of the starting one). @default none */
  reference?: Policy;
  /** The tasks (prompts) of one step. */
  tasks(context: StepContext): readonly T[];
  /** A task's prompt tokens. */
  prompt(task: T): readonly number[];
  /** Per-token rewards of one completion of a task (same length as its tokens), and metrics to average. */
  reward(
    task: T,
    completion: Completion,
  ): {
    /** One reward per completion token. */
    rewards: Float32Array;
    /** Numbers averaged over the step's completions into its record's `extra`. */
    metrics?: Record<string, number>;
  };
  /** Seed of a step's sampler; called just before the step samples. @default the step number */
  sampleSeed?(step: number): number;
}

/** One SFT step as `train` reports and records it. */
export interface SftStepRecord {
  /** Which stage it is a step of. */
  stage: 'sft';
  /** 1-based. */
  step: number;
  /** The loss before the step's update. */
  loss: number;
}

/** One RL step as `train` reports and records it: `rlStep`'s metrics. */
export interface RlStepRecord extends RlStepMetrics {
  /** Which stage it is a step of. */
  stage: 'rl';
  /** 1-based. */
  step: number;
}

/** Where and how often `train` checkpoints. */
export interface CheckpointOptions {
  /** The checkpoint folder: resumed from when it holds one, replaced (crash-safely) at every save. */
  dir: string;
  /** Saves after every `every`-th step and after the last one (and when the signal stops the run). @default 1 */
  every?: number;
}

/** The options every stage shares. */
export interface TrainCommonOptions<Record> {
  /** The policy trained in place; `Checkpointable` as well when `checkpoint` is set. */
  policy: Policy;
  /** Steps of the whole run, those done before a resume included. */
  steps: number;
  /** Seed of the random stream the draw function gets, or the stream itself (already advanced, say). @default 0 */
  random?: number | RandomStream;
  /** @default none: nothing is saved */
  checkpoint?: CheckpointOptions;
  /** Called after each step, before its checkpoint is written (awaited). */
  onStep?(record: Record): void | Promise<void>;
  /** Called once when the run resumes from a checkpoint, with the records of the steps it holds. */
  onResume?(resumed: { step: number; history: readonly Record[] }): void | Promise<void>;
  /** Stops the run between steps (the step under way finishes, then a checkpoint is written when set). */
  signal?: AbortSignal;
}

/** `train` options for an SFT stage. */
export interface SftTrainOptions<T> extends TrainCommonOptions<SftStepRecord> {
  /** The SFT stage's data. */
  sft: SftStage<T>;
  /** Absent: one stage per call. */
  rl?: undefined;
}

/** `train` options for an RL stage. */
export interface RlTrainOptions<T> extends TrainCommonOptions<RlStepRecord> {
  /** The RL stage's tasks, rewards and settings. */
  rl: RlStage<T>;
  /** Absent: one stage per call. */
  sft?: undefined;
}

/** What `train` returns. */
export interface TrainResult<Record> {
  /** Every step's record in order, those of the checkpoint it resumed from first. */
  history: Record[];
  /** Steps done: `steps`, or fewer when the signal stopped the run. */
  step: number;
  /** The step of the checkpoint the run resumed from, when it did. */
  resumedFrom?: number;
  /** True when the signal stopped the run before its last step. */
  stopped: boolean;
}

function checkCount(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min))
    throw new RlCoreError('invalid-option', `expected ${name} to be an integer of at least ${min}, found ${value}`);
}

/**
 * Trains a policy for `steps` steps of one stage, SFT (`sft`) or RL (`rl`), and resumes from `checkpoint.dir`
 * when it holds a checkpoint: the policy's weights and optimiser state, the random stream's position and
 * the step records, so a run stopped after step k and resumed ends with the same weights, to the bit, as
 * one that ran straight through. Without a checkpoint the policy starts as given (a fresh optimiser on
 * copied weights, say).
 */
export function train<T>(options: SftTrainOptions<T>): Promise<TrainResult<SftStepRecord>>;
export function train<T>(options: RlTrainOptions<T>): Promise<TrainResult<RlStepRecord>>;
export async function train<T>(options: SftTrainOptions<T> | RlTrainOptions<T>): Promise<TrainResult<SftStepRecord | RlStepRecord>> {
  type Rec = SftStepRecord | RlStepRecord;
  const o = options as TrainCommonOptions<Rec> & { sft?: SftStage<T>; rl?: RlStage<T> };
  const { policy, steps, checkpoint } = o;
  const stage = o.sft ? 'sft' : 'rl';
  if ((o.sft === undefined) === (o.rl === undefined)) throw new RlCoreError('invalid-option', 'expected exactly one of sft and rl');
  checkCount('steps', steps, 0);
  const every = checkpoint?.every ?? 1;
  checkCount('checkpoint.every', every, 1);
  if (checkpoint && !isCheckpointable(policy))
    throw new RlCoreError('invalid-option', 'expected a Checkpointable policy (save and restore) with checkpoint, found one without');
  // checked up front: a run resumed past its first step (the warm-up's) still refuses a bad one
  if (o.rl) checkValueWarmup(o.rl, policy);
  const random = typeof o.random === 'function' ? o.random : seededRandom(o.random ?? 0);
  // a checkpoint keeps the stream's position: a stream that has none could not be resumed exactly
  if (checkpoint && typeof random.state !== 'number')
    throw new RlCoreError(
      'invalid-option',
      'expected random to be a seed or a seededRandom stream (with a state), found a function without one',
    );
  let history: Rec[] = [];
  let resumedFrom: number | undefined;
  if (checkpoint) {
    const saved = await readCheckpoint<Rec>(checkpoint.dir);
    if (saved) {
      if (saved.state.stage !== stage || saved.state.step > steps)
        throw new RlCoreError(
          'invalid-checkpoint',
          `expected a ${stage} checkpoint of at most ${steps} steps in ${saved.dir}, found ${saved.state.stage} after ${saved.state.step}`,
        );
      await (policy as Policy & Checkpointable).restore(saved.dir);
      random.state = saved.state.random;
      history = saved.state.history;
      resumedFrom = saved.state.step;
      await o.onResume?.({ step: resumedFrom, history });
    }
  }
  const save = (step: number) =>
    writeCheckpoint((checkpoint as CheckpointOptions).dir, policy as Policy & Checkpointable, {
      stage,
      step,
      random: random.state,
      history,
    });
  const runStep = async (step: number): Promise<Rec> => {
    const context = { step, random };
    if (o.sft) {
      const batch = o.sft.examples(context);
      const loss = await sftStep(policy, batch.map(o.sft.prompt), batch.map(o.sft.target), o.sft.mode);
      return { stage: 'sft', step, loss };
    }
    const { reference, tasks: draw, prompt, reward, sampleSeed, valueWarmup, ...rlOptions } = o.rl as RlStage<T>;
    const tasks = draw(context);
    const metrics = await rlStep(policy, reference, tasks.map(prompt), (i, c) => reward(tasks[i] as T, c), {
      ...rlOptions,
      // the value head is warmed up once, on the run's first rollout
      ...(step === 1 && valueWarmup ? { valueWarmup } : {}),
      seed: sampleSeed ? sampleSeed(step) : step,
    });
    return { stage: 'rl', step, ...metrics };
  };
  let step = resumedFrom ?? 0;
  let stopped = false;
  while (step < steps) {
    if (o.signal?.aborted) {
      stopped = true;
      break;
    }
    step++;
    const record = await runStep(step);
    history.push(record);
    await o.onStep?.(record);
    const stopping = o.signal?.aborted === true && step < steps;
    if (checkpoint && (step % every === 0 || step === steps || stopping)) await save(step);
    if (stopping) {
      stopped = true;
      break;
    }
  }
  return { history, step, ...(resumedFrom === undefined ? {} : { resumedFrom }), stopped };
}
