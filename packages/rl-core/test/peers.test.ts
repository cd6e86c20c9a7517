import { describe, expect, it } from 'vitest';
import { isMissingPeer } from '../src/tfjs/peers.js';
import { train } from '../src/train.js';

const notFound = (message: string) => Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' });

describe('the TF.js peers', () => {
  it('a peer missing, or a subpath of one, reads as a missing peer', () => {
    expect(
      isMissingPeer(notFound("Cannot find package '@tensorflow/tfjs' imported from /app/node_modules/@srcode/rl-core/dist/cli.js")),
    ).toBe(true);
    expect(isMissingPeer(notFound("Cannot find module '@tensorflow/tfjs-core/dist/ops' imported from /app/x.js"))).toBe(true);
  });

  it('a dependency of an installed peer missing is a broken install, not a missing peer', () => {
    expect(
      isMissingPeer(notFound("Cannot find package 'seedrandom' imported from /app/node_modules/@tensorflow/tfjs-core/dist/index.js")),
    ).toBe(false);
    expect(isMissingPeer(new Error("Cannot find package '@tensorflow/tfjs'"))).toBe(false);
  });
});

describe('train', () => {
  it('refuses a random stream without a state when it checkpoints (it could not resume exactly)', async () => {
    const policy = { maxLength: 8, sample: async () => [], evaluate: async () => ({}), sftStep: async () => 0, ppoStep: async () => ({}) };
    await expect(
      train({
        policy: { ...policy, save: async () => {}, restore: async () => {} } as never,
        steps: 1,
        random: Math.random as never,
        sft: { examples: () => [], prompt: () => [1], target: () => [2] },
        checkpoint: { dir: '/nonexistent/never-written' },
      }),
    ).rejects.toMatchObject({ code: 'invalid-option' });
  });
});
