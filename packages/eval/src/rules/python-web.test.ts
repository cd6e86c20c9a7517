import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();
const ids = (code: string) => analyzer.analyzeSync(code, 'python').map((f) => f.ruleId);

/** Sinks and sources added to existing rules: each with the vulnerable form and its fix. */
const CASES: { name: string; rule: string; vulnerable: string; fixed: string }[] = [
  {
    name: 'a redirect to the Referer header',
    rule: 'python.open-redirect',
    vulnerable: `from flask import Flask, request, redirect

app = Flask(__name__)

@app.route("/back")
def back():
    return redirect(request.referrer)
`,
    fixed: `from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/back")
def back():
    return redirect(url_for("index"))
`,
  },
  {
    name: 'asyncio.create_subprocess_shell with a formatted command',
    rule: 'python.os-command',
    vulnerable: `import asyncio

async def thumbnail(path):
    proc = await asyncio.create_subprocess_shell("convert " + path + " thumb.png")
    await proc.wait()
`,
    fixed: `import asyncio

async def thumbnail(path):
    proc = await asyncio.create_subprocess_exec("convert", path, "thumb.png")
    await proc.wait()
`,
  },
  {
    name: 'an argument list that runs sh -c on a formatted command',
    rule: 'python.subprocess-shell',
    vulnerable: `import subprocess
from flask import Flask, request

app = Flask(__name__)

@app.route("/ls")
def listing():
    folder = request.args.get("dir", ".")
    return subprocess.check_output(["sh", "-c", "ls " + folder])
`,
    fixed: `import subprocess
from flask import Flask, request

app = Flask(__name__)

@app.route("/ls")
def listing():
    folder = request.args.get("dir", ".")
    return subprocess.check_output(["ls", "--", folder])
`,
  },
  {
    name: 'Flask debug switched on through the app and its config',
    rule: 'python.debug-setting',
    vulnerable: `from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = True
`,
    fixed: `import os
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
`,
  },
  {
    name: 'flask-cors with credentials and its default of every origin',
    rule: 'python.cors-credentials-any-origin',
    vulnerable: `from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)
`,
    fixed: `from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
`,
  },
  {
    name: 'HTML written to a response object',
    rule: 'python.xss',
    vulnerable: `from django.http import HttpResponse

def search(request):
    resp = HttpResponse()
    resp.write("<p>" + request.GET["q"] + "</p>")
    return resp
`,
    fixed: `import html
from django.http import HttpResponse

def search(request):
    resp = HttpResponse()
    resp.write("<p>" + html.escape(request.GET["q"]) + "</p>")
    return resp
`,
  },
  {
    name: 'a template compiled from request data through Environment.from_string',
    rule: 'python.template-injection',
    vulnerable: `from flask import request
from jinja2 import Environment

env = Environment(autoescape=True)

def render_page():
    return env.from_string(request.form["template"]).render()
`,
    fixed: `from flask import request
from jinja2 import Environment, FileSystemLoader

env = Environment(loader=FileSystemLoader("templates"), autoescape=True)

def render_page():
    return env.get_template("page.html").render(body=request.form["template"])
`,
  },
  {
    name: 'shutil.unpack_archive without a filter',
    rule: 'python.tar-extract',
    vulnerable: `import shutil

def install(archive, target):
    shutil.unpack_archive(archive, target)
`,
    fixed: `import shutil

def install(archive, target):
    shutil.unpack_archive(archive, target, filter="data")
`,
  },
  {
    name: 'an RSA key size given by a module constant',
    rule: 'python.weak-key',
    vulnerable: `from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 1024

def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
`,
    fixed: `from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 3072

def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
`,
  },
  {
    name: 'a repeated group whose one repeated piece sits among optional ones',
    rule: 'python.redos-pattern',
    vulnerable: `import re

WORDS = re.compile(r"^(\\w+\\s?)*$")

def is_sentence(text):
    return WORDS.match(text) is not None
`,
    fixed: `import re

WORDS = re.compile(r"^\\w+(\\s\\w+)*$")

def is_sentence(text):
    return WORDS.match(text) is not None
`,
  },
  {
    name: "SQL formatted into a value's place, handed to the project's database layer without parameters",
    rule: 'python.sql-query-call',
    vulnerable: `def load_user(self):
    sql = "SELECT * FROM accounts WHERE token = '%s'" % self.token
    return self.db.get(sql)
`,
    fixed: `def load_user(self):
    sql = "SELECT * FROM accounts WHERE token = %s"
    return self.db.get(sql, self.token)
`,
  },
];

describe('Python sinks and sources of web code', () => {
  for (const { name, rule, vulnerable, fixed } of CASES) {
    it(`${rule}: ${name}`, () => {
      expect(ids(vulnerable)).toContain(rule);
      expect(ids(fixed)).not.toContain(rule);
    });
  }

  it('reads a table name formatted into SQL beside placeholders as no injection', () => {
    const code = `def options(self, cur, name):
    sql = "SELECT options FROM {} WHERE name = ?".format(self.table)
    return query_one(cur, sql, (name,))
`;
    expect(ids(code)).not.toContain('python.sql-query-call');
  });

  it('reads DEBUG = True outside a settings module as a plain constant', () => {
    const code = `DEBUG = True

def log(message):
    if DEBUG:
        print(message)
`;
    expect(ids(code)).not.toContain('python.debug-setting');
  });

  it('leaves string.Template and a compare_digest of an HMAC alone', () => {
    const code = `import hashlib, hmac
from string import Template
from flask import request
import jinja2

def greet(key):
    tag = hmac.new(key, request.data, hashlib.sha256).digest()
    ok = hmac.compare_digest(tag, request.headers["X-Tag"])
    return Template(request.args["t"]).safe_substitute(name="x") if ok else ""
`;
    expect(ids(code).filter((r) => /template-injection|hmac-timing/.test(r))).toEqual([]);
  });
});
