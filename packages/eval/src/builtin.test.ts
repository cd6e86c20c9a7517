import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, Language } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Analyzer } from './analyzer.js';
import { BuiltinAnalyzer } from './builtin.js';
import { EvaluationError } from './errors.js';
import { C_LANGUAGE, C_RULES } from './rules/c.js';
import { PYTHON_RULES } from './rules/python.js';

const analyzer = new BuiltinAnalyzer();

function rulesAt(code: string, language: Language): string[] {
  return analyzer.analyzeSync(code, language).map((f) => `${f.lines?.start}:${f.ruleId}`);
}

/** Code with one marked line per expected finding: `// expect: <rule>` or `# expect: <rule>`. */
function expectedFromMarks(code: string): string[] {
  return code.split('\n').flatMap((line, i) => {
    const m = /(?:\/\/|#) expect: ([\w.-]+)/.exec(line);
    return m ? [`${i + 1}:${m[1]}`] : [];
  });
}

const C_SAMPLE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int handle(char *in, size_t n, FILE *f) {
  char buf[16]; // expect: c.stack-buffer-overflow
  char line[64]; // expect: c.stack-buffer-overflow
  strcpy(buf, in); // expect: c.unbounded-copy
  strcpy(buf, "constant");
  strcat(buf, in); // expect: c.unbounded-copy
  sprintf(line, "name=%s", in); // expect: c.sprintf
  sprintf(line, "%d", 42);
  printf(in); // expect: c.format-string
  printf("%s", in);
  fprintf(f, in); // expect: c.format-string
  gets(line); // expect: c.gets
  scanf("%s", buf); // expect: c.scanf-unbounded
  scanf("%15s", buf);
  system(in); // expect: c.command-injection
  system("ls -l");
  char *grown = malloc(n * sizeof(int)); // expect: c.alloc-overflow
  char *fixed = malloc(4 * sizeof(int));
  if (!grown || !fixed) return -1;
  char *p = malloc(32);
  p[0] = 'x'; // expect: c.null-dereference
  char *q = malloc(32);
  if (q == NULL) return -1;
  q[0] = 'y';
  free(q);
  q[1] = 'z'; // expect: c.use-after-free
  memcpy(buf, in, n); // expect: c.unchecked-length-copy
  size_t m = strlen(in);
  if (m < sizeof line) memcpy(line, in, m);
  MD5((unsigned char *)in, n, (unsigned char *)buf); // expect: c.weak-hash
  EVP_des_ede3_cbc(); // expect: c.weak-cipher
  int r = rand(); // expect: c.insecure-random
  tmpnam(buf); // expect: c.insecure-tempfile
  const char *password = "hunter22"; // expect: c.hardcoded-credential
  chmod("/tmp/shared", 0777); // expect: c.permissive-permissions
  chmod("/tmp/private", 0600);
  int opts = XML_PARSE_NOENT; // expect: c.xxe
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); // expect: c.tls-no-verify
  snprintf(line, sizeof line, "SELECT * FROM users WHERE name = '%s'", in); // expect: c.sql-format
  execl("/bin/sh", "sh", "-c", in, (char *)NULL); // expect: c.exec-shell
  const char *pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIC..."; // expect: c.embedded-secret
  return r + opts;
}
`;

const PY_SAMPLE = `import hashlib, os, pickle, random, subprocess, tempfile, yaml
import requests
from lxml import etree
from os import system

system("echo " + __name__)  # expect: python.os-command-imported

def handle(name, expr, blob, base, cur, token):
    os.system("ls " + name)  # expect: python.os-command
    os.system("ls -l")
    subprocess.run(name, shell=True)  # expect: python.subprocess-shell
    subprocess.run(["ls", name])
    subprocess.run("ls -l", shell=True)
    eval(expr)  # expect: python.eval
    eval("1 + 1")
    pickle.loads(blob)  # expect: python.unsafe-deserialisation
    yaml.load(blob)  # expect: python.yaml-load
    yaml.load(blob, Loader=yaml.SafeLoader)
    yaml.safe_load(blob)
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)  # expect: python.sql-format
    query = f"SELECT * FROM users WHERE name = '{name}'"
    cur.execute(query)  # expect: python.sql-format
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
    hashlib.md5(blob)  # expect: python.weak-hash
    hashlib.new("sha1")  # expect: python.weak-hash
    hashlib.sha256(blob)
    cipher = DES.new(blob)  # expect: python.weak-cipher
    tarfile.open(name).extractall(base)  # expect: python.tar-extract
    session = random.getrandbits(64)  # expect: python.insecure-random
    path = tempfile.mktemp()  # expect: python.insecure-tempfile
    tempfile.mkstemp()
    requests.get(name, verify=False)  # expect: python.tls-no-verify
    api_key = "sk-live-0123456789"  # expect: python.hardcoded-credential
    password = os.environ["PASSWORD"]
    maps_key = os.environ.get("K", "AIzaSyAl1Xq9DwdE_KD4AtPaE4EJl3WZe2zCqg4")  # expect: python.embedded-secret
    data = open(os.path.join(base, name)).read()  # expect: python.path-traversal
    os.chmod(path, 0o777)  # expect: python.permissive-permissions
    os.chmod(path, 0o600)
    parser = etree.XMLParser()  # expect: python.xxe
    safe = etree.XMLParser(resolve_entities=False)
    jwt.decode(token, options={"verify_signature": False})  # expect: python.jwt-no-verify
    return "<h1>Hello %s</h1>" % name  # expect: python.xss
`;

describe('BuiltinAnalyzer', () => {
  it('satisfies the Analyzer interface', () => {
    expectTypeOf(analyzer).toMatchTypeOf<Analyzer>();
    expect(analyzer.languages).toEqual(['c', 'python']);
  });

  it('flags every dangerous C call and skips the constant or checked ones', () => {
    expect(rulesAt(C_SAMPLE, 'c')).toEqual(expectedFromMarks(C_SAMPLE));
  });

  it('flags every dangerous Python call and skips the constant or safe ones', () => {
    expect(rulesAt(PY_SAMPLE, 'python')).toEqual(expectedFromMarks(PY_SAMPLE));
  });

  it('covers every registered rule in the samples', () => {
    const hit = new Set([...expectedFromMarks(C_SAMPLE), ...expectedFromMarks(PY_SAMPLE)].map((s) => s.split(':')[1]));
    expect([...C_RULES, ...PYTHON_RULES].map((r) => r.id).filter((id) => !hit.has(id))).toEqual([]);
  });

  it('emits schema-valid findings with CWE, severity, remediation and UTF-16 ranges', async () => {
    const code = '# é ünïcode ✓\nimport os\nos.system("rm " + target)\n';
    const [f] = await analyzer.analyze(code, 'python');
    expect(f).toBeDefined();
    const finding = f as Finding;
    expect(validate('Finding', finding).ok).toBe(true);
    expect(code.slice(finding.range.start, finding.range.end)).toBe('os.system("rm " + target)');
    expect(finding).toMatchObject({ analyzer: 'builtin', cwe: 'CWE-78', severity: 'high', lines: { start: 3, end: 3 } });
    expect(finding.remediation).toMatch(/subprocess/);
  });

  it('does not flag a free followed by reassignment, or a use on a path that returned', () => {
    const code = `void f(char *p, int e) {
  if (e) { free(p); return; }
  p[0] = 1;
  free(p);
  p = NULL;
}`;
    expect(rulesAt(code, 'c')).toEqual([]);
  });

  it('matches the golden output for the C sample', async () => {
    const out = analyzer.analyzeSync(C_SAMPLE, 'c').map((f) => ({ ...f, text: C_SAMPLE.slice(f.range.start, f.range.end) }));
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot('../test/fixtures/builtin-c.golden.json');
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
    const copy = C_RULES.find((r) => r.id === 'c.unbounded-copy');
    if (!copy) throw new Error('no c.unbounded-copy rule');
    const cpp = new BuiltinAnalyzer({ languages: [{ language: 'cpp', rules: [copy] }] });
    const code = 'namespace n {\nvoid A::f(const char *s) {\n  char b[4];\n  strcpy(b, s);\n}\n}\n';
    expect(cpp.analyzeSync(code, 'cpp').map((f) => `${f.lines?.start}:${f.ruleId}`)).toEqual(['4:c.unbounded-copy']);
  });

  it('throws unknown-language for rules of a language without a registered grammar', () => {
    const rust = new BuiltinAnalyzer({ languages: [{ language: 'rust', rules: C_RULES.slice(0, 1) }] });
    expect(() => rust.analyzeSync('fn main() {}', 'rust')).toThrowError(/no grammar/);
    try {
      rust.analyzeSync('fn main() {}', 'rust');
    } catch (e) {
      expect((e as EvaluationError).code).toBe('unknown-language');
    }
  });

  it('reports a rule whose query tree-sitter rejects', () => {
    const first = C_RULES[0];
    if (!first) throw new Error('no C rules');
    const bad = new BuiltinAnalyzer({ languages: [{ ...C_LANGUAGE, rules: [{ ...first, query: '(not_a_node) @finding' }] }] });
    expect(() => bad.analyzeSync('int x;', 'c')).toThrow(/rule c.gets has a query/);
  });
});

const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

function readPairs(file: string): { before: string; after: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { func_src_before: string; func_src_after: string })
    .map((r) => ({ before: r.func_src_before, after: r.func_src_after }));
}

describe.skipIf(!existsSync(DATA))('BuiltinAnalyzer on real fixes (needs ../shared/data)', () => {
  it('flags most SVEN SQL-injection functions and few of their fixes', () => {
    const pairs = readPairs(join(DATA, 'sven/train/cwe-089.jsonl'));
    const flagged = (code: string) => analyzer.analyzeSync(code, 'python').some((f) => f.cwe === 'CWE-89');
    const vulnerable = pairs.filter((p) => flagged(p.before)).length / pairs.length;
    const fixed = pairs.filter((p) => flagged(p.after)).length / pairs.length;
    expect(vulnerable).toBeGreaterThan(0.5);
    expect(fixed).toBeLessThan(0.1);
  });

  it('flags the insecure temporary files of SafeCoder and clears their fixes', () => {
    const rows = readFileSync(join(DATA, 'safecoder/train/sec-new-desc.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { vul_type: string; file_name: string; func_src_before: string; func_src_after: string })
      .filter((r) => r.vul_type === 'cwe-377' && r.file_name.endsWith('.py'));
    expect(rows.length).toBeGreaterThan(10);
    const flagged = (code: string) => analyzer.analyzeSync(code, 'python').some((f) => f.cwe === 'CWE-377');
    expect(rows.filter((r) => flagged(r.func_src_before)).length / rows.length).toBeGreaterThan(0.8);
    expect(rows.filter((r) => flagged(r.func_src_after)).length / rows.length).toBeLessThan(0.15);
  });

  it('finds a NULL dereference that a SVEN CWE-476 fix removes', () => {
    const pairs = [...readPairs(join(DATA, 'sven/train/cwe-476.jsonl')), ...readPairs(join(DATA, 'sven/val/cwe-476.jsonl'))];
    const removed = pairs.filter((p) => {
      const before = analyzer.analyzeSync(p.before, 'c').filter((f) => f.cwe === 'CWE-476').length;
      const after = analyzer.analyzeSync(p.after, 'c').filter((f) => f.cwe === 'CWE-476').length;
      return before > after;
    });
    expect(removed.length).toBeGreaterThan(0);
  });
});
