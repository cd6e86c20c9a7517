import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../src/builtin.js';

/**
 * One callee resolution for every Python call rule: each dangerous call, spelt every way Python lets one name
 * a function, is still its rule's finding; the safe call spelt the same way is not.
 */
const analyzer = new BuiltinAnalyzer();
const rulesOf = (code: string) => analyzer.analyzeSync(code, 'python').map((f) => f.ruleId);

interface Call {
  /** The module (or `builtins`) and the function's name in it. */
  readonly mod: string;
  readonly fn: string;
  /** The call's arguments (double quotes only: the exec spelling wraps the call in single quotes). */
  readonly args: string;
}

/** A function's letter in its fullwidth form (U+FF41...), which Python's NFKC normalisation folds back. */
const fullwidth = (name: string) => String.fromCharCode((name.charCodeAt(0) as number) + 0xfee0) + name.slice(1);

const fn = (imports: string, body: string) => `${imports}\n\ndef handler(text, cmd, expr, data):\n${body}\n`;
const ref = (c: Call) => (c.mod === 'builtins' ? c.fn : `${c.mod}.${c.fn}`);

/** Each spelling of `mod.fn(args)`, as a whole module. */
const SPELLINGS: Record<string, (c: Call) => string> = {
  'as written': (c) => fn(`import ${c.mod}`, `    return ${ref(c)}(${c.args})`),
  'a local alias (g = m.f; g(...))': (c) => fn(`import ${c.mod}`, `    g = ${ref(c)}\n    return g(${c.args})`),
  'a module-level alias': (c) => fn(`import ${c.mod}\ng = ${ref(c)}`, `    return g(${c.args})`),
  'getattr(m, "f")(...)': (c) => fn(`import ${c.mod}`, `    return getattr(${c.mod}, "${c.fn}")(${c.args})`),
  'g = getattr(m, "f"); g(...)': (c) => fn(`import ${c.mod}`, `    g = getattr(${c.mod}, "${c.fn}")\n    return g(${c.args})`),
  'from m import f': (c) => fn(`from ${c.mod} import ${c.fn}`, `    return ${c.fn}(${c.args})`),
  'from m import f as g': (c) => fn(`from ${c.mod} import ${c.fn} as parse`, `    return parse(${c.args})`),
  'import m as a': (c) => fn(`import ${c.mod} as lib`, `    return lib.${c.fn}(${c.args})`),
  'extra parentheses': (c) => fn(`import ${c.mod}`, `    return (${ref(c)})(${c.args})`),
  'a fullwidth letter (NFKC)': (c) => fn(`import ${c.mod}`, `    return ${c.mod}.${fullwidth(c.fn)}(${c.args})`),
  'functools.partial(m.f)': (c) => fn(`import functools\nimport ${c.mod}`, `    g = functools.partial(${ref(c)})\n    return g(${c.args})`),
  'exec of a constant string': (c) => fn(`import ${c.mod}`, `    exec('${ref(c)}(${c.args})')`),
};

const CASES: { name: string; rule: string; vulnerable: Call; fixed: Call }[] = [
  {
    name: 'yaml.load',
    rule: 'python.yaml-load',
    vulnerable: { mod: 'yaml', fn: 'load', args: 'text' },
    fixed: { mod: 'yaml', fn: 'safe_load', args: 'text' },
  },
  {
    name: 'pickle.loads',
    rule: 'python.unsafe-deserialisation',
    vulnerable: { mod: 'pickle', fn: 'loads', args: 'data' },
    fixed: { mod: 'json', fn: 'loads', args: 'data' },
  },
  {
    name: 'subprocess with shell=True',
    rule: 'python.subprocess-shell',
    vulnerable: { mod: 'subprocess', fn: 'run', args: 'cmd, shell=True' },
    fixed: { mod: 'subprocess', fn: 'run', args: '["ls", cmd]' },
  },
  {
    name: 'os.system',
    rule: 'python.os-command',
    vulnerable: { mod: 'os', fn: 'system', args: 'cmd' },
    fixed: { mod: 'os', fn: 'system', args: '"uptime"' },
  },
  {
    name: 'eval',
    rule: 'python.eval',
    vulnerable: { mod: 'builtins', fn: 'eval', args: 'expr' },
    fixed: { mod: 'ast', fn: 'literal_eval', args: 'expr' },
  },
  {
    name: 'hashlib.md5',
    rule: 'python.weak-hash',
    vulnerable: { mod: 'hashlib', fn: 'md5', args: 'data' },
    fixed: { mod: 'hashlib', fn: 'sha256', args: 'data' },
  },
  {
    name: 'requests verify=False',
    rule: 'python.tls-no-verify',
    vulnerable: { mod: 'requests', fn: 'get', args: '"https://example.com", verify=False' },
    fixed: { mod: 'requests', fn: 'get', args: '"https://example.com", timeout=10' },
  },
];

describe('Python call rules through every spelling of the callee', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it.each(Object.entries(SPELLINGS))('%s: flagged, the fix spelt the same way is not', (spelling, write) => {
        // `from os import system; system(cmd)` is os-command-imported's, as it always was
        const expected = spelling.startsWith('exec') ? ['python.exec-string'] : [c.rule, `${c.rule}-imported`];
        expect(rulesOf(write(c.vulnerable)).filter((r) => expected.includes(r))).not.toEqual([]);
        const fixed = rulesOf(write(c.fixed));
        expect(fixed).not.toContain(c.rule);
        expect(fixed).not.toContain(`${c.rule}-imported`);
        expect(fixed).not.toContain('python.exec-string');
      });
    });
  }
});

describe('aliases resolve to what they name, and no further', () => {
  it('a name rebound to something else, or a parameter of the same name, is not the library call', () => {
    expect(rulesOf(fn('import yaml, json', '    g = yaml.load\n    g = json.loads\n    return g(text)'))).not.toContain('python.yaml-load');
    expect(rulesOf('import yaml\ng = yaml.load\n\ndef handler(text, g):\n    return g(text)\n')).not.toContain('python.yaml-load');
  });

  it('a sanitiser is credited by what its name resolves to: os.system imported as quote clears nothing', () => {
    const honest = fn('import os, shlex', '    os.system("ls " + shlex.quote(cmd))');
    const quoteIsSystem = fn('import os\nfrom os import system as quote', '    os.system("ls " + quote(cmd))');
    const quoteIsShlex = fn('import os\nfrom shlex import quote', '    os.system("ls " + quote(cmd))');
    expect(rulesOf(honest)).not.toContain('python.os-command');
    expect(rulesOf(quoteIsShlex)).not.toContain('python.os-command');
    expect(rulesOf(quoteIsSystem)).toContain('python.os-command');
  });

  it('reports a safe library name rebound to an unsafe one, and the call through it', () => {
    const patched = fn('import yaml', '    yaml.safe_load = yaml.load\n    return yaml.safe_load(text)');
    const findings = analyzer.analyzeSync(patched, 'python');
    expect(findings.find((f) => f.ruleId === 'python.monkeypatch-safe-name')?.severity).toBe('medium');
    expect(findings.map((f) => f.ruleId)).toContain('python.yaml-load');
    expect(rulesOf(fn('import yaml', '    return yaml.safe_load(text)'))).toEqual([]);
    expect(rulesOf(fn('import shlex', '    shlex.quote = str\n    return shlex.quote(cmd)'))).toContain('python.monkeypatch-safe-name');
  });

  it('an explicit unsafe Loader is flagged, an explicit safe one is not', () => {
    expect(rulesOf(fn('import yaml', '    return yaml.load(text, Loader=yaml.Loader)'))).toContain('python.yaml-load');
    expect(rulesOf(fn('import yaml', '    return yaml.load(text, Loader=yaml.UnsafeLoader)'))).toContain('python.yaml-load');
    expect(rulesOf(fn('import yaml', '    return yaml.load(text, Loader=yaml.SafeLoader)'))).not.toContain('python.yaml-load');
  });

  it('a fullwidth keyword name (ｖerify=False) is verify=False', () => {
    expect(rulesOf(fn('import requests', '    return requests.get("https://example.com", ｖerify=False)'))).toContain(
      'python.tls-no-verify',
    );
  });

  it('exec of a string naming a safe call, or holding no call, is not reported', () => {
    expect(rulesOf(fn('import yaml', '    exec("data = yaml.safe_load(text)")'))).toEqual([]);
    expect(rulesOf(fn('', '    exec("x = 1")'))).toEqual([]);
  });
});

describe('SQL built from input and executed, in every spelling', () => {
  const q = (build: string, run = '    cur.execute(q)') => `def find_user(cur, name):\n${build}\n${run}\n    return cur.fetchone()\n`;
  it.each([
    ['an f-string', `    q = f"SELECT id FROM users WHERE name = '{name}'"`],
    ['concatenation', `    q = "SELECT id FROM users WHERE name = '" + name + "'"`],
    ['.format', `    q = "SELECT id FROM users WHERE name = '{}'".format(name)`],
    ['%', `    q = "SELECT id FROM users WHERE name = '%s'" % name`],
    ['+=', `    q = "SELECT id FROM users WHERE name = '"\n    q += name\n    q += "'"`],
    ['built two assignments earlier', `    s = f"SELECT id FROM users WHERE name = '{name}'"\n    t = s\n    q = t`],
  ])('%s: flagged', (_name, build) => {
    expect(rulesOf(q(build))).toContain('python.sql-format');
  });

  it.each([
    ['cur.execute through an alias', '    run = cur.execute\n    run(q)'],
    ['getattr(cur, "execute")', '    getattr(cur, "execute")(q)'],
    ['extra parentheses', '    (cur.execute)(q)'],
  ])('%s: flagged', (_name, run) => {
    expect(rulesOf(q(`    q = "SELECT id FROM users WHERE name = '" + name + "'"`, run))).toContain('python.sql-format');
  });

  it('the parameterised query is not', () => {
    expect(rulesOf(q('    q = "SELECT id FROM users WHERE name = %s"', '    cur.execute(q, (name,))'))).toEqual([]);
  });
});

describe('more ways to name the callee', () => {
  it.each([
    ['a walrus in the callee', '    return (g := yaml.load)(text)'],
    ['yaml.__dict__["load"]', '    return yaml.__dict__["load"](text)'],
    ['vars(yaml)["load"]', '    return vars(yaml)["load"](text)'],
    ['sys.modules["yaml"].load', '    import sys\n    return sys.modules["yaml"].load(text)'],
    ['importlib.import_module("yaml").load', '    import importlib\n    return importlib.import_module("yaml").load(text)'],
    ['__import__("yaml").load', '    return __import__("yaml").load(text)'],
    ['m = __import__("yaml"); m.load', '    m = __import__("yaml")\n    return m.load(text)'],
    ['an alias and a call on one line', '    l = yaml.load; data = l(text)\n    return data'],
  ])('%s: yaml.load is flagged', (_name, body) => {
    expect(rulesOf(fn('import yaml', body))).toContain('python.yaml-load');
    expect(rulesOf(fn('import yaml', body.replace(/load/g, 'safe_load')))).not.toContain('python.yaml-load');
  });

  it('from yaml import *: load is yaml.load (one star import), and a local function of the name is not', () => {
    expect(rulesOf('from yaml import *\n\ndef handler(text):\n    return load(text)\n')).toContain('python.yaml-load');
    expect(rulesOf('from yaml import *\n\ndef handler(text):\n    return safe_load(text)\n')).not.toContain('python.yaml-load');
    expect(rulesOf('from yaml import *\n\ndef load(t):\n    return t\n\ndef handler(text):\n    return load(text)\n')).not.toContain(
      'python.yaml-load',
    );
  });

  it.each([
    ['a concatenated string', '    exec("data = yaml." + "load(text)")'],
    ['compile of a string', '    exec(compile("data = yaml.load(text)", "<cfg>", "exec"))'],
    ['a name holding the string', '    src = "data = yaml.load(text)"\n    exec(src)'],
    ['exec through an alias', '    run = exec\n    run("data = yaml.load(text)")'],
    ['exec of exec', `    exec("exec('data = yaml.load(text)')")`],
    ['a multi-line string', '    exec("import yaml\\nif text:\\n    data = yaml.load(text)\\n")'],
  ])('exec of %s holding yaml.load is flagged, of yaml.safe_load is not', (_name, body) => {
    expect(rulesOf(fn('import yaml', body))).toContain('python.exec-string');
    // (python.eval reports exec(compile(...)) on its own, whatever the string holds)
    expect(rulesOf(fn('import yaml', body.replace(/load/g, 'safe_load'))).filter((r) => r !== 'python.eval')).toEqual([]);
  });
});
