import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, SrcodeError, formatIssue, fromUnknown, isSrcodeError, messageOf } from '../errors.js';

class AlphaError extends SrcodeError<Extract<ErrorCode, 'invalid-input' | 'io'>> {
  static override readonly brand: symbol = Symbol.for('@srcode/test/AlphaError');
  override readonly name = 'AlphaError';
}

class BetaError extends SrcodeError<'invalid-option'> {
  static override readonly brand: symbol = Symbol.for('@srcode/test/BetaError');
  override readonly name = 'BetaError';
}

/** A second, independent copy of the module, as a second bundle or entry point would hold. */
async function secondCopy() {
  // a query string makes the test runner load the file again as a separate module
  const url: string = '../errors.js?second-copy';
  const mod = (await import(url)) as typeof import('../errors.js');
  expect(mod.SrcodeError).not.toBe(SrcodeError);
  class AlphaCopy extends mod.SrcodeError<'invalid-input' | 'io'> {
    static override readonly brand: symbol = Symbol.for('@srcode/test/AlphaError');
    override readonly name = 'AlphaError';
  }
  return { mod, AlphaCopy };
}

describe('the shared error model', () => {
  it('keeps code, message, cause and issues', () => {
    const cause = new Error('disk full');
    const e = new AlphaError('io', 'cannot write out.jsonl', { cause, issues: [{ code: 'x', path: '', message: 'm' }] });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AlphaError');
    expect(e.code).toBe('io');
    expect(e.message).toBe('cannot write out.jsonl');
    expect(e.cause).toBe(cause);
    expect(e.issues).toHaveLength(1);
    expect(String(e)).toBe('AlphaError: cannot write out.jsonl');
    expect(new AlphaError('io', 'x')).not.toHaveProperty('cause');
  });

  it('instanceof holds for an error made by another copy of the same class', async () => {
    const { mod, AlphaCopy } = await secondCopy();
    const foreign = new AlphaCopy('invalid-input', 'from the other bundle');
    expect(foreign instanceof AlphaError).toBe(true);
    expect(foreign instanceof SrcodeError).toBe(true);
    expect(new AlphaError('io', 'x') instanceof AlphaCopy).toBe(true);
    expect(new AlphaError('io', 'x') instanceof mod.SrcodeError).toBe(true);
    expect(mod.isSrcodeError(new AlphaError('io', 'x'))).toBe(true);
  });

  it('instanceof tells the classes of different packages apart', () => {
    const beta = new BetaError('invalid-option', 'x');
    expect(beta instanceof AlphaError).toBe(false);
    expect(new AlphaError('io', 'x') instanceof BetaError).toBe(false);
    expect(beta instanceof SrcodeError).toBe(true);
  });

  it("a subclass without a brand of its own matches its own instances only, not its parent's", () => {
    class Mine extends AlphaError {}
    expect(new AlphaError('io', 'x') instanceof Mine).toBe(false);
    expect(new Mine('io', 'x') instanceof Mine).toBe(true);
    expect(new Mine('io', 'x') instanceof AlphaError).toBe(true);
    class Plain extends SrcodeError {}
    expect(new BetaError('invalid-option', 'x') instanceof Plain).toBe(false);
    expect(new Plain('io', 'x') instanceof SrcodeError).toBe(true);
  });

  it('no plain object or foreign error passes for one', () => {
    for (const v of [
      null,
      undefined,
      0,
      'AlphaError',
      { code: 'io', name: 'AlphaError' },
      new Error('x'),
      Object.create(AlphaError.prototype),
    ]) {
      expect(v instanceof AlphaError).toBe(false);
      expect(isSrcodeError(v)).toBe(false);
    }
  });

  it('fromUnknown returns an own error as it is and wraps anything else with its cause', async () => {
    const own = new AlphaError('io', 'x');
    expect(fromUnknown(AlphaError, own, 'io')).toBe(own);
    const { AlphaCopy } = await secondCopy();
    const foreign = new AlphaCopy('io', 'copy');
    expect(fromUnknown(AlphaError, foreign, 'io')).toBe(foreign);
    const wrapped = fromUnknown(AlphaError, new TypeError('boom'), 'invalid-input');
    expect(wrapped).toBeInstanceOf(AlphaError);
    expect(wrapped.code).toBe('invalid-input');
    expect(wrapped.message).toBe('boom');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(fromUnknown(AlphaError, 'plain text', 'io').message).toBe('plain text');
    const other = fromUnknown(
      BetaError,
      new AlphaError('io', 'other package', { issues: [{ code: 'x', path: '', message: 'm' }] }),
      'invalid-option',
    );
    expect(other).toBeInstanceOf(BetaError);
    expect(other).not.toBeInstanceOf(AlphaError);
    expect(other.issues).toHaveLength(1);
  });

  it('every code is described, and the messages of odd values are readable', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
    expect(messageOf({ a: 1 })).toBe('{"a":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageOf(cyclic)).toBe('[object Object]');
  });

  it('formats an issue as file:line: path: message', () => {
    expect(formatIssue({ code: 'schema', path: '/id', message: 'must be string', line: 3, file: 'a.jsonl' })).toBe(
      'a.jsonl:3: /id: must be string',
    );
    expect(formatIssue({ code: 'json', path: '', message: 'bad JSON', line: 2 })).toBe('line 2: bad JSON');
  });
});
