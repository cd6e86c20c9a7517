import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const SRC = fileURLToPath(new URL('../src/index.ts', import.meta.url));
// The TypeScript loader, by absolute URL so the example can run from a folder of its own.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('README', () => {
  it('its opening TypeScript example runs as written', () => {
    const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
    expect(example).toBeDefined();
    const dir = tempDir();
    const file = join(dir, 'example.mts');
    writeFileSync(file, example!.replaceAll("from '@srcode/dataset'", `from ${JSON.stringify(SRC)}`));
    const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("'CWE-787': 3");
    expect(readFileSync(join(dir, 'pairs.jsonl'), 'utf8').trim().split('\n').length).toBe(12);
  });
});
