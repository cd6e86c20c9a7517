import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { saveAdapter } from '../src/hf/lora.js';
import { HfPolicy } from '../src/hf/policy.js';
import { useBackend } from '../src/tfjs/backend.js';

const base = fileURLToPath(new URL('./fixtures/hf/llama-tiny', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-save-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FILES = ['adapter_config.json', 'adapter_model.safetensors', 'hf-policy.json', 'optimizer.safetensors', 'value_head.safetensors'];

describe('saving an HfPolicy writes its files as one set, through temporary files', () => {
  it('a save that cannot finish leaves the previous checkpoint whole and no temporary file behind', async () => {
    await useBackend('cpu');
    const policy = await HfPolicy.load(base, { maxLength: 8, lora: { r: 2, alpha: 4 } });
    const dir = join(tmp, 'ckpt');
    await policy.save(dir);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    const before = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f))]));
    // new adapter values, then a save whose last target is a folder
    for (const a of policy.model.adapters.values()) a.b.assign(tf.onesLike(a.b));
    rmSync(join(dir, 'hf-policy.json'));
    mkdirSync(join(dir, 'hf-policy.json'));
    await expect(policy.save(dir)).rejects.toThrow(/ckpt\/hf-policy\.json: expected a file to write, found a folder/);
    for (const f of FILES.filter((f) => f !== 'hf-policy.json'))
      expect(readFileSync(join(dir, f)).equals(before[f] as Buffer), f).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // once the folder is gone the save goes through, every file replaced, still no temporary file
    rmSync(join(dir, 'hf-policy.json'), { recursive: true });
    await policy.save(dir);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    expect(readFileSync(join(dir, 'adapter_model.safetensors')).equals(before['adapter_model.safetensors'] as Buffer)).toBe(false);
    policy.dispose();
  });

  it('saveAdapter alone replaces an adapter folder whole, and a restore names a corrupt file', async () => {
    await useBackend('cpu');
    const policy = await HfPolicy.load(base, { maxLength: 8, lora: { r: 2, alpha: 4 } });
    const dir = join(tmp, 'adapter');
    await saveAdapter(policy.model, dir);
    expect(readdirSync(dir).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const ckpt = join(tmp, 'corrupt');
    await policy.save(ckpt);
    writeFileSync(join(ckpt, 'value_head.safetensors'), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    await expect(policy.restore(ckpt)).rejects.toThrow(/corrupt\/value_head\.safetensors: expected a 200-byte header/);
    policy.dispose();
  });
});
