import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from './builtin.js';
import { EnsembleAnalyzer, mergeFindings } from './ensemble.js';
import { ExternalAnalyzer } from './external.js';
import { validateSarif } from './sarif-schema.js';
import { toSarif } from './sarif.js';
import { BANDIT, CPPCHECK, FLAWFINDER } from './tools.js';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

const PY = `import os, pickle
def run(cmd, blob):
    os.system("ls " + cmd)
    return pickle.loads(blob)
`;

const C = `#include <stdio.h>
#include <string.h>
void greet(char *name) {
  char buf[8];
  strcpy(buf, name);
  printf(name);
  buf[9] = 0;
}
`;

describe.skipIf(!has('bandit'))('bandit adapter (needs Debian python3-bandit)', () => {
  const bandit = new ExternalAnalyzer(BANDIT);

  it('runs bandit and maps its JSON to findings with CWE and severity', async () => {
    const findings = await bandit.analyze(PY, 'python');
    const shell = findings.find((f) => f.ruleId === 'B605');
    expect(shell).toMatchObject({ analyzer: 'bandit', cwe: 'CWE-78', severity: 'high', lines: { start: 3, end: 3 } });
    expect(PY.slice(shell?.range.start, shell?.range.end)).toBe('os.system("ls " + cmd)');
    expect(findings.find((f) => f.ruleId === 'B301')).toMatchObject({ cwe: 'CWE-502', severity: 'medium' });
    for (const f of findings) expect(validate('Finding', f).ok).toBe(true);
  });

  it('batches inputs into one run and gives each its own findings', async () => {
    const [a, b] = await bandit.analyzeBatch([
      { code: PY, language: 'python' },
      { code: 'x = 1\n', language: 'python' },
    ]);
    expect(a?.length).toBeGreaterThan(0);
    expect(b).toEqual([]);
  });

  it('says it is available', async () => {
    expect(await bandit.available()).toBe(true);
    expect(await new ExternalAnalyzer(BANDIT, { command: ['/nonexistent/bandit'] }).available()).toBe(false);
  });
});

describe.skipIf(!has('flawfinder'))('flawfinder adapter (needs Debian flawfinder)', () => {
  it('runs flawfinder and reads its SARIF, with CWE from the rule relationships', async () => {
    const findings = await new ExternalAnalyzer(FLAWFINDER).analyze(C, 'c');
    const copy = findings.find((f) => f.lines?.start === 5);
    expect(copy).toMatchObject({ analyzer: 'flawfinder', cwe: 'CWE-120', severity: 'high' });
    // its start and end columns, not the whole line
    expect(C.slice(copy?.range.start, copy?.range.end)).toBe('strcpy(buf, name);');
    expect(findings.some((f) => f.cwe === 'CWE-134' && f.lines?.start === 6)).toBe(true);
  });

  it('leaves out level-0 hits (a constant format string), as flawfinder itself does by default', async () => {
    const code = '#include <stdio.h>\nvoid f(char *s) {\n  printf("%d\\n", 1);\n  snprintf(s, 4, "x");\n  printf(s);\n}\n';
    const plain = spawnSync('flawfinder', ['--dataonly', '--quiet', '-'], { input: code, encoding: 'utf8' });
    const findings = await new ExternalAnalyzer(FLAWFINDER).analyze(code, 'c');
    expect(findings.map((f) => f.lines?.start)).toEqual([5]);
    // flawfinder's own text report agrees: one hit, on line 5
    expect(plain.stdout.match(/:\d+:/g)).toEqual([':5:']);
  });

  it('counts columns in characters: a hit after a non-ASCII character lands on its call', async () => {
    const code = 'void f(char *d, char *s) {\n  /* é😀 */ strcpy(d, s);\n}\n';
    const [copy] = await new ExternalAnalyzer(FLAWFINDER).analyze(code, 'c');
    expect(code.slice(copy?.range.start, copy?.range.end)).toMatch(/^strcpy\(d, s\)/);
  });
});

describe.skipIf(!has('cppcheck'))('cppcheck adapter (needs Debian cppcheck)', () => {
  it('runs cppcheck and reads its XML, with CWE and severity', async () => {
    const findings = await new ExternalAnalyzer(CPPCHECK).analyze(C, 'c');
    expect(findings.find((f) => f.ruleId === 'arrayIndexOutOfBounds')).toMatchObject({
      cwe: 'CWE-788',
      severity: 'high',
      lines: { start: 7 },
    });
  });

  it('does not count its own diagnostics (a fragment it cannot parse) as findings', async () => {
    expect(await new ExternalAnalyzer(CPPCHECK).analyze('  if (x) { y = ; }\n  }\n', 'c')).toEqual([]);
  });

  it('rejects a language it cannot analyse', async () => {
    await expect(new ExternalAnalyzer(CPPCHECK).analyze('x = 1', 'python')).rejects.toThrow(/cppcheck analyses c, cpp/);
  });
});

describe('ExternalAnalyzer', () => {
  // A tool that reports in bandit 1.7's JSON (col_offset in UTF-8 bytes, end_col_offset on the last line):
  // a real process printing it for the file it is given.
  const bandit17 = (result: object) => ({
    ...BANDIT,
    command: [
      process.execPath,
      '-e',
      `process.stdout.write(JSON.stringify({ results: [{ filename: process.argv[1], ...${JSON.stringify(result)} }] }))`,
    ],
    args: (files: readonly string[]) => [...files],
  });

  it("places bandit 1.7's col_offset and end_col_offset (UTF-8 bytes) on the code", async () => {
    const code = 'import os\nx = "é"; os.system(\n    cmd)\n';
    const base = { test_id: 'B605', issue_severity: 'HIGH', issue_text: 't' };
    const start = Buffer.byteLength('x = "é"; ');
    const [f] = await new ExternalAnalyzer(
      bandit17({ ...base, line_number: 2, line_range: [2, 3], col_offset: start, end_col_offset: 8 }),
    ).analyze(code, 'python');
    expect(code.slice(f?.range.start, f?.range.end)).toBe('os.system(\n    cmd)');
    expect(f?.lines).toEqual({ start: 2, end: 3 });
    // bandit 1.6 gives neither: the line, from its first non-blank character
    const [g] = await new ExternalAnalyzer(bandit17({ ...base, line_number: 2 })).analyze(code, 'python');
    expect(code.slice(g?.range.start, g?.range.end)).toBe('x = "é"; os.system(');
  });

  it('runs the tool once per batch, or once per batchSize inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'srcode-tool-'));
    try {
      const log = join(dir, 'runs.log');
      const tool = {
        ...BANDIT,
        command: [
          process.execPath,
          '-e',
          `require('fs').appendFileSync(${JSON.stringify(log)}, 'run\\n'); process.stdout.write('{"results": []}')`,
        ],
        args: (files: readonly string[]) => [...files],
      };
      const items = Array.from({ length: 25 }, (_, i) => ({ code: `x = ${i}\n`, language: 'python' as const }));
      expect(await new ExternalAnalyzer(tool).analyzeBatch(items)).toHaveLength(25);
      expect(readFileSync(log, 'utf8')).toBe('run\n');
      await new ExternalAnalyzer(tool, { batchSize: 10 }).analyzeBatch(items);
      expect(readFileSync(log, 'utf8')).toBe('run\n'.repeat(4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a tool that runs past its time limit and says so', async () => {
    const sleepy = new ExternalAnalyzer(
      {
        name: 'sleepy',
        extensions: { python: '.py' },
        command: ['sleep', '10'],
        args: () => [],
        okExitCodes: [0],
        versionArgs: [],
        parse: () => [],
      },
      { timeoutMs: 200 },
    );
    await expect(sleepy.analyze('x = 1', 'python')).rejects.toThrow(/sleep was stopped/);
  });

  it('reports a tool that exits with an unexpected code', async () => {
    const failing = new ExternalAnalyzer({
      name: 'failing',
      extensions: { c: '.c' },
      command: ['false'],
      args: () => [],
      okExitCodes: [0],
      versionArgs: [],
      parse: () => [],
    });
    await expect(failing.analyze('int x;', 'c')).rejects.toThrow(/failing exited with 1/);
  });
});

describe('ensemble', () => {
  it('merges findings on the same line and CWE, keeping the higher severity and both names', () => {
    const base = { schemaVersion: 1 as const, range: { start: 0, end: 5 }, lines: { start: 1, end: 1 }, message: 'm' };
    const merged = mergeFindings([
      [{ ...base, analyzer: 'builtin', ruleId: 'a', cwe: 'CWE-78', severity: 'medium' }],
      [
        { ...base, analyzer: 'bandit', ruleId: 'B605', cwe: 'CWE-78', severity: 'high' },
        { ...base, analyzer: 'bandit', ruleId: 'B404', cwe: 'CWE-20', severity: 'low' },
      ],
    ]);
    expect(merged.map((f) => [f.analyzer, f.ruleId, f.severity])).toEqual([
      ['bandit+builtin', 'B605', 'high'],
      ['bandit', 'B404', 'low'],
    ]);
  });

  it.skipIf(!has('bandit'))('unions the built-in analyser and bandit on real code', async () => {
    const ensemble = new EnsembleAnalyzer([new BuiltinAnalyzer(), new ExternalAnalyzer(BANDIT), new ExternalAnalyzer(CPPCHECK)]);
    expect(ensemble.languages).toEqual(['c', 'python', 'cpp']);
    const findings = await ensemble.analyze(PY, 'python');
    const shell = findings.filter((f) => f.lines?.start === 3 && f.cwe === 'CWE-78');
    expect(shell).toHaveLength(1);
    expect(shell[0]?.analyzer).toBe('bandit+builtin');
  });
});

describe('SARIF output', () => {
  it('writes a SARIF 2.1.0 log that the schema subset accepts', () => {
    const findings = new BuiltinAnalyzer().analyzeSync(C, 'c');
    expect(findings.length).toBeGreaterThan(0);
    const log = toSarif([{ file: 'src/greet.c', findings, code: C }], { toolVersion: '1.0.0' });
    expect(validateSarif(log)).toEqual({ ok: true });
    const run = log.runs[0];
    expect(run?.results).toHaveLength(findings.length);
    const first = findings[0] as (typeof findings)[number];
    expect(run?.results[0]).toMatchObject({
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/greet.c', index: 0 }, region: { startLine: first.lines?.start } } }],
    });
    expect(run?.tool.driver.rules.every((r) => r.id.startsWith('builtin/c.'))).toBe(true);
  });

  it.skipIf(!has('bandit') || !has('cppcheck'))('writes what the external tools find as valid SARIF too', async () => {
    const [py] = await new ExternalAnalyzer(BANDIT).analyzeBatch([{ code: PY, language: 'python' }]);
    const [c] = await new ExternalAnalyzer(CPPCHECK).analyzeBatch([{ code: C, language: 'c' }]);
    const log = toSarif([
      { file: 'run.py', findings: py ?? [], code: PY },
      { file: 'greet.c', findings: c ?? [], code: C },
    ]);
    expect(validateSarif(log)).toEqual({ ok: true });
    expect(log.runs[0]?.results.length).toBe((py?.length ?? 0) + (c?.length ?? 0));
  });

  it('reports where a malformed log breaks the schema', () => {
    const result = validateSarif({ version: '2.0.0', runs: [{ tool: { driver: {} }, results: [{ level: 'fatal' }] }] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['/version', '/runs/0/tool/driver', '/runs/0/results/0', '/runs/0/results/0/level']));
    }
  });
});
