/**
 * Backtracking risk of a regular expression, read from its structure: the shapes that make a backtracking
 * engine take exponential or polynomial time (ReDoS). Character sets are approximated over ASCII, which is
 * enough to tell whether two pieces of a pattern can match the same character.
 */

type CharSet = bigint;

const ALL: CharSet = (1n << 128n) - 1n;
const bit = (code: number): CharSet => (code < 128 ? 1n << BigInt(code) : 0n);
function range(from: number, to: number): CharSet {
  let s = 0n;
  for (let c = from; c <= Math.min(to, 127); c++) s |= bit(c);
  return s;
}
const DIGIT = range(48, 57);
const WORD = DIGIT | range(65, 90) | range(97, 122) | bit(95);
const SPACE = bit(32) | range(9, 13);
const DOT = ALL & ~bit(10);

interface Item {
  node: { kind: 'set'; set: CharSet } | { kind: 'group'; alternatives: Item[][]; atomic: boolean } | { kind: 'anchor'; start: boolean };
  min: number;
  max: number;
  possessive: boolean;
}

const ESCAPED_SETS: Record<string, CharSet> = { d: DIGIT, D: ALL & ~DIGIT, w: WORD, W: ALL & ~WORD, s: SPACE, S: ALL & ~SPACE };
const ESCAPED_CHARS: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11 };

/** Parses a pattern into items; returns undefined for text that does not read as a regular expression. */
function parse(pattern: string): Item[][] | undefined {
  let i = 0;
  const readEscape = (): CharSet | 'anchor' => {
    const c = pattern[i++] ?? '';
    if (c in ESCAPED_SETS) return ESCAPED_SETS[c] as CharSet;
    if ('bBAZzG'.includes(c)) return 'anchor';
    if (c in ESCAPED_CHARS) return bit(ESCAPED_CHARS[c] as number);
    if (/[1-9]/.test(c)) return ALL; // a back-reference: anything
    if (c === 'x' && /^[0-9a-fA-F]{2}/.test(pattern.slice(i))) {
      i += 2;
      return bit(Number.parseInt(pattern.slice(i - 2, i), 16));
    }
    return bit(c.charCodeAt(0));
  };
  const charClass = (): CharSet => {
    let negate = false;
    if (pattern[i] === '^') {
      negate = true;
      i++;
    }
    let set = 0n;
    let first = true;
    while (i < pattern.length && (pattern[i] !== ']' || first)) {
      first = false;
      let lo: CharSet | 'anchor';
      let code: number | undefined;
      if (pattern[i] === '\\') {
        i++;
        lo = readEscape();
        if (lo === 'anchor') lo = 0n;
      } else if (pattern.startsWith('[:', i) && pattern.indexOf(':]', i) > i) {
        const end = pattern.indexOf(':]', i);
        const name = pattern.slice(i + 2, end);
        i = end + 2;
        lo =
          {
            digit: DIGIT,
            alnum: WORD & ~bit(95),
            alpha: range(65, 90) | range(97, 122),
            space: SPACE,
            upper: range(65, 90),
            lower: range(97, 122),
          }[name] ?? ALL;
      } else {
        code = pattern.charCodeAt(i++);
        lo = bit(code);
      }
      if (code !== undefined && pattern[i] === '-' && pattern[i + 1] !== ']' && i + 1 < pattern.length) {
        const hi = pattern[i + 1] === '\\' ? (ESCAPED_CHARS[pattern[i + 2] ?? ''] ?? pattern.charCodeAt(i + 2)) : pattern.charCodeAt(i + 1);
        i += pattern[i + 1] === '\\' ? 3 : 2;
        lo = range(code, hi);
      }
      set |= lo;
    }
    i++; // the closing ]
    return negate ? ALL & ~set : set;
  };
  const alternatives = (depth: number): Item[][] | undefined => {
    const alts: Item[][] = [[]];
    while (i < pattern.length) {
      const c = pattern[i] as string;
      if (c === ')') {
        if (depth === 0) return undefined;
        return alts;
      }
      i++;
      let node: Item['node'];
      if (c === '|') {
        alts.push([]);
        continue;
      } else if (c === '(') {
        let atomic = false;
        let look = false;
        if (pattern[i] === '?') {
          const head = /^\?(?:P?<[A-Za-z_]\w*>|[:>]|<?[=!]|[a-zA-Z-]+[:)])/.exec(pattern.slice(i))?.[0] ?? '?';
          atomic = head === '?>';
          look = /[=!]$/.test(head);
          i += head.length;
          if (head.endsWith(')')) continue; // inline flags such as (?i)
        }
        const inner = alternatives(depth + 1);
        if (!inner || pattern[i] !== ')') return undefined;
        i++;
        node = look ? { kind: 'anchor', start: false } : { kind: 'group', alternatives: inner, atomic };
      } else if (c === '[') node = { kind: 'set', set: charClass() };
      else if (c === '\\') {
        const e = readEscape();
        node = e === 'anchor' ? { kind: 'anchor', start: pattern[i - 1] === 'A' } : { kind: 'set', set: e };
      } else if (c === '.') node = { kind: 'set', set: DOT };
      else if (c === '^' || c === '$') node = { kind: 'anchor', start: c === '^' };
      else node = { kind: 'set', set: bit(c.charCodeAt(0)) };
      const item: Item = { node, min: 1, max: 1, possessive: false };
      const q = /^(?:[*+?]|\{(\d*)(,?)(\d*)\})/.exec(pattern.slice(i));
      if (q && node.kind !== 'anchor' && (q[0].length === 1 || q[1] || q[3])) {
        i += q[0].length;
        if (q[0] === '*') [item.min, item.max] = [0, Number.POSITIVE_INFINITY];
        else if (q[0] === '+') [item.min, item.max] = [1, Number.POSITIVE_INFINITY];
        else if (q[0] === '?') [item.min, item.max] = [0, 1];
        else {
          item.min = Number(q[1] || 0);
          item.max = q[2] ? (q[3] ? Number(q[3]) : Number.POSITIVE_INFINITY) : item.min;
        }
        if (pattern[i] === '+') {
          item.possessive = true;
          i++;
        } else if (pattern[i] === '?') i++;
      }
      alts[alts.length - 1]?.push(item);
    }
    return depth === 0 ? alts : undefined;
  };
  return alternatives(0);
}

const unbounded = (item: Item) => item.max === Number.POSITIVE_INFINITY && !item.possessive;

function nullable(item: Item): boolean {
  if (item.min === 0 || item.node.kind === 'anchor') return true;
  return item.node.kind === 'group' && item.node.alternatives.some((alt) => alt.every(nullable));
}

/** Characters a sequence can start with. */
function firstSet(seq: readonly Item[]): CharSet {
  let set = 0n;
  for (const item of seq) {
    const { node } = item;
    if (node.kind === 'set') set |= node.set;
    else if (node.kind === 'group') for (const alt of node.alternatives) set |= firstSet(alt);
    if (!nullable(item)) break;
  }
  return set;
}

/** Characters an unbounded loop at the end of a sequence can go on consuming. */
function trailingLoopSet(seq: readonly Item[]): CharSet {
  let set = 0n;
  for (let k = seq.length - 1; k >= 0; k--) {
    const item = seq[k] as Item;
    const { node } = item;
    if (unbounded(item)) set |= loopSet(item);
    else if (node.kind === 'group' && !node.atomic) for (const alt of node.alternatives) set |= trailingLoopSet(alt);
    if (!nullable(item)) break;
  }
  return set;
}

/** The choices one iteration makes: a body that is one group (beside optional items) chooses among that group's branches. */
function choices(alternatives: readonly Item[][]): Item[][] {
  return alternatives.flatMap((alt) => {
    const required = alt.filter((item) => !nullable(item));
    const only = required.length === 1 ? required[0] : undefined;
    return only && only.max === 1 && only.node.kind === 'group' && !only.node.atomic ? choices(only.node.alternatives) : [alt];
  });
}

/** Characters a sequence can end with. */
function lastSet(seq: readonly Item[]): CharSet {
  let set = 0n;
  for (let k = seq.length - 1; k >= 0; k--) {
    const item = seq[k] as Item;
    const { node } = item;
    if (node.kind === 'set') set |= node.set;
    else if (node.kind === 'group') for (const alt of node.alternatives) set |= lastSet(alt);
    if (!nullable(item)) break;
  }
  return set;
}

/** Characters an unbounded loop over `item` consumes. */
function loopSet(item: Item): CharSet {
  const { node } = item;
  return node.kind === 'set' ? node.set : node.kind === 'group' ? node.alternatives.reduce((s, a) => s | firstSet(a), 0n) : 0n;
}

function risky(alternatives: readonly Item[][]): boolean {
  for (const seq of alternatives) {
    for (const [k, item] of seq.entries()) {
      const { node } = item;
      if (node.kind === 'group' && !node.atomic) {
        if (risky(node.alternatives)) return true;
        if (unbounded(item)) {
          // (a+)+, (\w+\s?)*: an iteration can end in a loop over characters that also start the next one
          const body = node.alternatives.reduce((s, a) => s | firstSet(a), 0n);
          if (node.alternatives.some((a) => (trailingLoopSet(a) & body) !== 0n)) return true;
          // (a|ab)*, (\\.|[^"])*, ((a|ab)\.?)+: two branches of a repeated choice start alike
          const firsts = choices(node.alternatives).map(firstSet);
          for (let x = 0; x < firsts.length; x++)
            for (let y = x + 1; y < firsts.length; y++) if (((firsts[x] as bigint) & (firsts[y] as bigint)) !== 0n) return true;
        }
      }
      // \d+\d*, \s*\s*: two loops over the same characters with only optional items between them
      if (!unbounded(item)) continue;
      // what the loop's last iteration ends with is what the next loop could take over
      const loop = lastSet([item]);
      for (let j = k + 1; j < seq.length; j++) {
        const next = seq[j] as Item;
        if (unbounded(next) && (firstSet([next]) & loop) !== 0n) return true;
        if (!nullable(next)) break;
      }
    }
  }
  // \s+$ searched for: every start inside a long run rescans it
  const only = alternatives.length === 1 ? alternatives[0] : undefined;
  const head = only?.[0];
  const tail = only?.[only.length - 1];
  return !!(head && tail && only && only.length > 1 && unbounded(head) && tail.node.kind === 'anchor' && !tail.node.start);
}

/** Whether `pattern` has a shape that backtracks catastrophically (nested or overlapping loops, a searched `\s+$`). */
export function isRiskyRegex(pattern: string): boolean {
  // every risky shape has two loops, or a loop and a choice, or a loop and a closing $; and few patterns are this long
  const loops = pattern.match(/[*+}]/g)?.length ?? 0;
  if (loops === 0 || pattern.length > 2000 || (loops < 2 && !pattern.includes('|') && !pattern.endsWith('$'))) return false;
  const parsed = parse(pattern);
  return parsed !== undefined && risky(parsed);
}
