// The whole pipeline as one experiment: import → reflect → PrimeVul+ records → token reward maps → a split
// into training and held-out prompts → per seed, SFT of a small policy once, then each RL condition (PPO and
// GRPO, instance or token + instance rewards) from it → held-out evaluation of every policy → HTML report.
// Every stage keeps its result under --out and is skipped on a rerun (--fresh starts over); the training
// stages also keep a checkpoint of their progress, so a rerun after a crash goes on from the last step saved.
import { readJsonlAll } from '@srcode/dataset';
import type { TransformerPolicy } from '@srcode/rl-core/tfjs';
import { EXIT_USAGE, describeFailure, escapeControl } from '../common/cli.js';
import { mainContext } from './pipeline/context.js';
import type { SeedRuns } from './pipeline/experiment.js';
import { type MainOptions, USAGE, packageVersions, parseFlags, seedsOf, settingsOf } from './pipeline/flags.js';
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
  const opened = openRunner({ out: o.out, settings: settingsOf(o), fresh: o.fresh });
  if (!opened.ok) return fail(opened.message, EXIT_USAGE);
  const { runner } = opened;
  try {
    return await runAll(runner, o);
  } catch (error) {
    runner.discardIfUnused();
    throw error;
  }
}

async function runAll(runner: Runner, o: MainOptions): Promise<number> {
  const ctx = mainContext(runner.context);

  const imported = await runner.stage('import', () => importStage(ctx, o));
  const reflected = await runner.stage('reflect', () => reflectStage(ctx, o));
  const { records } = await readJsonlAll(ctx.files.records, { schema: 'PrimeVulPlusRecord' });
  const rewardMaps = await runner.stage('reward-maps', () => rewardMapsStage(ctx, { records, tokenizer: o.tokenizer }));
  const setup = await setupStage(ctx, { ...o, records });
  const { tasks, heldout, maxNew } = setup;
  const scorer = new Scorer({ ...REWARDS, malformed: o.malformed });
  const settings = { steps: o.rlSteps, learningRate: o.rlLr, klCoef: o.kl, evalEvery: o.evalEvery };
  const runs: SeedRuns[] = [];
  for (const seed of seedsOf(o)) {
    // every policy of a seed is evaluated on the same held-out prompts with the same sampling seed
    const evaluate = (label: string) => (policy: TransformerPolicy) =>
      evaluateStage(ctx, { policy, label, tasks: heldout, samples: o.samples, maxNew, seed: 1000 + seed, scorer });
    const sft = await runner.stage(sftStageName(seed), () =>
      sftStage(ctx, { tasks, config: setup.config, steps: o.sftSteps, seed, evaluate: evaluate(`sft:s${seed}`) }),
    );
    const rl: SeedRuns['rl'] = {};
    for (const condition of o.conditions) {
      rl[condition] = await runner.stage(rlStageName(condition, seed), () =>
        rlStage(ctx, {
          condition,
          tasks,
          seed,
          settings,
          maxNew,
          scorer,
          evaluate: evaluate(`${condition}:s${seed}`),
          // the evaluations during RL take half the samples of the final one: they only place the steps to target
          rates: async (policy) =>
            evaluateStage(ctx, {
              policy,
              label: `${condition}:s${seed}`,
              tasks: heldout,
              samples: Math.ceil(o.samples / 2),
              maxNew,
              seed: 1000 + seed,
              scorer,
              quiet: true,
            }),
        }),
      );
    }
    runs.push({ seed, sft, rl });
  }
  const headline = await reportStage(ctx, { imported, reflected, accepted: records.length, rewardMaps, setup, runs, options: o, scorer });
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
