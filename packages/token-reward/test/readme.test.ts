import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const SRC = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const env = { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('./tsconfig.cli.json', import.meta.url)) };

describe('README', () => {
  it('its opening example runs as written and prints what the README says', () => {
    const text = readFileSync(README, 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const printed = /prints\n\n```\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'srcode-reward-readme-'));
    const file = join(dir, 'example.mts');
    writeFileSync(file, example.replaceAll("from '@srcode/token-reward'", `from ${JSON.stringify(SRC)}`));
    const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(printed);
  });
});
