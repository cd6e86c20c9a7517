import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSarif } from './sarif-schema.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srcode-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('srcode-eval', () => {
  it('scans files and prints JSON findings, failing on the chosen severity', async () => {
    const file = join(dir, 'bad.py');
    await writeFile(file, 'import os\nos.system("ls " + user)\n');
    const r = cli(['scan', file, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as { ruleId: string; file: string }[];
    expect(findings.map((f) => [f.ruleId, f.file])).toEqual([['python.os-command', file]]);
  });

  it('scans standard input into SARIF 2.1.0', () => {
    const r = cli(['scan', '-', '--lang', 'c', '--format', 'sarif'], 'void f(char *s) { char b[4]; strcpy(b, s); }\n');
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(validateSarif(log)).toEqual({ ok: true });
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('builtin/c.unbounded-copy');
  });

  it('explains bad usage with exit code 2', () => {
    expect(cli(['scan', '-']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['scan', 'x.c', '--analyzers', 'nope']).stderr).toMatch(/unknown analyser 'nope'/);
  });

  it.skipIf(!existsSync(DATA))('runs a suite from a generations file, then reports it as Markdown and HTML', async () => {
    const problems = JSON.parse(await readFile(join(DATA, 'codeeval-pro/mbpp_pro.json'), 'utf8')) as { id: string; new_solution: string }[];
    const gens = problems.slice(0, 2).map((p, i) => ({
      schemaVersion: 1,
      id: `g${i}`,
      taskId: String(p.id),
      model: 'm',
      prompt: '',
      completion: p.new_solution,
      sampleIndex: 0,
    }));
    const file = join(dir, 'gens.jsonl');
    await writeFile(file, `${gens.map((g) => JSON.stringify(g)).join('\n')}\n`);
    const out = join(dir, 'run');
    const r = cli(['run', '--suite', 'mbpp-pro', '--generations', file, '--out', out, '--data', DATA, '--k', '1']);
    expect(r.stderr).toMatch(/2 generations \(0 resumed\)/);
    expect(r.stdout).toContain('| mbpp-pro | mbpp-pro | 2 | 2 | 0 | 100.0% |');
    const html = join(dir, 'report.html');
    expect(cli(['report', out, '--format', 'html', '--out', html]).code).toBe(0);
    expect(await readFile(html, 'utf8')).toContain('<svg');
    expect(cli(['report', out]).stdout).toContain('pass@1');
  });
});
