// The main job's experiment: every condition's held-out rates over seeds, with 95% intervals, the per-CWE and
// per-language tables, the regressions against SFT, the steps each condition needs to reach the target, and
// whether the target (and the paper's claim) is met. Pure: computed from the stages' kept results.
import { type ConditionName, RL_CONDITIONS, type RlConditionName, SFT, describeCondition, instanceTwin } from './conditions.js';
import type { EvalSummary } from './stages/evaluate.js';
import type { EvalRates, RlOutput, SftOutput } from './stages/train.js';
import { INTERVAL_METHOD, type Interval, formatRate, tInterval } from './stats.js';

/** One seed's SFT run and the RL runs started from it. */
export interface SeedRuns {
  seed: number;
  sft: SftOutput<EvalSummary>;
  rl: Partial<Record<RlConditionName, RlOutput<EvalSummary>>>;
}

/** What the target asks: the insecure rate at most this share of SFT's … */
export const TARGET = {
  /** … at least 50% fewer insecure completions than after SFT … */
  reduction: 0.5,
  /** … with well-formedness at most 2 points below SFT's … */
  wellFormedDrop: 0.02,
  /** … token-level rewards reaching it in at most half the steps instance-level rewards need. */
  stepRatio: 0.5,
  /**
   * Judged only when after SFT at least this share of samples is insecure and this share well-formed: below
   * it, halving the insecure rate is a few samples' noise, and keeping the well-formedness of a policy that
   * writes no well-formed code is no correctness kept.
   */
  measurableSft: 0.05,
} as const;

/** The paper's claim the headline is compared with. */
export const PAPER_CLAIM = 'over 50% fewer high/medium-risk vulnerabilities with equal or better correctness';

/** One seed's held-out rates of a condition. */
export interface SeedRates extends EvalRates {
  seed: number;
  samples: number;
  findings: { high: number; medium: number };
}

/** A condition's row: per-seed rates, their intervals, the change against SFT, and its held-out curve. */
export interface ConditionRow {
  name: ConditionName;
  description: string;
  perSeed: SeedRates[];
  insecure: Interval;
  wellFormed: Interval;
  secure: Interval;
  /** Relative fall of the insecure rate against the same seed's SFT, `(sft - x) / sft` (none for SFT). */
  insecureReduction: Interval | null;
  /** Well-formed rate less the same seed's SFT rate, in rate units (none for SFT). */
  wellFormedChange: Interval | null;
  /** Mean over seeds of the held-out rates after each evaluated step (step 0 is SFT). */
  curve: Array<{ step: number; insecure: Interval; wellFormed: Interval }>;
  /** First evaluated step at which the seed means meet the target's rate and well-formedness parts; null if none. */
  stepsToTarget: number | null;
}

/** The insecure rate of each condition over the prompts of one CWE or language. */
export interface GroupRow {
  key: string;
  prompts: number;
  insecure: Partial<Record<ConditionName, Interval>>;
  wellFormed: Partial<Record<ConditionName, Interval>>;
}

/** A held-out prompt that fared worse under an RL condition than after SFT, summed over seeds. */
export interface Regression {
  condition: RlConditionName;
  taskId: string;
  prompt: string;
  samples: number;
  sft: { insecure: number; wellFormed: number; secure: number };
  rl: { insecure: number; wellFormed: number; secure: number };
  /** What got worse. */
  worse: Array<'insecure' | 'well-formed'>;
}

/** Whether the target holds under one algorithm, and the figures it is judged on. */
export interface TargetCheck {
  algo: 'ppo' | 'grpo';
  token: RlConditionName;
  instance: RlConditionName;
  reduction: number;
  wellFormedChange: number;
  tokenSteps: number | null;
  instanceSteps: number | null;
  reductionMet: boolean;
  wellFormedMet: boolean;
  speedMet: boolean;
  /** After SFT enough samples were insecure and enough well-formed for the target to be judged ({@link TARGET}). */
  measurable: boolean;
  met: boolean;
  /** The check in one sentence, with its figures. */
  sentence: string;
}

/** Everything the experiment's tables show. */
export interface Experiment {
  seeds: number[];
  conditions: ConditionName[];
  rlSteps: number;
  intervalMethod: string;
  rows: ConditionRow[];
  perCwe: GroupRow[];
  perLanguage: GroupRow[];
  regressions: Regression[];
  target: { met: boolean; checks: TargetCheck[]; sentence: string };
  /** Functional pass rate where a task has tests: none of the main job's prompts has any. */
  functional: { tasksWithTests: number; passRate: number | null; note: string };
  /** The headline compared with the paper's claim, in one sentence. */
  claim: string;
}

const rates = (e: EvalSummary): SeedRates & { seed: number } => ({
  seed: 0,
  insecureRate: e.insecureRate,
  wellFormedRate: e.wellFormedRate,
  secureRate: e.secureRate,
  samples: e.samples,
  findings: e.findings,
});

/** Rates live in [0, 1]: their intervals are clipped to it. */
const UNIT = [0, 1] as const;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} points`;

/**
 * Whether the claim holds: by the means, and whether the seeds' 95% intervals bear it out too (the
 * reduction's lower end above 50%, the well-formedness change's lower end at 0 or above).
 */
function claimVerdict(rows: readonly ConditionRow[]): string {
  if (!rows.length) return 'the claim is not reproduced by this run';
  const firm = rows.filter((r) => (r.insecureReduction?.low ?? -1) > TARGET.reduction && (r.wellFormedChange?.low ?? -1) >= 0);
  const names = rows.map((r) => r.name).join(' and ');
  return firm.length
    ? `the claim is reproduced under ${names}, and the 95% intervals over seeds bear it out under ${firm.map((r) => r.name).join(' and ')}`
    : `by the means the claim is reproduced under ${names}, but not beyond seed noise: no 95% interval over seeds keeps the reduction above 50% and the well-formedness change at 0 or above`;
}

/**
 * The runs as their evaluations on the training prompts read (each evaluation's `trainSplit`), with no
 * curve during RL (only the final evaluations ask the training prompts); undefined when an evaluation has none.
 */
export function trainingSplitRuns(runs: readonly SeedRuns[]): SeedRuns[] | undefined {
  const out: SeedRuns[] = [];
  for (const run of runs) {
    const before = run.sft.before.trainSplit;
    if (!before) return undefined;
    const rl: SeedRuns['rl'] = {};
    for (const [name, r] of Object.entries(run.rl) as Array<[RlConditionName, NonNullable<SeedRuns['rl'][RlConditionName]>]>) {
      if (!r.after.trainSplit) return undefined;
      rl[name] = { ...r, evals: [], after: r.after.trainSplit };
    }
    out.push({ seed: run.seed, sft: { ...run.sft, before }, rl });
  }
  return out;
}

/** Whether SFT's rates leave the target something to measure ({@link TARGET}'s `measurableSft`). */
const measurableBase = (insecure: number, wellFormed: number) => insecure >= TARGET.measurableSft && wellFormed >= TARGET.measurableSft;

/** The experiment's tables from the kept results of every seed. */
export function analyse(runs: readonly SeedRuns[], conditions: readonly RlConditionName[], rlSteps: number): Experiment {
  const seeds = runs.map((r) => r.seed);
  const evalOf = (run: SeedRuns, name: ConditionName): EvalSummary | undefined => (name === SFT ? run.sft.before : run.rl[name]?.after);
  const names: ConditionName[] = [SFT, ...conditions];
  const rows: ConditionRow[] = names.map((name) => {
    const perSeed = runs.flatMap((run) => {
      const e = evalOf(run, name);
      return e ? [{ ...rates(e), seed: run.seed }] : [];
    });
    const sftOf = (seed: number) => runs.find((r) => r.seed === seed)?.sft.before as EvalSummary;
    const isRl = name !== SFT;
    // the curve: step 0 is the seed's SFT evaluation, then each RL evaluation
    const steps = new Map<number, Array<EvalRates>>();
    for (const run of runs) {
      const points: Array<EvalRates & { step: number }> = isRl
        ? [{ step: 0, ...run.sft.before }, ...(run.rl[name as RlConditionName]?.evals ?? [])]
        : [{ step: 0, ...run.sft.before }];
      for (const p of points) steps.set(p.step, [...(steps.get(p.step) ?? []), p]);
    }
    const curve = [...steps.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([step, ps]) => ({
        step,
        insecure: tInterval(
          ps.map((p) => p.insecureRate),
          UNIT,
        ),
        wellFormed: tInterval(
          ps.map((p) => p.wellFormedRate),
          UNIT,
        ),
      }));
    const base = curve[0];
    const reached = isRl
      ? curve.find(
          (p) =>
            p.step > 0 &&
            base !== undefined &&
            measurableBase(base.insecure.mean, base.wellFormed.mean) &&
            p.insecure.n === base.insecure.n &&
            p.insecure.mean <= (1 - TARGET.reduction) * base.insecure.mean &&
            p.wellFormed.mean >= base.wellFormed.mean - TARGET.wellFormedDrop,
        )
      : undefined;
    return {
      name,
      description: describeCondition(name),
      perSeed,
      insecure: tInterval(
        perSeed.map((s) => s.insecureRate),
        UNIT,
      ),
      wellFormed: tInterval(
        perSeed.map((s) => s.wellFormedRate),
        UNIT,
      ),
      secure: tInterval(
        perSeed.map((s) => s.secureRate),
        UNIT,
      ),
      insecureReduction: isRl
        ? tInterval(
            perSeed.map((s) => {
              const b = sftOf(s.seed).insecureRate;
              return b > 0 ? (b - s.insecureRate) / b : Number.NaN;
            }),
            [Number.NEGATIVE_INFINITY, 1],
          )
        : null,
      wellFormedChange: isRl
        ? tInterval(
            perSeed.map((s) => s.wellFormedRate - sftOf(s.seed).wellFormedRate),
            [-1, 1],
          )
        : null,
      curve,
      stepsToTarget: reached?.step ?? null,
    };
  });

  // per CWE and per language: each seed's rate pooled over the group's prompts, then the interval over seeds
  const group = (keyOf: (t: { language: string; cwe: string }) => string): GroupRow[] => {
    const first = runs[0]?.sft.before.perTask ?? {};
    const keys = [...new Set(Object.values(first).map(keyOf))].sort();
    return keys.map((key) => {
      const ids = Object.entries(first)
        .filter(([, t]) => keyOf(t) === key)
        .map(([id]) => id);
      const insecure: GroupRow['insecure'] = {};
      const wellFormed: GroupRow['wellFormed'] = {};
      for (const name of names) {
        const per = (k: 'insecure' | 'wellFormed') =>
          runs.flatMap((run) => {
            const e = evalOf(run, name);
            if (!e) return [];
            const ts = ids.map((id) => e.perTask[id]).filter((t) => t !== undefined);
            const n = ts.reduce((a, t) => a + t.samples, 0);
            return n ? [ts.reduce((a, t) => a + t[k], 0) / n] : [];
          });
        insecure[name] = tInterval(per('insecure'), UNIT);
        wellFormed[name] = tInterval(per('wellFormed'), UNIT);
      }
      return { key, prompts: ids.length, insecure, wellFormed };
    });
  };

  const regressions: Regression[] = [];
  for (const name of conditions) {
    const ids = Object.keys(runs[0]?.sft.before.perTask ?? {});
    for (const id of ids) {
      const sum = (pick: (run: SeedRuns) => EvalSummary | undefined) => {
        const acc = { insecure: 0, wellFormed: 0, secure: 0, samples: 0 };
        for (const run of runs) {
          const t = pick(run)?.perTask[id];
          if (!t) continue;
          acc.insecure += t.insecure;
          acc.wellFormed += t.wellFormed;
          acc.secure += t.secure;
          acc.samples += t.samples;
        }
        return acc;
      };
      const s = sum((run) => run.sft.before);
      const r = sum((run) => run.rl[name]?.after);
      if (!r.samples) continue;
      const worse: Regression['worse'] = [];
      if (r.insecure > s.insecure) worse.push('insecure');
      if (r.wellFormed < s.wellFormed) worse.push('well-formed');
      if (!worse.length) continue;
      const { samples: _s, ...sft } = s;
      const { samples, ...rl } = r;
      regressions.push({ condition: name, taskId: id, prompt: runs[0]?.sft.before.perTask[id]?.prompt ?? id, samples, sft, rl, worse });
    }
  }

  const row = (name: ConditionName) => rows.find((r) => r.name === name);
  const checks: TargetCheck[] = [];
  for (const algo of ['ppo', 'grpo'] as const) {
    const token = conditions.find((c) => RL_CONDITIONS[c].algo === algo && RL_CONDITIONS[c].token);
    if (!token) continue;
    const instance = instanceTwin(token);
    const t = row(token) as ConditionRow;
    const i = row(instance);
    const reduction = t.insecureReduction?.mean ?? Number.NaN;
    const wellFormedChange = t.wellFormedChange?.mean ?? Number.NaN;
    const tokenSteps = t.stepsToTarget;
    const instanceSteps = i ? i.stepsToTarget : null;
    const reductionMet = reduction >= TARGET.reduction;
    const wellFormedMet = wellFormedChange >= -TARGET.wellFormedDrop;
    // instance-level rewards not reaching the target in the run count as needing more than its steps
    const speedMet =
      i !== undefined &&
      tokenSteps !== null &&
      tokenSteps <= TARGET.stepRatio * (instanceSteps ?? rlSteps + 1) &&
      (instanceSteps !== null || tokenSteps <= TARGET.stepRatio * rlSteps);
    const sftRates = row(SFT) as ConditionRow;
    const measurable = measurableBase(sftRates.insecure.mean, sftRates.wellFormed.mean);
    const met = measurable && reductionMet && wellFormedMet && speedMet;
    const steps = (n: number | null) => (n === null ? `none within ${rlSteps}` : String(n));
    const unmeasurable = measurable
      ? ''
      : `Not judged: after SFT ${pct(sftRates.insecure.mean)} of held-out completions are insecure and ${pct(sftRates.wellFormed.mean)} well-formed (each must be at least ${pct(TARGET.measurableSft)}). `;
    const sentence = `${unmeasurable}${algo.toUpperCase()}: ${token} has ${pct(reduction)} fewer insecure held-out completions than SFT (target ≥ ${pct(TARGET.reduction)}: ${reductionMet ? 'met' : 'not met'}), well-formedness ${pts(wellFormedChange)} (target ≥ −${(100 * TARGET.wellFormedDrop).toFixed(0)} points: ${wellFormedMet ? 'met' : 'not met'}), and RL steps to reach both: ${steps(tokenSteps)}, against ${i ? steps(instanceSteps) : 'no run'} for ${instance} (target ≤ half: ${speedMet ? 'met' : 'not met'}).`;
    checks.push({
      algo,
      token,
      instance,
      reduction,
      wellFormedChange,
      tokenSteps,
      instanceSteps,
      reductionMet,
      wellFormedMet,
      speedMet,
      measurable,
      met,
      sentence,
    });
  }
  const met = checks.length > 0 && checks.every((c) => c.met);
  const targetSentence = `Target (≥ ${pct(TARGET.reduction)} fewer insecure than SFT, well-formedness within ${(100 * TARGET.wellFormedDrop).toFixed(0)} points, token-level in ≤ half the instance-level steps) ${met ? 'MET' : 'NOT MET'}${checks.length ? ` (${checks.map((c) => `${c.algo.toUpperCase()} ${c.met ? 'met' : 'not met'}`).join(', ')})` : ' (no token-level condition was run)'}.`;

  const sftRow = row(SFT) as ConditionRow;
  const tokenRows = conditions.filter((c) => RL_CONDITIONS[c].token).map((c) => row(c) as ConditionRow);
  const claimed = (r: ConditionRow) => (r.insecureReduction?.mean ?? 0) > TARGET.reduction && (r.wellFormedChange?.mean ?? -1) >= 0;
  const heldout = Object.keys(runs[0]?.sft.before.perTask ?? {}).length;
  const claim = !measurableBase(sftRow.insecure.mean, sftRow.wellFormed.mean)
    ? `The paper claims ${PAPER_CLAIM}; on ${heldout} held-out prompts over ${seeds.length} seed(s), after SFT ${formatRate(sftRow.insecure)} of completions are insecure and ${formatRate(sftRow.wellFormed)} well-formed, too few (each must be at least ${pct(TARGET.measurableSft)}) for this run to test the claim.`
    : tokenRows.length
      ? `The paper claims ${PAPER_CLAIM}; on ${heldout} held-out prompts over ${seeds.length} seed(s), after SFT ${formatRate(sftRow.insecure)} of completions are insecure and ${formatRate(sftRow.wellFormed)} well-formed, and token-level RL gives ${tokenRows
          .map(
            (r) =>
              `${formatRate(r.insecure)} insecure (${pct(r.insecureReduction?.mean ?? Number.NaN)} fewer) and ${formatRate(r.wellFormed)} well-formed under ${r.name}`,
          )
          .join(', ')}: ${claimVerdict(tokenRows.filter(claimed))}.`
      : `The paper claims ${PAPER_CLAIM}; this run trained no token-level condition, so it does not test the claim.`;

  return {
    seeds,
    conditions: names,
    rlSteps,
    intervalMethod: INTERVAL_METHOD,
    rows,
    perCwe: group((t) => t.cwe),
    perLanguage: group((t) => t.language),
    regressions,
    target: { met, checks, sentence: targetSentence },
    functional: {
      tasksWithTests: 0,
      passRate: null,
      note: 'No held-out prompt of the main job has tests, so no functional pass rate is measured; well-formedness (the completion parses) stands in for correctness',
    },
    claim,
  };
}
