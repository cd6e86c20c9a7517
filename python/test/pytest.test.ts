import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** Why the suite cannot run here, or undefined when it can. */
function missing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing (Debian: apt-get install python3)`;
  const probe = spawnSync(PYTHON, ['-c', 'import pytest'], { encoding: 'utf8' });
  if (probe.status !== 0) return `pytest is missing for ${PYTHON} (Debian: apt-get install python3-pytest)`;
  return undefined;
}

const reason = missing();

describe('python: srcode-reward (pytest against the real server)', () => {
  it.skipIf(reason !== undefined)(`python/tests pass${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const r = spawnSync(PYTHON, ['-m', 'pytest', 'python/tests', '-q', '-rs', '-p', 'no:cacheprovider'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SRCODE_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 280_000,
    });
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-40).join('\n');
    expect(r.status, tail).toBe(0);
    const summary = /(\d+) passed/.exec(r.stdout);
    expect(Number(summary?.[1] ?? 0), tail).toBeGreaterThan(0);
    expect(r.stdout, tail).not.toMatch(/\d+ (failed|error)/);
    // skipped tests name their reason in the -rs summary; show them rather than count them as passes
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('SKIPPED'))) console.warn(`python: ${line}`);
  });
});
