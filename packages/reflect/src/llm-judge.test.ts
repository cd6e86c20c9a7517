import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, makePair } from '../test/make-pair.js';
import { ProtocolServer, type RecordedRequest, recordingSleep } from '../test/protocol-server.js';
import { OpenAIChatClient } from './chat/openai.js';
import { LlmJudge } from './llm-judge.js';
import { reflectPair } from './reflect.js';

let server: ProtocolServer;
let endpoint: string;
beforeEach(async () => {
  server = new ProtocolServer();
  endpoint = await server.start();
});
afterEach(() => server.stop());

const analysis = (accept: boolean, extra: object = {}) =>
  JSON.stringify({
    rootCause: 'strcpy copies src into a buffer of u->len bytes without a bound',
    vulnerableLines: [4],
    fixingLines: [6],
    securityRelevant: true,
    fixComplete: accept,
    accept,
    rationale: accept ? 'the copy is now bounded' : 'the NULL check does not bound the copy',
    ...extra,
  });

/** A model that accepts in its analysis turn and, for seed 2, revises to reject on reflection. */
function scriptedModel(req: RecordedRequest) {
  const reflecting = req.body.messages.some((m) => m.role === 'user' && m.content.startsWith('Now check your own analysis'));
  const seed = req.body.seed ?? 0;
  return { kind: 'answer' as const, content: analysis(!(reflecting && seed === 2)), promptTokens: 100, completionTokens: 20 };
}

function makeJudge(cacheDir?: string, samples = 3) {
  const { sleep } = recordingSleep();
  const chat = new OpenAIChatClient({
    endpoint,
    model: 'judge-model',
    baseDelayMs: 1,
    timeoutMs: 1500,
    sleep,
    ...(cacheDir ? { cacheDir } : {}),
  });
  return { chat, judge: new LlmJudge(chat, { samples }) };
}

describe('LlmJudge over the chat-completions protocol', () => {
  it('runs an analysis turn and a reflection turn per sample; agreement is the confidence', async () => {
    server.answer = scriptedModel;
    const { chat, judge } = makeJudge();
    const v = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, analyzers: [] });
    expect(validate('ReflectionVerdict', v)).toMatchObject({ ok: true });
    expect(v).toMatchObject({ accepted: true, votes: { accept: 2, reject: 1, samples: 3 }, judge: { kind: 'llm', model: 'judge-model' } });
    expect(v.confidence).toBeCloseTo(2 / 3, 4);
    expect(v.vulnerableLines).toEqual([4]);
    expect(server.requests).toHaveLength(6);
    expect(new Set(server.requests.map((r) => r.body.seed))).toEqual(new Set([0, 1, 2]));
    const reflection = server.requests.find((r) => r.body.messages.length === 4);
    expect(reflection?.body.messages[2]).toMatchObject({ role: 'assistant' });
    expect(reflection?.body.messages[1]?.content).toContain('Claimed weakness: CWE-476 (NULL pointer dereference)');
    expect(reflection?.body.messages[1]?.content).toContain('-   4 |     strcpy(buf, src);');
    expect(chat.stats).toMatchObject({ requests: 6, promptTokens: 600, completionTokens: 120 });
  });

  it('raises the confidence with analyser evidence and applies the threshold', async () => {
    server.answer = scriptedModel;
    const { judge } = makeJudge();
    const withEvidence = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, threshold: 0.8, analyzers: [new LexicalAnalyzer()] });
    expect(withEvidence.evidence).toContainEqual(expect.objectContaining({ removedByFix: true }));
    expect(withEvidence).toMatchObject({ accepted: true, confidence: 0.8667 });
    const without = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, threshold: 0.8, analyzers: [] });
    expect(without.accepted).toBe(false);
    expect(without.rejectReasons).toEqual(['judge:fix-incomplete', 'low-confidence:0.6667<0.8']);
  });

  it('gives the same verdict with every fault injected, and the cache then answers without requests', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-judge-'));
    server.answer = scriptedModel;
    const clean = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge: makeJudge().judge, analyzers: [] });
    const cleanRequests = server.requests.length;
    server.script.push(
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'status', status: 500 },
      { kind: 'stall' },
      { kind: 'truncate' },
      { kind: 'raw', body: 'upstream error' },
      { kind: 'answer', content: '{"rootCause": 7}' },
    );
    const faulty = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge: makeJudge(cacheDir).judge, analyzers: [] });
    expect(faulty).toEqual(clean);
    // five transport faults are retried and the schema-breaking answer is re-asked: six extra requests
    expect(server.requests.length - cleanRequests).toBe(cleanRequests + 6);
    const before = server.requests.length;
    const again = makeJudge(cacheDir);
    const cached = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge: again.judge, analyzers: [] });
    expect(cached).toEqual(clean);
    // the schema-breaking answer was not cached: its turn is asked again (and answered well), the rest come from the cache
    expect(server.requests.length).toBe(before + 1);
    expect(again.chat.stats).toMatchObject({ requests: 1, cacheHits: 5 });
  });

  it('fails the pair when a sample stays off-schema, and a rerun asks that sample again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-judge-'));
    let broken = true;
    server.answer = (req) => (broken && req.body.seed === 1 ? { kind: 'answer', content: 'I cannot answer in JSON.' } : scriptedModel(req));
    const err = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge: makeJudge(cacheDir).judge, analyzers: [] }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'invalid-output', message: expect.stringContaining('judge sample 1 (of 3)') });
    broken = false;
    const before = server.requests.length;
    const v = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge: makeJudge(cacheDir).judge, analyzers: [] });
    expect(v.votes).toEqual({ accept: 2, reject: 1, samples: 3 });
    expect(server.requests.length - before).toBe(2); // only the failed sample's two turns
  });

  it("lets a sample whose output stays invalid abstain with invalidSamples: 'abstain'", async () => {
    server.answer = (req) => (req.body.seed === 1 ? { kind: 'answer', content: 'I cannot answer in JSON.' } : scriptedModel(req));
    const { chat } = makeJudge();
    const v = await reflectPair(makePair(C_BEFORE, C_AFTER), {
      judge: new LlmJudge(chat, { samples: 3, invalidSamples: 'abstain' }),
      analyzers: [],
    });
    expect(v.votes).toEqual({ accept: 1, reject: 1, samples: 2 });
    expect(v.confidence).toBe(0.5);
  });

  it('changes the prompt hash with the settings that shape the votes', () => {
    const { chat } = makeJudge();
    expect(new LlmJudge(chat, { samples: 3 }).promptHash).not.toBe(new LlmJudge(chat, { samples: 5 }).promptHash);
    expect(new LlmJudge(chat, { samples: 3 }).promptHash).toBe(new LlmJudge(chat, { samples: 3 }).promptHash);
  });
});
