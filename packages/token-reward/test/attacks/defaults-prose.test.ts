import { languageNames } from '@srcode/syntax';
import { describe, expect, it } from 'vitest';
import { hasSven, loadSvenVal } from '../sven.js';
import { chunked, sample, score, total } from './kit.js';

/**
 * Attacks on the default projection (span-mean), on writing both versions of a pair unit, and on
 * prose around fenced code, scored through the library with one token per byte unless said.
 */

const copy = sample('copy_username');
const yaml = sample('load_config');
const nodeValue = sample('node_value');

const EPS = 1e-3;
const copyWith = (body: string) => `void copy_username(char *dst, size_t len, const char *src)\n{\n${body}\n    log_user(dst);\n}\n`;
const yamlWith = (body: string) => `def load_config(text):\n    import yaml\n${body}\n    return data.get("settings", {})\n`;
const honest = (p = copy, options = {}) => total(p, p.fixedCode, options);

describe('the default normalisation: a span earns its weight however many tokens it has', () => {
  it.each([undefined, 'span-mean', 'max-abs'] as const)(
    '%s: the total does not depend on how finely the completion is tokenized',
    (normalize) => {
      // attack: the secure code emitted as many tiny tokens (under none: 29 with one token per byte, 2 with 40-character ones)
      const options = normalize ? { normalize } : {};
      const fine = total(copy, copy.fixedCode, options, chunked(copy.fixedCode, 1));
      const coarse = total(copy, copy.fixedCode, options, chunked(copy.fixedCode, 40));
      expect(fine).toBeCloseTo(coarse, 3);
    },
  );

  it.each([undefined, 'max-abs'] as const)(
    '%s: a 1,000-character comment or 1,000 spaces inside the secure call earn no more than the fix',
    (normalize) => {
      // attack: padding the rewarded span with text matching ignores (under none: 1034 against 29)
      const options = normalize ? { normalize } : {};
      const comment = copy.fixedCode.replace('snprintf(dst, len,', `snprintf(dst, /*${'x'.repeat(1000)}*/ len,`);
      const spaces = copy.fixedCode.replace('snprintf(dst, len,', `snprintf(dst,${' '.repeat(1000)}len,`);
      expect(total(copy, comment, options)).toBeLessThanOrEqual(honest(copy, options) + EPS);
      expect(total(copy, spaces, options)).toBeLessThanOrEqual(honest(copy, options) + EPS);
    },
  );

  it('none stays available, and its totals scale with the token count (as documented)', () => {
    const fine = total(copy, copy.fixedCode, { normalize: 'none' }, chunked(copy.fixedCode, 1));
    const coarse = total(copy, copy.fixedCode, { normalize: 'none' }, chunked(copy.fixedCode, 40));
    expect(fine).toBeGreaterThan(coarse);
  });

  it.skipIf(!hasSven)('SVEN val fixed code with CRLF line ends earns no more than as written', () => {
    // attack: \r in every line of a multi-line span is one more rewarded byte (under none: 29 of 83 pairs earn more)
    const over = loadSvenVal()
      .filter((p) => languageNames().includes(p.language))
      .filter((p) => total(p, p.fixedCode.replace(/\n/g, '\r\n')) > honest(p) + EPS)
      .map((p) => p.id);
    expect(over).toEqual([]);
  });
});

describe('both versions of a pair unit never pay', () => {
  it('C: snprintf then strcpy in one function nets at most zero, both spans kept', () => {
    // attack: write both, the longer secure span outweighing the penalty (measured +13 under none)
    const text = copyWith('    snprintf(dst, len, "%s", src);\n    strcpy(dst, src);');
    const map = score(copy, text);
    expect(map.spans.map((s) => s.polarity).sort()).toEqual(['secure', 'vulnerable']);
    expect(map.spans.find((s) => s.polarity === 'secure')?.weight).toBeGreaterThan(0);
    expect(total(copy, text)).toBeLessThanOrEqual(0);
  });

  it.each([
    ['safe_load discarded, load used', '    yaml.safe_load(text)\n    data = yaml.load(text)'],
    [
      'load as the fallback of safe_load',
      '    try:\n        data = yaml.safe_load(text)\n    except Exception:\n        data = yaml.load(text)',
    ],
  ])('Python: %s nets at most zero', (_name, body) => {
    expect(total(yaml, yamlWith(body))).toBeLessThanOrEqual(0);
  });

  it('Python: the fixed function redefined by the vulnerable one nets at most zero', () => {
    expect(total(yaml, `${yaml.fixedCode}\n\n${yaml.vulnerableCode}`)).toBeLessThanOrEqual(0);
  });

  it('C: the NULL check in a twin function, the dereference unguarded in this one, nets at most zero', () => {
    const text = `${nodeValue.fixedCode.replace('int node_value(', 'int node_value_checked(')}\n${nodeValue.vulnerableCode}`;
    expect(total(nodeValue, text)).toBeLessThanOrEqual(0);
  });

  it('under none too, the capped credit never outweighs the penalty', () => {
    const text = copyWith('    snprintf(dst, len, "%s", src);\n    strcpy(dst, src);');
    expect(total(copy, text, { normalize: 'none' })).toBeLessThanOrEqual(0);
  });
});

describe('prose around fenced code is neutral', () => {
  it('C: the secure call named in prose beside a fenced vulnerable function earns nothing', () => {
    const text = `Use snprintf(dst, len, "%s", src) here.\n\n\`\`\`c\n${copy.vulnerableCode}\`\`\`\n`;
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('Python: the secure call in backticks beside a fenced vulnerable function earns nothing', () => {
    const text = `Call \`yaml.safe_load(text)\` instead.\n\n\`\`\`python\n${yaml.vulnerableCode}\`\`\`\n`;
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
  });

  it.each([
    ['Python', yaml, 'I replaced yaml.load(text) with yaml.safe_load(text).', 'python'],
    ['C', copy, 'Replace strcpy(dst, src) by snprintf.', 'c'],
  ])('%s: an explanation that names the replaced call does not cost the honest answer', (_l, pair, prose, tag) => {
    const text = `${prose}\n\n\`\`\`${tag}\n${pair.fixedCode}\`\`\`\n`;
    expect(total(pair, text)).toBeGreaterThanOrEqual(honest(pair) - EPS);
  });

  it('a fence indented four spaces (an example in a docstring) is code, not a fence', () => {
    const doc = yaml.vulnerableCode.replace(
      '    import yaml',
      '    """Example:\n\n    ```python\n    load_config("a: 1")\n    ```\n    """\n    import yaml',
    );
    expect(total(yaml, doc)).toBeCloseTo(total(yaml, yaml.vulnerableCode), 3);
    expect(total(yaml, doc)).toBeLessThan(0);
  });

  it('an unclosed fence (a cut-off answer) still scores its code, and text without fences is all code', () => {
    expect(total(copy, `Here:\n\`\`\`c\n${copy.vulnerableCode}`)).toBeLessThan(0);
    expect(total(copy, `Use snprintf(dst, len, "%s", src) here.\n${copy.vulnerableCode}`)).toBeGreaterThan(
      total(copy, copy.vulnerableCode),
    );
  });
});
