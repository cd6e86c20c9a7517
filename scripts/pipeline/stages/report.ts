// The last stage: the evaluation records of both evaluations, the HTML report and the JSON summary.
import { readJsonlAll, writeJsonlAtomic } from '@srcode/dataset';
import type { RunSummary } from '@srcode/reflect';
import { CHAR_TOKENS } from '@srcode/rl-core';
import type { MainContext } from '../context.js';
import { type Report, writeReport } from '../report.js';
import type { Scorer } from '../tasks.js';
import type { EvalSummary } from './evaluate.js';
import type { ImportOutput } from './import.js';
import type { RewardMapsOutput } from './reward-maps.js';
import type { SetupOutput } from './setup.js';
import type { RlOutput, SftOutput } from './train.js';

/** The results of every earlier stage. */
export interface ReportInput {
  imported: ImportOutput;
  reflected: RunSummary;
  /** PrimeVul+ records in `records.jsonl`. */
  accepted: number;
  rewardMaps: RewardMapsOutput;
  setup: SetupOutput;
  sft: SftOutput<EvalSummary>;
  rl: RlOutput<EvalSummary>;
  scorer: Scorer;
}

/** The few figures the job prints when it ends. */
export interface Headline {
  report: string;
  summary: string;
  wallSeconds: number;
  pairs: number;
  accepted: number;
  tasks: number;
  insecureRate: { before: number; after: number };
  wellFormedRate: { before: number; after: number };
}

/**
 * Writes `generations.jsonl`, `eval-results.jsonl`, `report.html` and `summary.json`. The renders are the
 * first four teacher-forced maps, then online maps of the trained policy's samples of the first three tasks.
 */
export async function reportStage(ctx: MainContext, input: ReportInput): Promise<Headline> {
  const { files } = ctx;
  const { sft, rl, setup, scorer } = input;
  const { tasks } = setup;
  await writeJsonlAtomic(files.generations, [...sft.before.generations, ...rl.after.generations], { schema: 'Generation' });
  await writeJsonlAtomic(files.results, [...sft.before.results, ...rl.after.results], { schema: 'EvalResult' });
  const onlineExamples = tasks.slice(0, 3).map((t) => {
    const text = rl.after.perTask[t.id]?.example ?? t.pair.fixedCode;
    const ids = [...text].map((c) => c.charCodeAt(0));
    return scorer.rewards(t, [...ids, CHAR_TOKENS.eos], text, true).map;
  });
  const report: Report = {
    wallSeconds: ctx.elapsedSeconds(),
    backend: setup.backend,
    policy: { ...setup.config },
    import: input.imported,
    reflect: input.reflected,
    rewardMaps: input.rewardMaps,
    tasks: tasks.map((t) => ({ id: t.id, prompt: t.prompt, fixed: t.pair.fixedCode, vulnerable: t.pair.vulnerableCode })),
    skippedTasks: setup.skipped,
    before: sft.before,
    after: rl.after,
    curve: rl.curve,
    renders: [
      ...(await readJsonlAll(files.maps, { schema: 'TokenRewardMap' })).records.slice(0, 4),
      ...onlineExamples.filter((m) => m !== undefined),
    ],
    files: { ...files },
  };
  writeReport(report, files.report, files.summary);
  ctx.log('report', `${files.report} and ${files.summary}`);
  return {
    report: files.report,
    summary: files.summary,
    wallSeconds: Math.round(report.wallSeconds),
    pairs: input.imported.pairs,
    accepted: input.accepted,
    tasks: tasks.length,
    insecureRate: { before: sft.before.insecureRate, after: rl.after.insecureRate },
    wellFormedRate: { before: sft.before.wellFormedRate, after: rl.after.wellFormedRate },
  };
}
