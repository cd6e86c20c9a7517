// Turns PrimeVul+ records into the small policy's completion tasks, and scores completions with the
// token-reward and eval packages: the reward the RL stage trains on and the metrics the report shows.
import { type Finding, type Language, type PrimeVulPlusRecord, type RepairPair, computeChanges, splitPairs } from '@srcode/dataset';
import { BuiltinAnalyzer } from '@srcode/eval';
import { CHAR_TOKENS, encodeChars, tokenRewards } from '@srcode/rl-core';
import { parse } from '@srcode/syntax';
import { SpanCache, onlineRewardMap, pairSpans } from '@srcode/token-reward';
import type { TokenRewardMap } from '@srcode/dataset';

/**
 * One prompt of the policy: the function's language, its CWE and its name (`py:CWE-89:find_user>`); its two
 * answers are the changed region of each side.
 */
export interface Task {
  id: string;
  language: RepairPair['language'];
  prompt: string;
  /** The prompt up to the name (`py:CWE-89:`): what a held-out prompt shares with training ones. */
  tag: string;
  /** The function's name, as the prompt gives it. */
  name: string;
  /** The pair's first CWE (`CWE-<n>`), or `none` when it has none: the per-CWE tables group by it. */
  cwe: string;
  /** The pair restricted to the changed lines (dedented), which the online reward maps match against. */
  pair: RepairPair;
}

/** Reward magnitudes of the main job (the defaults of {@link RewardSettings}), documented once. */
export const REWARDS = {
  /**
   * Instance reward on the end token: secure and well-formed, insecure (an analyser finding), malformed.
   * Malformed is worse than insecure: otherwise the cheapest escape from a penalised call is broken code.
   */
  secure: 1,
  insecure: -1,
  malformed: -2,
  /**
   * Scale of the token-level map: token-reward's spans (+1 secure units, -1 vulnerable units, findings
   * by severity), each span's weight shared by its tokens so length earns nothing.
   */
  tokenScale: 1,
} as const;

/** The reward magnitudes a run trains with; {@link REWARDS} holds the defaults. */
export interface RewardSettings {
  secure: number;
  insecure: number;
  malformed: number;
  tokenScale: number;
}

/** The lines that hold a side's changed units, dedented, so a tiny policy can write them. */
function changedRegion(code: string, spans: Array<{ start: number; end: number }>): string {
  if (!spans.length) return '';
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const from = code.lastIndexOf('\n', start - 1) + 1;
  let to = code.indexOf('\n', end);
  if (to < 0) to = code.length;
  const lines = code.slice(from, to).split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const printable = (s: string) => /^[\x20-\x7e\n]*$/.test(s);

/** Longest function name a prompt gives (longer ones are cut). */
export const MAX_NAME = 24;

/**
 * The task under a made-up function name of 3 to 12 letters drawn from `random`. Most training prompts
 * (three in four) come renamed so that the small policy learns its answers from the language and the CWE rather
 * than by heart from the name, and so has something to say for a held-out function it never saw.
 */
export function renamed(t: Task, random: () => number): Task {
  const letters = 'abcdefghijklmnopqrstuvwxyz_';
  const n = 3 + Math.floor(random() * 10);
  const name = Array.from({ length: n }, () => letters[Math.floor(random() * letters.length)]).join('');
  return { ...t, name, prompt: `${t.tag}${name}>` };
}

/**
 * Tasks from accepted records whose changed regions are printable ASCII and at most `maxChars` long, in
 * the languages the scorer's analyser knows (a completion it cannot analyse cannot be rewarded).
 */
export function tasksFrom(
  records: readonly PrimeVulPlusRecord[],
  maxChars: number,
  languages: readonly Language[] = new BuiltinAnalyzer().languages,
): { tasks: Task[]; skipped: string[] } {
  const tasks: Task[] = [];
  const skipped: string[] = [];
  for (const { pair } of records) {
    if (!languages.includes(pair.language)) {
      skipped.push(`${pair.id}: the analyser does not know ${pair.language}`);
      continue;
    }
    let spans: ReturnType<typeof pairSpans>;
    try {
      spans = pairSpans(pair);
    } catch {
      skipped.push(`${pair.id}: no grammar for ${pair.language}`);
      continue;
    }
    const vulnerable = changedRegion(pair.vulnerableCode, spans.vulnerable);
    const fixed = changedRegion(pair.fixedCode, spans.fixed);
    if (!vulnerable || !fixed || vulnerable.length > maxChars || fixed.length > maxChars || !printable(vulnerable + fixed)) {
      skipped.push(`${pair.id}: changed region of ${vulnerable.length}/${fixed.length} characters (limit ${maxChars})`);
      continue;
    }
    const name = (pair.provenance.functionName ?? pair.id).slice(0, MAX_NAME);
    const cwe = pair.cwes[0] ?? 'none';
    const tag = `${pair.language === 'python' ? 'py' : pair.language}:${cwe}:`;
    if (!printable(name)) {
      skipped.push(`${pair.id}: function name ${JSON.stringify(name)} is not printable ASCII`);
      continue;
    }
    tasks.push({
      id: pair.id,
      language: pair.language,
      prompt: `${tag}${name}>`,
      tag,
      name,
      cwe,
      pair: { ...pair, id: `${pair.id}:region`, vulnerableCode: vulnerable, fixedCode: fixed, changes: computeChanges(vulnerable, fixed) },
    });
  }
  return { tasks, skipped };
}

/** The records of a held-out split and of the training split, and the unit that never spans the two. */
export interface RecordSplit {
  train: PrimeVulPlusRecord[];
  heldout: PrimeVulPlusRecord[];
  /** `project` when the records come from two projects or more, else `commit` (else `pair`). */
  unit: 'project' | 'commit' | 'pair';
  /** Distinct units in each split. */
  units: { train: number; heldout: number };
  /** Held-out units moved to training because the training split had no pair of their CWE. */
  moved: number;
}

/**
 * Splits records with the dataset's leak-free `splitPairs`: all pairs of one project on one side. Data from
 * a single project (the embedded sample) is split by commit instead, the next unit that keeps a fix whole.
 * The split is seeded by 0 whatever the run's seed, so every seed trains and evaluates on the same prompts.
 * A held-out unit with a pair whose CWE no training pair has is moved, whole, to training: a policy of this
 * size learns a CWE's answers from its training pairs, and asked for one it was never shown it writes noise
 * that measures nothing.
 */
export function splitRecords(records: readonly PrimeVulPlusRecord[], heldoutShare: number): RecordSplit {
  const projects = new Set(records.map((r) => r.pair.provenance.project ?? ''));
  const unit: RecordSplit['unit'] =
    projects.size >= 2 && !projects.has('') ? 'project' : records.every((r) => r.pair.provenance.commitUrl) ? 'commit' : 'pair';
  const groupOf = (p: RepairPair): string =>
    unit === 'project' ? (p.provenance.project as string) : unit === 'commit' ? (p.provenance.commitUrl as string) : p.id;
  const byId = new Map(records.map((r) => [r.pair.id, r]));
  const parts = splitPairs(
    records.map((r) => r.pair),
    { ratios: { train: 1 - heldoutShare, heldout: heldoutShare }, seed: 0, groupOf },
  );
  const back = (pairs: RepairPair[] | undefined) => (pairs ?? []).map((p) => byId.get(p.id) as PrimeVulPlusRecord);
  const train = back(parts.train);
  const cwesOf = (r: PrimeVulPlusRecord) => r.pair.cwes[0] ?? 'none';
  const taught = new Set(train.map(cwesOf));
  const units = new Map<string, PrimeVulPlusRecord[]>();
  for (const r of back(parts.heldout)) units.set(groupOf(r.pair), [...(units.get(groupOf(r.pair)) ?? []), r]);
  const heldout: PrimeVulPlusRecord[] = [];
  let moved = 0;
  for (const rs of units.values()) {
    if (rs.every((r) => taught.has(cwesOf(r)))) heldout.push(...rs);
    else {
      train.push(...rs);
      for (const r of rs) taught.add(cwesOf(r));
      moved++;
    }
  }
  const count = (rs: PrimeVulPlusRecord[]) => new Set(rs.map((r) => groupOf(r.pair))).size;
  return { train, heldout, unit, units: { train: count(train), heldout: count(heldout) }, moved };
}

/** A task's prompt as the policy reads it: the start token, then its characters. */
export const promptIds = (t: Task): number[] => [CHAR_TOKENS.bos, ...encodeChars(t.prompt)];
/** An answer as the policy writes it: its characters, then the end token. */
export const targetIds = (text: string): number[] => [...encodeChars(text), CHAR_TOKENS.eos];

/** How one completion fares: the metrics of the report and the per-token reward of the RL stage. */
export interface Scored {
  text: string;
  findings: Finding[];
  insecure: boolean;
  wellFormed: boolean;
  secure: boolean;
  exactFixed: boolean;
  exactVulnerable: boolean;
}

/** Scores completions of tasks: the built-in analyser's findings (high and medium), a parse check, and rewards. */
export class Scorer {
  private readonly analyzer = new BuiltinAnalyzer();
  private readonly cache = new SpanCache();

  /** A scorer rewarding with `settings` (the defaults: {@link REWARDS}). */
  constructor(readonly settings: RewardSettings = { ...REWARDS }) {}

  /** The name the analyser writes into its findings. */
  get analyzerName(): string {
    return this.analyzer.name;
  }

  /** How a completion's text fares on the task. */
  score(task: Task, text: string): Scored {
    const findings = this.analyzer.analyzeSync(text, task.language).filter((f) => f.severity !== 'low');
    const tree = parse(text, task.language);
    const wellFormed = text.trim().length > 0 && !tree.rootNode.hasError;
    const insecure = findings.length > 0;
    return {
      text,
      findings,
      insecure,
      wellFormed,
      secure: wellFormed && !insecure,
      exactFixed: text === task.pair.fixedCode,
      exactVulnerable: text === task.pair.vulnerableCode,
    };
  }

  /**
   * Rewards for a completion's tokens (its characters, then the end token; or a checkpoint's tokens, whose
   * spans in `text` `encoding` gives, the end token left out). With `token`, the token-reward map (matched
   * secure/vulnerable units and analyser findings) is added to the instance reward that sits on the last token.
   */
  rewards(
    task: Task,
    tokens: readonly number[],
    text: string,
    token: boolean,
    encoding?: { ids: Int32Array; offsets: Uint32Array },
  ): { rewards: Float32Array; scored: Scored; map?: TokenRewardMap } {
    const scored = this.score(task, text);
    const { secure, insecure, malformed, tokenScale } = this.settings;
    // a malformed completion is penalised as such even when the analyser flags it too: broken code is never an escape
    const instance = !scored.wellFormed ? malformed : scored.insecure ? insecure : secure;
    if (!token || !text) return { rewards: tokenRewards({ length: tokens.length, instance }), scored };
    // without an encoding, the tokens are characters (the small policy's): token i covers character i
    let enc = encoding;
    if (!enc) {
      const offsets = new Uint32Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        offsets[2 * i] = i;
        offsets[2 * i + 1] = i + 1;
      }
      enc = { ids: Int32Array.from(tokens.slice(0, text.length)), offsets };
    }
    const { map } = onlineRewardMap(
      {
        pair: task.pair,
        cache: this.cache,
        completion: text,
        encoding: enc,
        findings: scored.findings,
        id: `${task.id}:online`,
        tokenizer: encoding ? 'hf' : 'chars',
      },
      { normalize: 'span-mean' },
    );
    // the map covers the text's characters, never the end token after them
    return { rewards: tokenRewards({ length: tokens.length, map, instance, scale: tokenScale }), scored, map };
  }
}
