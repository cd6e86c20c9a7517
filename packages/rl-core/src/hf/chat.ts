import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RlCoreError } from '../errors.js';
import type { HfConfig } from './config.js';
import { HfTokenizer } from './tokenizer.js';

/** The chat formats recognised in a `chat_template`: ChatML (Qwen) and Llama 3's header format. */
export type ChatFormat = 'chatml' | 'llama3' | 'none';

/** A checkpoint's text side: its tokenizer, chat format, BOS prefix and end-of-sequence tokens. */
export interface HfText {
  /** The tokenizer of tokenizer.json. */
  tokenizer: HfTokenizer;
  /** The chat format its template follows ('none' without a template, or with one of another kind). */
  format: ChatFormat;
  /** The system message the template puts in when a conversation has none (ChatML templates of Qwen2.5). */
  defaultSystem?: string;
  /** Sampling stops at any of these: config.json's eos_token_id, generation_config.json's, tokenizer_config.json's eos_token. */
  stopTokens: number[];
  /** Token ids a plain (non-chat) prompt starts with: the BOS when the tokenizer adds one. */
  prefix: number[];
  /** Rows of the model's embedding (config.json's vocab_size): a prompt's ids must stay below it. */
  vocabSize?: number;
}

async function optionalJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `${path}: expected JSON, found unparsable text`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new RlCoreError(
      'invalid-checkpoint',
      `${path}: expected a JSON object, found ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`,
    );
  return json as Record<string, unknown>;
}

const tokenText = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof (v as { content?: unknown })?.content === 'string'
      ? ((v as { content: string }).content as string)
      : undefined;

/**
 * Reads a checkpoint folder's tokenizer.json, tokenizer_config.json (chat template, BOS/EOS tokens) and
 * generation_config.json. The chat template is not interpreted as Jinja: its format is recognised by its
 * markers, and `chatPrompt` writes that format for one user message.
 */
export async function loadHfText(dir: string, config: HfConfig): Promise<HfText> {
  const tokenizer = await HfTokenizer.load(dir);
  const tc = await optionalJson(join(dir, 'tokenizer_config.json'));
  const gen = await optionalJson(join(dir, 'generation_config.json'));
  let template = tc.chat_template;
  if (Array.isArray(template))
    template = (template.find((t) => (t as { name?: unknown }).name === 'default') as { template?: unknown } | undefined)?.template;
  const t = typeof template === 'string' ? template : '';
  const format: ChatFormat = t.includes('<|im_start|>') ? 'chatml' : t.includes('<|start_header_id|>') ? 'llama3' : 'none';
  const stop = new Set<number>(config.eosTokenIds);
  for (const id of Array.isArray(gen.eos_token_id) ? gen.eos_token_id : [gen.eos_token_id])
    if (Number.isInteger(id)) stop.add(id as number);
  const eos = tokenText(tc.eos_token);
  const eosId = eos === undefined ? undefined : tokenizer.tokenId(eos);
  if (eosId !== undefined) stop.add(eosId);
  if (format === 'chatml' && tokenizer.tokenId('<|im_end|>') !== undefined) stop.add(tokenizer.tokenId('<|im_end|>') as number);
  if (format === 'llama3' && tokenizer.tokenId('<|eot_id|>') !== undefined) stop.add(tokenizer.tokenId('<|eot_id|>') as number);
  const prefix: number[] = [];
  const bos = tokenText(tc.bos_token);
  const bosId = bos === undefined ? config.bosTokenId : tokenizer.tokenId(bos);
  // tokenizer_config.json's add_bos_token decides when it says; else the post-processor's template does
  if (tc.add_bos_token === true && bosId !== undefined) prefix.push(bosId);
  else if (tc.add_bos_token !== false) prefix.push(...tokenizer.prefixIds);
  const out: HfText = { tokenizer, format, stopTokens: [...stop], prefix, vocabSize: config.vocabSize };
  // Qwen2.5's templates write a fixed system message when the conversation has none
  const m = /'<\|im_start\|>system\\n([^'{}]*)<\|im_end\|>\\n'/.exec(t);
  if (format === 'chatml' && m) out.defaultSystem = (m[1] as string).replace(/\\n/g, '\n');
  return out;
}

/**
 * Token ids of a prompt: one user message in the checkpoint's chat format (`raw`: the text itself after the
 * BOS prefix). An id the model's embedding has no row for (a tokenizer larger than `vocab_size`) is refused
 * rather than read as garbage.
 */
export function encodePrompt(text: HfText, prompt: string, options: { raw?: boolean; system?: string } = {}): number[] {
  const ids = promptIds(text, prompt, options);
  const V = text.vocabSize;
  const bad = V === undefined ? -1 : ids.findIndex((id) => id >= V);
  if (bad >= 0)
    throw new RlCoreError(
      'invalid-input',
      `expected prompt token ids below the model's vocab_size ${V}, found ${ids[bad]} (${JSON.stringify(text.tokenizer.decode([ids[bad] as number], true))}) at position ${bad}: tokenizer.json has more tokens than the embedding has rows`,
    );
  return ids;
}

function promptIds(text: HfText, prompt: string, options: { raw?: boolean; system?: string }): number[] {
  const system = options.system ?? text.defaultSystem;
  if (options.raw || text.format === 'none') return [...text.prefix, ...text.tokenizer.encode(prompt)];
  if (text.format === 'chatml') {
    const sys = system === undefined ? '' : `<|im_start|>system\n${system}<|im_end|>\n`;
    return text.tokenizer.encode(`${sys}<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n`);
  }
  const bos = text.prefix[0] ?? text.tokenizer.tokenId('<|begin_of_text|>');
  const sys = system === undefined ? '' : `<|start_header_id|>system<|end_header_id|>\n\n${system}<|eot_id|>`;
  return [
    ...(bos === undefined ? [] : [bos]),
    ...text.tokenizer.encode(
      `${sys}<|start_header_id|>user<|end_header_id|>\n\n${prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    ),
  ];
}
