import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type TokenRewardMap, validate } from '@srcode/dataset';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedPair } from './helpers.js';
import { QWEN_DIR } from './qwen.js';
import { hasSven, loadSvenVal } from './sven.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const CLIENT = fileURLToPath(new URL('../../../examples/token-reward-client.py', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const PYTHON = '/usr/bin/python3';

/** Runs the built command in a child process, as a user runs it (build @srcode/dataset and this package first). */
function run(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm --filter @srcode/token-reward build`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

const dir = mkdtempSync(join(tmpdir(), 'srcode-reward-cli-'));
const pairsFile = join(dir, 'pairs.jsonl');
const samplePairs = [
  markedPair('copy', 'c', 'void f(const char *s) {\n  char buf[16];\n  [-strcpy(buf, s)-]{+strncpy(buf, s, sizeof buf)+};\n}\n'),
  markedPair('sql', 'python', 'def q(c, n):\n    c.execute("SELECT 1 WHERE n = [-\'%s\'" % n-]{+%s", (n,)+})\n'),
  { ...markedPair('rusty', 'c', 'fn main() { [-a-]{+b+}(); }'), language: 'rust' as const },
];
writeFileSync(pairsFile, `${samplePairs.map((p) => JSON.stringify(p)).join('\n')}\n`);

describe('srcode-reward CLI', () => {
  it('fails clearly on a missing option or a bad value', () => {
    expect(run('spans', '--out', join(dir, 'x.jsonl'))).toEqual({
      status: 2,
      stdout: '',
      stderr: 'srcode-reward spans: expected --pairs FILE\n',
    });
    expect(run('map', '--pairs', pairsFile, '--tokenizer', 'bytes', '--out', join(dir, 'x.jsonl'), '--side', 'left')).toMatchObject({
      status: 2,
      stderr: 'srcode-reward map: --side must be both, fixed or vulnerable, not "left"\n',
    });
    expect(run('serve', '--port', '70000')).toMatchObject({
      status: 2,
      stderr: 'srcode-reward serve: --port must be 0..65535, not "70000"\n',
    });
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
  });

  it('map: a tokenizer path that does not exist exits 2 naming it, before reading the pairs', () => {
    const missing = join(dir, 'no-tokenizer');
    const r = run('map', '--pairs', pairsFile, '--tokenizer', missing, '--out', join(dir, 'x.jsonl'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `srcode-reward map: ${missing}: expected a tokenizer.json, a folder holding one, or "bytes"; found nothing there\n`,
    );
  });

  it('spans: writes each pair with its AST spans and reports pairs it cannot handle', () => {
    const out = join(dir, 'spans.jsonl');
    const r = run('spans', '--pairs', pairsFile, '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/pair rusty: unknown language "rust"/);
    expect(r.stderr).toMatch(/2 of 3 pairs done, 1 skipped/);
    const lines = readLines(out) as Array<{ pairId: string; spans: Array<{ side: string; nodeType: string; start: number; end: number }> }>;
    expect(lines.map((l) => l.pairId)).toEqual(['copy', 'sql']);
    expect(lines[0]?.spans.map((s) => `${s.side} ${s.nodeType}`)).toEqual(['vulnerable call_expression', 'fixed call_expression']);
  });

  it('map: writes valid TokenRewardMap records with a real tokenizer', () => {
    const out = join(dir, 'maps.jsonl');
    const r = run('map', '--pairs', pairsFile, '--tokenizer', QWEN_DIR, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const maps = readLines(out) as TokenRewardMap[];
    expect(maps.map((m) => m.id)).toEqual(['copy:vulnerable', 'copy:fixed', 'sql:vulnerable', 'sql:fixed']);
    for (const m of maps) expect(validate('TokenRewardMap', m).ok).toBe(true);
    expect(maps[0]?.tokenizer).toBe('hf:models');
    const fixedOnly = join(dir, 'fixed.jsonl');
    expect(run('map', '--pairs', pairsFile, '--tokenizer', 'bytes', '--side', 'fixed', '--out', fixedOnly).status).toBe(0);
    expect((readLines(fixedOnly) as TokenRewardMap[]).map((m) => `${m.id} ${m.tokenizer}`)).toEqual([
      'copy:fixed bytes',
      'sql:fixed bytes',
    ]);
  });
});

describe('srcode-reward follows the shared CLI convention', () => {
  const COMMANDS = ['spans', 'map', 'render', 'serve'];
  const scratch = mkdtempSync(join(tmpdir(), 'srcode-reward-convention-'));
  const missing = join(scratch, 'missing.jsonl');
  const fresh = join(scratch, 'new');
  const lines = (text: string) => text.trimEnd().split('\n');

  it('--help, -h and help list every command on stdout with exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = run(flag);
      expect(r.status, `${flag}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: srcode-reward <command> \[options\]/);
      for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\\n  ${command} +\\S`));
      expect(r.stdout).toContain('--tokenizer takes a folder (or file) with a Hugging Face tokenizer.json');
    }
  });

  it('<command> --help prints its usage on stdout with exit 0 and does not run it', () => {
    const r = run('spans', '--pairs', missing, '--out', join(fresh, 'spans.jsonl'), '--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: srcode-reward spans --pairs FILE --out FILE\n/);
    expect(existsSync(fresh)).toBe(false);
    expect(run('help', 'map').stdout).toMatch(
      /^usage: srcode-reward map --pairs FILE --tokenizer PATH\|bytes --out FILE \[--side both\|fixed\|vulnerable\]\n/,
    );
    for (const command of COMMANDS) expect(run(command, '-h').stdout).toMatch(new RegExp(`^usage: srcode-reward ${command} `));
  });

  it('serve --help prints its usage and exits instead of serving', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: srcode-reward serve \[--port 0\]/);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('--version prints the package version', () => {
    expect(run('--version')).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('no command and an unknown command exit 2 with one line on stderr', () => {
    const none = run();
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(lines(none.stderr)).toEqual([
      "srcode-reward: expected a command (one of spans, map, render, serve); see 'srcode-reward --help'",
    ]);
    const unknown = run('nope');
    expect(unknown.status).toBe(2);
    expect(lines(unknown.stderr)).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^srcode-reward: unknown command 'nope' .*srcode-reward --help/);
  });

  it('an unknown option, or one of another command, exits 2 with a hint to the command help', () => {
    for (const option of ['--no-such-option', '--limit']) {
      const r = run('spans', '--pairs', pairsFile, '--out', join(fresh, 'spans.jsonl'), option, '3');
      expect(r.status, option).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toEqual([`srcode-reward spans: Unknown option '${option}' (see 'srcode-reward spans --help')`]);
    }
    expect(existsSync(fresh)).toBe(false);
  });

  it('a missing input file exits 2 naming the path, and writes nothing', () => {
    for (const args of [
      ['spans', '--pairs', missing, '--out', join(fresh, 'spans.jsonl')],
      ['map', '--pairs', missing, '--tokenizer', 'bytes', '--out', join(fresh, 'maps.jsonl')],
      ['render', '--maps', missing, '--out', join(fresh, 'maps.html')],
      ['serve', '--pairs', missing],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r).toMatchObject({ stdout: '', stderr: `srcode-reward ${args[0]}: ${missing}: no such file or folder\n` });
      expect(existsSync(fresh)).toBe(false);
    }
  });

  it('a folder where a file is expected exits 2 naming the path, and writes nothing', () => {
    for (const args of [
      ['spans', '--pairs', scratch, '--out', join(fresh, 'spans.jsonl')],
      ['map', '--pairs', scratch, '--tokenizer', 'bytes', '--out', join(fresh, 'maps.jsonl')],
      ['render', '--maps', scratch, '--out', join(fresh, 'maps.html')],
      ['serve', '--pairs', scratch],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r).toMatchObject({ stdout: '', stderr: `srcode-reward ${args[0]}: ${scratch}: is a folder, expected a file\n` });
      expect(existsSync(fresh)).toBe(false);
    }
  });

  it('a file with no valid record exits 2 naming it, and writes nothing', () => {
    const junk = join(scratch, 'notes.txt');
    writeFileSync(junk, 'these are notes\nnot JSON lines\n');
    for (const [args, kind] of [
      [['spans', '--pairs', junk, '--out', join(fresh, 'spans.jsonl')], 'RepairPair'],
      [['map', '--pairs', junk, '--tokenizer', 'bytes', '--out', join(fresh, 'maps.jsonl')], 'RepairPair'],
      [['render', '--maps', junk, '--out', join(fresh, 'maps.html')], 'TokenRewardMap'],
      [['render', '--maps', pairsFile, '--out', join(fresh, 'maps.html')], 'TokenRewardMap'],
      [['serve', '--pairs', junk], 'RepairPair'],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const file = args[2];
      expect(lines(r.stderr).at(-1)).toContain(`srcode-reward ${args[0]}: ${file}: no valid ${kind} record read (`);
      expect(existsSync(fresh)).toBe(false);
    }
  });

  it('serve refuses bad limits and unknown analysers before listening', () => {
    for (const [flag, value, message] of [
      ['--workers', 'two', '--workers must be a non-negative integer, not "two"'],
      ['--max-completions', '0', '--max-completions must be a positive integer, not "0"'],
      ['--max-work-chars', 'lots', '--max-work-chars must be a positive integer, not "lots"'],
      ['--max-body-bytes', '1.5', '--max-body-bytes must be a positive integer, not "1.5"'],
    ] as const) {
      expect(run('serve', flag, value)).toMatchObject({ status: 2, stdout: '', stderr: `srcode-reward serve: ${message}\n` });
    }
    const r = run('serve', '--analyzer', 'builtin,nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^srcode-reward serve: --analyzer: unknown "nope"; known: builtin, /);
  });

  it('writes its outputs into folders that do not exist yet', () => {
    const out = join(fresh, 'deeper', 'spans.jsonl');
    const r = run('spans', '--pairs', pairsFile, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(readLines(out)).toHaveLength(2);
  });
});

/** Colours the browser computed for each token, recorded by a script appended to the page. */
function computedColours(html: string, name: string): Array<{ reward: number; background: string; border: string }> {
  const probe = `<script>
const rows = [...document.querySelectorAll('.tok')].map((e) => {
  const cs = getComputedStyle(e);
  return { reward: Number(e.dataset.reward), background: cs.backgroundColor, border: cs.borderTopStyle };
});
const pre = document.createElement('pre');
pre.id = 'computed';
pre.textContent = JSON.stringify(rows);
document.body.append(pre);
</script></body>`;
  const file = join(dir, name);
  writeFileSync(file, html.replace('</body>', probe));
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'srcode-chromium-'))}`,
      '--dump-dom',
      pathToFileURL(file).href,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const m = /<pre id="computed">([\s\S]*?)<\/pre>/.exec(r.stdout);
  if (!m?.[1]) throw new Error(`no computed colours in the dumped DOM: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(
    m[1]
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

const rgba = (css: string) => (/rgba?\(([^)]*)\)/.exec(css)?.[1] ?? '').split(',').map((x) => Number(x.trim()));

describe.skipIf(!hasSven || !existsSync(CHROMIUM))('render in headless chromium (needs SVEN val and /usr/bin/chromium)', () => {
  it('colours every token by the sign of its reward and outlines spans, on three SVEN maps', () => {
    const chosen = ['sven-val-cwe-787-1', 'sven-val-cwe-089-1', 'sven-val-cwe-416-1'];
    const pairs = loadSvenVal().filter((p) => chosen.includes(p.id));
    expect(pairs).toHaveLength(3);
    const file = join(dir, 'sven-pairs.jsonl');
    writeFileSync(file, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
    const maps = join(dir, 'sven-maps.jsonl');
    expect(run('map', '--pairs', file, '--tokenizer', QWEN_DIR, '--out', maps).status).toBe(0);
    const records = readLines(maps) as TokenRewardMap[];
    for (const [k, id] of chosen.entries()) {
      // one page per pair: its vulnerable and fixed maps
      const subset = join(dir, `${id}.jsonl`);
      writeFileSync(
        subset,
        `${records
          .filter((m) => m.pairId === id)
          .map((m) => JSON.stringify(m))
          .join('\n')}\n`,
      );
      const html = join(dir, `${id}.html`);
      expect(run('render', '--maps', subset, '--out', html, '--title', id).status).toBe(0);
      const page = readFileSync(html, 'utf8');
      expect(page).not.toMatch(/<link|src="http|href="http/);
      const rows = computedColours(page, `probe-${k}.html`);
      expect(rows.length).toBeGreaterThan(100);
      let positive = 0;
      let negative = 0;
      for (const row of rows) {
        const [r = 0, g = 0, , a = 1] = rgba(row.background);
        if (row.reward > 0) {
          positive++;
          expect(g).toBeGreaterThan(r);
          expect(a).toBeGreaterThan(0);
        } else if (row.reward < 0) {
          negative++;
          expect(r).toBeGreaterThan(g);
          expect(a).toBeGreaterThan(0);
        } else {
          expect(a).toBe(0);
        }
      }
      expect(positive).toBeGreaterThan(0);
      expect(negative).toBeGreaterThan(0);
      expect(rows.some((row) => row.border === 'solid')).toBe(true);
      expect(rows.some((row) => row.border === 'dashed')).toBe(true);
    }
  });
});

describe.skipIf(!existsSync(PYTHON))('serve with the Python client (needs /usr/bin/python3)', () => {
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--pairs', pairsFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
  });

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  it('turns the answer into per-token rewards aligned with the trainer tokens', () => {
    const r = spawnSync(PYTHON, [CLIENT, '--url', url, '--demo'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const [secure, vulnerable] = JSON.parse(r.stdout) as Array<{ tokens: string[]; rewards: number[] }>;
    expect(secure?.rewards).toHaveLength(secure?.tokens.length ?? -1);
    const at = (x: { tokens: string[]; rewards: number[] } | undefined, token: string) => x?.rewards[x.tokens.indexOf(token)];
    expect(at(secure, 'strncpy')).toBeGreaterThan(0);
    expect(at(secure, 'char')).toBe(0);
    expect(at(vulnerable, 'strcpy')).toBeLessThan(0);
  });

  it('reports a bad request from Python as a clear error', () => {
    const code = `import importlib.util, sys
spec = importlib.util.spec_from_file_location("client", ${JSON.stringify(CLIENT)})
client = importlib.util.module_from_spec(spec); spec.loader.exec_module(client)
try:
    client.token_rewards(${JSON.stringify(url)}, [{"text": "ab", "offsets": [[0, 9]]}], pair_id="copy")
except RuntimeError as e:
    print(e)
`;
    const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/400 invalid-offsets: .*past the text's end/);
  });

  it('shuts down gracefully on SIGTERM while a keep-alive client keeps sending', async () => {
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      server.once('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    const { port } = new URL(url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ pairId: 'copy', completions: [{ text: 'x', offsets: [[0, 1]] }] });
    const send = (hold?: Promise<unknown>, arrived?: () => void) =>
      new Promise<number | string>((resolve) => {
        const headers = {
          'content-length': body.length,
          'content-type': 'application/json',
          ...(arrived ? { expect: '100-continue' } : {}),
        };
        const req = request({ agent, port, host: '127.0.0.1', method: 'POST', path: '/v1/rewards', headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        // the server answers 100 Continue once it has taken the request
        if (arrived) req.once('continue', arrived);
        req.write(body.slice(0, 5));
        if (hold) void hold.then(() => req.end(body.slice(5)));
        else req.end(body.slice(5));
      });
    expect(await send()).toBe(200);
    // a request in flight when the signal comes: its headers are in, its body is not
    let release = () => {};
    let taken = () => {};
    const arrived = new Promise<void>((r) => {
      taken = r;
    });
    const inFlight = send(
      new Promise<void>((r) => {
        release = r;
      }),
      () => taken(),
    );
    await arrived;
    const stopping = new Promise<void>((resolve) => server.stderr?.on('data', (d: Buffer) => /shutting down/.test(String(d)) && resolve()));
    server.kill('SIGTERM');
    await stopping;
    release();
    expect(await inFlight).toBe(200);
    // the client keeps the connection busy; the server must still stop
    let last: number | string = 'none sent';
    for (let i = 0; i < 100 && exitCode === undefined; i++) {
      last = await send();
      if (last !== 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // served for good on the same connection, or stopped: it must be stopped
    expect(last).not.toBe(200);
    expect(await exited).toBe(0);
    agent.destroy();
  });
});

describe('serve as a subprocess: analysers in its workers, and SIGTERM with a large reply in flight', () => {
  let server: ChildProcess;
  let port: number;
  let stderr = '';

  beforeAll(async () => {
    server = spawn(
      process.execPath,
      [CLI, 'serve', '--pairs', pairsFile, '--tokenizer', 'bytes', '--analyzer', 'builtin', '--workers', '2'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m?.[1]) resolve(Number(m[1]));
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    });
  });

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  it('folds the findings of --analyzer builtin, run in the worker threads, into the rewards', async () => {
    const text = 'import subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n';
    const res = await fetch(`http://127.0.0.1:${port}/v1/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairId: 'sql', completions: [{ text }] }),
    });
    expect(res.status).toBe(200);
    const [result] = ((await res.json()) as { results: Array<{ spans: Array<{ start: number; end: number; source: string }> }> }).results;
    const finding = result?.spans.find((s) => s.source === 'finding');
    expect(finding && text.slice(finding.start, finding.end)).toBe('subprocess.call(cmd, shell=True)');
    expect(stderr).toContain('3 pairs, 2 worker threads, analysers builtin');
  });

  it('completes a 20 MB reply that a slow client is reading when SIGTERM comes, then exits 0', async () => {
    const text = 'int x = 1;\n'.repeat(130_000);
    const body = JSON.stringify({ pairId: 'copy', completions: [{ text }] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    const reply = await new Promise<{ length: number; declared: number; json: string }>((resolve, reject) => {
      const req = request(
        { port, host: '127.0.0.1', method: 'POST', path: '/v1/rewards', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.pause();
          server.kill('SIGTERM');
          setTimeout(() => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const all = Buffer.concat(chunks);
              resolve({ length: all.length, declared: Number(res.headers['content-length']), json: all.toString('utf8') });
            });
            res.on('error', reject);
            res.resume();
          }, 1000);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(reply.declared).toBeGreaterThan(20_000_000);
    expect(reply.length).toBe(reply.declared);
    expect((JSON.parse(reply.json) as { results: Array<{ rewards: number[] }> }).results[0]?.rewards).toHaveLength(text.length);
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down');
  });
});
