import { spawnSync } from 'node:child_process';
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
    expect(C.slice(copy?.range.start, copy?.range.end)).toMatch(/^strcpy/);
    expect(findings.some((f) => f.cwe === 'CWE-134' && f.lines?.start === 6)).toBe(true);
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
    const log = toSarif([{ file: 'src/greet.c', findings }], { toolVersion: '1.0.0' });
    expect(validateSarif(log)).toEqual({ ok: true });
    const run = log.runs[0];
    expect(run?.results).toHaveLength(findings.length);
    expect(run?.results[0]).toMatchObject({
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/greet.c' }, region: { startLine: 4 } } }],
    });
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining(['builtin/c.stack-buffer-overflow', 'builtin/c.unbounded-copy']),
    );
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
