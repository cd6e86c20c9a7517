// The last stage: the evaluation records of every evaluation, the RL metrics, the experiment's tables, the
// HTML report, the page of every pair's token maps, and the JSON summary.
import { basename } from 'node:path';
import { type TokenRewardMap, readJsonlAll, writeJsonlAtomic } from '@srcode/dataset';
import type { RunSummary } from '@srcode/reflect';
import { renderHtml } from '@srcode/token-reward';
import { type ConditionName, SFT } from '../conditions.js';
import type { MainContext } from '../context.js';
import { type Experiment, type SeedRuns, analyse, trainingSplitRuns } from '../experiment.js';
import { type MainOptions, settingsOf } from '../flags.js';
import { type PairMaps, type Report, writeReport } from '../report.js';
import { writeFileAtomic } from '../runner.js';
import { type Scorer, pairIdOf } from '../tasks.js';
import type { EvalSummary } from './evaluate.js';
import type { ImportOutput } from './import.js';
import type { RewardMapsOutput } from './reward-maps.js';
import type { SetupOutput } from './setup.js';
import { type RlPoint, rlStageName, sftStageName } from './train.js';

/** The results of every earlier stage. */
export interface ReportInput {
  imported: ImportOutput;
  reflected: RunSummary;
  /** PrimeVul+ records in `records.jsonl`. */
  accepted: number;
  rewardMaps: RewardMapsOutput;
  setup: SetupOutput;
  runs: SeedRuns[];
  options: MainOptions;
  scorer: Scorer;
  /** What the summary says of the policy (default: the setup's small-policy config). */
  policy?: Record<string, unknown>;
  /** SHA-256 of `--model`'s config.json, as settings.json records it. */
  modelHash?: string | undefined;
}

/** The few figures the job prints when it ends: the conditions' held-out rates and the target. */
export interface Headline {
  report: string;
  summary: string;
  wallSeconds: number;
  pairs: number;
  accepted: number;
  split: SetupOutput['split'];
  seeds: number[];
  interval: string;
  conditions: Array<{
    name: ConditionName;
    insecure: string;
    wellFormed: string;
    fewerInsecureThanSft: string | null;
    stepsToTarget: number | null;
  }>;
  /** The same conditions on the training prompts (memory of the pairs trained on, not generalisation). */
  trainingSplit: Array<{ name: ConditionName; insecure: string; wellFormed: string; fewerInsecureThanSft: string | null }>;
  target: string;
  claim: string;
}

/** Writes the records, the metrics, the report and the summary; returns the headline. */
export async function reportStage(ctx: MainContext, input: ReportInput): Promise<Headline> {
  const { files } = ctx;
  const { runs, setup, options } = input;
  const evaluations: EvalSummary[] = runs.flatMap((run) => [run.sft.before, ...Object.values(run.rl).map((r) => r.after)]);
  await writeJsonlAtomic(
    files.generations,
    evaluations.flatMap((e) => e.generations),
    { schema: 'Generation' },
  );
  await writeJsonlAtomic(
    files.results,
    evaluations.flatMap((e) => e.results),
    { schema: 'EvalResult' },
  );
  const rlCurves: RlPoint[] = runs.flatMap((run) => Object.values(run.rl).flatMap((r) => r.curve));
  writeFileAtomic(files.metrics, rlCurves.map((p) => `${JSON.stringify(p)}\n`).join(''));
  const experiment: Experiment = analyse(runs, options.conditions, options.rlSteps);
  const trainRuns = trainingSplitRuns(runs);
  const trainingSplit = trainRuns ? analyse(trainRuns, options.conditions, options.rlSteps) : undefined;

  // every accepted pair's teacher-forced maps on one page; those of the run's pairs in the report too
  const maps = (await readJsonlAll(files.maps, { schema: 'TokenRewardMap' })).records;
  writeFileAtomic(files.allMaps, renderHtml(maps, { title: 'Teacher-forced token rewards of every accepted pair' }));
  const byPair = new Map<string, TokenRewardMap[]>();
  for (const m of maps) if (m.pairId) byPair.set(m.pairId, [...(byPair.get(m.pairId) ?? []), m]);
  // one entry a held-out pair, however many prompts ask it
  const heldoutPairs = setup.heldout.filter((t) => pairIdOf(t.id) === t.id);
  const pairs: PairMaps[] = [
    ...setup.tasks.map((t) => ({ t, role: 'train' as const })),
    ...heldoutPairs.map((t) => ({ t, role: 'held-out' as const })),
  ].map(({ t, role }) => ({ pairId: t.id, language: t.language, cwe: t.cwe, role, maps: byPair.get(t.id) ?? [] }));

  const conds: ConditionName[] = [SFT, ...options.conditions];
  const perPrompt: Report['perPrompt'] = setup.heldout.map((t) => {
    const byCondition: Report['perPrompt'][number]['byCondition'] = {};
    for (const c of conds) {
      const acc = { samples: 0, insecure: 0, wellFormed: 0, secure: 0, example: '' };
      for (const run of runs) {
        const e = c === SFT ? run.sft.before : run.rl[c]?.after;
        const x = e?.perTask[t.id];
        if (!x) continue;
        if (!acc.samples) acc.example = x.example;
        acc.samples += x.samples;
        acc.insecure += x.insecure;
        acc.wellFormed += x.wellFormed;
        acc.secure += x.secure;
      }
      byCondition[c] = acc;
    }
    return { id: t.id, prompt: t.prompt, byCondition };
  });
  const timings: Record<string, number> = {};
  for (const run of runs) {
    timings[sftStageName(run.seed)] = run.sft.seconds;
    for (const r of Object.values(run.rl)) timings[rlStageName(r.condition, run.seed)] = r.seconds;
  }
  const describe = (t: SetupOutput['tasks'][number]) => ({
    id: t.id,
    pairId: pairIdOf(t.id),
    prompt: t.prompt,
    language: t.language,
    cwe: t.cwe,
    fixed: t.pair.fixedCode,
    vulnerable: t.pair.vulnerableCode,
  });
  const report: Report = {
    wallSeconds: ctx.elapsedSeconds(),
    backend: setup.backend,
    policy: input.policy ?? { ...setup.config },
    settings: settingsOf(options, input.modelHash),
    import: input.imported,
    reflect: input.reflected,
    rewardMaps: input.rewardMaps,
    split: setup.split,
    tasks: setup.tasks.map(describe),
    heldout: setup.heldout.map(describe),
    skippedTasks: setup.skipped,
    experiment,
    ...(trainingSplit ? { trainingSplit } : {}),
    sftLoss: runs.map((r) => ({ seed: r.seed, losses: r.sft.losses })),
    rlCurves,
    perPrompt,
    timings,
    pairs,
    allMapsFile: basename(files.allMaps),
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
    split: setup.split,
    seeds: experiment.seeds,
    interval: experiment.intervalMethod,
    conditions: experiment.rows.map((r) => ({
      name: r.name,
      insecure: fmt(r.insecure),
      wellFormed: fmt(r.wellFormed),
      fewerInsecureThanSft: r.insecureReduction ? fmt(r.insecureReduction) : null,
      stepsToTarget: r.stepsToTarget,
    })),
    trainingSplit: (trainingSplit?.rows ?? []).map((r) => ({
      name: r.name,
      insecure: fmt(r.insecure),
      wellFormed: fmt(r.wellFormed),
      fewerInsecureThanSft: r.insecureReduction ? fmt(r.insecureReduction) : null,
    })),
    target: experiment.target.sentence,
    claim: experiment.claim,
  };
}

/** `48.6% [31.2%, 66.0%]`. */
function fmt(i: { mean: number; low: number | null; high: number | null }): string {
  const p = (x: number) => `${(100 * x).toFixed(1)}%`;
  return i.low === null || i.high === null ? p(i.mean) : `${p(i.mean)} [${p(i.low)}, ${p(i.high)}]`;
}
