import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@srcode/dataset';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, makePair } from './make-pair.js';
import { ProtocolServer, type RecordedRequest } from './protocol-server.js';

const PKG = join(import.meta.dirname, '..');
// The built bin, as users run it (common/cli.ts bundled in, @srcode/eval's build as its peer):
// `pnpm --filter @srcode/eval --filter @srcode/reflect build` first.
const CLI = join(PKG, 'dist/cli.js');
const VERSION = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;

// The bundle holds the package's sources and common's: built before the last change to one of them, it is stale.
function builtBeforeSources(): boolean {
  const src = join(PKG, 'src');
  const sources = [
    ...readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(src, f)),
    ...['cli.ts', 'errors.ts'].map((f) => join(PKG, '../../common', f)),
  ];
  const built = statSync(CLI).mtimeMs;
  return sources.some((f) => statSync(f).mtimeMs > built);
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm --filter @srcode/reflect build first`);
  if (builtBeforeSources()) throw new Error(`${CLI} is older than its sources: run pnpm --filter @srcode/reflect build first`);
});

function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  // standard input stays open: a command that waited on it would time out instead of passing
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: PKG,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      child.stdin?.destroy();
      resolve({ code, signal, stdout, stderr });
    }),
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

describe('srcode-reflect run (a real child process)', () => {
  let server: ProtocolServer;
  let endpoint: string;
  beforeEach(async () => {
    server = new ProtocolServer();
    server.answer = model;
    endpoint = await server.start();
  });
  afterEach(() => server.stop());

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

  it('exits 2 naming an input with no valid pair, and creates no output, side file or cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.csv');
    writeFileSync(input, 'id,language,code\n1,c,int main(void) { return 0; }\n');
    for (const extra of [[], ['--endpoint', endpoint, '--model', 'm']]) {
      const r = await startCli(['run', '--in', input, '--out', join(dir, 'out', 'records.jsonl'), ...extra]).done;
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(oneLine(r.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^srcode-reflect run: ${input}: no valid RepairPair record \\(2 lines rejected; first: ${input}:1: broken JSON`),
        ),
      ]);
    }
    writeFileSync(join(dir, 'empty.jsonl'), '');
    const empty = await startCli(['run', '--in', join(dir, 'empty.jsonl'), '--out', join(dir, 'records.jsonl')]).done;
    expect(empty).toMatchObject({
      code: 2,
      stderr: `srcode-reflect run: ${join(dir, 'empty.jsonl')}: no valid RepairPair record (the file is empty)\n`,
    });
    expect(readdirSync(dir).sort()).toEqual(['empty.jsonl', 'pairs.csv']);
    expect(server.requests).toHaveLength(0);
  });

  it('fails in seconds on a dead endpoint, naming it, before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    writeFileSync(input, `${JSON.stringify(makePair(C_BEFORE, C_AFTER))}\n`);
    await server.stop();
    const started = Date.now();
    const r = await startCli(['run', '--in', input, '--out', join(dir, 'records.jsonl'), '--endpoint', endpoint, '--model', 'm']).done;
    const ms = Date.now() - started;
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(r.stderr)).toEqual([expect.stringContaining(`srcode-reflect run: the endpoint ${endpoint} is not answering`)]);
    expect(ms).toBeLessThan(8000);
    expect(readdirSync(dir)).toEqual(['pairs.jsonl']);
  });

  it('counts off-schema answers as errors left for the next run, which asks again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const out = join(dir, 'records.jsonl');
    const pairs = [0, 1, 2].map((i) =>
      makePair(
        `def n_${i}(xs):\n    return xs[0]\n`,
        `def n_${i}(xs):\n    if not xs:\n        return None\n    return xs[0]\n`,
        'python',
        ['CWE-125'],
        `p-${i}`,
      ),
    );
    writeFileSync(input, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
    let broken = true;
    server.answer = (req) =>
      broken && /n_1/.test(req.body.messages[1]?.content ?? '') ? { kind: 'answer', content: 'Sorry, here is prose.' } : model(req);
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
      '--template-prompts',
      '--quiet',
    ];
    const first = await startCli(args).done;
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ accepted: 2, rejected: 0, errors: 1 });
    expect(first.stderr).toMatch(/pair p-1 failed and is left for the next run: judge sample 0 \(of 1\): no valid fix_analysis/);
    expect(existsSync(`${out}.rejected.jsonl`) ? readFileSync(`${out}.rejected.jsonl`, 'utf8') : '').toBe('');
    broken = false;
    const second = await startCli(args).done;
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ resumed: 2, errors: 0, rejected: 1, accepted: 2 });
  });

  it('keeps the key out of stderr and the side file when the endpoint echoes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const out = join(dir, 'records.jsonl');
    writeFileSync(input, `${JSON.stringify(makePair(C_BEFORE, C_AFTER, 'c', ['CWE-476'], 'p-0'))}\n`);
    const key = 'sk-echoed-secret-4242';
    server.answer = () => ({ kind: 'echo-auth', status: 401 });
    const env = { REFLECT_TEST_KEY: key };
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
      '--api-key-env',
      'REFLECT_TEST_KEY',
    ];
    const r = await startCli(args, env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP 401');
    expect(r.stderr).toContain('[redacted]');
    server.answer = () => ({ kind: 'echo-auth', status: 200 });
    const again = await startCli(args, env).done;
    for (const text of [r.stderr, r.stdout, again.stderr, again.stdout]) expect(text).not.toContain(key);
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
      if (statSync(join(dir, f)).isFile()) expect(readFileSync(join(dir, f), 'utf8')).not.toContain(key);
    server.modelsScript.push({ kind: 'echo-auth', status: 401 });
    const refused = await startCli(args, env).done;
    expect(refused.stderr).toMatch(/refused the key in REFLECT_TEST_KEY \(HTTP 401\)/);
    expect(refused.stderr).not.toContain(key);
  });

  it('shows progress as a line every few seconds off a terminal, not one per pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const input = join(dir, 'pairs.jsonl');
    const pairs = Array.from({ length: 40 }, (_, i) =>
      makePair(C_BEFORE.replace('copy_name', `copy_${i}`), C_AFTER.replace('copy_name', `copy_${i}`), 'c', ['CWE-476'], `c-${i}`),
    );
    writeFileSync(input, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
    const r = await startCli(['run', '--in', input, '--out', join(dir, 'records.jsonl')]).done;
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('reflect '));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/^reflect 40\/40 \(100\.0%\) \| [\d.]+ pairs\/s \| ETA 0s \| accepted 40 rejected 0 resumed 0 errors 0$/);
    expect(r.stderr).not.toContain('\r');
  });

  it('exits 2 with one line without the required flags', async () => {
    const r = await startCli(['run', '--in', 'x.jsonl']).done;
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'srcode-reflect run: expected --in PAIRS.jsonl and --out RECORDS.jsonl\n' });
  });
});

const oneLine = (text: string) => text.trimEnd().split('\n');

describe('srcode-reflect follows the shared CLI convention', () => {
  it('prints its help on stdout with exit 0 for --help, -h and help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await startCli(argv).done;
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('usage: srcode-reflect <command> [options]');
      expect(r.stdout).toMatch(/^ {2}run +validate repair pairs/m);
    }
  });

  it('prints the usage of run for run --help (on stdout) without running it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const out = join(dir, 'records.jsonl');
    for (const argv of [
      ['run', '--help'],
      ['run', '--in', join(dir, 'missing.jsonl'), '--out', out, '-h'],
      ['help', 'run'],
    ]) {
      const r = await startCli(argv).done;
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: srcode-reflect run --in PAIRS.jsonl --out RECORDS.jsonl \[options\]\n/);
      expect(r.stdout).toContain('--api-key-env VAR');
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prints the package version', async () => {
    expect(await startCli(['--version']).done).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('exits 2 with one line on stderr for no command and for an unknown command', async () => {
    const none = await startCli([]).done;
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(oneLine(none.stderr)).toEqual(["srcode-reflect: expected a command (one of run); see 'srcode-reflect --help'"]);
    const unknown = await startCli(['validate']).done;
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(oneLine(unknown.stderr)).toEqual([expect.stringContaining("srcode-reflect: unknown command 'validate'")]);
  });

  it('exits 2 on an unknown option, with a hint to the command help', async () => {
    const r = await startCli(['run', '--in', 'x.jsonl', '--out', 'y.jsonl', '--judge', 'llm']).done;
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/^srcode-reflect run: Unknown option '--judge'.*\(see 'srcode-reflect run --help'\)$/),
    ]);
  });

  it('exits 2 naming a missing input file, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const missing = join(dir, 'missing.jsonl');
    const r = await startCli(['run', '--in', missing, '--out', join(dir, 'records.jsonl')]).done;
    expect(r).toEqual({ code: 2, signal: null, stdout: '', stderr: `srcode-reflect run: ${missing}: no such file or folder\n` });
    expect(readdirSync(dir)).toEqual([]);
    const input = join(dir, 'pairs.jsonl');
    writeFileSync(input, `${JSON.stringify(makePair(C_BEFORE, C_AFTER))}\n`);
    const module = join(dir, 'analyzers.mjs');
    const noModule = await startCli([
      'run',
      '--in',
      input,
      '--out',
      join(dir, 'records.jsonl'),
      '--analyzers',
      module,
      '--endpoint',
      'http://127.0.0.1:9/v1',
      '--model',
      'm',
    ]).done;
    expect(noModule).toMatchObject({ code: 2, stderr: `srcode-reflect run: ${module}: no such file or folder\n` });
    expect(readdirSync(dir)).toEqual(['pairs.jsonl']);
  });

  it('exits 2 naming a folder given where a file is expected, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-cli-'));
    const folder = join(dir, 'pairs');
    mkdirSync(folder);
    const out = join(dir, 'records.jsonl');
    const r = await startCli(['run', '--in', folder, '--out', out]).done;
    expect(r).toEqual({ code: 2, signal: null, stdout: '', stderr: `srcode-reflect run: ${folder}: is a folder, expected a file\n` });
    const input = join(dir, 'pairs.jsonl');
    writeFileSync(input, `${JSON.stringify(makePair(C_BEFORE, C_AFTER))}\n`);
    const outFolder = await startCli(['run', '--in', input, '--out', folder]).done;
    expect(outFolder).toMatchObject({ code: 2, stderr: `srcode-reflect run: ${folder}: is a folder, expected a file\n` });
    const moduleFolder = await startCli(['run', '--in', input, '--out', out, '--analyzers', folder]).done;
    expect(moduleFolder).toMatchObject({ code: 2, stderr: `srcode-reflect run: ${folder}: is a folder, expected a JS module\n` });
    expect(readdirSync(dir).sort()).toEqual(['pairs', 'pairs.jsonl']);
  });
});
