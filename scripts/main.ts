// The whole pipeline as one experiment: import → reflect → PrimeVul+ records → token reward maps → a split
// into training and held-out prompts → per seed, SFT of a small policy (or of a Hugging Face checkpoint's
// LoRA adapters, with --model DIR) once, then each RL condition (PPO and
// GRPO, instance or token + instance rewards) from it → held-out evaluation of every policy → HTML report.
// Every stage keeps its result under --out and is skipped on a rerun (--fresh starts over); the training
// stages also keep a checkpoint of their progress, so a rerun after a crash goes on from the last step saved.
import { join } from 'node:path';
import { readJsonlAll } from '@srcode/dataset';
import { EXIT_USAGE, describeFailure, escapeControl } from '../common/cli.js';
import { mainContext } from './pipeline/context.js';
import type { SeedRuns } from './pipeline/experiment.js';
import {
  DEFAULT_HELDOUT_PROMPTS,
  DEFAULT_PER_CWE,
  HINT,
  type MainOptions,
  USAGE,
  packageVersions,
  parseFlags,
  seedsOf,
  settingsOf,
  taskFormOf,
} from './pipeline/flags.js';
import {
  type ModelInfo,
  type PolicySource,
  type TrainablePolicy,
  checkModelDir,
  loraTargetProblem,
  openHfModel,
  smallPolicySource,
} from './pipeline/policy.js';
import { type Runner, openRunner } from './pipeline/runner.js';
import { evaluateStage } from './pipeline/stages/evaluate.js';
import { importStage } from './pipeline/stages/import.js';
import { reflectStage } from './pipeline/stages/reflect.js';
import { reportStage } from './pipeline/stages/report.js';
import { rewardMapsStage } from './pipeline/stages/reward-maps.js';
import { setupStage } from './pipeline/stages/setup.js';
import { rlStage, rlStageName, sftStage, sftStageName } from './pipeline/stages/train.js';
import { REWARDS, Scorer } from './pipeline/tasks.js';

/** One line on stderr, as every bin of the repository writes its failures. */
function fail(message: string, exitCode: number): number {
  process.stderr.write(`main: ${escapeControl(message)}\n`);
  return exitCode;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseFlags(argv);
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === 'version') {
    console.log(packageVersions());
    return 0;
  }
  if (parsed.kind === 'invalid') return fail(parsed.message, EXIT_USAGE);
  const o = parsed.options;
  // a checkpoint folder is checked (and its config hashed, for settings.json) before any stage runs
  let model: ModelInfo | undefined;
  if (o.model !== undefined) {
    try {
      model = checkModelDir(o.model);
    } catch (e) {
      return fail(`${(e as Error).message} ${HINT}`, EXIT_USAGE);
    }
    const problem = loraTargetProblem(model, o.lora);
    if (problem) return fail(`${problem} ${HINT}`, EXIT_USAGE);
  }
  const opened = openRunner({ out: o.out, settings: settingsOf(o, model?.configSha256), fresh: o.fresh });
  if (!opened.ok) return fail(opened.message, EXIT_USAGE);
  const { runner } = opened;
  try {
    return await runAll(runner, o, model);
  } catch (error) {
    runner.discardIfUnused();
    throw error;
  }
}

async function runAll(runner: Runner, o: MainOptions, model: ModelInfo | undefined): Promise<number> {
  const ctx = mainContext(runner.context);

  const imported = await runner.stage('import', () => importStage(ctx, o));
  const reflected = await runner.stage('reflect', () => reflectStage(ctx, { ...o, model: o.judgeModel }));
  const { records } = await readJsonlAll(ctx.files.records, { schema: 'PrimeVulPlusRecord' });
  // with --model, the report's teacher-forced maps are in the checkpoint's tokens unless --tokenizer says otherwise
  const mapTokenizer = o.tokenizer ?? (model ? join(model.dir, 'tokenizer.json') : undefined);
  const rewardMaps = await runner.stage('reward-maps', () => rewardMapsStage(ctx, { records, tokenizer: mapTokenizer }));
  const hf = model ? await openHfModel(model) : undefined;
  const setup = await setupStage(ctx, {
    ...o,
    records,
    form: taskFormOf(o),
    perCwe: o.perCwe ?? DEFAULT_PER_CWE,
    heldoutPrompts: o.heldoutPrompts ?? DEFAULT_HELDOUT_PROMPTS,
    ...(hf ? { hf } : {}),
  });
  const { tasks, heldout, trainEval, maxNew } = setup;
  const source: PolicySource = hf ? hf.source(o.lora, setup.config.maxLength) : await smallPolicySource(setup.config);
  const text = source.text;
  const scorer = new Scorer({ ...REWARDS, malformed: o.malformed });
  const settings = {
    steps: o.rlSteps,
    learningRate: o.rlLr,
    klCoef: o.kl,
    evalEvery: o.evalEvery,
    valueWarmup: o.valueWarmup,
    valueWarmupLr: o.valueWarmupLr,
  };
  const runs: SeedRuns[] = [];
  for (const seed of seedsOf(o)) {
    // every policy of a seed is evaluated on the same held-out prompts with the same sampling seed, and on
    // the training prompts (under their own names) beside them: what it fitted, against what it generalises
    const evaluate = (label: string) => async (policy: TrainablePolicy) => {
      const held = await evaluateStage(ctx, { policy, label, tasks: heldout, samples: o.samples, maxNew, seed: 1000 + seed, scorer, text });
      const train = await evaluateStage(ctx, {
        policy,
        label: `${label}:train`,
        tasks: trainEval,
        samples: o.samples,
        maxNew,
        seed: 2000 + seed,
        scorer,
        text,
        split: 'training',
      });
      return { ...held, trainSplit: { ...train, generations: [], results: [] } };
    };
    const sft = await runner.stage(sftStageName(seed), () =>
      sftStage(ctx, { tasks, source, steps: o.sftSteps, seed, evaluate: evaluate(`sft:s${seed}`) }),
    );
    const rl: SeedRuns['rl'] = {};
    for (const condition of o.conditions) {
      rl[condition] = await runner.stage(rlStageName(condition, seed), () =>
        rlStage(ctx, {
          condition,
          tasks,
          source,
          seed,
          settings,
          maxNew,
          scorer,
          evaluate: evaluate(`${condition}:s${seed}`),
          // the evaluations during RL take a quarter of the samples of the final one (each held-out pair is
          // asked under several prompts): they only place the steps to target
          rates: async (policy) =>
            evaluateStage(ctx, {
              policy,
              label: `${condition}:s${seed}`,
              tasks: heldout,
              samples: Math.ceil(o.samples / 4),
              maxNew,
              seed: 1000 + seed,
              scorer,
              quiet: true,
              text,
            }),
        }),
      );
    }
    runs.push({ seed, sft, rl });
  }
  const headline = await reportStage(ctx, {
    imported,
    reflected,
    accepted: records.length,
    rewardMaps,
    setup,
    runs,
    options: o,
    scorer,
    policy: source.describe(),
    modelHash: model?.configSha256,
  });
  console.log(JSON.stringify(headline, null, 2));
  return 0;
}

// A failure is one line (input problems exit 2, naming the path; anything else 1), never a stack trace.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const failure = describeFailure(error);
    process.exitCode = fail(failure.message, failure.exitCode);
  },
);
