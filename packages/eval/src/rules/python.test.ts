import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, Language } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';
import { PYTHON_RULES } from './python.js';

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

describe('Python rules', () => {
  it('flags every dangerous Python call and skips the constant or safe ones', () => {
    expect(rulesAt(PY_SAMPLE, 'python')).toEqual(expectedFromMarks(PY_SAMPLE));
  });

  it('covers every registered Python rule in the sample', () => {
    const hit = new Set(expectedFromMarks(PY_SAMPLE).map((s) => s.split(':')[1]));
    expect(PYTHON_RULES.map((r) => r.id).filter((id) => !hit.has(id))).toEqual([]);
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
});

const DATA = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));

function readPairs(file: string): { before: string; after: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { func_src_before: string; func_src_after: string })
    .map((r) => ({ before: r.func_src_before, after: r.func_src_after }));
}

describe.skipIf(!existsSync(DATA))('Python rules on real fixes (needs ../shared/data)', () => {
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
});
