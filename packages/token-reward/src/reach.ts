import type { RewardSpan } from '@srcode/dataset';
import type { SyntaxNode } from '@srcode/syntax';
import type { SyntaxTokens } from './lexer.js';

/** Secure code that never runs: after a jump, or under a constantly false condition. */

/** Where a completion's jump keywords and false constants start (token offsets). */
export interface DeadMarks {
  jumps: number[];
  falses: number[];
}

/** Jump keywords, as the lexer gives them. */
const JUMP_WORDS = new Set(['return', 'break', 'continue', 'goto', 'raise', 'throw']);

export function deadMarksOf(tokens: SyntaxTokens, text: string, spans: readonly RewardSpan[]): DeadMarks {
  const jumps: number[] = [];
  const falses: number[] = [];
  // only marks before the last secure span can cut one off
  let until = 0;
  for (const s of spans) if (s.polarity === 'secure') until = Math.max(until, s.start);
  for (let t = 0; t < tokens.kinds.length && (tokens.starts[t] as number) < until; t++) {
    const kind = tokens.kinds[t] as string;
    const at = tokens.starts[t] as number;
    if (JUMP_WORDS.has(kind)) jumps.push(at);
    else if (
      (kind === 'NUM' || kind === 'ID' || kind === 'false' || kind === 'False') &&
      FALSE_CONDITIONS.has(text.slice(at, tokens.ends[t]))
    )
      falses.push(at);
  }
  return { jumps, falses };
}

/** Jumps after which the rest of a block never runs. */
const JUMP_TYPES = new Set([
  'return_statement',
  'break_statement',
  'continue_statement',
  'goto_statement',
  'raise_statement',
  'throw_statement',
]);
/** What a jump before it does not make dead: a label, another `case`, another preprocessor branch. */
const LABEL_TYPES = new Set(['labeled_statement', 'case_statement', 'preproc_else', 'preproc_elif', 'preproc_elifdef']);
/** Conditions that are constantly false, as written (parentheses and spaces aside). */
const FALSE_CONDITIONS = new Set(['0', 'false', 'False']);

/**
 * Whether the code of `span` can never run: it follows a jump in the same block with no label in
 * between, or lies in the body of a conditional or loop whose condition is a false constant (`if (0)`,
 * `while (false)`, `if False:`, `#if 0`; the `else` stays live). Only the innermost function is
 * looked at, and never the file's top level: where a parse went wrong, a function can land after a
 * stray `return` of the code before it.
 */
export function unreachable(
  root: SyntaxNode,
  span: RewardSpan,
  spec: { containerTypes: readonly string[]; functionTypes: readonly string[] },
  marks: DeadMarks,
): boolean {
  // nothing can cut the span off without a jump or a false constant before it
  if (!marks.jumps.some((at) => at < span.start) && !marks.falses.some((at) => at < span.start)) return false;
  let node: SyntaxNode | null = root.descendantForIndex(span.start, Math.max(span.start, span.end - 1));
  while (node && node.startIndex === span.start && node.endIndex < span.end && node.parent) node = node.parent;
  for (; node?.parent && !spec.functionTypes.includes(typeOf(node)); node = node.parent) {
    const parent: SyntaxNode = node.parent;
    const type = typeOf(parent);
    const from = parent.startIndex;
    const to = node.startIndex;
    // a block the parser recovered from errors in may hold statements of other code
    if (
      marks.jumps.some((at) => at >= from && at < to) &&
      parent.parent &&
      (spec.containerTypes.includes(type) || type === 'case_statement') &&
      !parent.hasError
    ) {
      // the block's children before the node, read off a cursor (no node objects made)
      let dead = false;
      const cursor = parent.walk();
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.startIndex >= to) break;
          const t = cursor.nodeType;
          if (LABEL_TYPES.has(t)) dead = false;
          else if (JUMP_TYPES.has(t)) dead = true;
        } while (cursor.gotoNextSibling());
      }
      if (dead && !LABEL_TYPES.has(typeOf(node))) return true;
    }
    if (
      (type === 'if_statement' || type === 'while_statement' || type === 'preproc_if') &&
      marks.falses.some((at) => at >= from && at < to)
    ) {
      const condition = parent.childForFieldName('condition');
      if (condition && node.startIndex >= condition.endIndex && FALSE_CONDITIONS.has(condition.text.replace(/[\s()]/g, ''))) {
        const alternative = parent.childForFieldName('alternative');
        if (!alternative || node.endIndex <= alternative.startIndex) return true;
      }
    }
  }
  return false;
}

/**
 * A node's type. The native binding (tree-sitter 0.22) gives each named node type of a grammar its
 * own subclass, so the type is read from the binding for the first nodes of a subclass and then
 * remembered; nodes of the base class (ERROR and anonymous types), or of a subclass seen with two
 * types, always ask the binding.
 */
export function typeOf(node: SyntaxNode): string {
  const cls = node.constructor;
  const known = typeByClass.get(cls);
  if (known !== undefined && known.seen >= 2) return known.type ?? node.type;
  const type = node.type;
  if (known === undefined) {
    const subclass = Object.getPrototypeOf(cls.prototype) !== Object.prototype;
    typeByClass.set(cls, { type: subclass ? type : undefined, seen: 1 });
  } else {
    if (known.type !== type) known.type = undefined;
    known.seen++;
  }
  return type;
}

const typeByClass = new WeakMap<object, { type: string | undefined; seen: number }>();
