// Turns PrimeVul+ records into the small policy's completion tasks, and scores completions with the
// token-reward and eval packages: the reward the RL stage trains on and the metrics the report shows.
import { type Finding, type Language, type PrimeVulPlusRecord, type RepairPair, computeChanges, splitPairs } from '@srcode/dataset';
import { BuiltinAnalyzer } from '@srcode/eval';
import { CHAR_TOKENS, encodeChars, tokenRewards } from '@srcode/rl-core';
import { blankComments, parse } from '@srcode/syntax';
import { SpanCache, onlineRewardMap, pairSpans } from '@srcode/token-reward';
import type { TokenRewardMap } from '@srcode/dataset';

/**
 * One prompt of the policy: the function's language, its CWE and its name (`py:CWE-89:find_user>`); its two
 * answers are the changed region of each side. A hunk task (real data, {@link hunkTasksFrom}) also gives the
 * code just before the changed hunk (`py:CWE-89:find_user>cur = db.cursor()\n`) and is scored with its
 * completion spliced back into the function.
 */
export interface Task {
  id: string;
  language: RepairPair['language'];
  prompt: string;
  /** The prompt up to the name (`py:CWE-89:`): what a held-out prompt shares with training ones. */
  tag: string;
  /** The function's name, as the prompt gives it. */
  name: string;
  /** The code before the answer that the prompt shows after the name ('' for a region task). */
  context?: string;
  /** A hunk task's function around the hunk: a completion is scored spliced into it. */
  splice?: Splice;
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
  return { ...t, name, prompt: promptOf(t.tag, name, t.context ?? '') };
}

/** A prompt's text: the tag, the name, `>`, and (hunk tasks) the preceding code and a line break. */
export function promptOf(tag: string, name: string, context: string): string {
  return context ? `${tag}${name}>${context}\n` : `${tag}${name}>`;
}

/**
 * Held-out prompts of a task: its own, then `count - 1` under made-up names drawn from a stream seeded by
 * the task's id (the same on every run and seed). The training prompts come renamed three times in four,
 * so these ask the held-out pair as training asks its pairs; they are more prompts of one pair, not more
 * pairs, and the report counts both. Each variant keeps the task's id with `~<n>` appended.
 */
export function promptVariants(t: Task, count: number): Task[] {
  let h = 2166136261;
  for (let i = 0; i < t.id.length; i++) h = Math.imul(h ^ t.id.charCodeAt(i), 16777619) >>> 0;
  const random = () => {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
    return h / 2 ** 32;
  };
  return [t, ...Array.from({ length: Math.max(0, count - 1) }, (_, i) => ({ ...renamed(t, random), id: `${t.id}~${i + 1}` }))];
}

/** The pair a variant id (`<pair>~<n>`) was drawn from. */
export const pairIdOf = (taskId: string): string => taskId.replace(/~\d+$/, '');

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

/**
 * Where a hunk task's completion goes: the function's lines before and after the changed hunk, and the
 * indentation the hunk's lines share (the answers are written without it and get it back when spliced).
 */
export interface Splice {
  before: string;
  after: string;
  indent: string;
  /** Words of code (outside comments) both sides of the hunk keep: an answer must keep them too. */
  anchors: string[];
}

/** The hunk settings of {@link hunkTasksFrom}, documented once. */
export const HUNK = {
  /** Non-blank lines of code before the hunk the prompt shows: the statement the answer continues, and one more. */
  contextLines: 2,
  /** At most this many characters of them (the end kept): the prompt stays short beside a 2-layer policy's context. */
  contextChars: 48,
  /** Words both sides share that an answer must keep: enough to pin the statement, few enough to leave the fix free. */
  anchors: 3,
} as const;

/** The whitespace every non-blank line of `lines` starts with. */
function commonIndent(lines: readonly string[]): string {
  const ws = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0] ?? '');
  if (!ws.length) return '';
  let common = ws[0] as string;
  for (const w of ws) while (!w.startsWith(common)) common = common.slice(0, -1);
  return common;
}

/** Words of three characters or more in `code` outside its comments, in order, once each. */
function wordsOf(code: string, language: Language): string[] {
  let text = code;
  try {
    text = blankComments(code, language);
  } catch {
    // a language without comment syntax keeps its text as it is
  }
  return [...new Set(text.match(/[A-Za-z_]\w{2,}/g) ?? [])];
}

/**
 * The pair's one changed hunk by lines: the lines both sides start and end with are the function around it,
 * the rest of each side is its answer, dedented by the indentation they share.
 */
export function hunkOf(pair: RepairPair): { splice: Splice; vulnerable: string; fixed: string; context: string } {
  const v = pair.vulnerableCode.split('\n');
  const f = pair.fixedCode.split('\n');
  let head = 0;
  while (head < v.length && head < f.length && v[head] === f[head]) head++;
  let tail = 0;
  while (tail < v.length - head && tail < f.length - head && v[v.length - 1 - tail] === f[f.length - 1 - tail]) tail++;
  const vh = v.slice(head, v.length - tail);
  const fh = f.slice(head, f.length - tail);
  const indent = commonIndent([...vh, ...fh]);
  const dedent = (ls: string[]) => ls.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())).join('\n');
  const beforeLines = v.slice(0, head);
  const afterLines = v.slice(v.length - tail);
  const vulnerable = dedent(vh);
  const fixed = dedent(fh);
  const shared = new Set(wordsOf(vulnerable, pair.language));
  const anchors = wordsOf(fixed, pair.language)
    .filter((w) => shared.has(w))
    .slice(0, HUNK.anchors);
  const context = beforeLines
    .filter((l) => l.trim())
    .slice(-HUNK.contextLines)
    .map((l) => l.trim())
    .join('\n')
    .slice(-HUNK.contextChars);
  return {
    splice: {
      before: beforeLines.length ? `${beforeLines.join('\n')}\n` : '',
      after: afterLines.length ? `\n${afterLines.join('\n')}` : '',
      indent,
      anchors,
    },
    vulnerable,
    fixed,
    context,
  };
}

/**
 * A completion spliced into its task's function, each line given the hunk's indentation back, and where
 * each character of the function within the completion's part came from in the completion (-1: added indentation).
 */
export function spliceCompletion(s: Splice, text: string): { code: string; start: number; from: Int32Array } {
  const lines = text.split('\n');
  const body = lines.map((l) => (l.trim() ? s.indent + l : l)).join('\n');
  const from = new Int32Array(body.length).fill(-1);
  let at = 0;
  let src = 0;
  for (const l of lines) {
    if (l.trim()) at += s.indent.length;
    for (let i = 0; i <= l.length && at < body.length; i++) from[at++] = src + i;
    src += l.length + 1;
  }
  return { code: s.before + body + s.after, start: s.before.length, from };
}

/**
 * Hunk tasks of real data: the prompt gives the language, the CWE, the function's name and its last lines
 * before the changed hunk; the answers are that hunk on each side; a completion is scored spliced back into
 * the function, so the analyser sees a whole function, not a fragment it cannot read.
 * Kept are pairs whose hunks are printable ASCII, non-empty on both sides (an empty answer would be a free
 * escape from any finding) and at most `maxChars` long (a 2-layer policy trained from scratch writes that much).
 */
export function hunkTasksFrom(
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
    const { splice, vulnerable, fixed, context } = hunkOf(pair);
    if (!vulnerable.trim() || !fixed.trim() || vulnerable.length > maxChars || fixed.length > maxChars) {
      skipped.push(`${pair.id}: changed hunk of ${vulnerable.length}/${fixed.length} characters (both non-empty, limit ${maxChars})`);
      continue;
    }
    const name = (pair.provenance.functionName ?? pair.id).slice(0, MAX_NAME);
    if (!printable(vulnerable + fixed + context + name)) {
      skipped.push(`${pair.id}: hunk, context or name not printable ASCII`);
      continue;
    }
    const cwe = pair.cwes[0] ?? 'none';
    const tag = `${pair.language === 'python' ? 'py' : pair.language}:${cwe}:`;
    tasks.push({
      id: pair.id,
      language: pair.language,
      prompt: promptOf(tag, name, context),
      tag,
      name,
      context,
      splice,
      cwe,
      pair: { ...pair, id: `${pair.id}:hunk`, vulnerableCode: vulnerable, fixedCode: fixed, changes: computeChanges(vulnerable, fixed) },
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
    return this.scoreWithin(task, text).scored;
  }

  /**
   * The score, and the findings in the completion's own offsets (a hunk task's findings are the whole spliced
   * function's; those within the completion are moved to its offsets, for its token map).
   */
  private scoreWithin(task: Task, text: string): { scored: Scored; own: Finding[] } {
    const s = task.splice;
    const spliced = s ? spliceCompletion(s, text) : undefined;
    const code = spliced ? spliced.code : text;
    const findings = this.analyzer.analyzeSync(code, task.language).filter((f) => f.severity !== 'low');
    const tree = parse(code, task.language);
    let wellFormed = text.trim().length > 0 && !tree.rootNode.hasError;
    // a hunk answer must keep the words both sides keep: deleting the statement is no escape from its finding
    if (wellFormed && s?.anchors.length) {
      const own = new Set(wordsOf(text, task.language));
      wellFormed = s.anchors.every((w) => own.has(w));
    }
    const insecure = findings.length > 0;
    const scored: Scored = {
      text,
      findings,
      insecure,
      wellFormed,
      secure: wellFormed && !insecure,
      exactFixed: text === task.pair.fixedCode,
      exactVulnerable: text === task.pair.vulnerableCode,
    };
    if (!spliced) return { scored, own: findings };
    const { start, from } = spliced;
    const own: Finding[] = [];
    for (const f of findings) {
      // the part of the finding inside the completion, in the completion's offsets
      const lo = Math.max(f.range.start, start) - start;
      const hi = Math.min(f.range.end, start + from.length) - start;
      let a = -1;
      let b = -1;
      for (let i = lo; i < hi; i++) {
        const c = from[i] as number;
        if (c < 0) continue;
        if (a < 0) a = c;
        b = c + 1;
      }
      if (a >= 0 && b > a) {
        const { lines: _lines, ...rest } = f;
        own.push({ ...rest, range: { start: a, end: Math.min(b, text.length) } });
      }
    }
    return { scored, own };
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
    const { scored, own } = this.scoreWithin(task, text);
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
        findings: own,
        id: `${task.id}:online`,
        tokenizer: encoding ? 'hf' : 'chars',
      },
      { normalize: 'span-mean' },
    );
    // the map covers the text's characters, never the end token after them
    return { rewards: tokenRewards({ length: tokens.length, map, instance, scale: tokenScale }), scored, map };
  }
}
