import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built packages, as users load them: every entry point and both module formats bundle their own copy
// of the error classes, so these tests load `dist/` (built by `pnpm test` before the tests run).
const packages = fileURLToPath(new URL('../../packages/', import.meta.url));
const require = createRequire(import.meta.url);

function dist(pkg: string, entry: string): string {
  const file = join(packages, pkg, 'dist', entry);
  if (!existsSync(file)) throw new Error(`${file} is missing: build the packages first (pnpm run build)`);
  return file;
}

async function esm<T>(pkg: string, entry = 'index.js'): Promise<T> {
  return (await import(pathToFileURL(dist(pkg, entry)).href)) as T;
}

function cjs<T>(pkg: string, entry = 'index.cjs'): T {
  return require(dist(pkg, entry)) as T;
}

type ErrorClass = abstract new (...args: never[]) => Error;

async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('errors are instanceof their class across entry points and module formats', () => {
  it('@srcode/dataset: an error from the CJS build is a DatasetError of the ESM build, and an SrcodeError', async () => {
    type M = {
      DatasetError: ErrorClass;
      SrcodeError: ErrorClass;
      isSrcodeError(v: unknown): boolean;
      assertValid(s: string, v: unknown): void;
    };
    const [a, b] = [await esm<M>('dataset'), cjs<M>('dataset')];
    expect(a.DatasetError).not.toBe(b.DatasetError);
    const e = await caught(() => b.assertValid('RepairPair', {}));
    expect(e).toBeInstanceOf(a.DatasetError);
    expect(e).toBeInstanceOf(b.DatasetError);
    expect(e).toBeInstanceOf(a.SrcodeError);
    expect(a.isSrcodeError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('invalid-record');
  });

  it('@srcode/eval and @srcode/reflect: ESM and CJS copies agree', async () => {
    type E = { EvaluationError: ErrorClass; createAnalyzer(name: string): unknown };
    const ev = await caught(() => cjs<E>('eval').createAnalyzer('no-such-analyser'));
    expect(ev).toBeInstanceOf((await esm<E>('eval')).EvaluationError);
    expect(ev).not.toBeInstanceOf((await esm<{ DatasetError: ErrorClass }>('dataset')).DatasetError);
    type R = { ReflectError: ErrorClass; OpenAIChatClient: new (o: object) => unknown };
    const env = `SRCODE_TEST_UNSET_${process.pid}`;
    const re = await caught(
      () => new (cjs<R>('reflect').OpenAIChatClient)({ endpoint: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: env }),
    );
    expect(re).toBeInstanceOf((await esm<R>('reflect')).ReflectError);
    expect((re as { code: string }).code).toBe('missing-api-key');
  });

  it('@srcode/token-reward: an error thrown by the /hf entry is a TokenRewardError of the main entry', async () => {
    type Main = { TokenRewardError: ErrorClass };
    type Hf = { loadHfTokenizer(path: string): Promise<unknown> };
    const dir = mkdtempSync(join(tmpdir(), 'srcode-entries-'));
    writeFileSync(join(dir, 'tokenizer.json'), 'not json');
    for (const hf of [await esm<Hf>('token-reward', 'hf.js'), cjs<Hf>('token-reward', 'hf.cjs')]) {
      for (const path of [join(dir, 'missing'), dir]) {
        const e = await caught(() => hf.loadHfTokenizer(path));
        expect(e).toBeInstanceOf((await esm<Main>('token-reward')).TokenRewardError);
        expect(e).toBeInstanceOf(cjs<Main>('token-reward').TokenRewardError);
        expect((e as Error).message).toContain(dir);
      }
    }
  });

  it('@srcode/rl-core: errors thrown by the /tfjs and /experiment entries are RlCoreErrors of the main entry', async () => {
    type Main = { RlCoreError: ErrorClass };
    type Tfjs = { TransformerPolicy: { load(dir: string): Promise<unknown> } };
    type Experiment = { runExperiment(o: object): Promise<unknown> };
    const mains = [await esm<Main>('rl-core'), cjs<Main>('rl-core')];
    const missing = join(mkdtempSync(join(tmpdir(), 'srcode-entries-')), 'no-checkpoint');
    const fromTfjs = await caught(() => cjs<Tfjs>('rl-core', 'tfjs.cjs').TransformerPolicy.load(missing));
    const fromExperiment = await caught(() =>
      cjs<Experiment>('rl-core', 'experiment.cjs').runExperiment({ backend: 'no-such-backend', out: missing }),
    );
    for (const main of mains) {
      expect(fromTfjs).toBeInstanceOf(main.RlCoreError);
      expect(fromExperiment).toBeInstanceOf(main.RlCoreError);
    }
    expect((fromTfjs as { code: string }).code).toBe('invalid-checkpoint');
    expect((fromExperiment as { code: string }).code).toBe('backend-unavailable');
    expect(fromTfjs).not.toBeInstanceOf((await esm<{ TokenRewardError: ErrorClass }>('token-reward')).TokenRewardError);
  });

  it('@srcode/syntax: a language registered through one build is known to the other', async () => {
    type Syntax = { registerLanguage(spec: object): void; languageNames(): string[]; getLanguage(name: string): { spec: object } };
    const [a, b] = [await esm<Syntax>('syntax'), cjs<Syntax>('syntax')];
    expect(a.languageNames()).toEqual(b.languageNames());
    const c = a.getLanguage('c').spec;
    a.registerLanguage({ ...c, name: 'c-dialect-for-the-test' });
    expect(b.languageNames()).toContain('c-dialect-for-the-test');
    expect(b.getLanguage('c-dialect-for-the-test').spec).toMatchObject({ name: 'c-dialect-for-the-test' });
  });
});
