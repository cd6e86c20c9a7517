import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@srcode/dataset';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, makePair } from './make-pair.js';
import { ProtocolServer, type RecordedRequest } from './protocol-server.js';

const PKG = join(import.meta.dirname, '..');
const CLI = join(PKG, 'src/cli.ts');

function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: PKG,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(PKG, 'test/tsconfig.cli.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const countLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
const ids = (file: string, pick: (r: Record<string, unknown>) => string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => pick(JSON.parse(l)));

/** A model server: accepts pairs with an even number, rejects odd ones, and writes two prompts. */
function model(req: RecordedRequest) {
  const system = req.body.messages[0]?.content ?? '';
  if (system.startsWith('You write programming task descriptions')) {
    const prompts = [
      { style: 'user-request', text: 'Write a function that sums the values of a list and returns the total.' },
      { style: 'docstring', text: '"""Add up every element of xs."""' },
    ];
    return { kind: 'answer' as const, content: JSON.stringify({ prompts }), delayMs: 20 };
  }
  const n = Number(/n_(\d+)/.exec(req.body.messages[1]?.content ?? '')?.[1] ?? 0);
  const ok = n % 2 === 0;
  const analysis = {
    rootCause: 'unchecked index',
    vulnerableLines: [2],
    fixingLines: [2, 3],
    securityRelevant: true,
    fixComplete: ok,
    accept: ok,
    rationale: 'r',
  };
  return { kind: 'answer' as const, content: JSON.stringify(analysis), delayMs: 20, promptTokens: 50, completionTokens: 10 };
}

let server: ProtocolServer;
let endpoint: string;
beforeEach(async () => {
  server = new ProtocolServer();
  server.answer = model;
  endpoint = await server.start();
});
afterEach(() => server.stop());

describe('srcode-reflect run (a real child process)', () => {
  it('resumes after SIGKILL with no duplicates and nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const out = join(dir, 'records.jsonl');
    const rejected = `${out}.rejected.jsonl`;
    const total = 60;
    const pairs = Array.from({ length: total }, (_, i) =>
      makePair(
        `def n_${i}(xs):\n    return xs[0] + xs[1]\n`,
        `def n_${i}(xs):\n    if len(xs) < 2:\n        return 0\n    return xs[0] + xs[1]\n`,
        'python',
        ['CWE-125'],
        `pair-${i}`,
      ),
    );
    writeFileSync(input, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
    const args = [
      'run',
      '--in',
      input,
      '--out',
      out,
      '--endpoint',
      endpoint,
      '--model',
      'm',
      '--samples',
      '1',
      '--prompts',
      '2',
      '--concurrency',
      '2',
      '--api-key-env',
      'REFLECT_TEST_KEY',
    ];
    const env = { REFLECT_TEST_KEY: 'sk-never-in-output-123' };

    const first = startCli(args, env);
    while (countLines(out) + countLines(rejected) < 6) {
      const exited = await Promise.race([first.done.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
      if (exited) throw new Error(`the run ended before it could be killed: ${(await first.done).stderr}`);
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = countLines(out) + countLines(rejected);
    expect(partial).toBeLessThan(total);

    const second = await startCli(args, env).done;
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout);
    expect(summary.resumed).toBeGreaterThanOrEqual(6);
    expect(summary).toMatchObject({ accepted: total / 2, rejected: total / 2, errors: 0 });
    expect(second.stderr).toMatch(/reflect \d+\/60 .* ETA .* requests \d+ cached \d+ tokens \d+/);

    const accepted = ids(out, (r) => (r.pair as { id: string }).id);
    const refused = ids(rejected, (r) => r.pairId as string);
    const all = [...accepted, ...refused];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(pairs.map((p) => p.id)));
    expect(accepted.every((id) => Number(id.split('-')[1]) % 2 === 0)).toBe(true);
    for (const line of readFileSync(out, 'utf8').split('\n').filter(Boolean)) {
      expect(validate('PrimeVulPlusRecord', JSON.parse(line))).toMatchObject({ ok: true });
    }
    for (const file of [out, rejected]) expect(readFileSync(file, 'utf8')).not.toContain('sk-never-in-output-123');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-never-in-output-123');
  });

  it('runs offline and takes extra evidence from an analyser module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const out = join(dir, 'records.jsonl');
    const before = 'def first(xs):\n    return xs[0]\n';
    const after = 'def first(xs):\n    if not xs:\n        return None\n    return xs[0]\n';
    writeFileSync(input, `${JSON.stringify(makePair(before, after, 'python', ['CWE-125'], 'p1'))}\n`);
    const module = join(dir, 'analyzers.mjs');
    writeFileSync(
      module,
      `export const analyzers = [{ name: 'ext', languages: ['python'], analyze: async (code) => code.includes('if not xs') ? [] : [{ schemaVersion: 1, analyzer: 'ext', ruleId: 'unchecked-first', severity: 'low', range: { start: 0, end: 1 }, message: 'first element read unchecked' }] }];\n`,
    );
    const r = await startCli(['run', '--in', input, '--out', out, '--analyzers', module, '--quiet']).done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const record = JSON.parse(readFileSync(out, 'utf8'));
    expect(record.verdict.evidence).toContainEqual({ analyzer: 'ext', ruleId: 'unchecked-first', removedByFix: true });
    expect(record.verdict.judge.kind).toBe('heuristic');

    writeFileSync(module, 'export default [{ name: 1 }];\n');
    const bad = await startCli(['run', '--in', input, '--out', join(dir, 'other.jsonl'), '--analyzers', module]).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must export analyzers of the shape/);
  });

  it("takes evidence from @srcode/eval's lexical analyser by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const out = join(dir, 'records.jsonl');
    writeFileSync(input, `${JSON.stringify(makePair(C_BEFORE, C_AFTER))}\n`);
    const r = await startCli(['run', '--in', input, '--out', out, '--quiet']).done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const record = JSON.parse(readFileSync(out, 'utf8'));
    expect(record.verdict.evidence).toContainEqual({
      analyzer: 'srcode-heuristic',
      ruleId: 'c-unsafe-copy',
      cwe: 'CWE-120',
      removedByFix: true,
    });
  });

  it('prints usage and exits 2 without the required flags', async () => {
    const r = await startCli(['run', '--in', 'x.jsonl']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: srcode-reflect run');
  });
});
