import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();
const rules = (code: string) => analyzer.analyzeSync(code, 'python').map((f) => f.ruleId);

const HEAD = `import os, shlex\nfrom flask import Flask, request\napp = Flask(__name__)\n`;
const RUN = `@app.route('/run')\ndef run():\n    os.system('ls ' + CALL(request.args['d']))\n`;
const UPLOAD = `@app.route('/up', methods=['POST'])\ndef up():\n    f = request.files['f']\n    f.save(os.path.join('/srv/up', CALL(f.filename)))\n`;

// A completion trained against this analyser can try to clear a tainted value by name alone.
describe('Python taint: sanitisers are trusted by what they are, not by their name', () => {
  it('a function of the file that is named like a sanitiser but returns its input clears nothing', () => {
    for (const name of ['quote', 'secure_filename', 'escape', 'sanitize', 'clean_input', 'validate']) {
      const own = `def ${name}(s):\n    return s\n`;
      expect(rules(HEAD + own + RUN.replace('CALL', name)), name).toContain('python.os-command');
    }
    const own = 'def secure_filename(s):\n    return s\n';
    expect(rules(HEAD + own + UPLOAD.replace('CALL', 'secure_filename'))).toContain('python.path-traversal');
  });

  it('a class of the file that shadows a sanitising module clears nothing', () => {
    const shadow = 'class shlex:\n    @staticmethod\n    def quote(s):\n        return s\n';
    expect(rules(HEAD.replace('import os, shlex', 'import os') + shadow + RUN.replace('CALL', 'shlex.quote'))).toContain(
      'python.os-command',
    );
  });

  it('a broad sanitiser name that nothing imports or defines clears nothing', () => {
    expect(rules(HEAD + RUN.replace('CALL', 'sanitize_arg'))).toContain('python.os-command');
  });

  it("wrapping a value in the file's own pass-through function keeps its taint for every sink", () => {
    const own = 'def wrap(s):\n    return s\n';
    expect(rules(HEAD + own + UPLOAD.replace('CALL', 'wrap'))).toContain('python.path-traversal');
  });

  it('the real sanitisers, imported, and helpers of the file that do sanitise stay clean', () => {
    expect(rules(HEAD + RUN.replace('CALL', 'shlex.quote'))).not.toContain('python.os-command');
    const helper = 'def safe_name(n):\n    return os.path.basename(n)\n';
    expect(rules(HEAD + helper + UPLOAD.replace('CALL', 'safe_name'))).not.toContain('python.path-traversal');
    const imported = HEAD.replace('import os, shlex', 'import os\nfrom werkzeug.utils import secure_filename');
    expect(rules(imported + UPLOAD.replace('CALL', 'secure_filename'))).not.toContain('python.path-traversal');
  });
});

// SQL handed to a project's own database layer: found by what it is given, however the call is named or wrapped.
describe("Python taint: SQL text reaching the project's own database call", () => {
  const view = (body: string) =>
    `from flask import request\nimport dbutil as d\n\n@app.route('/u')\ndef u():\n    name = request.args['n']\n${body}`;

  it('flags formatted SQL under any database-layer name, an imported alias or a renamed variable', () => {
    for (const call of ['d.execute_query', 'd.query', 'queryOne', 'db_execute', 'd.runQuery', 'sql.insertDB', 'conn.run']) {
      const code = view(`    q = "SELECT * FROM users WHERE name = '%s'" % name\n    stmt = q\n    return ${call}(stmt)\n`);
      expect(rules(code), call).toContain('python.sql-query-call');
    }
    // the SQL in the second argument, as helpers taking a connection first write it
    expect(rules(view(`    return queryOne(d.conn, "DELETE FROM t WHERE id = '{}'".format(name))\n`))).toContain('python.sql-query-call');
    // a pass-through wrapper of the file's own hides nothing
    const wrap = 'def w(s):\n    return s\n';
    expect(rules(wrap + view(`    return d.query(w("SELECT a FROM b WHERE c = '" + name + "'"))\n`))).toContain('python.sql-query-call');
  });

  it('leaves parameterised queries, constant SQL and non-SQL strings alone', () => {
    expect(rules(view(`    return d.execute_query("SELECT * FROM users WHERE name = %s", (name,))\n`))).not.toContain(
      'python.sql-query-call',
    );
    expect(rules(view(`    return d.query("SELECT count(*) FROM users")\n`))).not.toContain('python.sql-query-call');
    expect(rules(view(`    return d.query("user " + name + " selected from the list")\n`))).not.toContain('python.sql-query-call');
    expect(rules(view(`    n = int(name)\n    return d.query("SELECT * FROM t WHERE id = %d" % n)\n`))).not.toContain(
      'python.sql-query-call',
    );
  });
});

describe('Python rules: fixed IVs seen through names', () => {
  it('flags an IV assigned a literal at module level or in the function, under any name', () => {
    const head = 'from Crypto.Cipher import AES as A\n';
    expect(rules(`${head}NONCE = bytes(16)\ndef e(k, d):\n    return A.new(k, A.MODE_GCM, nonce=NONCE).encrypt(d)\n`)).toContain(
      'python.static-iv',
    );
    expect(rules(`${head}def e(k, d):\n    v = "0123456789abcdef".encode()\n    return A.new(k, A.MODE_CBC, v).encrypt(d)\n`)).toContain(
      'python.static-iv',
    );
    expect(rules(`from cryptography.hazmat.primitives.ciphers import modes\nIV = bytes.fromhex("00" * 16)\nm = modes.CBC(IV)\n`)).toContain(
      'python.static-iv',
    );
  });

  it('leaves random IVs and names it cannot see assigned alone', () => {
    const head = 'import os\nfrom Crypto.Cipher import AES\n';
    expect(rules(`${head}def e(k, d):\n    iv = os.urandom(16)\n    return AES.new(k, AES.MODE_CBC, iv).encrypt(d)\n`)).not.toContain(
      'python.static-iv',
    );
    expect(rules(`${head}from conf import IV\ndef e(k, d):\n    return AES.new(k, AES.MODE_CBC, IV).encrypt(d)\n`)).not.toContain(
      'python.static-iv',
    );
  });
});

describe('Python taint: request paths reaching a copy, a move or a served file', () => {
  it('flags a destination taken from an aiohttp form and a file served by name, not fixed paths', () => {
    const aio = `import shutil
from aiohttp import web

async def save(request):
    data = await request.post()
    shutil.move("/srv/in/a.txt", STORE + data["dst"])
    return web.Response(text="ok")
`;
    expect(rules(aio)).toContain('python.path-traversal');
    expect(rules(aio.replace('STORE + data["dst"]', '"/srv/out/a.txt"'))).not.toContain('python.path-traversal');
    const twisted = `from twisted.web import static

def render(self, request):
    name = request.args["file"][0]
    return static.File(name).render(request)
`;
    expect(rules(twisted)).toContain('python.path-traversal');
    expect(rules(twisted.replace('static.File(name)', 'static.File("/srv/public")'))).not.toContain('python.path-traversal');
  });

  it("flags SQL built from request data handed to the project's insert_db helper", () => {
    const code = `from flask import request

@app.route("/approve", methods=["POST"])
def approve():
    ids = request.form.getlist("id")
    insert_db("UPDATE drawings SET ok = 1 WHERE " + " OR ".join(["id=" + str(i) for i in ids]))
`;
    expect(rules(code)).toContain('python.sql-query-call');
    expect(rules(code.replace('" OR ".join(["id=" + str(i) for i in ids])', '"id = ?", ids'))).not.toContain('python.sql-query-call');
  });
});

describe('Python rules: password hashes, temporary paths and nested quantifiers under other names', () => {
  it('flags a fast hash of a password through an aliased module, a short name, or a function named for passwords', () => {
    expect(rules('import hashlib as h\ndef f(pw):\n    return h.sha512(pw.encode()).digest()\n')).toContain('python.password-fast-hash');
    expect(
      rules('from hashlib import sha256\nimport hashlib\ndef hash_password(s):\n    return hashlib.sha3_256(s).hexdigest()\n'),
    ).toContain('python.password-fast-hash');
    // a checksum of a file is no password hash
    expect(rules('import hashlib\ndef digest(data):\n    return hashlib.sha256(data).hexdigest()\n')).not.toContain(
      'python.password-fast-hash',
    );
  });

  it('flags writes to fixed names in shared temporary folders, not reads or private folders', () => {
    expect(rules('def f(d):\n    open(f"/var/tmp/report-{d}.txt", "a").write(d)\n')).toContain('python.tmp-fixed-path');
    expect(rules('def f():\n    return open("/tmp/input.txt").read()\n')).not.toContain('python.tmp-fixed-path');
    expect(rules('import tempfile\ndef f(d):\n    p = tempfile.mkdtemp()\n    open(p + "/x", "w").write(d)\n')).not.toContain(
      'python.tmp-fixed-path',
    );
  });

  it('flags nested quantifiers in any re call, not a repeated group that needs a separator', () => {
    expect(rules('import re\ndef ok(s):\n    return re.match(r"(\\w*)*$", s)\n')).toContain('python.redos-pattern');
    expect(rules('import re\nHOST = re.compile(r"^([a-z0-9-]+\\.)+[a-z]{2,}$")\n')).not.toContain('python.redos-pattern');
  });
});
