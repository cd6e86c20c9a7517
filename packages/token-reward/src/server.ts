import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Analyzer, Finding, Language } from '@srcode/dataset';
import { languageNames } from '@srcode/syntax';
import { SpanCache } from './cache.js';
import { TokenRewardError } from './errors.js';
import { checkRequest, HttpError, readBody, sendError, sendJson, sendJsonText } from './server-http.js';
import { openRlhfReply, parseOpenRlhfRequest } from './server-openrlhf.js';
import { resolveLimits, type ServerOptions } from './server-options.js';
import { InlineExecutor, WorkerExecutor } from './server-pool.js';
import { parseRewardsRequest } from './server-request.js';
import { type Executor, FairScheduler } from './server-schedule.js';
import { encodeTask, type ScoreResult, type ScoreTask, type Scored, scoredJson } from './server-score.js';
import { byteTokenizer } from './tokenizer.js';

export type { ServerOptions } from './server-options.js';

/** The JSON reward service: `POST /v1/rewards`, `POST /v1/openrlhf`, `GET /healthz`. */
export interface RewardServer {
  /** The underlying Node HTTP server. */
  server: Server;
  /** Listens (port 0 and host 127.0.0.1 by default; port 0 picks a free one) once the workers are up, and resolves with the address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting connections, completes every request already taken (replies included), stops the workers, then resolves. */
  close(): Promise<void>;
}

const ROUTES: Record<string, 'rewards' | 'openrlhf'> = { '/v1/rewards': 'rewards', '/v1/openrlhf': 'openrlhf' };

/** Findings of the main-thread analysers on each task whose language they know (batched where they can). */
async function analyseOnMain(analyzers: readonly Analyzer[], tasks: ScoreTask[]): Promise<ScoreTask[]> {
  const extra: Finding[][] = tasks.map(() => []);
  for (const a of analyzers) {
    const idx = tasks.flatMap((t, i) => (t.language && a.languages.includes(t.language) ? [i] : []));
    if (idx.length === 0) continue;
    const batch = (a as { analyzeBatch?: (items: { code: string; language: Language }[]) => Promise<Finding[][]> }).analyzeBatch;
    const items = idx.map((i) => ({ code: (tasks[i] as ScoreTask).text, language: (tasks[i] as ScoreTask).language as Language }));
    let found: Finding[][];
    if (batch) found = await batch.call(a, items);
    else {
      // one completion per turn of the event loop: an in-process analyser here must not stall other requests
      found = [];
      for (const x of items) {
        found.push(await a.analyze(x.code, x.language));
        await new Promise((r) => setImmediate(r));
      }
    }
    for (const [k, i] of idx.entries()) extra[i]?.push(...(found[k] ?? []));
  }
  return tasks.map((t, i) => (extra[i]?.length ? { ...t, findings: [...t.findings, ...(extra[i] as Finding[])] } : t));
}

/**
 * The reward service trainers in other languages call. `POST /v1/rewards` takes `{ pair | pairId,
 * completions: [{ text, offsets?, tokenIds?, offsetUnit?, offsetBase?, findings?, pair?, pairId?,
 * options?, language?, id? }], options? }` and answers `{ results: [{ id, pairId?, rewards, spans,
 * truncated }] }`, span offsets in the completion's `offsetUnit`. `POST /v1/openrlhf` speaks
 * OpenRLHF's remote reward protocol. `GET /healthz` reports the languages, pairs, load and limits. The work
 * runs on a pool of worker threads, a completion of each request in turn; bad input gets a 4xx with
 * `{ error: { code, message } }`, a full queue 503 with `Retry-After`.
 *
 * @example
 * ```ts
 * import { computeChanges, type RepairPair } from '@srcode/dataset';
 * import { byteTokenizer, createRewardServer } from '@srcode/token-reward';
 *
 * const vulnerableCode = 'void f(char *s) { char b[8]; strcpy(b, s); }';
 * const fixedCode = 'void f(char *s) { char b[8]; strncpy(b, s, sizeof b); }';
 * const pair: RepairPair = {
 *   schemaVersion: 1, id: 'p1', language: 'c', cwes: ['CWE-787'], provenance: { dataset: 'mine' },
 *   vulnerableCode, fixedCode, changes: computeChanges(vulnerableCode, fixedCode),
 * };
 * const service = createRewardServer({ tokenizer: byteTokenizer, workers: 1 });
 * const { port } = await service.listen(0); // 0: any free port; a trainer would use a fixed one
 * const response = await fetch(`http://127.0.0.1:${port}/v1/rewards`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ pair, completions: [{ text: 'void g(char *d) { char t[8]; strncpy(t, d, sizeof t); }' }] }),
 * });
 * const { results } = await response.json();
 * console.log(response.status, results[0].spans.map((s: { polarity: string }) => s.polarity)); // 200 [ 'secure' ]
 * await service.close(); // what SIGTERM does too: drains and answers every request in flight
 * ```
 */
export function createRewardServer(options: ServerOptions = {}): RewardServer {
  const limits = resolveLimits(options);
  const pairs = options.pairs ?? new Map();
  const cache = options.cache ?? new SpanCache();
  const tokenizer = options.tokenizer;
  const pool =
    limits.workers > 0
      ? new WorkerExecutor(limits.workers, {
          pairs,
          byteTokenizer: tokenizer === byteTokenizer,
          ...(options.workerSetup ? { setup: options.workerSetup } : {}),
        })
      : undefined;
  const executor: Executor = pool ?? new InlineExecutor({ pairs, cache, ...(tokenizer ? { tokenizer } : {}) });
  const scheduler = new FairScheduler(executor, { heavyChars: limits.heavyChars });
  const executorTokenizes = () => (pool ? pool.tokenizes : tokenizer !== undefined);
  /** Requests whose bodies arrived and whose work is queued or running. */
  let admitted = 0;

  const busy = (extra: number): HttpError | undefined => {
    if (admitted === 0) return undefined;
    if (admitted < limits.maxInFlight && scheduler.queuedChars + extra <= limits.maxQueuedChars) return undefined;
    const seconds = scheduler.retryAfterSeconds(extra);
    return new HttpError(503, 'busy', `${admitted} requests are queued or running; retry in ${seconds} s`, {
      'retry-after': String(seconds),
    });
  };

  const score = async (tasks: ScoreTask[]): Promise<Scored[]> => {
    let ready = tasks;
    if (!executorTokenizes() && tokenizer) {
      ready = [];
      // tokenized here, one completion per turn of the event loop, when the workers cannot
      for (const t of tasks) {
        ready.push(encodeTask(t, tokenizer));
        await new Promise((r) => setImmediate(r));
      }
    }
    if (options.analyzers?.length) ready = await analyseOnMain(options.analyzers, ready);
    return scheduler.submit(ready);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      checkRequest(req, limits.allowedHosts, false);
      return sendJson(res, closing ? 503 : 200, {
        ok: !closing,
        languages: languageNames(),
        pairs: pairs.size,
        workers: limits.workers,
        admitted,
        queuedChars: scheduler.queuedChars,
        // what a client must split its batches by (the Python client reads these)
        limits: {
          maxCompletions: limits.maxCompletions,
          maxWorkChars: limits.maxWorkChars,
          maxBodyBytes: limits.maxBodyBytes,
          maxTextLength: limits.maxTextLength,
        },
      });
    }
    const route = ROUTES[url.pathname];
    if (!route) throw new HttpError(404, 'not-found', `no route ${url.pathname.slice(0, 100)}; use POST /v1/rewards or POST /v1/openrlhf`);
    if (req.method !== 'POST') throw new HttpError(405, 'method', 'use POST');
    checkRequest(req, limits.allowedHosts, true);
    // refused before the body is read when the queue is already full
    const early = busy(0);
    if (early) throw early;
    const body = await readBody(req, { maxBytes: limits.maxBodyBytes, idleMs: limits.bodyIdleMs });
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch (cause) {
      throw new HttpError(400, 'json', `body is not JSON: ${(cause as Error).message}`);
    }
    if (!request || typeof request !== 'object' || Array.isArray(request))
      throw new HttpError(400, 'invalid-request', 'body must be a JSON object');
    const canTokenize = tokenizer !== undefined || executorTokenizes();
    const parsed =
      route === 'rewards'
        ? parseRewardsRequest(request, { pairs }, limits, canTokenize)
        : parseOpenRlhfRequest(request, { pairs }, limits, canTokenize);
    const full = busy(parsed.work);
    if (full) throw full;
    admitted++;
    let results: Scored[];
    try {
      results = await score(parsed.tasks);
    } finally {
      admitted--;
    }
    if (route === 'rewards') {
      // results a worker serialised are spliced in as they are
      sendJsonText(res, 200, `{"results":[${results.map(scoredJson).join(',')}]}`);
    } else sendJson(res, 200, openRlhfReply(results.map((r): ScoreResult => ('json' in r ? (JSON.parse(r.json) as ScoreResult) : r))));
  };

  let closing = false;
  /** Requests taken whose replies have not closed yet (a reply closes once its last byte left for the network). */
  let active = 0;
  /** Replies whose headers are not written yet, so a close can still mark them `Connection: close`. */
  const pending = new Set<ServerResponse>();
  /** Open connections and how many requests each has under way. */
  const sockets = new Map<Socket, number>();
  let stopped: (() => void) | undefined;
  // node's own idle test counts a connection as idle once `end()` is called, with the reply still
  // buffered: closing such a connection cut large replies short. The server tracks its connections
  // itself and ends one only when no reply on it is still being written.
  const endIfIdle = (socket: Socket) => {
    if (closing && (sockets.get(socket) ?? 0) === 0) socket.end();
  };
  const settle = () => {
    if (closing && active === 0) stopped?.();
  };

  const server = createServer((req, res) => {
    active++;
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    if (closing) res.shouldKeepAlive = false;
    else pending.add(res);
    res.once('close', () => {
      pending.delete(res);
      active--;
      if (sockets.has(socket)) sockets.set(socket, (sockets.get(socket) ?? 1) - 1);
      endIfIdle(socket);
      settle();
    });
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      let error: HttpError;
      if (err instanceof HttpError) error = err;
      else if (err instanceof TokenRewardError) error = new HttpError(err.code === 'too-large' ? 413 : 400, err.code, err.message);
      else error = new HttpError(500, 'internal', String((err as Error)?.message ?? err));
      // a body left unread (refused early, timed out, too large) cannot be followed by another request
      if (!req.complete) {
        res.shouldKeepAlive = false;
        req.resume();
      }
      sendError(res, error);
    });
  });
  server.on('connection', (socket: Socket) => {
    // while closing, new connections are refused at once
    if (closing) return void socket.destroy();
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;

  return {
    server,
    async listen(port = 0, host = '127.0.0.1') {
      if (pool) {
        try {
          await pool.ready;
        } catch (e) {
          await pool.close();
          throw e;
        }
      }
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      });
    },
    close() {
      return new Promise((resolve) => {
        closing = true;
        for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;
        pending.clear();
        for (const socket of sockets.keys()) endIfIdle(socket);
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(grace);
          server.close(() => void executor.close().then(() => resolve()));
          server.closeAllConnections();
        };
        // the last resort for a client that never reads its reply
        const grace = setTimeout(finish, limits.closeGraceMs);
        grace.unref();
        stopped = finish;
        settle();
      });
    },
  };
}
