// Turns PrimeVul+ records into the small policy's completion tasks, and scores completions with the
// token-reward and eval packages: the reward the RL stage trains on and the metrics the report shows.
import { type Finding, type Language, type PrimeVulPlusRecord, type RepairPair, computeChanges } from '@srcode/dataset';
import { BuiltinAnalyzer } from '@srcode/eval';
import { CHAR_TOKENS, encodeChars, tokenRewards } from '@srcode/rl-core';
import { parse } from '@srcode/syntax';
import { SpanCache, onlineRewardMap, pairSpans } from '@srcode/token-reward';
import type { TokenRewardMap } from '@srcode/dataset';

/** One prompt of the policy: the function's language and name; its two answers are the changed region of each side. */
export interface Task {
  id: string;
  language: RepairPair['language'];
  prompt: string;
  /** The pair restricted to the changed lines (dedented), which the online reward maps match against. */
  pair: RepairPair;
}

/** Reward magnitudes of the main job, documented once. */
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
    const name = pair.provenance.functionName ?? pair.id;
    tasks.push({
      id: pair.id,
      language: pair.language,
      prompt: `${pair.language === 'python' ? 'py' : pair.language}:${name}>`,
      pair: { ...pair, id: `${pair.id}:region`, vulnerableCode: vulnerable, fixedCode: fixed, changes: computeChanges(vulnerable, fixed) },
    });
  }
  return { tasks, skipped };
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
   * Rewards for a completion's tokens (its characters, then the end token). With `token`, the
   * token-reward map (matched secure/vulnerable units and analyser findings) is added to the
   * instance reward that sits on the last token.
   */
  rewards(
    task: Task,
    tokens: readonly number[],
    text: string,
    token: boolean,
  ): { rewards: Float32Array; scored: Scored; map?: TokenRewardMap } {
    const scored = this.score(task, text);
    const instance = scored.insecure ? REWARDS.insecure : scored.wellFormed ? REWARDS.secure : REWARDS.malformed;
    if (!token || !text) return { rewards: tokenRewards({ length: tokens.length, instance }), scored };
    const offsets = new Uint32Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      offsets[2 * i] = i;
      offsets[2 * i + 1] = i + 1;
    }
    const { map } = onlineRewardMap(
      {
        pair: task.pair,
        cache: this.cache,
        completion: text,
        encoding: { ids: tokens.slice(0, text.length), offsets },
        findings: scored.findings,
        id: `${task.id}:online`,
        tokenizer: 'chars',
      },
      { normalize: 'span-mean' },
    );
    // the map covers the text's characters, never the end token after them
    return { rewards: tokenRewards({ length: tokens.length, map, instance, scale: REWARDS.tokenScale }), scored, map };
  }
}
