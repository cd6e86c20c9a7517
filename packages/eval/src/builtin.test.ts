import { validate } from '@srcode/dataset';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Analyzer } from './analyzer.js';
import { BuiltinAnalyzer, requiredSubstrings } from './builtin.js';
import { EvaluationError } from './errors.js';
import type { Rule, RuleHit, SyntaxNode } from './rules/rule.js';

const analyzer = new BuiltinAnalyzer();

describe('BuiltinAnalyzer', () => {
  it('satisfies the Analyzer interface', () => {
    expectTypeOf(analyzer).toMatchTypeOf<Analyzer>();
    expect(analyzer.languages).toEqual(['c', 'python']);
  });

  it('throws a coded error for a language it has no rules for', () => {
    expect(() => analyzer.analyzeSync('fn main() {}', 'rust')).toThrow(EvaluationError);
    try {
      analyzer.analyzeSync('fn main() {}', 'rust');
    } catch (e) {
      expect((e as EvaluationError).code).toBe('unknown-language');
    }
  });

  it('runs rules for any language the syntax registry has, with no grammar of its own', () => {
    const copy: Rule = {
      id: 'c.copy',
      cwe: 'CWE-120',
      severity: 'high',
      message: 'strcpy()',
      remediation: 'r',
      query: '((call_expression function: (identifier) @fn) @finding (#eq? @fn "strcpy"))',
    };
    const cpp = new BuiltinAnalyzer({ languages: [{ language: 'cpp', rules: [copy] }] });
    const code = 'namespace n {\nvoid A::f(const char *s) {\n  char b[4];\n  strcpy(b, s);\n}\n}\n';
    expect(cpp.analyzeSync(code, 'cpp').map((f) => `${f.lines?.start}:${f.ruleId}`)).toEqual(['4:c.copy']);
  });

  it('throws unknown-language for rules of a language without a registered grammar', () => {
    const rust = new BuiltinAnalyzer({
      languages: [
        {
          language: 'rust',
          rules: [{ id: 'rust.x', cwe: 'CWE-1', severity: 'low', message: 'm', remediation: 'r', query: '(x) @finding' }],
        },
      ],
    });
    expect(() => rust.analyzeSync('fn main() {}', 'rust')).toThrowError(/no grammar/);
    try {
      rust.analyzeSync('fn main() {}', 'rust');
    } catch (e) {
      expect((e as EvaluationError).code).toBe('unknown-language');
    }
  });

  it('reports a rule whose query tree-sitter rejects, once the rule is needed', () => {
    const rule: Rule = {
      id: 'c.bad',
      trigger: /\bgets\s*\(/,
      cwe: 'CWE-242',
      severity: 'high',
      message: 'm',
      remediation: 'r',
      query: '(not_a_node) @finding',
    };
    const bad = new BuiltinAnalyzer({ languages: [{ language: 'c', rules: [rule] }] });
    expect(() => bad.analyzeSync('int x;', 'c')).not.toThrow();
    expect(() => bad.analyzeSync('void f(char *b) { gets(b); }', 'c')).toThrow(/rule c.bad has a query/);
    expect(() => bad.check('c')).toThrow(/rule c.bad has a query/);
  });
});

describe('lazy compilation and the words a query requires', () => {
  const call = (name: string): Rule => ({
    id: `python.${name}`,
    cwe: 'CWE-78',
    severity: 'high',
    message: `${name}() is called`,
    remediation: 'Do not.',
    query: `((call function: (identifier) @fn) @finding (#match? @fn "^(${name}|${name}_all)$"))`,
  });

  it('compiles a rule only when it is first needed, and check() compiles them all', () => {
    const broken: Rule = { ...call('spawn'), trigger: /\bspawn\(/, query: '(not_a_node) @finding' };
    const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [call('run'), broken] }] });
    expect(a.analyzeSync('run(x)\n', 'python').map((f) => f.ruleId)).toEqual(['python.run']);
    expect(() => a.analyzeSync('spawn(x)\n', 'python')).toThrow(/rule python.spawn has a query tree-sitter rejects/);
    const b = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [broken] }] });
    expect(() => b.check('python')).toThrowError(expect.objectContaining({ code: 'bad-rule' }));
  });

  it('skips a query whose #match? words are not in the text, with the same findings as running it', () => {
    const rules = [call('system'), call('eval')];
    const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules }] });
    const code = 'import os\nsystem_all(cmd)\nprint(evaluate(x))\n';
    expect(a.analyzeSync(code, 'python').map((f) => `${f.lines?.start}:${f.ruleId}`)).toEqual(['2:python.system']);
  });

  it('finds matches anywhere between the first and the last occurrence of the words', () => {
    const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [call('system')] }] });
    const code = '# system\nx = 1\nif x:\n    system(a)\n    y = [system_all(b) for b in c]\n# system_all\n';
    expect(a.analyzeSync(code, 'python').map((f) => code.slice(f.range.start, f.range.end))).toEqual(['system(a)', 'system_all(b)']);
  });

  it('reads the words a regular expression requires', () => {
    expect(requiredSubstrings('^(open|io\\.open)$')).toEqual([['open', 'io.open']]);
    expect(requiredSubstrings('(^|\\.)(open|remove)$')).toEqual([['open', 'remove']]);
    expect(requiredSubstrings('^(os\\.(system|popen)|commands\\.getoutput)$')).toEqual([['system', 'popen', 'commands.getoutput']]);
    expect(requiredSubstrings('feature_external_(ges|pes)')).toEqual([['feature_external_'], ['ges', 'pes']]);
    expect(requiredSubstrings('ab?c')).toEqual([['a'], ['c']]);
    expect(requiredSubstrings('[a-z]+_key')).toEqual([['_key']]);
    // nothing certain: an optional branch, a wildcard, a look-ahead, a character class
    for (const re of ['foo|.*', '^.*$', '(?=x)', '[xy]', '(a|)b?', '\\d+']) expect(requiredSubstrings(re)).toEqual([]);
    // a text each of these matches holds the words
    for (const [re, text] of [
      ['(^|\\.)(open|remove)$', 'shutil.remove'],
      ['^(os\\.(system|popen)|commands\\.getoutput)$', 'os.popen'],
      ['x\\d{2,}y', 'x123y'],
      ['(?:ab)+c', 'ababc'],
    ] as const) {
      expect(new RegExp(re).test(text)).toBe(true);
      for (const words of requiredSubstrings(re)) expect(words.some((w) => text.includes(w))).toBe(true);
    }
  });
});

describe('Finding.flow from rules', () => {
  // a tiny taint rule: a call of sink() whose argument is a name assigned from source() earlier
  const flowRule: Rule = {
    id: 'python.test-flow',
    cwe: 'CWE-20',
    severity: 'medium',
    message: 'sink() gets a value from source()',
    remediation: 'Check the value first.',
    query: '((call function: (identifier) @fn arguments: (argument_list (identifier) @arg)) @finding (#eq? @fn "sink"))',
    predicate: (m): RuleHit | false => {
      const arg = m.captures.arg as SyntaxNode;
      const sink = m.captures.finding as SyntaxNode;
      const assigned = new RegExp(`^\\s*${arg.text}\\s*=\\s*source\\(`, 'm').exec(m.code);
      if (!assigned) return false;
      const at = assigned.index + assigned[0].indexOf(arg.text);
      const root = sink.tree.rootNode;
      const target = root.descendantForIndex(at, at + arg.text.length);
      const source = target.parent?.childForFieldName('right') ?? target;
      return {
        node: sink,
        flow: [
          { node: source, message: `${arg.text} read from source()` },
          { node: arg, message: 'passed to sink()' },
        ],
        message: `sink() gets ${arg.text}, read from source()`,
      };
    },
  };
  const plain: Rule = { ...flowRule, id: 'python.test-plain', predicate: (m) => m.captures.finding ?? false };
  const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [flowRule, plain] }] });
  const code = 'def f():\n    v = source()\n    w = 2\n    sink(v)\n    sink(w)\n';

  it('copies the steps a predicate gives into the finding, source first, with ranges and lines', () => {
    const findings = a.analyzeSync(code, 'python').filter((f) => f.ruleId === 'python.test-flow');
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f?.message).toBe('sink() gets v, read from source()');
    expect(code.slice(f?.range.start, f?.range.end)).toBe('sink(v)');
    expect(f?.flow?.map((s) => [code.slice(s.range.start, s.range.end), s.lines, s.message])).toEqual([
      ['source()', { start: 2, end: 2 }, 'v read from source()'],
      ['v', { start: 4, end: 4 }, 'passed to sink()'],
    ]);
    expect(validate('Finding', f).ok).toBe(true);
  });

  it('leaves flow out of findings reported by node, and keeps the rule message', () => {
    const plainFindings = a.analyzeSync(code, 'python').filter((f) => f.ruleId === 'python.test-plain');
    expect(plainFindings).toHaveLength(2);
    for (const f of plainFindings) {
      expect(f).not.toHaveProperty('flow');
      expect(f.message).toBe('sink() gets a value from source()');
    }
  });

  it('takes steps given as FlowStep ranges too, working out their lines', () => {
    const ranged: Rule = {
      ...flowRule,
      id: 'python.test-ranged',
      predicate: (m) => {
        const at = m.code.indexOf('source()');
        return {
          node: m.captures.finding as SyntaxNode,
          flow: [
            { range: { start: at, end: at + 'source()'.length }, message: 'read' },
            { range: { start: 0, end: 3 }, lines: { start: 1, end: 1 }, message: 'given lines' },
          ],
        };
      },
    };
    const [f] = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [ranged] }] }).analyzeSync(code, 'python');
    expect(f?.flow?.map((s) => [code.slice(s.range.start, s.range.end), s.lines?.start, s.message])).toEqual([
      ['source()', 2, 'read'],
      ['def', 1, 'given lines'],
    ]);
  });

  it('takes arrays mixing nodes and hits', () => {
    const mixed: Rule = {
      ...flowRule,
      id: 'python.test-mixed',
      predicate: (m) => {
        const sink = m.captures.finding as SyntaxNode;
        const arg = m.captures.arg as SyntaxNode;
        return [arg, { node: sink, flow: [{ node: arg, message: 'here' }] }];
      },
    };
    const findings = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [mixed] }] }).analyzeSync('sink(v)\n', 'python');
    expect(findings.map((f) => ['sink(v)\n'.slice(f.range.start, f.range.end), f.flow?.length ?? 0])).toEqual([
      ['sink(v)', 1],
      ['v', 0],
    ]);
  });
});

describe('patterns the engine matches itself', () => {
  // the plain forms: a call by the text of its function (with or without its argument list), a return, a string
  const QUERIES = [
    '((call function: [(identifier) (attribute)] @fn) @finding (#match? @fn "(^|\\\\.)(run|get|loads)$"))',
    '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "^(os\\\\.)?system$"))',
    '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "\\\\.new$")) ((return_statement) @finding)',
    '((call function: (attribute) @fn) @finding (#match? @fn "^a\\\\."))',
    '(string) @finding',
    // node shapes with fields, alternatives and tests on captures
    '[(assignment left: (_) @name right: (string) @value) (keyword_argument name: (identifier) @name value: (string) @value) (pair key: (string) @name value: (string) @value)] @finding',
    '((assignment left: (subscript value: (_) @target)) @finding (#match? @target "(^|\\\\.)(headers?|resp)$"))',
    '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @fn "new"))',
    '((keyword_argument name: (identifier) @k value: (false)) @finding (#match? @k "^(verify|ok)$"))',
  ];
  const CODE = `import os
def f(a, b):
    os.system("ls " + a)
    system(b)
    run(x for x in a)
    a.b.run(get(loads(b)))(1)
    h = hashlib.new(b).new(a)
    resp.headers["X"] = a
    headers[a] = b
    d = {"k": "v", 1: "w"}
    password = "hunter2"
    requests.get(a, verify=False, ok=True)
    if a:
        return a.c(1)
    run(
return "x"
`;

  function seen(queryOf: (q: string) => string): string[] {
    const out: string[] = [];
    const rules: Rule[] = QUERIES.map((q, i) => ({
      id: `python.q${i}`,
      cwe: 'CWE-1',
      severity: 'low',
      message: 'm',
      remediation: 'r',
      query: queryOf(q),
      predicate: (m) => {
        const caps = Object.entries(m.captures).map(([k, n]) => `${k}=${n.type}@${n.startIndex}-${n.endIndex}`);
        out.push(`q${i} ${caps.sort().join(' ')}`);
        return true;
      },
    }));
    const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules }] });
    const findings = a.analyzeSync(CODE, 'python').map((f) => `${f.ruleId}:${f.range.start}-${f.range.end}`);
    return [...out.sort(), ...findings];
  }

  it('gives the matches and captures tree-sitter gives for the same query, findings alike', () => {
    // a comment keeps a query out of the plain forms, so tree-sitter runs it
    const walked = seen((q) => q);
    const queried = seen((q) => `${q}\n; run by tree-sitter`);
    expect(walked.length).toBeGreaterThan(25);
    for (const i of [5, 6, 7, 8]) expect(walked.some((w) => w.startsWith(`q${i} `))).toBe(true);
    expect(walked).toEqual(queried);
  });

  it('still reports a plain-form query tree-sitter rejects as bad-rule', () => {
    const rule: Rule = {
      id: 'python.bad',
      cwe: 'CWE-1',
      severity: 'low',
      message: 'm',
      remediation: 'r',
      query: '((call function: (attribute) @fn) @finding (#match? @fn "(unclosed"))',
    };
    const a = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [rule] }] });
    expect(() => a.check('python')).toThrowError(expect.objectContaining({ code: 'bad-rule' }));
  });
});
