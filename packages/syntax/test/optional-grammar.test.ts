import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLanguage, parse, registerLanguage, SyntaxLayerError } from '../src/index.js';
import { requireOptionalGrammar } from '../src/load.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const DATASET = join(PKG, '..', 'dataset');
const require = createRequire(import.meta.url);
const TSUP = join(dirname(require.resolve('tsup/package.json')), 'dist/cli-default.js');
/** The version of tree-sitter-cpp the package asks for as its optional peer, which the error must name. */
const CPP_PEER = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> })
  .peerDependencies['tree-sitter-cpp'];

describe('an optional grammar package', () => {
  it('names the package and version to install when it is absent', () => {
    const attempt = () => requireOptionalGrammar('cobol', 'tree-sitter-cobol-not-installed', '1.2.3');
    expect(attempt).toThrowError(SyntaxLayerError);
    expect(attempt).toThrowError(
      /the "cobol" grammar is the optional package tree-sitter-cobol-not-installed, which is not installed: npm install tree-sitter-cobol-not-installed@1\.2\.3/,
    );
  });

  it('reaches getLanguage unwrapped, with the code of an unknown language', () => {
    registerLanguage({
      ...getLanguage('c').spec,
      name: 'cobol',
      grammar: () => requireOptionalGrammar('cobol', 'tree-sitter-cobol-not-installed', '1.2.3'),
    });
    let thrown: unknown;
    try {
      getLanguage('cobol');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SyntaxLayerError);
    expect((thrown as SyntaxLayerError).code).toBe('unknown-language');
    expect((thrown as Error).message).toMatch(/optional package tree-sitter-cobol-not-installed/);
    expect(((thrown as Error).cause as NodeJS.ErrnoException).code).toBe('MODULE_NOT_FOUND');
  });

  it('parses C++ where tree-sitter-cpp is installed (this workspace)', () => {
    expect(parse('namespace io { int f(int x) { return x; } }', 'cpp').rootNode.type).toBe('translation_unit');
  });
});

// An install of the built package beside tree-sitter, tree-sitter-c and tree-sitter-python but without
// tree-sitter-cpp, as `npm install @srcode/syntax` leaves it; ESM and CJS both run as real processes.
describe('an install without tree-sitter-cpp', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'srcode-syntax-nocpp-'));
    const modules = join(root, 'node_modules');
    for (const [dir, name] of [
      [PKG, 'syntax'],
      [DATASET, 'dataset'],
    ] as const) {
      const into = join(modules, '@srcode', name);
      mkdirSync(into, { recursive: true });
      cpSync(join(dir, 'package.json'), join(into, 'package.json'));
      const built = spawnSync(process.execPath, [TSUP, '--out-dir', join(into, 'dist')], { cwd: dir, encoding: 'utf8' });
      if (built.status !== 0) throw new Error(`tsup failed for ${name}:\n${built.stdout}${built.stderr}`);
    }
    symlinkSync(realpathSync(join(DATASET, 'node_modules')), join(modules, '@srcode', 'dataset', 'node_modules'));
    for (const dep of ['tree-sitter', 'tree-sitter-c', 'tree-sitter-python']) {
      symlinkSync(realpathSync(join(PKG, 'node_modules', dep)), join(modules, dep));
    }
  }, 120_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const script = `
    const code = (e) => e && e.code;
    syntax.parse('int main(void) { return 0; }', 'c');
    syntax.parse('def f():\\n    return 1\\n', 'python');
    try {
      syntax.parse('namespace io {}', 'cpp');
      console.log('parsed');
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, code: code(e), typed: e instanceof syntax.SyntaxLayerError, message: e.message }));
    }`;

  for (const [kind, args] of [
    ['ESM', ['--input-type=module', '-e', `import * as syntax from '@srcode/syntax';${script}`]],
    ['CJS', ['-e', `const syntax = require('@srcode/syntax');${script}`]],
  ] as const) {
    it(`parses C and Python, and a C++ parse throws the typed error naming the package (${kind})`, () => {
      // pnpm's scripts set NODE_PATH to the workspace's hoisted packages, which a user's project lacks
      const { NODE_PATH: _hoisted, ...env } = process.env;
      const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout.trim()) as { name: string; code: string; typed: boolean; message: string };
      expect(out).toMatchObject({ name: 'SyntaxLayerError', code: 'unknown-language', typed: true });
      expect(out.message).toContain(`npm install tree-sitter-cpp@${CPP_PEER}`);
    });
  }

  // a scan starts by importing the package and asking for each file's language: none of that needs
  // @srcode/dataset's code (its entry loads diff and crypto), only the extension table bundled here
  const startUp = [
    "const loaded = (m) => process.moduleLoadList.includes('NativeModule ' + m);",
    "const out = { language: syntax.languageForFile('app/views.PY'), type: syntax.parse('x = 1', 'python').rootNode.type };",
    "out.crypto = loaded('crypto');",
    "out.files = typeof require === 'function' ? Object.keys(require.cache).filter((f) => /[/](dataset|diff)[/]/.test(f)) : [];",
    'console.log(JSON.stringify(out));',
  ].join('\n');
  // ESM resolve hooks that refuse @srcode/dataset and diff, so importing either fails the run
  const hooks = [
    'export async function resolve(specifier, context, next) {',
    '  if (/^(@srcode[/]dataset|diff)([/]|$)/.test(specifier)) throw new Error("loaded " + specifier);',
    '  return next(specifier, context);',
    '}',
  ].join('\n');

  for (const [kind, file, head] of [
    ['ESM', 'start-up.mjs', "import * as syntax from '@srcode/syntax';"],
    ['CJS', 'start-up.cjs', "const syntax = require('@srcode/syntax');"],
  ] as const) {
    it(`loads neither @srcode/dataset nor diff nor crypto to import, tell a file's language and parse (${kind})`, () => {
      writeFileSync(join(root, file), `${head}\n${startUp}\n`);
      writeFileSync(join(root, 'hooks.mjs'), hooks);
      writeFileSync(join(root, 'refuse.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      const { NODE_PATH: _hoisted, ...env } = process.env;
      const r = spawnSync(process.execPath, ['--import', './refuse.mjs', file], { cwd: root, encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual({ language: 'python', type: 'module', crypto: false, files: [] });
    });
  }
});
