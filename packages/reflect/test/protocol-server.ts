import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Fault =
  | { kind: 'answer'; content: string; promptTokens?: number; completionTokens?: number; delayMs?: number }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'stall' }
  | { kind: 'truncate' }
  | { kind: 'raw'; body: string };

export interface RecordedRequest {
  body: { model: string; messages: { role: string; content: string }[]; seed?: number; [k: string]: unknown };
  headers: IncomingMessage['headers'];
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) speaking OpenAI chat completions. Scripted faults are
 * served first, in order; after that every request goes to `answer`.
 */
export class ProtocolServer {
  readonly requests: RecordedRequest[] = [];
  readonly script: Fault[] = [];
  inFlight = 0;
  maxInFlight = 0;
  answer: (request: RecordedRequest) => Fault = () => ({ kind: 'answer', content: '{}' });
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const recorded: RecordedRequest = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers };
    this.requests.push(recorded);
    const fault = this.script.shift() ?? this.answer(recorded);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.open.add(res);
    res.on('close', () => {
      this.inFlight--;
      this.open.delete(res);
    });
    switch (fault.kind) {
      case 'answer': {
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        const body = JSON.stringify({
          id: `chatcmpl-${this.requests.length}`,
          object: 'chat.completion',
          model: recorded.body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: fault.content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: fault.promptTokens ?? 10, completion_tokens: fault.completionTokens ?? 5, total_tokens: 15 },
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        return;
      }
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: { message: 'scripted' } }));
        return;
      }
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"');
        return; // never ends; the client's timeout must fire
      case 'truncate':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        res.write('{"id":"chatcmpl-x","choices":[{"message":{"content":"{\\"a');
        res.destroy();
        return;
      case 'raw':
        res.writeHead(200, { 'content-type': 'text/html' }).end(fault.body);
        return;
    }
  }
}

/** A retry sleeper that records the delays and does not wait. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}
