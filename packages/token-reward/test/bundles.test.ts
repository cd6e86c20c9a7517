import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenRewardError } from '../src/index.js';
import { QWEN_DIR } from './qwen.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const TSUP = join(dirname(require.resolve('tsup/package.json')), 'dist/cli-default.js');

describe('TokenRewardError across module copies', () => {
  it('is instanceof for an error made by a second copy of the class', async () => {
    // a query string makes the loader evaluate the module again: a second class, as in a second bundle
    const copy = (await import('../src/errors.js?second-copy' as string)) as typeof import('../src/errors.js');
    expect(copy.TokenRewardError).not.toBe(TokenRewardError);
    const err = new copy.TokenRewardError('offsets-mismatch', 'x');
    expect(err).toBeInstanceOf(TokenRewardError);
    expect(new TokenRewardError('tokenizer', 'y')).toBeInstanceOf(copy.TokenRewardError);
    expect(err).toBeInstanceOf(Error);
    expect(new Error('plain')).not.toBeInstanceOf(TokenRewardError);
    expect({ code: 'tokenizer' }).not.toBeInstanceOf(TokenRewardError);
  });
});

describe('built entry points', () => {
  type Index = typeof import('../src/index.js');
  type Hf = typeof import('../src/hf.js');
  let index: Index;
  let hf: Hf;
  beforeAll(async () => {
    // Built into a folder of its own: other test projects read dist/ at the same time.
    const r = spawnSync(process.execPath, [TSUP, '--out-dir', '.test-dist'], { cwd: PKG, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stderr ?? r.error}`);
    index = (await import('../.test-dist/index.js' as string)) as Index;
    hf = (await import('../.test-dist/hf.js' as string)) as Hf;
  }, 120_000);

  it('answers 400, not 500, for an error thrown by the /hf adapter', async () => {
    const tokenizer = await hf.loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
    let thrown: unknown;
    try {
      tokenizer.offsetsFor?.('int a;', [99999]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(index.TokenRewardError);
    const service = index.createRewardServer({ tokenizer });
    const { port } = await service.listen(0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/rewards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ completions: [{ text: 'int a;', tokenIds: [99999] }] }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('offsets-mismatch');
    } finally {
      await service.close();
    }
  });
});
