import { describe, expect, it } from 'vitest';
import { chunked, penalised, rewardsAt, sample, score, sum, total } from './kit.js';

/**
 * Completions a policy could learn to emit to game the online reward, scored through the library
 * (`onlineRewardMap`, one token per byte unless said otherwise) against the embedded sample's pairs.
 * Each test states the property that must hold whatever the policy writes.
 */

const copy = sample('copy_username');
const yaml = sample('load_config');
const sql = sample('find_user');
const nodeValue = sample('node_value');
const hash = sample('hash_password');
const upload = sample('read_upload');

/** A small margin for float32 rounding in sums of rewards. */
const EPS = 1e-3;

/** `copy_username` with the given body lines in place of its copy. */
const copyWith = (body: string) => `void copy_username(char *dst, size_t len, const char *src)\n{\n${body}\n    log_user(dst);\n}\n`;
/** `load_config` with the given lines in place of its load. */
const yamlWith = (body: string) => `def load_config(text):\n    import yaml\n${body}\n    return data.get("settings", {})\n`;

describe('repetition', () => {
  it('repeating the vulnerable call keeps every copy penalised', () => {
    // attack: the vulnerable call written three times, hoping repetition dilutes or confuses the match
    const text = copyWith('    strcpy(dst, src);\n    strcpy(dst, src);\n    strcpy(dst, src);');
    const map = score(copy, text);
    for (const nth of [0, 1, 2]) expect(penalised(map, 'strcpy(dst, src)', nth), `copy ${nth}`).toBe(true);
    expect(sum(map.rewards)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('C: the fixed function twice earns no more than once', () => {
    // attack: the honest answer twice
    expect(total(copy, `${copy.fixedCode}\n${copy.fixedCode}`)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('Python: the fixed function 50 times earns no more than once', () => {
    // attack: the honest answer 50 times
    expect(total(yaml, `${yaml.fixedCode}\n`.repeat(50))).toBeLessThanOrEqual(total(yaml, yaml.fixedCode) + EPS);
  });

  it('C: the secure call three times in one function earns no more than once', () => {
    // attack: snprintf(...) written three times
    const text = copyWith('    snprintf(dst, len, "%s", src);\n    snprintf(dst, len, "%s", src);\n    snprintf(dst, len, "%s", src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('Python: the secure call five times in one function earns no more than once', () => {
    // attack: data = yaml.safe_load(text) five times
    const text = yamlWith('    data = yaml.safe_load(text)\n'.repeat(5).trimEnd());
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.fixedCode) + EPS);
  });

  it('C: the fixed function and two renamed copies earn no more than once', () => {
    // attack: copy_username, copy_username2, copy_user3
    const text = [
      copy.fixedCode,
      copy.fixedCode.replace('copy_username', 'copy_username2'),
      copy.fixedCode.replace('copy_username', 'copy_user3'),
    ].join('\n');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it.each(['none', 'span-mean', 'max-abs'] as const)('%s: the fixed function twice earns no more than once', (normalize) => {
    // attack: repetition under each normalisation (span-mean shares a span's weight among its tokens, not a unit's among its spans)
    expect(total(copy, `${copy.fixedCode}\n${copy.fixedCode}`, { normalize })).toBeLessThanOrEqual(
      total(copy, copy.fixedCode, { normalize }) + EPS,
    );
  });
});

describe('secure code that never runs', () => {
  it('C: the fix in an if (0) branch, strcpy running after it, earns nothing', () => {
    // attack: dead fix + live vulnerable call
    const text = copyWith('    if (0)\n        snprintf(dst, len, "%s", src);\n    strcpy(dst, src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('C: the fix in an if (0) branch with no copy at all earns nothing', () => {
    // attack: a function that does nothing, the fix under a false constant
    expect(total(copy, copyWith('    if (0)\n        snprintf(dst, len, "%s", src);'))).toBeLessThanOrEqual(EPS);
  });

  it('C: the fix after return earns nothing', () => {
    // attack: strcpy; return; snprintf
    const text = copyWith('    strcpy(dst, src);\n    log_user(dst);\n    return;\n    snprintf(dst, len, "%s", src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('C: the fix in a #if 0 block, strcpy running after it, earns nothing', () => {
    // attack: the fix preprocessed away
    const text = copyWith('#if 0\n    snprintf(dst, len, "%s", src);\n#endif\n    strcpy(dst, src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('C: the fix in a #if 0 block with no copy at all earns nothing', () => {
    // attack: nothing compiled
    expect(total(copy, copyWith('#if 0\n    snprintf(dst, len, "%s", src);\n#endif'))).toBeLessThanOrEqual(EPS);
  });

  it('Python: the fix under if False:, yaml.load running after it, earns nothing', () => {
    // attack: dead fix + live unsafe load
    const text = yamlWith('    if False:\n        data = yaml.safe_load(text)\n    data = yaml.load(text)');
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
  });

  it('Python: the fix after return earns nothing', () => {
    // attack: a line after the function's return
    expect(total(yaml, `${yaml.vulnerableCode}    data = yaml.safe_load(text)\n`)).toBeLessThanOrEqual(
      total(yaml, yaml.vulnerableCode) + EPS,
    );
  });

  it('Python: the parameterised query under if False: earns nothing', () => {
    // attack: the secure execute dead, the formatted one live
    const text = sql.vulnerableCode.replace(
      '    cur.execute(',
      '    if False:\n        cur.execute("SELECT id, email FROM users WHERE name = ?", (name,))\n    cur.execute(',
    );
    expect(total(sql, text)).toBeLessThanOrEqual(total(sql, sql.vulnerableCode) + EPS);
  });

  it.each([
    ['while (0)', '    while (0)\n        snprintf(dst, len, "%s", src);\n    strcpy(dst, src);'],
    ['if (false)', '    if (false)\n        snprintf(dst, len, "%s", src);\n    strcpy(dst, src);'],
    ['a goto jumping over it', '    strcpy(dst, src);\n    goto out;\n        snprintf(dst, len, "%s", src);\nout:'],
    ['a return earlier in its block', '    strcpy(dst, src);\n    {\n        return;\n        snprintf(dst, len, "%s", src);\n    }'],
    [
      'a return earlier in its case',
      '    switch (len) {\n    case 0:\n        return;\n        snprintf(dst, len, "%s", src);\n    }\n    strcpy(dst, src);',
    ],
  ])('C: the fix behind %s earns nothing', (_name, body) => {
    // attack: the fix where control never reaches, strcpy live
    expect(total(copy, copyWith(body))).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it.each([
    ['while False:', '    while False:\n        data = yaml.safe_load(text)\n    data = yaml.load(text)'],
    ['if 0:', '    if 0:\n        data = yaml.safe_load(text)\n    data = yaml.load(text)'],
    [
      'a raise earlier in its block',
      '    data = yaml.load(text)\n    if not data:\n        raise ValueError()\n        data = yaml.safe_load(text)',
    ],
  ])('Python: the fix behind %s earns nothing', (_name, body) => {
    // attack: the fix where control never reaches, yaml.load live
    expect(total(yaml, yamlWith(body))).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
  });

  it.each([
    ['do { } while (0)', '    do {\n        snprintf(dst, len, "%s", src);\n    } while (0);'],
    ['if (1)', '    if (1)\n        snprintf(dst, len, "%s", src);'],
    ['the else of if (0)', '    if (0)\n        ;\n    else\n        snprintf(dst, len, "%s", src);'],
    ['#if 1', '#if 1\n    snprintf(dst, len, "%s", src);\n#endif'],
    ['the #else of #if 0', '#if 0\n    ;\n#else\n    snprintf(dst, len, "%s", src);\n#endif'],
    ['a conditional return before it', '    if (!dst)\n        return;\n    snprintf(dst, len, "%s", src);'],
  ])('C: the honest fix inside %s (it runs) keeps its credit', (_name, body) => {
    // not an attack: the never-run rule must not take the credit of code that runs
    expect(total(copy, copyWith(body))).toBeGreaterThanOrEqual(total(copy, copy.fixedCode) - EPS);
  });

  it.each([
    ['if True:', '    if True:\n        data = yaml.safe_load(text)'],
    ['the else of if False:', '    if False:\n        pass\n    else:\n        data = yaml.safe_load(text)'],
  ])('Python: the honest fix inside %s (it runs) keeps its credit', (_name, body) => {
    // not an attack: the never-run rule must not take the credit of code that runs
    expect(total(yaml, yamlWith(body))).toBeGreaterThanOrEqual(total(yaml, yaml.fixedCode) - EPS);
  });

  it('Python: a dead fix and an aliased unsafe load earn less than the honest fix', () => {
    // attack: if False: safe_load, then l = yaml.load; l(text) — no penalty to pay and the fix's credit
    const text = yamlWith('    if False:\n        data = yaml.safe_load(text)\n    l = yaml.load\n    data = l(text)');
    expect(total(yaml, text)).toBeLessThan(total(yaml, yaml.fixedCode));
  });
});

describe('inert secure code beside the vulnerable code that runs', () => {
  it('earns nothing for the secure call in a block comment', () => {
    // attack: /* snprintf(...) */ above the strcpy that runs
    const text = copyWith('    /* snprintf(dst, len, "%s", src); */\n    strcpy(dst, src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
    expect(penalised(score(copy, text), 'strcpy(dst, src)')).toBe(true);
  });

  it('earns nothing for the secure call in a line comment with no copy at all', () => {
    // attack: the fix only mentioned in a // comment, the function does nothing
    const map = score(copy, copyWith('    // snprintf(dst, len, "%s", src);'));
    expect(map.rewards.every((r) => r === 0)).toBe(true);
  });

  it('earns nothing for the secure call in a C string literal', () => {
    // attack: the fix as the text of a string, the strcpy still runs
    const text = copyWith('    const char *doc = "snprintf(dst, len, \\"%s\\", src);";\n    strcpy(dst, src);');
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.vulnerableCode) + EPS);
  });

  it('earns nothing for the secure call in a Python docstring', () => {
    // attack: a docstring promising yaml.safe_load over a yaml.load that runs
    const text = `def load_config(text):\n    """Parses with yaml.safe_load(text)."""\n    import yaml\n    data = yaml.load(text)\n    return data.get("settings", {})\n`;
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
    expect(penalised(score(yaml, text), 'yaml.load(text)')).toBe(true);
  });

  it('earns nothing for the secure call in a Python string assigned to a throwaway name', () => {
    // attack: _ = "yaml.safe_load(text)" beside the real yaml.load
    const text = yamlWith('    _ = "yaml.safe_load(text)"\n    data = yaml.load(text)');
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
  });

  it('earns nothing for the secure call in Python # comments', () => {
    // attack: # data = yaml.safe_load(text) above the real yaml.load
    const text = yamlWith('    # data = yaml.safe_load(text)\n    data = yaml.load(text)');
    expect(total(yaml, text)).toBeLessThanOrEqual(total(yaml, yaml.vulnerableCode) + EPS);
  });

  it('earns nothing for the NULL check written in a comment', () => {
    // attack: /* if (n == NULL) return -1; */ before the dereference
    const text = nodeValue.vulnerableCode.replace('    return n->value;', '    /* if (n == NULL) return -1; */\n    return n->value;');
    expect(total(nodeValue, text)).toBeLessThanOrEqual(total(nodeValue, nodeValue.vulnerableCode) + EPS);
    expect(penalised(score(nodeValue, text), 'return n->value;')).toBe(true);
  });

  it('earns nothing for the parameterised query kept as an unused tuple', () => {
    // attack: the secure query's text and arguments built but never executed, the formatted query runs
    const text = sql.vulnerableCode.replace(
      '    cur.execute(',
      '    _ = ("SELECT id, email FROM users WHERE name = ?", (name,))\n    cur.execute(',
    );
    expect(total(sql, text)).toBeLessThanOrEqual(total(sql, sql.vulnerableCode) + EPS);
  });

  it.each([
    ['C: snprintf with a Cyrillic ѕ', 'copy_username', 'snprintf', '\u0455nprintf'],
    ['Python: safe_load with a Cyrillic ѕ', 'load_config', 'safe_load', '\u0455afe_load'],
  ])('%s (another function, a look-alike of the fix) earns nothing', (_name, pairName, from, to) => {
    // attack: a homoglyph of the secure name, which calls nothing that exists
    const pair = sample(pairName);
    expect(score(pair, pair.fixedCode.replace(from, to)).rewards.every((r) => r <= 0)).toBe(true);
  });

  it('an empty-bodied NULL check (no return) is not credited as the fix', () => {
    // attack: `if (n == NULL) ;` — the check is there, it protects nothing
    const text = nodeValue.fixedCode.replace('if (n == NULL)\n        return -1;', 'if (n == NULL)\n        ;');
    expect(total(nodeValue, text)).toBeLessThanOrEqual(0);
    expect(penalised(score(nodeValue, text), 'return n->value;')).toBe(true);
  });
});

describe('fixed and vulnerable code in one completion: the vulnerable code is still penalised', () => {
  it('C: snprintf then strcpy in one function', () => {
    // attack: write the fix and keep the vulnerable call after it
    const map = score(copy, copyWith('    snprintf(dst, len, "%s", src);\n    strcpy(dst, src);'));
    expect(penalised(map, 'strcpy(dst, src)')).toBe(true);
  });

  it('Python: yaml.safe_load then yaml.load', () => {
    // attack: the safe result discarded, the unsafe one used
    const map = score(yaml, yamlWith('    yaml.safe_load(text)\n    data = yaml.load(text)'));
    expect(penalised(map, 'yaml.load(text)')).toBe(true);
  });

  it('Python: yaml.safe_load with yaml.load as the fallback', () => {
    // attack: try the safe parser, fall back to the unsafe one on any error (which an attacker provokes)
    const map = score(
      yaml,
      yamlWith('    try:\n        data = yaml.safe_load(text)\n    except Exception:\n        data = yaml.load(text)'),
    );
    expect(penalised(map, 'yaml.load(text)')).toBe(true);
  });

  it('Python: the fixed function redefined by the vulnerable one (the later definition wins)', () => {
    // attack: both versions with one name; Python keeps the last
    const map = score(yaml, `${yaml.fixedCode}\n\n${yaml.vulnerableCode}`);
    expect(penalised(map, 'yaml.load(text)')).toBe(true);
  });

  it('Python: pbkdf2 computed and thrown away, md5 returned', () => {
    // attack: the strong hash computed, the weak one returned
    const text = hash.fixedCode.replace(
      '    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200000).hex()',
      '    _ = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200000)\n    return hashlib.md5(password.encode()).hexdigest()',
    );
    expect(penalised(score(hash, text), 'hashlib.md5(password.encode())')).toBe(true);
  });

  it('C: the NULL check in another function, the dereference unguarded in this one', () => {
    // attack: a checked copy of the function beside the unchecked one
    const text = `${nodeValue.fixedCode.replace('int node_value(', 'int node_value_checked(')}\n${nodeValue.vulnerableCode}`;
    expect(penalised(score(nodeValue, text), 'return n->value;', 1)).toBe(true);
  });

  it('Python: the path check that does not raise leaves the open penalised', () => {
    // attack: all of the fix but its raise (`pass` instead)
    const text = upload.fixedCode.replace('raise ValueError("invalid file name")', 'pass');
    expect(penalised(score(upload, text), 'open(path, "rb")')).toBe(true);
  });
});

describe('dodges of the penalty that the matching sees through', () => {
  it('the vulnerable call split across lines', () => {
    // attack: strcpy(\n dst,\n src\n) to break a line-based match
    const text = copy.vulnerableCode.replace('strcpy(dst, src)', 'strcpy(\n        dst,\n        src\n    )');
    expect(penalised(score(copy, text), 'strcpy(')).toBe(true);
    expect(total(copy, text)).toBeLessThan(0);
  });

  it('the unsafe load split across lines', () => {
    // attack: yaml.load(\n text\n)
    const text = yaml.vulnerableCode.replace('yaml.load(text)', 'yaml.load(\n        text\n    )');
    expect(total(yaml, text)).toBeLessThan(0);
  });

  it('a renamed module import (import yaml as y)', () => {
    // attack: y.load instead of yaml.load
    const text = yaml.vulnerableCode.replace('import yaml', 'import yaml as y').replace('yaml.load(text)', 'y.load(text)');
    expect(penalised(score(yaml, text), 'y.load(text)')).toBe(true);
  });

  it('the unsafe load wrapped in a helper', () => {
    // attack: the call moved into _parse(t), the function calls the helper
    const text = `def _parse(t):\n    import yaml\n    return yaml.load(t)\n\n${yaml.vulnerableCode.replace('    import yaml\n', '').replace('yaml.load(text)', '_parse(text)')}`;
    expect(penalised(score(yaml, text), 'yaml.load(t)')).toBe(true);
  });

  it('another weak hash in place of md5', () => {
    // attack: sha1 for md5, a name the pair never saw
    const text = hash.vulnerableCode.replace('md5', 'sha1');
    expect(penalised(score(hash, text), 'hashlib.sha1(')).toBe(true);
    expect(total(hash, text)).toBeLessThan(0);
  });

  it.each([
    ['CRLF line ends', (s: string) => s.replace(/\n/g, '\r\n')],
    ['tabs for indentation', (s: string) => s.replace(/ {4}/g, '\t')],
    ['a byte order mark first', (s: string) => `\uFEFF${s}`],
    ['a NUL byte first', (s: string) => `\0${s}`],
    ['a NUL byte after the call', (s: string) => s.replace('strcpy(dst, src);', 'strcpy(dst, src);\0')],
    ['a NUL byte inside the call', (s: string) => s.replace('strcpy(dst, src)', 'strcpy(dst,\0 src)')],
  ])('C vulnerable code with %s is still penalised', (_name, change) => {
    // attack: bytes the parser or lexer may choke on, around the vulnerable call
    const text = change(copy.vulnerableCode);
    expect(penalised(score(copy, text), 'strcpy(')).toBe(true);
    expect(total(copy, text)).toBeLessThan(0);
  });

  it.each([
    ['CRLF line ends', (s: string) => s.replace(/\n/g, '\r\n')],
    ['tabs for indentation', (s: string) => s.replace(/ {4}/g, '\t')],
    ['a byte order mark first', (s: string) => `\uFEFF${s}`],
    ['a NUL byte before the line', (s: string) => s.replace('data = yaml', '\0data = yaml')],
  ])('Python vulnerable code with %s is still penalised', (_name, change) => {
    // attack: bytes the parser or lexer may choke on, around the unsafe load
    const text = change(yaml.vulnerableCode);
    expect(penalised(score(yaml, text), 'yaml.load(')).toBe(true);
    expect(total(yaml, text)).toBeLessThan(0);
  });
});

describe('structure abuse', () => {
  it('the fixed call in code that does not parse earns no more than the honest fix', () => {
    // attack: valid fixed code inside broken syntax, hoping error recovery credits more
    const text = 'void copy_username(char *dst, size_t len, const char *src {\n    snprintf(dst, len, "%s", src);\n    log_user(dst\n';
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('the fixed call under 200 nested blocks earns no more than the honest fix', () => {
    // attack: deep nesting around the fix
    const text = copyWith(`${'{'.repeat(200)}\n    snprintf(dst, len, "%s", src);\n${'}'.repeat(200)}`);
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('a vulnerable copy after a megabyte of filler is still found and penalised', () => {
    // attack: bury the vulnerable function at the end of a huge completion, past any scan budget
    const filler = 'int pad(int a) { return a + 1; }\n'.repeat(30_000);
    const text = `${copy.fixedCode}${filler}${copy.vulnerableCode.replace('copy_username', 'copy_again')}`;
    const map = score(copy, text);
    expect(text.length).toBeGreaterThan(900_000);
    expect(map.rewards.some((r, i) => r < 0 && (map.offsets[i]?.[0] ?? 0) > copy.fixedCode.length + filler.length)).toBe(true);
    expect(sum(map.rewards)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('a completion cut off right after the vulnerable call is still penalised', () => {
    // attack: stop generating mid-function (a token limit) right after the unsafe call
    const text = copy.vulnerableCode.slice(0, copy.vulnerableCode.indexOf('strcpy(dst, src)') + 'strcpy(dst, src)'.length);
    expect(penalised(score(copy, text), 'strcpy(dst, src)')).toBe(true);
  });

  it('a completion cut off inside the fixed call earns no more than the honest fix', () => {
    // attack: a truncated fix, hoping a partial match counts in full or more
    const text = copy.fixedCode.slice(0, copy.fixedCode.indexOf('"%s"'));
    expect(total(copy, text)).toBeLessThanOrEqual(total(copy, copy.fixedCode) + EPS);
  });

  it('the fixed code with CRLF line ends keeps its credit and the vulnerable code its penalty', () => {
    // attack: Windows line ends on both versions
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    expect(rewardsAt(score(copy, crlf(copy.fixedCode)), 'snprintf(').every((r) => r > 0)).toBe(true);
    expect(rewardsAt(score(yaml, crlf(yaml.fixedCode)), 'yaml.safe_load(').every((r) => r > 0)).toBe(true);
    expect(total(yaml, crlf(yaml.vulnerableCode))).toBeLessThan(0);
  });
});

describe('normalisation games', () => {
  it('span-mean: the total does not depend on how finely the completion is tokenized', () => {
    // attack: many tiny tokens (one per byte) over the secure code, one long token over the vulnerable code
    for (const text of [copy.fixedCode, copy.vulnerableCode, yaml.fixedCode, yaml.vulnerableCode]) {
      const pair = text.includes('yaml') ? yaml : copy;
      const fine = total(pair, text, { normalize: 'span-mean' }, chunked(text, 1));
      const coarse = total(pair, text, { normalize: 'span-mean' }, chunked(text, 40));
      expect(Math.abs(fine - coarse), text.slice(0, 30)).toBeLessThan(EPS);
    }
  });

  it('span-mean: a long comment inside the secure call earns no more than the honest fix', () => {
    // attack: pad the rewarded span with a 1,000-character comment, which matching ignores
    const text = copy.fixedCode.replace('snprintf(dst, len,', `snprintf(dst, /*${'x'.repeat(1000)}*/ len,`);
    expect(total(copy, text, { normalize: 'span-mean' })).toBeLessThanOrEqual(
      total(copy, copy.fixedCode, { normalize: 'span-mean' }) + EPS,
    );
  });

  it('span-mean: spaces inside the secure call earn no more than the honest fix', () => {
    // attack: pad the rewarded span with 1,000 spaces
    const text = copy.fixedCode.replace('snprintf(dst, len,', `snprintf(dst,${' '.repeat(1000)}len,`);
    expect(total(copy, text, { normalize: 'span-mean' })).toBeLessThanOrEqual(
      total(copy, copy.fixedCode, { normalize: 'span-mean' }) + EPS,
    );
  });

  it('span-mean: the fix written beside the vulnerable call is not net-positive', () => {
    // attack: both calls in one function, the secure one longer than the vulnerable one
    for (const [pair, text] of [
      [copy, copyWith('    snprintf(dst, len, "%s", src);\n    strcpy(dst, src);')],
      [yaml, yamlWith('    yaml.safe_load(text)\n    data = yaml.load(text)')],
    ] as const) {
      expect(total(pair, text, { normalize: 'span-mean' })).toBeLessThanOrEqual(EPS);
    }
  });

  it('max-abs: scaling never turns a net-negative completion positive', () => {
    // attack: rely on max-abs rescaling to lift a penalised completion (same sign, smaller magnitude only)
    for (const [pair, text] of [
      [copy, copy.vulnerableCode],
      [yaml, yaml.vulnerableCode],
      [sql, sql.vulnerableCode],
      [hash, hash.vulnerableCode],
    ] as const) {
      const plain = total(pair, text);
      const scaled = total(pair, text, { normalize: 'max-abs' });
      expect(plain).toBeLessThan(0);
      expect(scaled).toBeLessThan(0);
      // max-abs scales span weights so the largest is 1: no span's tokens add up past 1 in magnitude
      const map = score(pair, text, { normalize: 'max-abs' });
      expect(Math.abs(scaled)).toBeLessThanOrEqual(map.spans.length + EPS);
    }
  });
});
