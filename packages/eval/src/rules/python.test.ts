import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Language } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { DATA, expectedFromMarks, readPairs, rulesAt as rulesOf } from '../../test/rule-cases.js';
import { BuiltinAnalyzer } from '../builtin.js';
import { PYTHON_RULES } from './python.js';
import { literalText } from '../taint/python.js';
import type { Rule, RuleMatch } from './rule.js';

const analyzer = new BuiltinAnalyzer();

function rulesAt(code: string, language: Language): string[] {
  return rulesOf(analyzer, code, language);
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

/** Per rule: a vulnerable and a fixed version in the style code models write. */
const RULE_CASES: Record<string, { vulnerable: string; fixed: string }> = {
  'python.path-traversal': {
    vulnerable: `from flask import Flask, request, send_file
app = Flask(__name__)

@app.route("/download")
def download():
    name = request.args.get("file")
    return send_file(os.path.join("/srv/files", name))
`,
    fixed: `from flask import Flask, request, send_file
app = Flask(__name__)
BASE = "/srv/files"

@app.route("/download")
def download():
    name = request.args.get("file")
    path = os.path.realpath(os.path.join(BASE, name))
    if not path.startswith(BASE + os.sep):
        abort(403)
    return send_file(path)
`,
  },
  'python.open-redirect': {
    vulnerable: `from flask import request, redirect

@app.route("/login", methods=["POST"])
def login():
    target = request.form.get("next", "/")
    return redirect(target)
`,
    fixed: `from urllib.parse import urlparse
from flask import request, redirect

@app.route("/login", methods=["POST"])
def login():
    target = request.form.get("next", "/")
    if urlparse(target).netloc not in ("", "example.com"):
        target = "/"
    return redirect(target)
`,
  },
  'python.ssrf': {
    vulnerable: `import requests
from flask import request

@app.route("/preview")
def preview():
    url = request.args["url"]
    r = requests.get(url, timeout=5)
    return r.text[:200]
`,
    fixed: `import requests
from flask import request

@app.route("/preview")
def preview():
    page = request.args["page"]
    r = requests.get(f"https://api.example.com/pages/{page}", timeout=5)
    return {"status": r.status_code}
`,
  },
  'python.ldap-injection': {
    vulnerable: `import ldap
from flask import request

@app.route("/user")
def user():
    name = request.args.get("name")
    conn = ldap.initialize("ldap://localhost")
    return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={name})"))
`,
    fixed: `import ldap
from ldap.filter import escape_filter_chars
from flask import request

@app.route("/user")
def user():
    name = escape_filter_chars(request.args.get("name"))
    conn = ldap.initialize("ldap://localhost")
    return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={name})"))
`,
  },
  'python.xpath-injection': {
    vulnerable: `from lxml import etree
from flask import request

@app.route("/find")
def find():
    tree = etree.parse("users.xml", etree.XMLParser(resolve_entities=False))
    user = request.args.get("user")
    return str(tree.xpath("//user[@name='" + user + "']"))
`,
    fixed: `from lxml import etree
from flask import request

@app.route("/find")
def find():
    tree = etree.parse("users.xml", etree.XMLParser(resolve_entities=False))
    user = request.args.get("user")
    return str(tree.xpath("//user[@name=$name]", name=user))
`,
  },
  'python.nosql-injection': {
    vulnerable: `from pymongo import MongoClient
from flask import request
db = MongoClient().shop

@app.route("/orders", methods=["POST"])
def orders():
    query = request.get_json()
    return str(list(db.orders.find(query)))
`,
    fixed: `from pymongo import MongoClient
from flask import request
db = MongoClient().shop

@app.route("/orders", methods=["POST"])
def orders():
    customer = str(request.get_json().get("customer", ""))
    return str(list(db.orders.find({"customer": customer})))
`,
  },
  'python.header-injection': {
    vulnerable: `from flask import request, make_response

@app.route("/lang")
def lang():
    resp = make_response("ok")
    resp.headers["Content-Language"] = request.args.get("lang", "en")
    return resp
`,
    fixed: `from flask import request, make_response
LANGS = {"en", "de", "fr"}

@app.route("/lang")
def lang():
    value = request.args.get("lang", "en")
    if value not in LANGS:
        value = "en"
    resp = make_response("ok")
    resp.headers["Content-Language"] = value
    return resp
`,
  },
  'python.log-injection': {
    vulnerable: `import logging
from flask import request
logger = logging.getLogger(__name__)

@app.route("/login", methods=["POST"])
def login():
    user = request.form["username"]
    logger.info("login attempt for " + user)
    return "ok"
`,
    fixed: `import logging
from flask import request
logger = logging.getLogger(__name__)

@app.route("/login", methods=["POST"])
def login():
    user = request.form["username"].replace("\\n", "").replace("\\r", "")
    logger.info("login attempt for " + user)
    return "ok"
`,
  },
  'python.regex-injection': {
    vulnerable: `import re
from flask import request

@app.route("/search")
def search():
    pattern = request.args.get("q")
    return str([l for l in LINES if re.search(pattern, l)])
`,
    fixed: `import re
from flask import request

@app.route("/search")
def search():
    pattern = re.escape(request.args.get("q"))
    return str([l for l in LINES if re.search(pattern, l)])
`,
  },
  'python.xss': {
    vulnerable: `from flask import request, make_response

@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    html = "<h1>Hello {name}</h1>".replace("{name}", name)
    return make_response(html)
`,
    fixed: `import html as htmlmod
from flask import request, make_response

@app.route("/hello")
def hello():
    name = htmlmod.escape(request.args.get("name", ""))
    html = "<h1>Hello {name}</h1>".replace("{name}", name)
    return make_response(html)
`,
  },
  'python.sql-format': {
    vulnerable: `import sqlite3
from flask import request

@app.route("/user")
def user():
    uid = request.args.get("id")
    cur = sqlite3.connect("app.db").cursor()
    cur.execute(f"SELECT name FROM users WHERE id = {uid}")
    return str(cur.fetchone())
`,
    fixed: `import sqlite3
from flask import request

@app.route("/user")
def user():
    uid = request.args.get("id")
    cur = sqlite3.connect("app.db").cursor()
    cur.execute("SELECT name FROM users WHERE id = ?", (uid,))
    return str(cur.fetchone())
`,
  },
  'python.subprocess-shell': {
    vulnerable: `import subprocess
from flask import request

@app.route("/ping")
def ping():
    host = request.args.get("host")
    return subprocess.check_output(f"ping -c 1 {host}", shell=True)
`,
    fixed: `import shlex, subprocess
from flask import request

@app.route("/ping")
def ping():
    host = shlex.quote(request.args.get("host"))
    return subprocess.check_output(f"ping -c 1 {host}", shell=True)
`,
  },
  'python.os-command': {
    vulnerable: `import os, sys

def main():
    os.system("convert " + sys.argv[1] + " out.png")
`,
    fixed: `import os, sys
ALLOWED = {"a.jpg", "b.jpg"}

def main():
    name = sys.argv[1]
    if name not in ALLOWED:
        raise SystemExit("unknown file")
    os.system("convert " + name + " out.png")
`,
  },
  'python.eval': {
    vulnerable: `from flask import request

@app.route("/calc")
def calc():
    return str(eval(request.args.get("expr")))
`,
    fixed: `import ast
from flask import request
ALLOWED = (ast.Expression, ast.BinOp, ast.Constant, ast.Add, ast.Sub, ast.Mult, ast.Div)

@app.route("/calc")
def calc():
    tree = ast.parse(request.args.get("expr"), mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED):
            abort(400)
    return str(eval(compile(tree, "<expr>", "eval")))
`,
  },
  'python.debug-mode': {
    vulnerable: `if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
`,
    fixed: `if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")
`,
  },
  'python.weak-key': {
    vulnerable: `from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
`,
    fixed: `from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
`,
  },
  'python.cleartext-credentials': {
    vulnerable: `import ftplib

def upload(user, password):
    ftp = ftplib.FTP("files.example.com")
    ftp.login(user, password)
`,
    fixed: `import ftplib, ssl

def upload(user, password):
    ftp = ftplib.FTP_TLS("files.example.com", context=ssl.create_default_context())
    ftp.login(user, password)
    ftp.prot_p()
`,
  },
  'python.tls-no-context': {
    vulnerable: `import smtplib

def send(msg, user, password):
    with smtplib.SMTP("mail.example.com", 587) as s:
        s.starttls()
        s.login(user, password)
        s.send_message(msg)
`,
    fixed: `import smtplib, ssl

def send(msg, user, password):
    with smtplib.SMTP("mail.example.com", 587) as s:
        s.starttls(context=ssl.create_default_context())
        s.login(user, password)
        s.send_message(msg)
`,
  },
  'python.hash-algorithm-choice': {
    vulnerable: `import hashlib

def digest(data, algorithm):
    return hashlib.new(algorithm, data).hexdigest()
`,
    fixed: `import hashlib

def digest(data, algorithm="sha256"):
    if algorithm not in {"sha256", "sha512"}:
        raise ValueError(algorithm)
    return hashlib.new(algorithm, data).hexdigest()
`,
  },
  'python.lxml-unsafe-parser': {
    vulnerable: `from lxml import etree

def load(xml_bytes):
    return etree.fromstring(xml_bytes)
`,
    fixed: `from lxml import etree

def load(xml_bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(xml_bytes, parser)
`,
  },
  'python.xxe': {
    vulnerable: `from xml.sax.handler import feature_external_ges
import xml.sax

def parse(f, handler):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.parse(f)
`,
    fixed: `from xml.sax.handler import feature_external_ges
import xml.sax

def parse(f, handler):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, False)
    parser.setContentHandler(handler)
    parser.parse(f)
`,
  },
  'python.hardcoded-credential': {
    vulnerable: `import jwt

token = "9f86d081884c7d659a2feaa0c55ad015"

def sign(payload):
    return jwt.encode(payload, token, algorithm="HS256")
`,
    fixed: `import os, jwt

token = os.environ["JWT_TOKEN"]

def sign(payload):
    return jwt.encode(payload, token, algorithm="HS256")
`,
  },
  'python.command-string': {
    vulnerable: `def map_volume(self, volume_name, host_name):
    ssh_cmd = "svctask mkvdiskhostmap -host %s %s" % (host_name, volume_name)
    return self._run_ssh(ssh_cmd)
`,
    fixed: `def map_volume(self, volume_name, host_name):
    ssh_cmd = ["svctask", "mkvdiskhostmap", "-host", host_name, volume_name]
    return self._run_ssh(ssh_cmd)
`,
  },
  'python.dynamic-import': {
    vulnerable: `import importlib
from flask import request

@app.route("/run")
def run():
    module = importlib.import_module(request.args.get("formatter", "plain"))
    return module.format(request.args.get("text", ""))
`,
    fixed: `import importlib
from flask import abort, request
FORMATTERS = {"plain": "app.formatters.plain", "markdown": "app.formatters.markdown"}

@app.route("/run")
def run():
    name = request.args.get("formatter", "plain")
    if name not in FORMATTERS:
        abort(404)
    return importlib.import_module(FORMATTERS[name]).format(request.args.get("text", ""))
`,
  },
  'python.jinja-autoescape-off': {
    vulnerable: `from jinja2 import Environment, FileSystemLoader
env = Environment(loader=FileSystemLoader("templates"), autoescape=False)
`,
    fixed: `from jinja2 import Environment, FileSystemLoader, select_autoescape
env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())
`,
  },
  'python.cookie-insecure': {
    vulnerable: `@app.route("/remember", methods=["POST"])
def remember():
    resp = make_response({"ok": True})
    resp.set_cookie("session_token", request.form["token"], secure=False, httponly=False)
    return resp
`,
    fixed: `@app.route("/remember", methods=["POST"])
def remember():
    resp = make_response({"ok": True})
    resp.set_cookie("session_token", request.form["token"], secure=True, httponly=True, samesite="Lax")
    return resp
`,
  },
  'python.bind-all-interfaces': {
    vulnerable: `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("0.0.0.0", 9000))
`,
    fixed: `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 9000))
`,
  },
  'python.sql-query-call': {
    vulnerable: `from db import database_utilities

def get_user(user_id):
    return database_utilities.execute_query(f"""select * from users where user_id = '{user_id}'""")
`,
    fixed: `from db import database_utilities

def get_user(user_id):
    return database_utilities.execute_query("select * from users where user_id = %s", (user_id,))
`,
  },
  'python.weak-tls-version': {
    vulnerable: `import socket, ssl

def connect(host):
    sock = socket.create_connection((host, 443))
    return ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLSv1)
`,
    fixed: `import socket, ssl

def connect(host):
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx.wrap_socket(socket.create_connection((host, 443)), server_hostname=host)
`,
  },
  'python.static-iv': {
    vulnerable: `from Crypto.Cipher import AES
from Crypto.Util.Padding import pad

iv = b"\\x00" * 16

def encrypt(key, data):
    return AES.new(key, AES.MODE_CBC, iv).encrypt(pad(data, 16))
`,
    fixed: `from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes
from Crypto.Util.Padding import pad

def encrypt(key, data):
    iv = get_random_bytes(16)
    return iv + AES.new(key, AES.MODE_CBC, iv).encrypt(pad(data, 16))
`,
  },
  'python.password-fast-hash': {
    vulnerable: `import hashlib

def store_user(db, name, password):
    db.save(name, hashlib.sha256(password.encode()).hexdigest())
`,
    fixed: `import hashlib, os

def store_user(db, name, password):
    salt = os.urandom(16)
    db.save(name, salt + hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000))
`,
  },
  'python.tmp-fixed-path': {
    vulnerable: `import json

def cache(data):
    with open("/tmp/app_cache.json", "w") as fh:
        json.dump(data, fh)
`,
    fixed: `import json, tempfile

def cache(data):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(data, fh)
    return fh.name
`,
  },
  'python.redos-pattern': {
    vulnerable: `import re
EMAIL = re.compile(r"^([a-zA-Z0-9_.+-]+)+@example\\.com$")
`,
    fixed: `import re
EMAIL = re.compile(r"^[a-zA-Z0-9_.+-]+@example\\.com$")
`,
  },
  'python.permissive-permissions': {
    vulnerable: `import os, stat

def save_key(path, data):
    with open(path, "w") as f:
        f.write(data)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IROTH)
`,
    fixed: `import os, stat

def save_key(path, data):
    with open(path, "w") as f:
        f.write(data)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
`,
  },
  'python.exec-string': {
    vulnerable: `import yaml

def load_config(text):
    exec("data = yaml.load(text)")
`,
    fixed: `import yaml

def load_config(text):
    exec("data = yaml.safe_load(text)")
`,
  },
  'python.debug-setting': {
    vulnerable: `from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = True
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = ["django.contrib.admin"]
`,
    fixed: `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = ["django.contrib.admin"]
`,
  },
  'python.cors-credentials-any-origin': {
    vulnerable: `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
`,
    fixed: `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True, allow_methods=["*"])
`,
  },
  'python.template-injection': {
    vulnerable: `from flask import Flask, request
from jinja2 import Template

app = Flask(__name__)

@app.route("/preview")
def preview():
    return Template(request.args.get("body", "")).render()
`,
    fixed: `from flask import Flask, request
from jinja2 import Template

app = Flask(__name__)

@app.route("/preview")
def preview():
    return Template("<p>{{ body }}</p>").render(body=request.args.get("body", ""))
`,
  },
  'python.ssh-unknown-host-key': {
    vulnerable: `import paramiko

def open_shell(host):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host)
    return client
`,
    fixed: `import paramiko

def open_shell(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host)
    return client
`,
  },
  'python.hmac-timing-compare': {
    vulnerable: `import hashlib, hmac

def verify(key, body, signature):
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return expected == signature
`,
    fixed: `import hashlib, hmac

def verify(key, body, signature):
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)
`,
  },
  'python.monkeypatch-safe-name': {
    vulnerable: `import yaml

def load_config(text):
    yaml.safe_load = yaml.load
    return yaml.safe_load(text)
`,
    fixed: `import yaml

def load_config(text):
    return yaml.safe_load(text)
`,
  },
};

describe('Python rules', () => {
  it('flags every dangerous Python call and skips the constant or safe ones', () => {
    expect(rulesAt(PY_SAMPLE, 'python')).toEqual(expectedFromMarks(PY_SAMPLE));
  });

  it('covers every registered Python rule in the sample or the per-rule cases', () => {
    const hit = new Set([...expectedFromMarks(PY_SAMPLE).map((s) => s.split(':')[1]), ...Object.keys(RULE_CASES)]);
    expect(PYTHON_RULES.map((r) => r.id).filter((id) => !hit.has(id))).toEqual([]);
  });

  for (const [rule, { vulnerable, fixed }] of Object.entries(RULE_CASES)) {
    it(`${rule}: flags the vulnerable version and not the fixed one`, () => {
      const ids = (code: string) => analyzer.analyzeSync(code, 'python').map((f) => f.ruleId);
      expect(ids(vulnerable)).toContain(rule);
      expect(ids(fixed)).not.toContain(rule);
    });
  }

  it('writes the source-to-sink flow and a message naming both into taint findings', () => {
    const code = RULE_CASES['python.ssrf']?.vulnerable ?? '';
    const [f] = analyzer.analyzeSync(code, 'python').filter((x) => x.ruleId === 'python.ssrf');
    expect(f).toBeDefined();
    const finding = f as Finding;
    expect(validate('Finding', finding).ok).toBe(true);
    expect(finding.message).toBe('request.args (line 6) reaches requests.get() unsanitised: server-side request forgery.');
    expect(finding.flow?.map((s) => s.lines?.start)).toEqual([6, 6, 7]);
    expect(finding.flow?.at(-1)?.range).toEqual(finding.range);
  });

  it('gives each rule a CWE and a documented severity', () => {
    for (const r of PYTHON_RULES) {
      expect(r.cwe).toMatch(/^CWE-\d+$/);
      expect(['low', 'medium', 'high', 'critical']).toContain(r.severity);
      expect(r.message.length).toBeGreaterThan(10);
    }
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

/** The tree-sitter queries four rules had before the engine walked them as plain call patterns with a predicate. */
const QUERIES_REPLACED: Record<string, { query: string; predicate?: (m: RuleMatch) => boolean }> = {
  'python.weak-hash': {
    query:
      '((call function: (attribute) @fn) @finding (#match? @fn "^(hashlib\\\\.)?(md4|md5|sha1|sha)$")) ((call function: (attribute) @fn arguments: (argument_list . (string) @algo)) @finding (#match? @fn "^hashlib\\\\.new$") (#match? @algo "[mM][dD][45]|[sS][hH][aA]1")) ((call function: (attribute) @fn) @finding (#match? @fn "^(MD5|SHA1|SHA|MD4|MD2)\\\\.new$"))',
  },
  'python.cookie-insecure': {
    query:
      '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list (keyword_argument name: (identifier) @k value: (false)))) @finding (#eq? @fn "set_cookie") (#eq? @k "secure"))',
  },
  'python.bind-all-interfaces': {
    query:
      '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list (tuple . (string) @host))) @finding (#eq? @fn "bind"))',
    predicate: (m) => literalText(m.captures.host) === '0.0.0.0',
  },
  'python.debug-mode': {
    query:
      '((call function: (attribute object: (_) @app attribute: (identifier) @fn) arguments: (argument_list (keyword_argument name: (identifier) @k value: (true)))) @finding (#eq? @fn "run") (#eq? @k "debug"))',
  },
};

/** Calls the four rules tell apart by argument order, comments, spacing, keyword names and literal kinds. */
const TRICKY_CALLS = `import hashlib, socket
hashlib.new("md5")
hashlib.new('SHA1', data)
hashlib.new(  # the algorithm
    "md5")
hashlib.new(name="md5")
hashlib.new(algo, "md5")
hashlib.new(b"md4")
hashlib.new(f"md{n}")
hashlib . md5(x)
hashlib.sha256(x)
MD5.new()
Crypto.Hash.MD5.new()
resp.set_cookie("a", "b", secure=False)
resp.set_cookie("a", secure=(False))
resp.set_cookie("a", httponly=False, secure=True)
resp.set_cookie("a", httponly=False, secure=False)
set_cookie("a", secure=False)
resp . set_cookie("a", secure = False)
s.bind(("0.0.0.0", 80))
s.bind(('0.0.0.0', 80))
s.bind(addr, ("0.0.0.0", 80))
s.bind((  # any
    "0.0.0.0", 80))
s.bind((host, "0.0.0.0"))
s.bind(["0.0.0.0", 80])
s.rebind(("0.0.0.0", 80))
app.run(debug=True)
app.run(host="0.0.0.0", port=5000, debug=True)
app.run(debug=False, threaded=True)
app.run(debug=(True))
make_app().run(debug=True)
(app).run(debug = True)
app.rerun(debug=True)
run(debug=True)
app.run(debug=True, debug=False)
`;

describe('Python rules the engine walks in place of tree-sitter queries', () => {
  for (const [id, replaced] of Object.entries(QUERIES_REPLACED)) {
    it(`${id}: the same findings as the query it replaced`, () => {
      const rule = PYTHON_RULES.find((r) => r.id === id) as Rule;
      expect(rule.query).not.toBe(replaced.query);
      const { predicate, ...rest } = rule;
      const before = new BuiltinAnalyzer({
        languages: [
          {
            language: 'python',
            rules: [{ ...rest, query: replaced.query, ...(replaced.predicate ? { predicate: replaced.predicate } : {}) }],
          },
        ],
      });
      const after = new BuiltinAnalyzer({ languages: [{ language: 'python', rules: [rule] }] });
      const found = before.analyzeSync(TRICKY_CALLS, 'python');
      expect(found.length).toBeGreaterThan(2);
      expect(after.analyzeSync(TRICKY_CALLS, 'python')).toEqual(found);
    });
  }
});

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
