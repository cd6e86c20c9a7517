import { describe, expect, it } from 'vitest';
import { isRiskyRegex } from './regex-risk.js';

describe('isRiskyRegex', () => {
  it.each([
    ['(a+)+$', 'a loop inside a loop'],
    [String.raw`^(\w+\s?)*$`, 'an iteration that can end in its own loop'],
    [String.raw`^([a-zA-Z0-9]+[._-]?)+@example\.com$`, 'an optional separator between repeated runs'],
    [String.raw`"(\\.|[^"])*"`, 'two branches of a repeated choice that start alike'],
    [String.raw`^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.?)+$`, 'a repeated group that is one overlapping choice'],
    [String.raw`^\+?[0-9]+[0-9]*-?[0-9]+$`, 'adjacent loops over the same characters'],
    [String.raw`\s+$`, 'a searched trailing run'],
    ['(.*)*', 'nested wildcards'],
  ])('flags %s (%s)', (pattern) => {
    expect(isRiskyRegex(pattern)).toBe(true);
  });

  it.each([
    [String.raw`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}@(?:[a-zA-Z0-9-]{1,63}\.){1,8}[a-zA-Z]{2,24}$`, 'bounded repetitions'],
    [String.raw`"(\\.|[^"\\])*"`, 'branches that start with different characters'],
    [String.raw`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$`, 'each iteration starts with a dot'],
    [String.raw`([a-z0-9-]+\.)+[a-z]{2,}`, 'each iteration ends with a character its loop cannot take'],
    [String.raw`^(?>a+)+$`, 'an atomic group'],
    ['^a++b$', 'a possessive loop'],
    ['SELECT * FROM users WHERE name = %s', 'an SQL string'],
    [String.raw`^\d+(?:\.\d+){0,3}$`, 'a version number'],
    ['(unbalanced', 'text that is no regular expression'],
  ])('passes %s (%s)', (pattern) => {
    expect(isRiskyRegex(pattern)).toBe(false);
  });
});
