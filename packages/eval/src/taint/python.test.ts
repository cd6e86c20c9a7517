import { parse } from '@srcode/syntax';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';
import { hostControlled, pythonTaintFlows, scopeHits } from './python.js';

const analyzer = new BuiltinAnalyzer();

function rules(code: string): string[] {
  return analyzer.analyzeSync(code, 'python').map((f) => `${f.lines?.start}:${f.ruleId}`);
}

describe('Python taint flows', () => {
  it('names source and sink and gives the steps in between, source first', () => {
    const code = `from flask import request, redirect

@app.route("/go")
def go():
    nxt = request.args.get("next")
    target = "/" + nxt
    return redirect(target)
`;
    const [flow, ...rest] = pythonTaintFlows(code);
    expect(rest).toEqual([]);
    expect(flow?.ruleId).toBe('python.open-redirect');
    expect(flow?.message).toMatch(/request\.args \(line 5\) reaches redirect\(\)/);
    const steps = flow?.flow ?? [];
    expect(steps.map((s) => s.lines?.start)).toEqual([5, 5, 6, 7]);
    expect(code.slice(steps[0]?.range.start, steps[0]?.range.end)).toBe('request.args');
    expect(steps.at(-1)?.message).toBe('passed to redirect()');
    expect(code.slice(flow?.range.start, flow?.range.end)).toBe('redirect(target)');
  });

  it('follows tuple unpacking, augmented assignment, containers, f-strings, % and .format', () => {
    const code = `import os
from flask import request

@app.route("/a")
def a():
    host, port = request.args["h"], 80
    cmd = "ping "
    cmd += host
    os.system(cmd)
    parts = []
    parts.append(request.form["x"])
    os.system(" ".join(parts))
    os.system("echo %s" % (request.cookies.get("c"),))
    os.system("echo {}".format(request.headers["H"]))
    os.system(f"echo {port}")
`;
    const msgs = pythonTaintFlows(code).map((f) => f.message.split(' (')[0]);
    expect(msgs).toEqual(['request.args', 'request.form', 'request.cookies', 'request.headers']);
  });

  it('clears a value after an allow-list guard, int(), shlex.quote, and only for the sink it protects', () => {
    const code = `import os, shlex, subprocess
from flask import request, redirect
ALLOWED = {"a", "b"}

@app.route("/b")
def b():
    name = request.args["n"]
    if name not in ALLOWED:
        return "no", 400
    os.system("run " + name)
    n = int(request.args["k"])
    os.system("run %d" % n)
    q = shlex.quote(request.args["q"])
    subprocess.run("grep " + q, shell=True)
    return redirect(q)
`;
    expect(pythonTaintFlows(code).map((f) => `${f.ruleId}:${f.flow.at(-1)?.lines?.start}`)).toEqual(['python.open-redirect:15']);
  });

  it('treats a positive membership test as a guard inside its body only', () => {
    const code = `from flask import request, redirect

@app.route("/c")
def c():
    url = request.args["u"]
    if url in ("/home", "/help"):
        return redirect(url)
    return redirect(url)
`;
    expect(rules(code)).toEqual(['8:python.open-redirect']);
  });

  it('accepts realpath + startswith and resolve().relative_to as path checks', () => {
    const code = `import os
from pathlib import Path
from flask import request, send_file
BASE = Path("/srv")

@app.route("/d")
def d():
    p = os.path.realpath(os.path.join("/srv", request.args["f"]))
    if not p.startswith("/srv/"):
        abort(403)
    send_file(p)
    q = (BASE / request.args["g"]).resolve()
    q.relative_to(BASE)
    send_file(q)
    return send_file(os.path.join("/srv", request.args["h"]))
`;
    expect(rules(code)).toEqual(['15:python.path-traversal']);
  });

  it('taints parameters only for the sinks that accept them', () => {
    const code = `import re, requests

def helper(url, pattern, text, cur):
    requests.get(url)
    re.search(pattern, text)
    cur.execute("SELECT * FROM t WHERE a = '%s'" % text)
    requests.get(f"https://{text}.example.com/api")
`;
    expect(rules(code)).toEqual(['6:python.sql-format', '7:python.ssrf']);
  });

  it('treats route and Django view parameters as request data', () => {
    const code = `import os

@app.get("/files/{name}")
def read(name: str):
    return open(name).read()

def view(request, slug):
    os.remove(slug)

@app.get("/n/{n}")
def num(n: int):
    return open(f"/srv/{n}.txt").read()
`;
    expect(rules(code)).toEqual(['5:python.path-traversal', '8:python.path-traversal']);
  });

  it('keeps escaped values clean in HTML built later, and flags the unescaped one', () => {
    const code = `from html import escape
from flask import request

@app.route("/e")
def e():
    safe = escape(request.args.get("a", ""))
    raw = request.args.get("b", "")
    page = "<p>" + safe + "</p>"
    if raw:
        return "<b>" + raw + "</b>"
    return page
`;
    expect(rules(code)).toEqual(['10:python.xss']);
  });

  it('walks module-level code and fragments that do not parse', () => {
    const code = `import os, sys
target = sys.argv[1]
os.system("rm -rf " + target)
while self.enabled:
    try:
        if self.output_dir:
            os.system("ls %s" % os.path.join(self.output_dir, "x"))
    print 'done'
`;
    const root = parse(code, 'python').rootNode;
    expect(scopeHits(code, root).map((h) => `${h.rule}:${h.node.startPosition.row + 1}:${h.flows.length}`)).toEqual([
      'python.os-command:3:1',
      'python.os-command:7:0',
    ]);
  });

  it('computes each scope once per source text', () => {
    const code = 'import os\ndef f(a):\n    os.system(a)\n';
    const fn = parse(code, 'python').rootNode.descendantsOfType('function_definition')[0];
    expect(fn).toBeDefined();
    const first = scopeHits(code, fn as never);
    expect(scopeHits(code, fn as never)).toBe(first);
  });

  it('knows when the host part of a URL is controlled by what follows the prefix', () => {
    expect(hostControlled('')).toBe(true);
    expect(hostControlled('https://')).toBe(true);
    expect(hostControlled('http://api.')).toBe(true);
    expect(hostControlled('/')).toBe(true);
    expect(hostControlled('https://api.example.com/users/')).toBe(false);
    expect(hostControlled('/profile/')).toBe(false);
  });
});
