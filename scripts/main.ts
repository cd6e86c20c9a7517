// The whole pipeline as one command: import → reflect → PrimeVul+ records → token reward maps →
// SFT and RL (token-level rewards) of a small policy → evaluation before and after → HTML report.
// Every stage keeps its result under --out and is skipped on a rerun (--fresh starts over); the training
// stages also keep a checkpoint of their progress, so a rerun after a crash goes on from the last step saved.
import { readJsonlAll } from '@srcode/dataset';
import type { TransformerPolicy } from '@srcode/rl-core/tfjs';
import { EXIT_USAGE, describeFailure, escapeControl } from '../common/cli.js';
import { mainContext } from './pipeline/context.js';
import { type MainOptions, USAGE, packageVersions, parseFlags, settingsOf } from './pipeline/flags.js';
import { type Runner, openRunner } from './pipeline/runner.js';
import { evaluateStage } from './pipeline/stages/evaluate.js';
import { importStage } from './pipeline/stages/import.js';
import { reflectStage } from './pipeline/stages/reflect.js';
import { reportStage } from './pipeline/stages/report.js';
import { rewardMapsStage } from './pipeline/stages/reward-maps.js';
import { setupStage } from './pipeline/stages/setup.js';
import { rlStage, sftStage } from './pipeline/stages/train.js';
import { Scorer } from './pipeline/tasks.js';

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
  const { tasks, maxNew } = setup;
  const scorer = new Scorer();
  const evaluate = (label: 'sft' | 'rl') => (policy: TransformerPolicy) =>
    evaluateStage(ctx, { policy, label, tasks, samples: o.samples, maxNew, seed: 1000 + o.seed, scorer });
  const sft = await runner.stage('sft', () =>
    sftStage(ctx, { tasks, config: setup.config, steps: o.sftSteps, seed: o.seed, evaluate: evaluate('sft') }),
  );
  const rl = await runner.stage('rl', () =>
    rlStage(ctx, { tasks, steps: o.rlSteps, seed: o.seed, maxNew, scorer, evaluate: evaluate('rl') }),
  );
  const headline = await reportStage(ctx, { imported, reflected, accepted: records.length, rewardMaps, setup, sft, rl, scorer });
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
