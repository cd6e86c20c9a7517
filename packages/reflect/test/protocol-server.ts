import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Fault =
  | { kind: 'answer'; content: string; promptTokens?: number; completionTokens?: number; delayMs?: number }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'stall' }
  | { kind: 'truncate' }
  | { kind: 'raw'; body: string }
  /** A 200 whose body never ends: chunks are written until the client hangs up. */
  | { kind: 'endless' }
  /** A body of `bytes` bytes announced in Content-Length, sent in full. */
  | { kind: 'huge'; bytes: number }
  /** The request's Authorization header echoed: in an error body (`status`), or inside a 200 answer's content. */
  | { kind: 'echo-auth'; status: number };

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
  /** Models listed at `GET /v1/models`; `undefined` makes that route a 404, as on servers without it. */
  models: string[] | undefined = ['test-model'];
  /** Faults served to `GET /v1/models` first, in order (`answer` and `echo-auth` there list the models). */
  readonly modelsScript: Fault[] = [];
  /** `GET /v1/models` requests seen. */
  modelRequests = 0;
  /** Bytes written by `endless` faults, so a test can see the client hung up. */
  endlessBytes = 0;
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
    if (req.url === '/v1/models' && req.method === 'GET') return this.listModels(req, res);
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
    this.serve(fault, recorded, req, res);
  }

  private listModels(req: IncomingMessage, res: ServerResponse): void {
    this.modelRequests++;
    const fault = this.modelsScript.shift();
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    if (fault && fault.kind !== 'answer')
      return void this.serve(fault, { body: { model: '', messages: [] }, headers: req.headers }, req, res);
    if (!this.models) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const data = this.models.map((id) => ({ id, object: 'model', owned_by: 'test' }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
  }

  private async serve(fault: Fault, recorded: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) this.endlessBytes += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(fault.bytes) });
        res.end(Buffer.alloc(fault.bytes, 0x20));
        return;
      case 'echo-auth': {
        const echoed = `invalid credentials: ${req.headers.authorization ?? '(none)'}`;
        if (fault.status !== 200) {
          res
            .writeHead(fault.status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: echoed, headers: req.headers } }));
          return;
        }
        const content = JSON.stringify({ note: echoed });
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            model: recorded.body.model,
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          }),
        );
        return;
      }
    }
  }
}

/** A retry sleeper that records the delays and does not wait. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}
