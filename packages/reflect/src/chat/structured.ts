import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { ReflectError } from '../errors.js';
import type { ChatModel, ChatRequest, ChatResult } from './model.js';

/** Options of `completeStructured`. */
export interface StructuredOptions {
  /** JSON Schema (draft 2020-12) the reply must satisfy. */
  schema: object;
  /** Name given to the server's `json_schema` response format. */
  name: string;
  /** Extra turns asking the model to correct a reply that is not JSON or breaks the schema. @default 2 */
  maxReasks?: number;
  /** Aborts the requests. */
  signal?: AbortSignal;
}

/** A reply that passed the schema, with the turns it took. */
export interface StructuredResult<T> {
  /** The parsed, schema-valid answer. */
  value: T;
  /** Every answer received, the accepted one last. */
  results: ChatResult[];
  /** The conversation including the accepted answer, for a follow-up turn. */
  messages: ChatRequest['messages'];
}

const compiled = new WeakMap<object, ValidateFunction>();
let ajv: Ajv2020 | undefined;

function validatorFor(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    ajv ??= new Ajv2020({ allErrors: true, strict: false });
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Pulls a JSON value out of a reply, tolerating a Markdown code fence or prose around one object. */
export function extractJson(content: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(content);
  const candidates = [content.trim()];
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = content.indexOf('{');
  const last = content.lastIndexOf('}');
  if (first !== -1 && last > first) candidates.push(content.slice(first, last + 1));
  for (const text of candidates) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {}
  }
  return { ok: false, message: 'the reply is not JSON' };
}

/**
 * Sends `request` asking for JSON matching `schema`, validates the reply with ajv and, when it is not
 * JSON or breaks the schema, re-asks in the same conversation with the validation errors.
 */
export async function completeStructured<T>(
  model: ChatModel,
  request: ChatRequest,
  options: StructuredOptions,
): Promise<StructuredResult<T>> {
  const validate = validatorFor(options.schema);
  const maxReasks = options.maxReasks ?? 2;
  const messages = [...request.messages];
  const results: ChatResult[] = [];
  const responseFormat = { type: 'json_schema' as const, json_schema: { name: options.name, schema: options.schema, strict: true } };
  let problem = '';
  for (let turn = 0; turn <= maxReasks; turn++) {
    const usable = (content: string) => {
      const json = extractJson(content);
      return json.ok && validate(json.value);
    };
    const result = await model.complete({ ...request, messages: [...messages], responseFormat }, { signal: options.signal, usable });
    results.push(result);
    messages.push({ role: 'assistant', content: result.content });
    const parsed = extractJson(result.content);
    if (parsed.ok && validate(parsed.value)) {
      return { value: parsed.value as T, results, messages };
    }
    problem = parsed.ok
      ? (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ')
      : parsed.message;
    messages.push({
      role: 'user',
      content: `Your reply could not be used: ${problem}. Reply again with only one JSON object that matches the schema.`,
    });
  }
  throw new ReflectError('invalid-output', `no valid ${options.name} after ${maxReasks + 1} answers; last problem: ${problem}`);
}
