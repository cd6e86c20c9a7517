import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Checkpointable, readCheckpoint, writeCheckpoint } from '../src/checkpoint.js';

// A policy whose files are one JSON file, and whose save can be made to fail after it wrote them.
function fakePolicy(value: number): Checkpointable {
  return {
    async save(dir: string) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'weights.json'), JSON.stringify({ value }));
    },
    async restore() {},
  };
}

const state = (step: number) => ({ stage: 'sft' as const, step, random: step * 7, history: [] });

describe('checkpoints survive a crash at any point of a save', () => {
  it('a save cut short keeps the last complete checkpoint, also when only .old holds it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'srcode-ckpt-')), 'ck');
    await writeCheckpoint(dir, fakePolicy(1), state(1));
    await writeCheckpoint(dir, fakePolicy(2), state(2));
    // the state a crash between the two renames of a save leaves: the last complete checkpoint under .old
    const { renameSync } = await import('node:fs');
    renameSync(dir, `${dir}.old`);
    expect((await readCheckpoint(dir))?.state.step).toBe(2);
    // the next save is cut short before its new checkpoint takes the name: its .partial folder stays
    const failing: Checkpointable = {
      async save(at: string) {
        await fakePolicy(3).save(at);
        throw new Error('killed while saving');
      },
      async restore() {},
    };
    await expect(writeCheckpoint(dir, failing, state(3))).rejects.toThrow('killed while saving');
    const found = await readCheckpoint(dir);
    expect(found?.state.step).toBe(2);
    expect(JSON.parse(readFileSync(join(found?.dir as string, 'weights.json'), 'utf8'))).toEqual({ value: 2 });
    // a save that completes replaces it, and leaves no .old or .partial behind
    await writeCheckpoint(dir, fakePolicy(4), state(4));
    expect((await readCheckpoint(dir))?.state.step).toBe(4);
    expect(existsSync(`${dir}.old`)).toBe(false);
    expect(existsSync(`${dir}.partial`)).toBe(false);
  });
});
