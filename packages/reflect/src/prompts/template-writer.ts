import type { PromptStyle, RepairPair } from '@srcode/dataset';
import { sha256 } from '../hash.js';
import { languageHints } from '../languages.js';
import { leakCheck } from './leak.js';
import { type FunctionShape, functionShape } from './signature.js';

/** One candidate task description before leak checking and the diversity filter. */
export interface PromptCandidate {
  /** How the description is written. */
  style: PromptStyle;
  /** The description. */
  text: string;
}

/** Writes candidate task descriptions for a pair; the template writer or an LLM. */
export interface PromptWriter {
  /** Recorded in every prompt's `generator`. */
  readonly kind: 'llm' | 'template';
  /** Model name (or template version) recorded in every prompt's `generator`. */
  readonly model: string;
  /** Up to `count` candidate descriptions of the pair's fixed function. */
  write(pair: RepairPair, count: number, options?: { signal?: AbortSignal }): Promise<PromptCandidate[]>;
}

const ABBREVIATIONS: Record<string, string> = {
  buf: 'buffer',
  len: 'length',
  str: 'string',
  num: 'number',
  cnt: 'count',
  ctx: 'context',
  req: 'request',
  res: 'response',
  resp: 'response',
  msg: 'message',
  addr: 'address',
  pkt: 'packet',
  idx: 'index',
  src: 'source',
  dst: 'destination',
  dest: 'destination',
  tmp: 'temporary',
  cfg: 'configuration',
  conf: 'configuration',
  init: 'initialise',
  alloc: 'allocate',
  dev: 'device',
  info: 'information',
  args: 'arguments',
  arg: 'argument',
  fn: 'function',
  func: 'function',
  db: 'database',
  dir: 'directory',
  param: 'parameter',
  params: 'parameters',
  img: 'image',
  attr: 'attribute',
  attrs: 'attributes',
  val: 'value',
  var: 'variable',
  obj: 'object',
  elem: 'element',
  hdr: 'header',
  sz: 'size',
  fd: 'file descriptor',
  fp: 'file',
  btn: 'button',
  usr: 'user',
  pwd: 'password',
  recv: 'receive',
  cmd: 'command',
  opts: 'options',
  dict: 'dictionary',
  cb: 'callback',
  id: 'ID',
  url: 'URL',
};

/** `parse_http_hdr` / `parseHttpHdr` -> `parse HTTP header`. */
export function humanise(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$.:>-]+/)
    .filter(Boolean)
    .map((w) => {
      const lower = w.toLowerCase();
      if (ABBREVIATIONS[lower]) return ABBREVIATIONS[lower];
      return /^[A-Z0-9]+$/.test(w) && w.length > 1 ? w : lower;
    })
    .join(' ');
}

const clean = (s: string) => leakCheck(s).passed;

/** A deterministic pick from `options` for this pair and slot. */
function pick<T>(options: readonly T[], seed: string): T {
  const n = Number.parseInt(sha256(seed).slice(0, 8), 16);
  return options[n % options.length] as T;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

interface Facts {
  lang: string;
  name: string | undefined;
  purpose: string;
  signature: string | undefined;
  params: string[];
  paramPhrases: string[];
  calls: string[];
  doc: string | undefined;
  returns: string;
}

function facts(pair: RepairPair, shape: FunctionShape, stableCalls: string[]): Facts {
  const hints = languageHints(pair.language);
  const name = shape.name && clean(shape.name) && clean(humanise(shape.name)) ? shape.name : undefined;
  const params = shape.params.map((p) => p.name).filter((p) => clean(p) && clean(humanise(p)));
  const paramPhrases = shape.params
    .filter((p) => params.includes(p.name))
    .map((p) => (p.type && clean(p.type) ? `${humanise(p.name)} (\`${p.name}\`, ${p.type})` : `${humanise(p.name)} (\`${p.name}\`)`));
  const calls = stableCalls.filter((c) => clean(c) && clean(humanise(c))).slice(0, 4);
  const doc = shape.doc && clean(shape.doc) && shape.doc.length <= 400 ? shape.doc : undefined;
  const purpose = name ? humanise(name) : 'the described operation';
  const type = shape.returnType && clean(shape.returnType) ? shape.returnType : undefined;
  const article = type && /^[aeiou]/i.test(type) ? 'an' : 'a';
  const returns = type && type !== 'void' ? `returns ${article} ${type}` : shape.returnsValue ? 'returns the result' : 'returns nothing';
  return {
    lang: hints.displayName,
    name,
    purpose,
    signature: name ? `${name}(${params.join(', ')})` : undefined,
    params,
    paramPhrases,
    calls,
    doc,
    returns,
  };
}

function userRequest(f: Facts, seed: string): string {
  const opener = pick(
    [
      `Write a ${f.lang} function`,
      `I need a ${f.lang} function`,
      `Can you implement a ${f.lang} function`,
      `Please write a function in ${f.lang}`,
      `Help me code a ${f.lang} routine`,
    ],
    `${seed}:open`,
  );
  const named = f.signature ? ` \`${f.signature}\`` : '';
  const takes = f.paramPhrases.length ? ` It takes ${list(f.paramPhrases)}.` : ' It takes no arguments.';
  const doc = f.doc ? ` In short: ${f.doc}` : '';
  const uses = f.calls.length
    ? pick(
        [` You may use ${list(f.calls.map((c) => `\`${c}\``))}.`, ` It should build on ${list(f.calls.map((c) => `\`${c}\``))}.`],
        `${seed}:uses`,
      )
    : '';
  const task = pick(
    [`that performs "${f.purpose}"`, `for the task "${f.purpose}"`, `implementing the operation "${f.purpose}"`],
    `${seed}:task`,
  );
  return `${opener}${named} ${task}.${takes}${doc} The function ${f.returns}.${uses}`.replace(/\.\./g, '.');
}

function docstring(f: Facts, seed: string, docStyle: string): string {
  const summary = f.doc ?? `${f.purpose.charAt(0).toUpperCase()}${f.purpose.slice(1)}.`;
  const args = f.params.map((p) => `${p}: the ${humanise(p)}.`);
  const body = [
    summary.endsWith('.') ? summary : `${summary}.`,
    ...(args.length ? ['', pick(['Args:', 'Parameters:', 'Arguments:'], `${seed}:args`), ...args.map((a) => `  ${a}`)] : []),
    '',
    `Returns: ${f.returns.replace(/^returns /, '')}.`,
  ];
  const head = f.signature ? [`${f.signature}`, ''] : [];
  const lines = [...head, ...body];
  if (docStyle === 'docstring') return `"""${lines.join('\n')}\n"""`;
  if (docStyle === 'hash-before') return lines.map((l) => `# ${l}`.trimEnd()).join('\n');
  if (docStyle === 'slash-before') return lines.map((l) => `// ${l}`.trimEnd()).join('\n');
  return `/**\n${lines.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */`;
}

function specification(f: Facts, seed: string): string {
  const inputs = f.paramPhrases.length ? f.paramPhrases.map((p) => `- ${p}`).join('\n') : '- none';
  const behaviour = f.doc ?? `The function performs "${f.purpose}".`;
  const deps = f.calls.length ? `\nCollaborators: ${list(f.calls.map((c) => `\`${c}\``))}.` : '';
  const title = pick(['Specification', 'Task', 'Requirements', 'Function contract'], `${seed}:title`);
  return `${title}: ${f.lang} function${f.signature ? ` \`${f.signature}\`` : ''}\nInputs:\n${inputs}\nBehaviour: ${behaviour}\nOutput: it ${f.returns}.${deps}`;
}

function codeComment(f: Facts, seed: string, docStyle: string): string {
  const verb = pick(['TODO: implement', 'Implement', 'Complete'], `${seed}:verb`);
  const lead = docStyle === 'docstring' || docStyle === 'hash-before' ? '# ' : '// ';
  return `${lead}${verb} ${f.signature ? `\`${f.signature}\`` : 'this function'} to perform "${f.purpose}"${f.params.length ? `, given ${list(f.params.map((p) => `\`${p}\``))}` : ''}; it ${f.returns}.`;
}

/**
 * The offline prompt writer: fills templates from the function's name, parameters, documentation
 * and the calls both versions share (so nothing the fix added or removed is named). Weaker than an
 * LLM: it restates the surface of the function rather than its intent.
 */
export class TemplatePromptWriter implements PromptWriter {
  /** Always `template`. */
  readonly kind = 'template' as const;
  /** The version of the templates, recorded in every prompt. */
  readonly model = 'srcode-template-writer@1';

  /** Up to `count` distinct descriptions, cycling through the four styles. */
  async write(pair: RepairPair, count: number): Promise<PromptCandidate[]> {
    const shape = functionShape(pair.fixedCode, pair.language, pair.provenance.functionName);
    const before = new Set(functionShape(pair.vulnerableCode, pair.language).calls);
    const f = facts(
      pair,
      shape,
      shape.calls.filter((c) => before.has(c)),
    );
    const docStyle = languageHints(pair.language).docStyle;
    const makers: [PromptStyle, (seed: string) => string][] = [
      ['user-request', (s) => userRequest(f, s)],
      ['docstring', (s) => docstring(f, s, docStyle)],
      ['specification', (s) => specification(f, s)],
      ['code-comment', (s) => codeComment(f, s, docStyle)],
    ];
    const out: PromptCandidate[] = [];
    const seen = new Set<string>();
    for (let i = 0; out.length < count && i < count * 4; i++) {
      const [style, make] = makers[i % makers.length] as [PromptStyle, (seed: string) => string];
      const text = make(`${pair.id}:${i}`);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ style, text });
    }
    return out;
  }
}
