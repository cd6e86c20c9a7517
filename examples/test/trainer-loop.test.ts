import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('examples/trainer-loop.ts', () => {
  it('trains with token-level rewards from the published packages and reports insecure rates', () => {
    // Imports go through the packages' published entry points (built by `pnpm test` first).
    const r = spawnSync(
      process.execPath,
      ['--import', TSX, 'examples/trainer-loop.ts', '--sft-steps', '20', '--rl-steps', '1', '--backend', 'cpu'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    expect(out).toMatchObject({ insecure: 'yaml.load(text)', secure: 'yaml.safe_load(text)' });
    expect(out.insecureRateBefore).toBeGreaterThanOrEqual(0);
    expect(out.insecureRateAfter).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/rl step 1: mean reward -?\d/);
  });
});
