import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, makePair } from '../../test/make-pair.js';
import { ProtocolServer, recordingSleep } from '../../test/protocol-server.js';
import { OpenAIChatClient } from '../chat/openai.js';
import { generatePrompts } from './generate.js';
import { LlmPromptWriter } from './llm-writer.js';

let server: ProtocolServer;
let endpoint: string;
beforeEach(async () => {
  server = new ProtocolServer();
  endpoint = await server.start();
});
afterEach(() => server.stop());

const CANDIDATES = [
  { style: 'user-request', text: 'Write a C function copy_name(u, src) that stores a copy of src as the user name.' },
  { style: 'docstring', text: '/** Store a copy of the given string as the user name. Returns 0. */' },
  { style: 'specification', text: 'Inputs: a user record and a string. Behaviour: securely copy the string.' },
  { style: 'code-comment', text: '// Give the user a name, copied from src, that is at most len bytes long.' },
];

function chat() {
  return new OpenAIChatClient({ endpoint, model: 'writer', baseDelayMs: 1, sleep: recordingSleep().sleep });
}

describe('LlmPromptWriter', () => {
  it('asks for candidates from the fixed code only and drops those with forbidden terms', async () => {
    server.answer = () => ({ kind: 'answer', content: JSON.stringify({ prompts: CANDIDATES }) });
    const r = await generatePrompts(makePair(C_BEFORE, C_AFTER), { writer: new LlmPromptWriter(chat()), candidates: 4, keep: 2 });
    expect(r.leaked.map((l) => l.matchedTerms)).toEqual([['secur']]);
    expect(r.prompts).toHaveLength(2);
    for (const p of r.prompts) expect(p.generator).toEqual({ kind: 'llm', model: 'writer' });
    const user = server.requests[0]?.body.messages[1]?.content ?? '';
    expect(user).toContain('strncpy(buf, src, u->len - 1);');
    expect(user).not.toContain('strcpy(buf, src);');
  });

  it('drops the candidates the model check flags', async () => {
    server.answer = (req) => {
      const last = req.body.messages.at(-1)?.content ?? '';
      if (!last.startsWith('Does this text')) return { kind: 'answer', content: JSON.stringify({ prompts: CANDIDATES }) };
      return { kind: 'answer', content: JSON.stringify({ mentionsSecurity: last.includes('at most len bytes') }) };
    };
    const r = await generatePrompts(makePair(C_BEFORE, C_AFTER), {
      writer: new LlmPromptWriter(chat(), { modelLeakCheck: true }),
      keep: 4,
    });
    expect(r.prompts.map((p) => p.style)).toEqual(['user-request', 'docstring']);
    expect(server.requests).toHaveLength(5);
  });
});
