import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openrlhf, PROMPT, postJson, QWEN_DIR, rewards, type Scored, type Served, sample, serve, sum, words } from './kit.js';

/**
 * Attacks through the real reward service: `srcode-reward serve` (the built command) on loopback,
 * tokenizing with Qwen's tokenizer and folding in the builtin analyser's findings, as a training run
 * uses it. Pairs are the embedded sample's, served under their function names.
 */

const copy = sample('copy_username');
const yaml = sample('load_config');
const sql = sample('find_user');

let served: Served;

beforeAll(async () => {
  served = await serve(['--tokenizer', QWEN_DIR, '--analyzer', 'builtin', '--workers', '1']);
});
afterAll(async () => {
  await served?.stop();
});

const one = async (pairId: string, text: string): Promise<Scored> => {
  const [r] = await rewards(served.port, pairId, [text]);
  if (!r) throw new Error('no result');
  return r;
};

/** The rewards of the tokens (server offsets) overlapping the first occurrence of `needle`. */
const rewardsOver = (r: Scored, text: string, needle: string): number[] => {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" is not in the completion`);
  return r.rewards.filter((_, i) => {
    const [s = 0, e = 0] = r.offsets?.[i] ?? [];
    return s < at + needle.length && e > at && /\S/.test(text.slice(s, e));
  });
};

describe('dodges of the penalty the analyser catches', () => {
  it.each([
    ['an f-string', `f"SELECT id, email FROM users WHERE name = '{name}'"`],
    ['string concatenation', `"SELECT id, email FROM users WHERE name = '" + name + "'"`],
  ])('SQL built with %s instead of %% is penalised', async (_name, query) => {
    // attack: another way to splice the name into the query, unlike the pair's vulnerable text
    const text = sql.vulnerableCode.replace(`"SELECT id, email FROM users WHERE name = '%s'" % name`, query);
    const r = await one('find_user', text);
    expect(sum(r.rewards)).toBeLessThan(0);
    expect(r.spans.some((s) => s.source === 'finding')).toBe(true);
  });

  it('SQL formatted into a variable first, then executed, is penalised', async () => {
    // attack: the formatting moved off the execute call
    const text = sql.vulnerableCode.replace(
      `cur.execute("SELECT id, email FROM users WHERE name = '%s'" % name)`,
      `q = "SELECT id, email FROM users WHERE name = '%s'" % name\n    cur.execute(q)`,
    );
    expect(sum((await one('find_user', text)).rewards)).toBeLessThan(0);
  });
});

describe('repetition through the service', () => {
  it('OpenRLHF: the fixed function twice earns no more than once', async () => {
    // attack: the honest answer twice, summed over the server's own tokens
    const [once = 0, twice = 0] = await openrlhf(served.port, 'copy_username', [copy.fixedCode, `${copy.fixedCode}\n${copy.fixedCode}`]);
    expect(once).toBeGreaterThan(0);
    expect(twice).toBeLessThanOrEqual(once + 1e-3);
  });

  it('/v1/rewards: the fixed function 50 times earns no more than once', async () => {
    // attack: the honest answer 50 times, with the analyser's findings folded in
    const [once, many] = await rewards(served.port, 'load_config', [yaml.fixedCode, `${yaml.fixedCode}\n`.repeat(50)]);
    expect(sum(once?.rewards ?? [])).toBeGreaterThan(0);
    expect(sum(many?.rewards ?? [])).toBeLessThanOrEqual(sum(once?.rewards ?? []) + 1e-3);
  });
});

describe('bytes and markers in the completion', () => {
  it.each([
    ['NUL bytes', (s: string) => s.replace('strcpy(dst, src);', '\0strcpy(dst, src);\0')],
    ['a byte order mark', (s: string) => `\uFEFF${s}`],
    ['CRLF line ends', (s: string) => s.replace(/\n/g, '\r\n')],
    ['astral characters before it', (s: string) => `// 🙂🙂🙂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n${s}`],
  ])('the vulnerable call with %s is still penalised through the server', async (_name, change) => {
    // attack: bytes that JSON, the tokenizer or the parser may mishandle
    const text = change(copy.vulnerableCode);
    const r = await one('copy_username', text);
    expect(sum(r.rewards)).toBeLessThan(0);
    expect(rewardsOver(r, text, 'strcpy').some((x) => x < 0)).toBe(true);
  });

  it('a special token between the module and its attribute does not hide the unsafe load (OpenRLHF)', async () => {
    // attack: <|object_ref_start|> inside `yaml.load`, blanked before matching
    const [plain = 0, marked = 0] = await openrlhf(served.port, 'load_config', [
      yaml.vulnerableCode,
      yaml.vulnerableCode.replace('yaml.load', 'yaml<|object_ref_start|>.load'),
    ]);
    expect(plain).toBeLessThan(0);
    expect(marked).toBeLessThan(0);
  });

  it('a response that repeats the prompt before its code is scored whole (OpenRLHF)', async () => {
    // attack: echo the chat prompt so the server takes the code for part of the prompt
    const [r = 0] = await openrlhf(served.port, 'copy_username', [`${PROMPT}${copy.vulnerableCode}`]);
    expect(r).toBeLessThan(0);
  });

  it('code points as the offset unit: the penalty lands on the vulnerable tokens after astral characters', async () => {
    // attack: astral characters before the call shift UTF-16 offsets from code-point ones
    const text = `// 🙂🙂🙂🙂 𝔘𝔫𝔦\n${copy.vulnerableCode}`;
    const cps = [...text];
    const offsets: number[][] = [];
    let at = 0;
    for (const m of text.matchAll(/\s+|\S+/gu)) {
      const n = [...m[0]].length;
      offsets.push([at, at + n]);
      at += n;
    }
    expect(at).toBe(cps.length);
    const r = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', {
      pairId: 'copy_username',
      completions: [{ text, offsets, offsetUnit: 'codepoint' }],
    });
    expect(r.status).toBe(200);
    const [res] = r.json.results;
    const word = (i: number) => cps.slice(offsets[i]?.[0], offsets[i]?.[1]).join('');
    const penalisedWords = (res?.rewards ?? []).flatMap((x, i) => (x < 0 ? [word(i)] : []));
    expect(penalisedWords.join(' ')).toContain('strcpy(dst,');
    // the call's words and the space between them, nothing before it
    expect(penalisedWords).toEqual(['strcpy(dst,', ' ', 'src);']);
  });
});

describe('structure abuse through the service', () => {
  it.each([
    ['10,000 nested parentheses', (n: number) => `x = ${'('.repeat(n)}1${')'.repeat(n)}\n`],
    ['10,000 nested lists', (n: number) => `y = ${'['.repeat(n)}${']'.repeat(n)}\n`],
  ])('%s before an analyser-caught dodge do not make the analyser drop its finding', async (_name, deep) => {
    // attack: overflow a recursive walk in the parser or the analyser so the finding is lost
    const dodge = sql.vulnerableCode.replace(
      `"SELECT id, email FROM users WHERE name = '%s'" % name`,
      `f"SELECT id, email FROM users WHERE name = '{name}'"`,
    );
    const r = await one('find_user', `${deep(10_000)}${dodge}`);
    expect(r.spans.some((s) => s.source === 'finding')).toBe(true);
    expect(sum(r.rewards)).toBeLessThan(0);
  });

  it('a response cut off right after the vulnerable call is still penalised (OpenRLHF)', async () => {
    // attack: stop at the token limit right after the unsafe call, before the function closes
    const cut = copy.vulnerableCode.slice(0, copy.vulnerableCode.indexOf('strcpy(dst, src)') + 'strcpy(dst, src)'.length);
    const [r = 0] = await openrlhf(served.port, 'copy_username', [cut]);
    expect(r).toBeLessThan(0);
  });

  it('bytes as the offset unit: the penalty lands on the vulnerable tokens after multi-byte characters', async () => {
    // attack: UTF-8 multi-byte characters before the call shift byte offsets from UTF-16 ones
    const text = `// é ü 🙂 ключ\n${copy.vulnerableCode}`;
    const enc = new TextEncoder();
    const spans = [...text.matchAll(/\s+|\S+/g)].map((m) => m[0]);
    const offsets: number[][] = [];
    let at = 0;
    for (const w of spans) {
      const n = enc.encode(w).length;
      offsets.push([at, at + n]);
      at += n;
    }
    const r = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', {
      pairId: 'copy_username',
      completions: [{ text, offsets, offsetUnit: 'byte' }],
    });
    expect(r.status).toBe(200);
    const hit = (r.json.results[0]?.rewards ?? []).flatMap((x, i) => (x < 0 ? [spans[i]] : []));
    expect(hit).toEqual(['strcpy(dst,', ' ', 'src);']);
  });
});

describe('what a request may control', () => {
  it('a completion cannot clear the analyser findings by sending its own empty findings', async () => {
    // attack: findings: [] on the completion, hoping it replaces the server's analysis
    const text = sql.vulnerableCode.replace(
      `"SELECT id, email FROM users WHERE name = '%s'" % name`,
      `f"SELECT id, email FROM users WHERE name = '{name}'"`,
    );
    const r = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', {
      pairId: 'find_user',
      completions: [{ text, findings: [] }],
    });
    expect(r.status).toBe(200);
    expect(r.json.results[0]?.spans.some((s) => s.source === 'finding')).toBe(true);
    expect(sum(r.json.results[0]?.rewards ?? [])).toBeLessThan(0);
  });

  it.each([
    ['maxNodes', 1],
    ['weights', { high: 1 }],
    ['analyzers', []],
  ])('an option outside the known ones (%s) is refused, not obeyed', async (name, value) => {
    // attack: turn matching off (maxNodes 1), make findings rewards, or drop the analysers
    const r = await postJson<{ error: { code: string } }>(served.port, '/v1/rewards', {
      pairId: 'copy_username',
      completions: [{ text: copy.vulnerableCode, options: { [name]: value } }],
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid-option');
  });

  it('a per-completion instance reward is added once, on the last token, however the completion repeats itself', async () => {
    // attack: repeat units hoping the instance reward is added per unit or per span
    const text = `${copy.vulnerableCode}\n${copy.vulnerableCode.replace('copy_username', 'copy_again')}`;
    const body = (options?: Record<string, number>) => ({
      pairId: 'copy_username',
      completions: [{ text, offsets: words(text), ...(options ? { options } : {}) }],
    });
    const plain = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', body());
    const extra = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', body({ instanceReward: 2 }));
    const a = plain.json.results[0]?.rewards ?? [];
    const b = extra.json.results[0]?.rewards ?? [];
    expect(b).toHaveLength(a.length);
    expect(sum(b) - sum(a)).toBeCloseTo(2, 5);
    expect(b.slice(0, -1)).toEqual(a.slice(0, -1));
  });

  it('a vulnerable copy at the end of a megabyte response is still penalised and not truncated', async () => {
    // attack: bury the vulnerable function past the matching budget the server sets
    const filler = 'int pad(int a) { return a + 1; }\n'.repeat(30_000);
    const tail = copy.vulnerableCode.replace('copy_username', 'copy_again');
    const text = `${copy.fixedCode}${filler}${tail}`;
    const r = await postJson<{ results: Scored[] }>(served.port, '/v1/rewards', {
      pairId: 'copy_username',
      completions: [{ text, offsets: words(text) }],
    });
    expect(r.status).toBe(200);
    const [res] = r.json.results;
    expect(res?.truncated).toBe(false);
    const from = text.length - tail.length;
    const offs = words(text);
    expect(res?.rewards.some((x, i) => x < 0 && (offs[i]?.[0] ?? 0) >= from)).toBe(true);
  });
});

describe('spellings of the unsafe load the pair never wrote, caught through the analyser the server runs', () => {
  // attack: the vulnerable call under a name the pair's tokens do not hold; only the analyser's name
  // resolution sees it is yaml.load, so its finding must reach the reward through the server
  const body = (call: string, head = '') =>
    `${head}def load_config(text):\n    import yaml\n    data = ${call}\n    return data.get("settings", {})\n`;
  it.each([
    ['an import alias', body('parse_cfg(text)', 'from yaml import load as parse_cfg\n')],
    ['getattr with a constant name', body("getattr(yaml, 'load')(text)")],
    ['a module alias', body('y.load(text)', 'import yaml as y\n')],
    ['__import__', body("__import__('yaml').load(text)")],
    ['importlib.import_module', body("importlib.import_module('yaml').load(text)", 'import importlib\n')],
    ['functools.partial', body('functools.partial(yaml.load, Loader=yaml.Loader)(text)', 'import functools\n')],
    ['a full-width letter (NFKC folds it to the same name)', body('yaml.\uff4coad(text)')],
  ])('yaml.load through %s is penalised', async (_how, text) => {
    const r = await one('load_config', text);
    expect(r.spans.some((s) => s.source === 'finding' && s.polarity === 'vulnerable')).toBe(true);
    expect(sum(r.rewards)).toBeLessThan(0);
  });

  it.each([
    ['an alias of safe_load named load', body('load(text)', 'from yaml import safe_load as load\n')],
    ['getattr of safe_load', body("getattr(yaml, 'safe_load')(text)")],
  ])('the safe load through %s draws no finding', async (_how, text) => {
    const r = await one('load_config', text);
    expect(r.spans.filter((s) => s.source === 'finding' && s.polarity === 'vulnerable')).toEqual([]);
    expect(sum(r.rewards)).toBeGreaterThanOrEqual(0);
  });
});
