import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from './builtin.js';
import { EnsembleAnalyzer, analyzeAll } from './ensemble.js';
import { ExternalAnalyzer } from './external.js';
import type { Rule } from './rules/rule.js';
import { BANDIT } from './tools.js';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'srcode-ensemble-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** bandit behind a script that notes each run in a log: the real tool, its runs counted. */
function countedBandit(): { analyzer: ExternalAnalyzer; runs: () => number } {
  const log = join(dir, `runs-${Math.random().toString(36).slice(2)}.log`);
  const script = join(dir, `bandit-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(script, `#!/bin/sh\necho run >> '${log}'\nexec bandit "$@"\n`, { mode: 0o755 });
  writeFileSync(log, '');
  return {
    analyzer: new ExternalAnalyzer(BANDIT, { command: [script] }),
    runs: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length,
  };
}

const shellRule: Rule = {
  id: 'python.shell',
  cwe: 'CWE-78',
  severity: 'high',
  message: 'os.system()',
  remediation: 'r',
  query: '((call function: (attribute) @fn) @finding (#eq? @fn "os.system"))',
};
const builtin = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [shellRule] }] });

describe.skipIf(!has('bandit'))('EnsembleAnalyzer over a batch (needs Debian python3-bandit)', () => {
  const items = [
    ...Array.from({ length: 20 }, (_, i) => ({ code: `import os\nos.system("ls " + arg${i})\n`, language: 'python' as const })),
    { code: 'x = 1\n', language: 'python' as const },
    { code: 'int main(void) { return 0; }\n', language: 'c' as const },
  ];

  it('runs bandit once for the whole batch and merges each input on its own', async () => {
    const { analyzer, runs } = countedBandit();
    const lists = await new EnsembleAnalyzer([builtin, analyzer]).analyzeBatch(items);
    expect(runs()).toBe(1);
    expect(lists).toHaveLength(items.length);
    for (const list of lists.slice(0, 20)) {
      const shell = list.filter((f) => f.cwe === 'CWE-78' && f.lines?.start === 2);
      expect(shell.map((f) => f.analyzer)).toEqual(['bandit+builtin']);
    }
    // the clean file and the C file (neither analyser's language for C) get nothing
    expect(lists.slice(20).map((l) => l.filter((f) => f.cwe === 'CWE-78'))).toEqual([[], []]);
  });

  it('gives the same findings as one input at a time', async () => {
    const { analyzer, runs } = countedBandit();
    const ensemble = new EnsembleAnalyzer([builtin, analyzer]);
    const batch = await ensemble.analyzeBatch(items.slice(0, 3));
    const single = [];
    for (const item of items.slice(0, 3)) single.push(await ensemble.analyze(item.code, item.language));
    expect(batch).toEqual(single);
    expect(runs()).toBe(4);
  });
});

describe('analyzeAll', () => {
  it('runs a synchronous analyser over the items of its languages, in order', async () => {
    const lists = await analyzeAll(builtin, [
      { code: 'os.system(x)\n', language: 'python' },
      { code: 'os.system(x);\n', language: 'c' },
      { code: 'y = 1\nos.system(y)\n', language: 'python' },
    ]);
    expect(lists.map((l) => l.map((f) => f.lines?.start))).toEqual([[1], [], [2]]);
  });
});
