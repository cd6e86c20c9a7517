import { createHash } from 'node:crypto';
import { type RepairPair, type TokenRewardMap, validate } from '@srcode/dataset';
import { getLanguage, languageNames, parse, type SyntaxNode, type Tree } from '@srcode/syntax';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../src/hf.js';
import { type TokenizerLike, teacherForcedMaps } from '../src/index.js';
import { QWEN_DIR } from './qwen.js';
import { hasSven, loadSvenVal } from './sven.js';

const isSpace = (c: string) => /\s/.test(c);

/** Tokens sharing a non-whitespace character with one of `ranges`. */
function tokensTouching(map: TokenRewardMap, ranges: ReadonlyArray<{ start: number; end: number }>): number[] {
  const text = map.text ?? '';
  const hit: number[] = [];
  map.offsets.forEach(([s = 0, e = 0], i) => {
    for (const r of ranges) {
      for (let k = Math.max(s, r.start); k < Math.min(e, r.end); k++) {
        if (!isSpace(text[k] as string)) {
          hit.push(i);
          return;
        }
      }
    }
  });
  return hit;
}

/** Types of the nodes spanning exactly `[start, end)` (a call and its statement may share one range). */
function typesAt(tree: Tree, start: number, end: number): string[] {
  const types: string[] = [];
  let node: SyntaxNode | null = tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  while (node && node.startIndex >= start && node.endIndex <= end) {
    if (node.startIndex === start && node.endIndex === end) types.push(node.type);
    node = node.parent;
  }
  return types;
}

/** The smallest node of `type` containing `[start, end)`. */
function enclosing(tree: Tree, start: number, end: number, type: string): SyntaxNode | undefined {
  let node: SyntaxNode | null = tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  while (node && !(node.type === type && node.startIndex <= start && node.endIndex >= end)) node = node.parent;
  return node ?? undefined;
}

/** Whether `[start, end)` is exactly the condition of a statement. */
function conditionAt(tree: Tree, start: number, end: number): boolean {
  let node: SyntaxNode | null = tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  while (node && node.startIndex >= start && node.endIndex <= end) {
    const cond = node.parent?.childForFieldName('condition');
    if (cond && cond.startIndex === start && cond.endIndex === end) return true;
    node = node.parent;
  }
  return false;
}

/** A readable golden form: spans and rewarded tokens, plus a hash pinning the whole record. */
function golden(map: TokenRewardMap): string {
  const text = map.text ?? '';
  const lines = [
    `# ${map.id} (${map.tokenizer}, ${map.tokenIds.length} tokens)`,
    `sha256 ${createHash('sha256').update(JSON.stringify(map)).digest('hex')}`,
  ];
  for (const s of map.spans)
    lines.push(`span ${s.polarity} ${s.weight} ${s.nodeType} [${s.start}, ${s.end}) ${JSON.stringify(text.slice(s.start, s.end))}`);
  map.rewards.forEach((r, i) => {
    const [s = 0, e = 0] = map.offsets[i] ?? [];
    if (r !== 0) lines.push(`token ${i} [${s}, ${e}) ${r} ${JSON.stringify(text.slice(s, e))}`);
  });
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!hasSven)('teacher-forced maps on SVEN val (needs ../shared/data/sven/val)', () => {
  let pairs: RepairPair[];
  let supported: RepairPair[];
  let qwen: TokenizerLike;
  const maps = new Map<string, { vulnerable: TokenRewardMap; fixed: TokenRewardMap }>();

  beforeAll(async () => {
    pairs = loadSvenVal();
    supported = pairs.filter((p) => languageNames().includes(p.language));
    qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
    // the golden files hold per-token weights as spanned (normalisation none), not shares of them
    for (const p of supported) maps.set(p.id, teacherForcedMaps(p, qwen, { normalize: 'none' }));
  });

  it('covers every pair, the C++ ones included', () => {
    expect(pairs.length).toBe(83);
    expect(supported.length).toBe(pairs.length);
    expect(supported.filter((p) => p.language === 'cpp').length).toBeGreaterThanOrEqual(7);
  });

  it('outputs valid TokenRewardMap records', () => {
    for (const m of maps.values()) {
      for (const side of [m.vulnerable, m.fixed]) {
        const result = validate('TokenRewardMap', side);
        expect(result.ok, JSON.stringify(result)).toBe(true);
      }
    }
  });

  it('puts a positive reward on every token overlapping an added range of the fixed side', () => {
    for (const p of supported) {
      const m = maps.get(p.id)?.fixed as TokenRewardMap;
      for (const i of tokensTouching(m, p.changes.added)) expect(m.rewards[i], `${p.id} token ${i}`).toBeGreaterThan(0);
    }
  });

  it('puts a negative reward on every token overlapping a deleted range of the vulnerable side', () => {
    for (const p of supported) {
      const m = maps.get(p.id)?.vulnerable as TokenRewardMap;
      for (const i of tokensTouching(m, p.changes.deleted)) expect(m.rewards[i], `${p.id} token ${i}`).toBeLessThan(0);
    }
  });

  it('never rewards the fixed side negatively or the vulnerable side positively', () => {
    for (const m of maps.values()) {
      expect(m.fixed.rewards.every((r) => r >= 0)).toBe(true);
      expect(m.vulnerable.rewards.every((r) => r <= 0)).toBe(true);
    }
  });

  it('starts and ends every span on an AST node of its recorded type, or on whole lines of one', () => {
    const lineEdge = (text: string, at: number, side: 'start' | 'end') => {
      const line =
        side === 'start'
          ? text.slice(text.lastIndexOf('\n', at - 1) + 1, at)
          : text.slice(at, (text.indexOf('\n', at) + 1 || text.length + 1) - 1);
      return line.trim() === '';
    };
    let parts = 0;
    for (const p of supported) {
      const lang = getLanguage(p.language);
      const m = maps.get(p.id);
      for (const side of [m?.vulnerable, m?.fixed]) {
        const text = side?.text ?? '';
        const tree = parse(text, p.language);
        for (const s of side?.spans ?? []) {
          const where = `${side?.id} [${s.start}, ${s.end})`;
          if (typesAt(tree, s.start, s.end).includes(s.nodeType ?? '')) {
            // a name is a span only as a whole condition (Python's `if a:`), never as a fragment
            if (lang.identifiers.has(s.nodeType ?? '')) expect(conditionAt(tree, s.start, s.end), where).toBe(true);
            continue;
          }
          parts++;
          const node = enclosing(tree, s.start, s.end, s.nodeType ?? '');
          expect(node, `${where} inside a ${s.nodeType}`).toBeDefined();
          expect(s.start === node?.startIndex || lineEdge(text, s.start, 'start'), where).toBe(true);
          expect(s.end === node?.endIndex || lineEdge(text, s.end, 'end'), where).toBe(true);
        }
      }
    }
    expect(parts).toBeGreaterThan(0);
  });

  it('offsets reconstruct each side exactly', () => {
    for (const m of maps.values()) {
      for (const side of [m.vulnerable, m.fixed]) {
        expect(side.offsets.map(([s, e]) => side.text?.slice(s, e)).join('')).toBe(side.text);
      }
    }
  });

  it('matches the golden maps of a dozen C and Python pairs across CWEs', async () => {
    const byCwe = new Map<string, RepairPair[]>();
    for (const p of supported.filter((q) => q.language !== 'cpp')) byCwe.set(p.cwes[0] ?? '', [...(byCwe.get(p.cwes[0] ?? '') ?? []), p]);
    const chosen = [...byCwe.values()].flatMap((ps) => ps.slice(0, 1));
    for (const ps of byCwe.values()) if (chosen.length < 12 && ps[1]) chosen.push(ps[1]);
    expect(chosen.length).toBe(12);
    for (const p of chosen) {
      const m = maps.get(p.id);
      const text = `${golden(m?.vulnerable as TokenRewardMap)}\n${golden(m?.fixed as TokenRewardMap)}`;
      await expect(text).toMatchFileSnapshot(`./fixtures/golden/${p.id}.txt`);
    }
  });

  it('matches the golden maps of C++ pairs (a Qt method, a TensorFlow kernel)', async () => {
    const chosen = supported.filter((p) => p.id === 'sven-val-cwe-079-1' || p.id === 'sven-val-cwe-476-6');
    expect(chosen.map((p) => p.language)).toEqual(['cpp', 'cpp']);
    for (const p of chosen) {
      const m = maps.get(p.id);
      expect(m?.vulnerable.spans.length, p.id).toBeGreaterThan(0);
      expect(m?.fixed.spans.length, p.id).toBeGreaterThan(0);
      const text = `${golden(m?.vulnerable as TokenRewardMap)}\n${golden(m?.fixed as TokenRewardMap)}`;
      await expect(text).toMatchFileSnapshot(`./fixtures/golden/${p.id}.txt`);
    }
  });
});
