import type { Finding } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from './builtin.js';
import type { Rule, SyntaxNode } from './rules/rule.js';
import { validateSarif } from './sarif-schema.js';
import { type SarifLog, type SarifRegion, artifactUri, toSarif } from './sarif.js';

const finding = (start: number, end: number, extra: Partial<Finding> = {}): Finding => ({
  schemaVersion: 1,
  analyzer: 'builtin',
  ruleId: 'python.x',
  cwe: 'CWE-78',
  severity: 'high',
  range: { start, end },
  message: 'm',
  ...extra,
});

/** The text a region's line/column form names, read the way SARIF §3.30.2 defines it (1-based, end column exclusive). */
function byLineColumn(code: string, r: SarifRegion): string {
  const lines = code.split('\n');
  const offsetOf = (line: number, column: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  return code.slice(offsetOf(r.startLine ?? 1, r.startColumn ?? 1), offsetOf(r.endLine ?? r.startLine ?? 1, r.endColumn ?? 1));
}

const regions = (log: SarifLog) => log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.region) ?? [];

describe('SARIF regions (§3.30.2)', () => {
  // an astral character (two UTF-16 units) and an accented one before the findings, a finding over two lines
  const code = 'x = "😀é"\nos.system(cmd)\nrun(a,\n    b)\n';
  const system = code.indexOf('os.system');
  const run = code.indexOf('run(');
  const emoji = code.indexOf('😀');
  const findings = [
    finding(system, system + 'os.system(cmd)'.length),
    finding(run, code.indexOf('b)') + 2),
    finding(emoji, emoji + 3),
    finding(system, system),
  ];
  const log = toSarif([{ file: 'app.py', findings, code }]);

  it('gives line and column numbers that name the same text as the offsets', () => {
    expect(validateSarif(log)).toEqual({ ok: true });
    const rs = regions(log);
    expect(rs[0]).toEqual({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 15, charOffset: system, charLength: 14 });
    expect(rs[1]).toMatchObject({ startLine: 3, startColumn: 1, endLine: 4, endColumn: 7 });
    // columns count UTF-16 units, as the run's columnKind says
    expect(rs[2]).toMatchObject({ startLine: 1, startColumn: 6, endLine: 1, endColumn: 9 });
    expect(log.runs[0]?.columnKind).toBe('utf16CodeUnits');
    // an empty range is an insertion point: start and end column equal
    expect(rs[3]).toMatchObject({ startColumn: 1, endColumn: 1, charLength: 0 });
    for (const r of rs) {
      if (!r) throw new Error('no region');
      expect(byLineColumn(code, r)).toBe(code.slice(r.charOffset, r.charOffset + r.charLength));
    }
  });

  it('writes offsets alone when the text is not given (no line form to contradict them)', () => {
    const bare = toSarif([{ file: 'app.py', findings: [finding(3, 9, { lines: { start: 1, end: 1 } })] }]);
    expect(regions(bare)).toEqual([{ charOffset: 3, charLength: 6 }]);
    expect(validateSarif(bare)).toEqual({ ok: true });
  });

  it('clamps a range past the end of the text', () => {
    const r = regions(toSarif([{ file: 'a.py', findings: [finding(2, 99)], code: 'abcd' }]))[0];
    expect(r).toEqual({ startLine: 1, startColumn: 3, endLine: 1, endColumn: 5, charOffset: 2, charLength: 2 });
  });
});

describe('SARIF artifacts', () => {
  it('percent-encodes paths as RFC 3986 URI references', () => {
    expect(artifactUri('src/app.py')).toBe('src/app.py');
    expect(artifactUri('my dir/50%/ü.py')).toBe('my%20dir/50%25/%C3%BC.py');
    expect(artifactUri('a#b?c.py')).toBe('a%23b%3Fc.py');
    expect(artifactUri('./x//y.c')).toBe('x/y.c');
    expect(artifactUri('c:d.py')).toBe('c%3Ad.py');
    expect(artifactUri('/tmp/x y.py')).toBe('file:///tmp/x%20y.py');
    expect(artifactUri('C:\\src\\a b.c')).toBe('file:///C:/src/a%20b.c');
    expect(artifactUri('-')).toBe('-');
    for (const p of ['my dir/50%/ü.py', 'a#b?c.py', "q'(x)[1].py"]) {
      const uri = artifactUri(p);
      expect(uri).toMatch(/^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})*$/);
      expect(decodeURIComponent(uri)).toBe(p);
    }
  });

  it('lists each file once, however it was named, and points results at it', () => {
    const log = toSarif([
      { file: 'src/a.py', findings: [finding(0, 1)], code: 'x\n' },
      { file: './src/a.py', findings: [finding(0, 1)], code: 'x\n' },
      { file: 'src/b c.py', findings: [finding(0, 1)], code: 'y\n' },
      { file: '-', findings: [], code: '' },
    ]);
    const run = log.runs[0];
    expect(run?.artifacts.map((a) => a.location.uri)).toEqual(['src/a.py', 'src/b%20c.py', '-']);
    expect(run?.artifacts[2]?.description).toEqual({ text: 'standard input' });
    expect(run?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation)).toEqual([
      { uri: 'src/a.py', index: 0 },
      { uri: 'src/a.py', index: 0 },
      { uri: 'src/b%20c.py', index: 1 },
    ]);
    expect(validateSarif(log)).toEqual({ ok: true });
  });
});

describe('SARIF codeFlows', () => {
  const rule: Rule = {
    id: 'python.flow',
    cwe: 'CWE-601',
    severity: 'medium',
    message: 'redirect() to a URL from the request',
    remediation: 'Check the URL against an allow-list.',
    query: '((call function: (identifier) @fn arguments: (argument_list (identifier) @arg)) @finding (#eq? @fn "redirect"))',
    predicate: (m) => {
      const arg = m.captures.arg as SyntaxNode;
      const at = m.code.indexOf('request.args');
      if (at < 0) return false;
      const source = arg.tree.rootNode.descendantForIndex(at, at + 'request.args'.length);
      return {
        node: m.captures.finding as SyntaxNode,
        flow: [
          { node: source, message: 'read from request.args' },
          { node: arg, message: 'passed to redirect()' },
        ],
      };
    },
  };
  const code = 'def view():\n    url = request.args\n    return redirect(url)\n';
  const findings = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [rule] }] }).analyzeSync(code, 'python');
  const log = toSarif([{ file: 'views.py', findings, code }]);

  it('writes Finding.flow as one thread flow, source first, each step located and described', () => {
    expect(validateSarif(log)).toEqual({ ok: true });
    const flows = log.runs[0]?.results[0]?.codeFlows;
    expect(flows).toHaveLength(1);
    const steps = flows?.[0]?.threadFlows[0]?.locations ?? [];
    expect(steps.map((s) => s.location.message?.text)).toEqual(['read from request.args', 'passed to redirect()']);
    expect(steps.map((s) => s.location.physicalLocation.region)).toEqual([
      expect.objectContaining({ startLine: 2, startColumn: 11, endLine: 2, endColumn: 23 }),
      expect.objectContaining({ startLine: 3, startColumn: 21, endColumn: 24 }),
    ]);
    expect(steps.every((s) => s.location.physicalLocation.artifactLocation.uri === 'views.py')).toBe(true);
  });

  it('writes no codeFlows for a finding without flow', () => {
    const plain = toSarif([{ file: 'a.py', findings: [finding(0, 1)], code: 'x\n' }]);
    expect(plain.runs[0]?.results[0]).not.toHaveProperty('codeFlows');
  });
});

describe('validateSarif', () => {
  const withRegion = (region: object) => ({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 't' } },
        results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.py' }, region } }] }],
      },
    ],
  });

  it('refuses regions SARIF does not allow', () => {
    const issues = (region: object) => {
      const r = validateSarif(withRegion(region));
      return r.ok ? [] : r.issues.map((i) => i.message);
    };
    expect(issues({ startLine: 2, startColumn: 1, endColumn: 4 })).toEqual([]);
    expect(issues({ startLine: 1, startColumn: 0 })).toEqual([expect.stringMatching(/>= 1/)]);
    expect(issues({ startLine: 3, endLine: 2 })).toEqual(['endLine 2 is before startLine 3']);
    expect(issues({ startLine: 1, startColumn: 5, endColumn: 2 })).toEqual(['endColumn 2 is before startColumn 5 on one line']);
    expect(issues({ startColumn: 5 })).toEqual(['line/column properties without startLine']);
    expect(issues({ startLine: 1, column: 5 })).toEqual([expect.stringMatching(/additional properties/)]);
  });

  it('refuses an artifact URI that is no RFC 3986 reference', () => {
    const log = withRegion({ startLine: 1 });
    (log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation as { uri: string }).uri = 'my dir/a.py';
    expect(validateSarif(log).ok).toBe(false);
  });
});
