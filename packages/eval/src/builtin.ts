import type { FlowStep, Finding, Language } from '@srcode/dataset';
import { compileQuery, getLanguage, parse, plainTree, type Query, SyntaxLayerError } from '@srcode/syntax';
import { type SyncAnalyzer, sortFindings } from './analyzer.js';
import { EvaluationError } from './errors.js';
import { BUILTIN_LANGUAGES } from './rules/registry.js';
import type { LanguageRules, PredicateResult, Rule, RuleFlowStep, RuleHit, RuleMatch, SyntaxNode } from './rules/rule.js';

/**
 * Words a source must contain for a query to match: one list per pattern, each a conjunction of
 * alternatives (a pattern matches only where, for every entry, the text holds one of its words).
 * `undefined`: some pattern requires nothing the engine can tell, so the query is always run.
 */
export type RequiredWords = readonly (readonly (readonly string[])[])[] | undefined;

/**
 * A compiled query with the words it requires, shared by the rules of a language that declare the same query text:
 * a tree-sitter query, or (for the plain call, return and string patterns most rules use) the patterns the engine
 * matches itself over the nodes of the kinds they name, which costs neither a query compilation nor a query run.
 */
interface CompiledQuery {
  readonly query?: Query;
  readonly walk?: readonly WalkPattern[];
  readonly words: RequiredWords;
}

/**
 * One pattern the engine matches itself: every node of `type` (in document order), for calls only those whose
 * `function` field is of one of `fnTypes` (captured as `fn`) and whose text `re` matches, with an `argument_list`
 * (captured as `args`) when `args`; the node itself is captured as `finding`.
 */
interface WalkPattern {
  readonly type: 'call' | 'return_statement' | 'string' | 'shape';
  readonly fnTypes?: readonly string[];
  readonly args?: boolean;
  readonly re?: RegExp;
  /** For `shape`: the node shapes (alternatives) and the text tests on their captures. */
  readonly shapes?: readonly Shape[];
  readonly tests?: readonly CaptureTest[];
}

/** A node shape of a query: its type, the shapes of some of its fields, and the capture the node gets. */
interface Shape {
  readonly type: string;
  readonly fields: readonly (readonly [string, Shape])[];
  readonly capture?: string;
}

/** A `#match?` or `#eq?` test of a capture's text. */
interface CaptureTest {
  readonly capture: string;
  readonly re?: RegExp;
  readonly eq?: string;
}

const SHAPE_TOKEN = /\s*("(?:[^"\\]|\\.)*"|[()[\]]|@[\w.-]+|#[\w?!-]+|[\w.-]+:|[\w.-]+|\S)/y;

/**
 * A pattern of node shapes with fields, captures and `#match?` / `#eq?` tests on captures
 * (`((assignment left: (subscript value: (_) @t)) @finding (#match? @t "re"))`, `[(a x: (b) @n) (c y: (d) @n)] @finding`),
 * or undefined for anything else (anchors, quantifiers, negations, children without a field, wildcard tops).
 */
function shapePattern(text: string): WalkPattern | undefined {
  const tokens: string[] = [];
  SHAPE_TOKEN.lastIndex = 0;
  for (let m = SHAPE_TOKEN.exec(text); m; m = SHAPE_TOKEN.exec(text)) tokens.push(m[1] as string);
  let at = 0;
  const peek = () => tokens[at];
  const shape = (): Shape | undefined => {
    if (tokens[at++] !== '(') return undefined;
    const type = tokens[at++] ?? '';
    if (!/^([a-z_][\w]*|_)$/.test(type)) return undefined;
    const fields: [string, Shape][] = [];
    while (peek() !== ')') {
      const field = tokens[at++] ?? '';
      if (!/^[a-z_]\w*:$/.test(field)) return undefined;
      const child = shape();
      if (!child) return undefined;
      fields.push([field.slice(0, -1), capture(child)]);
    }
    at++;
    return { type, fields };
  };
  const capture = (sh: Shape): Shape => {
    const c = peek();
    if (c?.startsWith('@')) {
      at++;
      return { ...sh, capture: c.slice(1) };
    }
    return sh;
  };
  const top = (): Shape[] | undefined => {
    if (peek() === '[') {
      at++;
      const alts: Shape[] = [];
      while (peek() !== ']') {
        const sh = shape();
        if (!sh || peek()?.startsWith('@')) return undefined;
        alts.push(sh);
      }
      at++;
      if (peek() !== '@finding') return undefined;
      at++;
      return alts.map((a) => ({ ...a, capture: 'finding' }));
    }
    const sh = shape();
    if (!sh) return undefined;
    const withCapture = capture(sh);
    return withCapture.capture === 'finding' ? [withCapture] : undefined;
  };
  let shapes: Shape[] | undefined;
  const tests: CaptureTest[] = [];
  if (tokens[0] === '(' && (tokens[1] === '(' || tokens[1] === '[')) {
    at = 1;
    shapes = top();
    while (shapes && peek() === '(') {
      at++;
      const op = tokens[at++];
      const cap = tokens[at++] ?? '';
      const str = tokens[at++] ?? '';
      if (tokens[at++] !== ')' || !cap.startsWith('@') || !str.startsWith('"')) return undefined;
      const value = unquote(str.slice(1, -1));
      if (op === '#eq?') tests.push({ capture: cap.slice(1), eq: value });
      else if (op === '#match?') {
        try {
          tests.push({ capture: cap.slice(1), re: new RegExp(value) });
        } catch {
          return undefined;
        }
      } else return undefined;
    }
    if (tokens[at++] !== ')') return undefined;
  } else shapes = top();
  if (!shapes || at !== tokens.length || shapes.some((sh) => sh.type === '_')) return undefined;
  return { type: 'shape', shapes, tests };
}

/** Whether `node` has the shape, its captures added to `caps` (a capture keeps its first node). */
function matchShape(node: SyntaxNode, shape: Shape, caps: Record<string, SyntaxNode>): boolean {
  if (shape.type === '_' ? !node.isNamed : typeOf(node) !== shape.type) return false;
  for (const [field, sub] of shape.fields) {
    const child = node.childForFieldName(field);
    if (!child || !matchShape(child, sub, caps)) return false;
  }
  if (shape.capture && !(shape.capture in caps)) caps[shape.capture] = node;
  return true;
}

// `((call function: <fn> [arguments: (argument_list) @args]) @finding (#match? @fn "re"))`, whitespace collapsed
const CALL_PATTERN =
  /^\(\(call function: (\[\(identifier\) \(attribute\)\] @fn|\[\(identifier\) @fn \(attribute\) @fn\]|\(attribute\) @fn|\(identifier\) @fn)( arguments: \(argument_list\) @args)?\) @finding \(#match\? @fn "((?:[^"\\]|\\.)*)"\)\)$/;

/** The top-level patterns of a query text (balanced parentheses and brackets outside strings), or undefined. */
function topLevelPatterns(source: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === ';') return undefined; // comments: left to tree-sitter
    if (c === '(' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ')' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        // a capture after a top-level group belongs to it: `[...] @finding`, `(string) @finding`
        const m = /^\s*((?:@[\w.-]+\s*)*)/.exec(source.slice(i + 1));
        const tail = m?.[1] ?? '';
        out.push(`${source.slice(start, i + 1)} ${tail}`.trim());
        i += m?.[0].length ?? 0;
      }
    } else if (depth === 0 && !/\s/.test(c)) return undefined;
  }
  return depth === 0 ? out : undefined;
}

/** The named node types and field names of a grammar, from its node-types (undefined when it has none). */
type GrammarNames = { readonly types: ReadonlySet<string>; readonly fields: ReadonlySet<string> } | undefined;

function grammarNames(language: Language): GrammarNames {
  const info = getLanguage(language).grammar.nodeTypeInfo;
  if (!info?.length) return undefined;
  const types = new Set<string>();
  const fields = new Set<string>();
  for (const t of info) {
    if (t.named) types.add(t.type);
    if ('fields' in t) for (const f of Object.keys(t.fields ?? {})) fields.add(f);
  }
  return { types, fields };
}

/** Whether every node type and field a walk pattern names is the grammar's (else tree-sitter rejects the query). */
function knownTo(names: NonNullable<GrammarNames>, p: WalkPattern): boolean {
  const shapeKnown = (sh: Shape): boolean =>
    (sh.type === '_' || names.types.has(sh.type)) && sh.fields.every(([f, sub]) => names.fields.has(f) && shapeKnown(sub));
  if (p.type === 'shape') return (p.shapes ?? []).every(shapeKnown);
  if (!names.types.has(p.type)) return false;
  return p.type !== 'call' || (names.fields.has('function') && names.fields.has('arguments') && names.types.has('argument_list'));
}

/** The patterns of a query the engine can match itself, when every pattern is one of the plain forms. */
function walkPatterns(source: string): { patterns: WalkPattern[]; sources: string[] } | undefined {
  const sources = topLevelPatterns(source);
  if (!sources?.length) return undefined;
  const patterns: WalkPattern[] = [];
  for (const raw of sources) {
    const text = raw.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
    if (text === '((return_statement) @finding)' || text === '(return_statement) @finding') {
      patterns.push({ type: 'return_statement' });
      continue;
    }
    if (text === '(string) @finding' || text === '((string) @finding)') {
      patterns.push({ type: 'string' });
      continue;
    }
    const m = CALL_PATTERN.exec(text);
    if (!m) {
      const shaped = shapePattern(text);
      if (!shaped) return undefined;
      patterns.push(shaped);
      continue;
    }
    const fn = m[1] as string;
    const fnTypes = fn.startsWith('[') ? ['identifier', 'attribute'] : fn.startsWith('(attribute)') ? ['attribute'] : ['identifier'];
    let re: RegExp;
    try {
      re = new RegExp(unquote(m[3] as string));
    } catch {
      return undefined; // tree-sitter reports it as the rule's error
    }
    patterns.push({ type: 'call', fnTypes, args: m[2] !== undefined, re });
  }
  return { patterns, sources };
}

/** A node's type: a plain value on each node class (@srcode/syntax settles it), native only for ERROR nodes. */
function typeOf(node: SyntaxNode): string {
  return node.type;
}

/** A file's calls in document order: each one's `function` node, its type and its text. */
interface CallInfo {
  readonly fn: readonly (SyntaxNode | null)[];
  readonly fnType: readonly string[];
  readonly fnText: readonly string[];
}

/** One file's nodes by type and its calls' `function` nodes and texts, each looked up once, when a pattern first needs them. */
class WalkNodes {
  readonly #byType = new Map<string, readonly SyntaxNode[]>();
  #calls?: CallInfo;
  readonly #args = new Map<number, SyntaxNode | null>();

  /** `types`: every kind the file's walks may ask for, fetched together in one pass over the tree on first need. */
  constructor(
    readonly root: SyntaxNode,
    readonly types: ReadonlySet<string>,
  ) {}

  ofType(type: string): readonly SyntaxNode[] {
    if (this.#byType.size === 0 && this.types.size > 1 && this.types.has(type)) {
      const lists = new Map<string, SyntaxNode[]>([...this.types].map((t) => [t, []]));
      for (const n of this.root.descendantsOfType([...this.types])) lists.get(typeOf(n))?.push(n);
      for (const [t, nodes] of lists) this.#byType.set(t, nodes);
    }
    let nodes = this.#byType.get(type);
    if (!nodes) {
      nodes = this.root.descendantsOfType(type);
      this.#byType.set(type, nodes);
    }
    return nodes;
  }

  calls(): CallInfo {
    if (!this.#calls) {
      const fn: (SyntaxNode | null)[] = [];
      const fnType: string[] = [];
      const fnText: string[] = [];
      for (const n of this.ofType('call')) {
        const f = n.childForFieldName('function');
        fn.push(f);
        fnType.push(f ? typeOf(f) : '');
        fnText.push(f ? f.text : '');
      }
      this.#calls = { fn, fnType, fnText };
    }
    return this.#calls;
  }

  args(i: number, call: SyntaxNode): SyntaxNode | null {
    let a = this.#args.get(i);
    if (a === undefined) {
      a = call.childForFieldName('arguments');
      this.#args.set(i, a);
    }
    return a;
  }
}

/** The node kinds a walk pattern looks at. */
function walkTypesOf(p: WalkPattern): string[] {
  return p.type === 'shape' ? (p.shapes ?? []).map((sh) => sh.type) : [p.type];
}

/**
 * The matches of walk patterns, captures as a query gives them: the call patterns over the file's calls in
 * document order (per call, patterns in their order), then each other pattern's over its nodes in document order.
 */
function walkMatches(patterns: readonly WalkPattern[], all: WalkNodes): Record<string, SyntaxNode>[] {
  const out: Record<string, SyntaxNode>[] = [];
  const callPatterns = patterns.filter((p) => p.type === 'call');
  if (callPatterns.length) {
    const calls = all.ofType('call');
    const { fn, fnType, fnText } = all.calls();
    for (let i = 0; i < calls.length; i++) {
      const f = fn[i];
      if (!f) continue;
      const node = calls[i] as SyntaxNode;
      for (const p of callPatterns) {
        if (!p.fnTypes?.includes(fnType[i] as string) || !p.re?.test(fnText[i] as string)) continue;
        if (p.args) {
          const args = all.args(i, node);
          if (!args || typeOf(args) !== 'argument_list') continue;
          out.push({ finding: node, fn: f, args });
        } else out.push({ finding: node, fn: f });
      }
    }
  }
  for (const p of patterns) {
    if (p.type === 'return_statement' || p.type === 'string') {
      for (const node of all.ofType(p.type)) out.push({ finding: node });
      continue;
    }
    if (p.type !== 'shape') continue;
    for (const sh of p.shapes ?? []) {
      for (const node of all.ofType(sh.type)) {
        const caps: Record<string, SyntaxNode> = {};
        if (!matchShape(node, sh, caps)) continue;
        const ok = (p.tests ?? []).every((t) => {
          const c = caps[t.capture];
          if (!c) return false; // as tree-sitter: a positive test of a capture the match lacks fails
          const text = c.text;
          return t.re ? t.re.test(text) : text === t.eq;
        });
        if (ok) out.push(caps);
      }
    }
  }
  return out;
}

/** A rule as the engine keeps it: its query compiled on first need, with the words it requires. */
interface RuleState {
  readonly rule: Rule;
  compiled?: CompiledQuery;
}

/** Options of `BuiltinAnalyzer`. */
export interface BuiltinAnalyzerOptions {
  /**
   * Languages and their rules.
   * @default BUILTIN_LANGUAGES
   */
  languages?: readonly LanguageRules[];
  /**
   * Analyser name written into findings.
   * @default 'builtin'
   */
  name?: string;
}

/**
 * The rule engine: tree-sitter queries plus taint-light predicates, rules registered per language.
 * Grammars and parsing come from @srcode/syntax, where each language is registered once.
 *
 * A rule's query is compiled the first time its trigger fires on a text, a text no rule applies to is
 * not parsed, and a rule's query runs only where the text holds one of the words its `#match?`
 * predicates require: one file costs only the rules it may concern. Rules declaring the same query
 * text share one compiled query and, per text, one list of its matches.
 */
export class BuiltinAnalyzer implements SyncAnalyzer {
  readonly name: string;
  readonly languages: readonly Language[];
  readonly #specs: Map<Language, LanguageRules>;
  readonly #states = new Map<Language, RuleState[]>();
  /** Compiled queries per language by query text: rules declaring the same query share one. */
  readonly #queries = new Map<Language, Map<string, CompiledQuery>>();

  constructor(options: BuiltinAnalyzerOptions = {}) {
    const specs = options.languages ?? BUILTIN_LANGUAGES;
    this.name = options.name ?? 'builtin';
    this.#specs = new Map(specs.map((s) => [s.language, s]));
    this.languages = specs.map((s) => s.language);
  }

  /** The rules registered for a language. */
  rules(language: Language): readonly Rule[] {
    return this.#specs.get(language)?.rules ?? [];
  }

  /**
   * Compile every rule of `language` now (an analysis compiles a rule only when it is first needed),
   * throwing `bad-rule` for the first query tree-sitter rejects, `unknown-language` as `analyze` does.
   */
  check(language: Language): void {
    const states = this.#rulesOf(language);
    for (const state of states) {
      this.#compiled(language, state);
      // the patterns the engine matches itself are compiled too, so a query tree-sitter rejects is reported here
      if (!state.compiled?.query) this.#treeSitterQuery(language, state.rule);
    }
  }

  async analyze(code: string, language: Language): Promise<Finding[]> {
    return this.analyzeSync(code, language);
  }

  analyzeSync(code: string, language: Language): Finding[] {
    const states = this.#rulesOf(language);
    const findings: Finding[] = [];
    const seen = new Set<string>();
    // first the rules that may match this text (trigger, required words), and the node kinds their walks need
    const plan: { state: RuleState; shared: CompiledQuery; span: { start: number; end: number } | undefined }[] = [];
    const spans = new Map<CompiledQuery, { start: number; end: number } | null | undefined>();
    const walkTypes = new Set<string>();
    // whether the text holds a word, looked up once per word (rules share many)
    const holds = new Map<string, boolean>();
    const has = (w: string): boolean => {
      let h = holds.get(w);
      if (h === undefined) {
        h = code.includes(w);
        holds.set(w, h);
      }
      return h;
    };
    for (const state of states) {
      const { rule } = state;
      if (rule.trigger) {
        rule.trigger.lastIndex = 0;
        if (!rule.trigger.test(code)) continue;
      }
      const shared = this.#compiled(language, state);
      // a walk needs only to know whether a match is possible (its words are in the matched nodes' own text)
      if (!spans.has(shared)) spans.set(shared, shared.walk ? wordsPossible(shared.words, has) : wordSpan(shared.words, code));
      const span = spans.get(shared);
      if (span === null) continue;
      plan.push({ state, shared, span });
      for (const p of shared.walk ?? []) for (const t of walkTypesOf(p)) walkTypes.add(t);
    }
    if (!plan.length) return findings;
    const tree = parse(code, language);
    // the walks and predicates read the tree's plain copy where the language asks for it; queries run on the tree
    const root = this.#specs.get(language)?.plainNodes ? (plainTree(tree, code).rootNode as unknown as SyntaxNode) : tree.rootNode;
    const walked = new WalkNodes(root, walkTypes);
    // rules sharing a compiled query share its matches on this text (same query, same word span)
    const matchesOf = new Map<CompiledQuery, readonly Record<string, SyntaxNode>[]>();
    for (const { state, shared, span } of plan) {
      const { rule } = state;
      let list = matchesOf.get(shared);
      if (list === undefined) {
        if (shared.walk) {
          // a walk pattern's required word is in the node's own text, so the span need not be applied
          list = walkMatches(shared.walk, walked);
        } else {
          // tree-sitter counts UTF-16 text in bytes, two per unit
          const options = span ? { startIndex: 2 * span.start, endIndex: 2 * span.end } : undefined;
          list = (shared.query as Query).matches(tree.rootNode, options).map((m) => {
            const captures: Record<string, SyntaxNode> = {};
            for (const c of m.captures) if (!(c.name in captures)) captures[c.name] = c.node;
            return captures;
          });
        }
        matchesOf.set(shared, list);
      }
      for (const captures of list) {
        const match: RuleMatch = { code, captures };
        const verdict = rule.predicate ? rule.predicate(match) : true;
        for (const hit of hitsOf(verdict, captures[rule.report ?? 'finding'])) {
          const key = `${rule.id}:${hit.node.startIndex}:${hit.node.endIndex}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(toFinding(this.name, rule, hit, code));
        }
      }
    }
    return sortFindings(findings);
  }

  /** The language's rules, its grammar loaded (first call per language). */
  #rulesOf(language: Language): RuleState[] {
    const cached = this.#states.get(language);
    if (cached) return cached;
    const spec = this.#specs.get(language);
    if (!spec) {
      throw new EvaluationError('unknown-language', `the built-in analyser supports ${this.languages.join(', ')}; got '${language}'`);
    }
    try {
      getLanguage(language);
    } catch (cause) {
      if (cause instanceof SyntaxLayerError && cause.code === 'unknown-language') {
        throw new EvaluationError('unknown-language', `rules for '${language}', which has no grammar: ${cause.message}`, { cause });
      }
      throw cause;
    }
    const states = spec.rules.map((rule) => ({ rule }));
    this.#states.set(language, states);
    return states;
  }

  /** The rule's compiled query and required words, compiled on first need (once per query text and language). */
  #compiled(language: Language, state: RuleState): CompiledQuery {
    if (state.compiled) return state.compiled;
    const { rule } = state;
    let byText = this.#queries.get(language);
    if (!byText) {
      byText = new Map();
      this.#queries.set(language, byText);
    }
    let shared = byText.get(rule.query);
    if (!shared) {
      let walk = walkPatterns(rule.query);
      if (walk) {
        const names = grammarNames(language);
        if (!names || !walk.patterns.every((p) => knownTo(names, p))) walk = undefined;
      }
      if (walk) shared = { walk: walk.patterns, words: requiredWords(walk.sources) };
      else {
        const query = this.#treeSitterQuery(language, rule);
        shared = { query, words: requiredWords(patternSources(query, rule.query)) };
      }
      byText.set(rule.query, shared);
    }
    state.compiled = shared;
    return shared;
  }

  #treeSitterQuery(language: Language, rule: Rule): Query {
    try {
      return compileQuery(language, rule.query);
    } catch (cause) {
      throw new EvaluationError('bad-rule', `rule ${rule.id} has a query tree-sitter rejects: ${(cause as Error).message}`, { cause });
    }
  }
}

/**
 * Where a match can be: `null` when the text lacks the words every pattern requires, else the span
 * from the first to the last occurrence of any required word (a match holds one, so its nodes meet the
 * span), or `undefined` (anywhere) when some pattern requires nothing.
 */
function wordSpan(words: RequiredWords, code: string): { start: number; end: number } | null | undefined {
  if (words === undefined) return undefined;
  let start = Number.POSITIVE_INFINITY;
  let end = -1;
  let possible = false;
  for (const pattern of words) {
    if (!pattern.every((alternatives) => alternatives.some((w) => code.includes(w)))) continue;
    possible = true;
    for (const alternatives of pattern) {
      for (const w of alternatives) {
        const first = code.indexOf(w);
        if (first < 0) continue;
        start = Math.min(start, first);
        end = Math.max(end, code.lastIndexOf(w) + w.length);
      }
    }
  }
  return possible ? { start, end } : null;
}

/** `wordSpan` without the span: `null` when the text (`has`) lacks the words every pattern requires, else `undefined`. */
function wordsPossible(words: RequiredWords, has: (word: string) => boolean): null | undefined {
  if (words === undefined) return undefined;
  return words.some((pattern) => pattern.every((alternatives) => alternatives.some(has))) ? undefined : null;
}

/** The predicate's verdict as the hits to report (`at`: the rule's reported capture, for `true`). */
function hitsOf(verdict: PredicateResult, at: SyntaxNode | undefined): RuleHit[] {
  if (!verdict) return [];
  if (verdict === true) return at ? [{ node: at }] : [];
  const items: readonly (SyntaxNode | RuleHit)[] = Array.isArray(verdict) ? verdict : [verdict as SyntaxNode | RuleHit];
  return items.map((item) => (isRuleHit(item) ? item : { node: item }));
}

function isRuleHit(item: SyntaxNode | RuleHit): item is RuleHit {
  return typeof (item as Partial<SyntaxNode>).startIndex !== 'number' && typeof (item as Partial<RuleHit>).node === 'object';
}

function linesOf(node: SyntaxNode): { start: number; end: number } {
  return { start: node.startPosition.row + 1, end: node.endPosition.row + 1 };
}

/** 1-based line of UTF-16 offset `at`. */
function lineAt(code: string, at: number): number {
  let line = 1;
  for (let i = code.indexOf('\n'); i >= 0 && i < at; i = code.indexOf('\n', i + 1)) line++;
  return line;
}

function toFlowStep(code: string, step: RuleFlowStep): FlowStep {
  if ('node' in step) {
    return { range: { start: step.node.startIndex, end: step.node.endIndex }, lines: linesOf(step.node), message: step.message };
  }
  const { range } = step;
  const lines = step.lines ?? { start: lineAt(code, range.start), end: lineAt(code, Math.max(range.start, range.end - 1)) };
  return { range: { start: range.start, end: range.end }, lines, message: step.message };
}

function toFinding(analyzer: string, rule: Rule, hit: RuleHit, code: string): Finding {
  const { node } = hit;
  const flow: FlowStep[] | undefined = hit.flow?.length ? hit.flow.map((s) => toFlowStep(code, s)) : undefined;
  return {
    schemaVersion: 1,
    analyzer,
    ruleId: rule.id,
    cwe: rule.cwe,
    severity: rule.severity,
    range: { start: node.startIndex, end: node.endIndex },
    lines: linesOf(node),
    message: hit.message ?? rule.message,
    remediation: rule.remediation,
    ...(flow ? { flow } : {}),
  };
}

/**
 * Each pattern's text in a compiled query's source, by the offsets tree-sitter gives (UTF-8 bytes);
 * undefined when they do not tile the source.
 */
function patternSources(query: Query, source: string): string[] | undefined {
  const bytes = Buffer.from(source, 'utf8');
  const out: string[] = [];
  for (let i = 0, at = 0; i < 100_000; i++) {
    const start = query.startIndexForPattern(i);
    const end = query.endIndexForPattern(i);
    if (start !== at || end <= start) return undefined;
    out.push(bytes.subarray(start, end).toString('utf8'));
    at = end;
    if (end >= bytes.length) return out;
  }
  return undefined;
}

// A positive text predicate: (#match? @c "re"), (#any-match? @c "re"), (#any-of? @c "a" "b" ...).
const TEXT_PREDICATE = /\(\s*#(match\?|any-match\?|any-of\?)\s+@[^\s()"]+((?:\s+"(?:[^"\\]|\\.)*")+)\s*\)/g;
const QUERY_STRING = /"((?:[^"\\]|\\.)*)"/g;

/** A query string literal's value (tree-sitter's escapes: \n, \r, \t, \0, and \ before any other character). */
function unquote(body: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0' })[c] ?? c);
}

// A JavaScript regular expression (no flags, as the query predicates use it), read just far enough
// to find the literal words every match contains.
type ReItem = { kind: 'char'; text: string; repeated: boolean } | { kind: 'group'; alternatives: ReItem[][] } | { kind: 'other' };

class ReReader {
  pos = 0;
  constructor(readonly src: string) {}

  /** Branches up to a `)` or the end. */
  alternation(): ReItem[][] {
    const branches: ReItem[][] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches;
  }

  sequence(): ReItem[] {
    const items: ReItem[] = [];
    for (let c = this.src[this.pos]; c !== undefined && c !== '|' && c !== ')'; c = this.src[this.pos]) {
      const item = this.atom();
      const min = this.quantifier();
      if (min === undefined) items.push(item);
      else if (min === 0) items.push({ kind: 'other' });
      else if (item.kind === 'char') items.push({ ...item, repeated: true });
      else items.push(item, { kind: 'other' });
    }
    return items;
  }

  /** The least count of a quantifier here (consumed), undefined without one. */
  quantifier(): number | undefined {
    const c = this.src[this.pos];
    let min: number | undefined;
    if (c === '*' || c === '?') min = 0;
    else if (c === '+') min = 1;
    else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(this.src.slice(this.pos));
      if (!m) return undefined;
      this.pos += m[0].length - 1;
      min = Number(m[1]);
    }
    if (min === undefined) return undefined;
    this.pos++;
    if (this.src[this.pos] === '?') this.pos++;
    return min;
  }

  atom(): ReItem {
    const c = this.src[this.pos++] as string;
    if (c === '\\') {
      const e = this.src[this.pos++] ?? '';
      if (/[.\-/()[\]{}*+?|^$\\ "'#,:;=<>!@%&~`]/.test(e)) return { kind: 'char', text: e, repeated: false };
      if (e === 'n' || e === 't' || e === 'r') return { kind: 'char', text: { n: '\n', t: '\t', r: '\r' }[e], repeated: false };
      if (e === 'x' || e === 'u' || e === 'c' || e === 'k' || e === 'p' || e === 'P') this.pos = this.src.length; // not read further
      return { kind: 'other' };
    }
    if (c === '[') {
      if (this.src[this.pos] === '^') this.pos++;
      if (this.src[this.pos] === ']') this.pos++;
      while (this.pos < this.src.length && this.src[this.pos] !== ']') this.pos += this.src[this.pos] === '\\' ? 2 : 1;
      this.pos++;
      return { kind: 'other' };
    }
    if (c === '(') {
      let lookaround = false;
      if (this.src[this.pos] === '?') {
        const m = /^\?(:|=|!|<=|<!|<[A-Za-z_]\w*>)/.exec(this.src.slice(this.pos));
        if (!m) {
          this.pos = this.src.length;
          return { kind: 'other' };
        }
        lookaround = m[1] !== ':' && !(m[1] ?? '').endsWith('>');
        this.pos += m[0].length;
      }
      const alternatives = this.alternation();
      if (this.src[this.pos] === ')') this.pos++;
      return lookaround ? { kind: 'other' } : { kind: 'group', alternatives };
    }
    if (/[\w ,:;=<>'"#@!%&~`/-]/.test(c) || c.charCodeAt(0) > 0x7f) return { kind: 'char', text: c, repeated: false };
    return { kind: 'other' }; // . ^ $ and anything unread
  }
}

/** Conjunction of alternatives: the words a match of this sequence must contain. */
function sequenceWords(items: readonly ReItem[]): string[][] {
  const out: string[][] = [];
  let run = '';
  const flush = () => {
    if (run) out.push([run]);
    run = '';
  };
  for (const item of items) {
    if (item.kind === 'char') {
      run += item.text;
      if (item.repeated) flush();
    } else {
      flush();
      if (item.kind === 'group') {
        const words = alternativesWords(item.alternatives);
        if (words) out.push(words);
      }
    }
  }
  flush();
  return out;
}

/** The words one of which a match of one of these branches contains (one requirement per branch, the strongest), or undefined. */
function alternativesWords(branches: readonly ReItem[][]): string[] | undefined {
  const words = new Set<string>();
  for (const branch of branches) {
    const needs = sequenceWords(branch);
    if (needs.length === 0) return undefined;
    const strength = (ws: readonly string[]) => Math.min(...ws.map((w) => w.length));
    const best = needs.reduce((a, b) => (strength(b) > strength(a) ? b : a));
    for (const w of best) words.add(w);
  }
  return [...words];
}

/**
 * What any text `re` matches contains: a conjunction of alternatives (`[["os."], ["system", "popen"]]`
 * for `^os\.(system|popen)$`), read from its literal characters and groups of literal branches;
 * empty when nothing is certain.
 */
export function requiredSubstrings(re: string): string[][] {
  const reader = new ReReader(re);
  const branches = reader.alternation();
  if (reader.pos < re.length) return []; // an unbalanced `)`: read no further
  if (branches.length === 1) return sequenceWords(branches[0] ?? []);
  const words = alternativesWords(branches);
  return words ? [words] : [];
}

/**
 * The words a query requires of a text, per pattern, from its positive `#match?` and `#any-of?`
 * predicates (a capture's text is part of the source, so a pattern whose predicate accepts only some
 * words cannot match a text holding none of them). `patterns`: each pattern's source, as tree-sitter
 * cut them; undefined (or a pattern requiring nothing) gives undefined.
 */
export function requiredWords(patterns: readonly string[] | undefined): RequiredWords {
  if (!patterns?.length) return undefined;
  const out: string[][][] = [];
  for (const pattern of patterns) {
    const needs: string[][] = [];
    for (const p of pattern.matchAll(TEXT_PREDICATE)) {
      const args = [...(p[2] ?? '').matchAll(QUERY_STRING)].map((s) => unquote(s[1] ?? ''));
      if (p[1] === 'any-of?') {
        if (args.length > 0 && args.every((w) => w.length > 0)) needs.push(args);
      } else if (args.length === 1) needs.push(...requiredSubstrings(args[0] ?? ''));
    }
    if (needs.length === 0) return undefined;
    out.push(needs);
  }
  return out;
}
