import { describe, expect, it } from 'vitest';
import { constructChange, replacesUnsafeConstruct } from './constructs.js';

describe('constructChange', () => {
  it('sees verification turned on as an unsafe construct replaced by a safe one', () => {
    const c = constructChange('get(url, verify=False)', 'get(url, verify=bundle)', 'python');
    expect(c).toEqual({ removedUnsafe: ['tls-verification-off'], addedSafe: ['tls-verifying-context'], addedUnsafe: [] });
    expect(replacesUnsafeConstruct(c)).toBe(true);
  });

  it('counts an unsafe construct moved elsewhere as still there', () => {
    const c = constructChange('get(url, verify=False)', 'options = {"verify": False}\nget(url, **options)', 'python');
    expect(replacesUnsafeConstruct(c)).toBe(false);
  });

  it('reads regular expressions from string literals, raw or escaped', () => {
    expect(
      constructChange(String.raw`re.match(r"^(\d+\.?)+$", s)`, String.raw`re.match(r"^\d+(?:\.\d+){0,3}$", s)`, 'python').removedUnsafe,
    ).toEqual(['backtracking-pattern']);
    expect(
      constructChange('regcomp(&re, "^([0-9]+)*\\\\.[0-9]+$", 0);', 'regcomp(&re, "^[0-9]*\\\\.[0-9]+$", 0);', 'c').removedUnsafe,
    ).toEqual(['backtracking-pattern']);
  });

  it('takes a "%s" format only as the replacement of a format that came from data', () => {
    expect(replacesUnsafeConstruct(constructChange('fprintf(f, msg);', 'fprintf(f, "%s", msg);', 'c'))).toBe(true);
    expect(replacesUnsafeConstruct(constructChange('x = 1;', 'x = 1;\nfprintf(f, "%s", msg);', 'c'))).toBe(false);
  });

  it('reports an unsafe construct brought in, which cancels the evidence', () => {
    const c = constructChange('run(["ls", d])', 'run("ls " + d, shell=True)\nshlex.quote(d)', 'python');
    expect(c.addedUnsafe).toContain('shell-command');
    expect(replacesUnsafeConstruct(c)).toBe(false);
  });

  it('keeps to the languages a construct is written for', () => {
    expect(replacesUnsafeConstruct(constructChange('x(verify=False)', 'x(verify=True)', 'c'))).toBe(false);
  });
});
