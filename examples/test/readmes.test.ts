import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const PACKAGES = ['dataset', 'reflect', 'token-reward', 'rl-core', 'eval'];

/** The README's first TypeScript block, and the outputs its comments promise (`console.log(x); // out` or a `// out` line after it). */
function openingExample(pkg: string): { code: string; expected: string[] } {
  const readme = readFileSync(join(ROOT, 'packages', pkg, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const lines = code.split('\n');
  const expected: string[] = [];
  lines.forEach((line, i) => {
    if (!/console\.log\(/.test(line) && !/^\s*\);/.test(line)) return;
    const trailing = /\);\s*\/\/\s*(.+)$/.exec(line)?.[1];
    const next = /^\s*\/\/\s*(.+)$/.exec(lines[i + 1] ?? '')?.[1];
    const out = trailing ?? next;
    if (out) expected.push(out.trim());
  });
  return { code, expected };
}

describe('package READMEs', () => {
  it.each(PACKAGES)('the opening example of @srcode/%s runs against the published entry points', (pkg) => {
    const { code, expected } = openingExample(pkg);
    expect(code, 'README has a ```ts block').not.toBe('');
    // Written inside the repository so `@srcode/*` resolves through the workspace links (built by `pnpm test`).
    const dir = join(ROOT, '.out', 'readme-examples', pkg);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'example.mts');
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const flat = (s: string) => s.replace(/\s+/g, ' ');
    for (const e of expected) expect(flat(r.stdout)).toContain(flat(e));
  });
});
