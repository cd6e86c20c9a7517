import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Finding, type Issue, type RepairPair, validate } from '@srcode/dataset';
import { SpanCache } from './cache.js';
import { TokenRewardError } from './errors.js';
import { languageNames } from '@srcode/syntax';
import { type OnlineOptions, onlineRewardMap } from './online.js';
import { callerEncoding, type OffsetUnit, type TokenEncoding, type TokenizerLike } from './tokenizer.js';

/** Options of {@link createRewardServer}: the pairs and tokenizer it serves, and its limits. */
export interface ServerOptions {
  /** Pairs requests may name by `pairId`. @default none: requests send their `pair` */
  pairs?: ReadonlyMap<string, RepairPair>;
  /** Tokenizer for completions sent without offsets. @default none: completions must send `offsets` */
  tokenizer?: TokenizerLike;
  /** Largest request body in bytes; larger ones get 413. @default 33554432 (32 MiB) */
  maxBodyBytes?: number;
  /** Most completions in one request. @default 256 */
  maxCompletions?: number;
  /** Longest completion in UTF-16 units. @default 4194304 */
  maxTextLength?: number;
  /** Requests handled at once; more get 503. @default 64 */
  maxInFlight?: number;
  /** Per-pair cache shared by requests. @default a cache of 1024 pairs */
  cache?: SpanCache;
  /** On close, how long requests in flight may run before their connections are cut, in ms. @default 30000 */
  closeGraceMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const OPTION_TYPES: Record<string, 'number' | string[]> = {
  overlap: ['any', 'majority', 'proportional'],
  combine: ['strongest', 'sum'],
  normalize: ['none', 'span-mean', 'max-abs'],
  emptyTokens: ['inherit', 'zero'],
  instanceReward: 'number',
  minSimilarity: 'number',
  contextTokens: 'number',
  distinctiveTokens: 'number',
  minContextSimilarity: 'number',
  minLiteralSimilarity: 'number',
  maxFuzzyTokens: 'number',
};

function parseOptions(raw: unknown): OnlineOptions {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'invalid-option', '"options" must be an object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const kind = OPTION_TYPES[k];
    if (!kind) throw new HttpError(400, 'invalid-option', `unknown option "${k}"; known: ${Object.keys(OPTION_TYPES).join(', ')}`);
    if (kind === 'number' ? typeof v !== 'number' || !Number.isFinite(v) : !kind.includes(v as string)) {
      throw new HttpError(
        400,
        'invalid-option',
        `option "${k}" must be ${kind === 'number' ? 'a finite number' : `one of ${kind.join(', ')}`}`,
      );
    }
    out[k] = v;
  }
  out.maxNodes = 200_000;
  return out as OnlineOptions;
}

/** Validation issues as one line of an error message. */
const issueText = (issues: readonly Issue[]) => issues.map((x) => `${x.path} ${x.message}`).join('; ');

const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);

interface Completion {
  id: string;
  text: string;
  encoding: TokenEncoding;
  findings: Finding[];
  tokenized: boolean;
}

function parseCompletion(
  raw: unknown,
  i: number,
  limits: Required<Pick<ServerOptions, 'maxTextLength'>>,
  tokenizer?: TokenizerLike,
): Completion {
  const at = `completions[${i}]`;
  if (!raw || typeof raw !== 'object') throw new HttpError(400, 'invalid-request', `${at} must be an object`);
  const c = raw as Record<string, unknown>;
  if (typeof c.text !== 'string') throw new HttpError(400, 'invalid-request', `${at}.text must be a string`);
  if (c.text.length > limits.maxTextLength) {
    throw new HttpError(413, 'too-large', `${at}.text has ${c.text.length} UTF-16 units; the limit is ${limits.maxTextLength}`);
  }
  if (/\p{Cs}/u.test(c.text)) throw new HttpError(400, 'invalid-text', `${at}.text holds a lone surrogate: it is not well-formed UTF-16`);
  const unit = (c.offsetUnit ?? 'utf16') as OffsetUnit;
  if (!['utf16', 'codepoint', 'byte'].includes(unit))
    throw new HttpError(400, 'invalid-request', `${at}.offsetUnit must be utf16, codepoint or byte`);
  const offsetBase = c.offsetBase ?? 0;
  if (!Number.isInteger(offsetBase) || (offsetBase as number) < 0)
    throw new HttpError(400, 'invalid-request', `${at}.offsetBase must be a non-negative integer`);
  const findings = (c.findings ?? []) as Finding[];
  if (!Array.isArray(findings)) throw new HttpError(400, 'invalid-request', `${at}.findings must be an array`);
  findings.forEach((f, k) => {
    const r = validate('Finding', f);
    if (!r.ok) throw new HttpError(400, 'invalid-request', `${at}.findings[${k}]: ${issueText(r.issues)}`);
  });
  const id = typeof c.id === 'string' ? c.id : `completion-${i}`;
  let encoding: TokenEncoding;
  let tokenized = false;
  if (c.offsets !== undefined) {
    if (!Array.isArray(c.offsets) || !c.offsets.every((p) => isIntArray(p) && p.length === 2)) {
      throw new HttpError(400, 'invalid-request', `${at}.offsets must be [start, end] pairs of non-negative integers`);
    }
    const ids = c.tokenIds ?? c.offsets.map(() => 0);
    if (!isIntArray(ids) || ids.length !== c.offsets.length) {
      throw new HttpError(400, 'invalid-request', `${at}.tokenIds must hold one non-negative integer per offset pair`);
    }
    encoding = callerEncoding(c.text, { ids, offsets: c.offsets as number[][], offsetUnit: unit, offsetBase: offsetBase as number });
  } else if (c.tokenIds !== undefined) {
    if (!isIntArray(c.tokenIds)) throw new HttpError(400, 'invalid-request', `${at}.tokenIds must be non-negative integers`);
    if (!tokenizer?.offsetsFor)
      throw new HttpError(
        400,
        'invalid-request',
        `${at} has tokenIds but no offsets, and the server has no tokenizer to compute them (start it with --tokenizer)`,
      );
    encoding = tokenizer.offsetsFor(c.text, c.tokenIds);
  } else {
    if (!tokenizer) throw new HttpError(400, 'invalid-request', `${at} needs offsets (or tokenIds), since the server has no tokenizer`);
    encoding = tokenizer.encode(c.text);
    tokenized = true;
  }
  return { id, text: c.text, encoding, findings, tokenized };
}

/** Past this many bytes the server stops draining an oversized body and drops the connection. */
const hardCap = (limit: number) => limit * 8 + 64 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
    const tooLarge = () => new HttpError(413, 'too-large', `request body is over the ${limit}-byte limit`);
    const settle = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      // past the limit, keep draining (so the client can read our 413) but store nothing
      if (size > limit) over = true;
      else chunks.push(chunk);
      if (size > hardCap(limit)) {
        // settle first: a destroyed request never emits 'end', and the slot in flight must be freed
        settle(tooLarge());
        req.destroy();
      }
    });
    req.on('end', () => settle(over ? tooLarge() : undefined));
    req.on('error', (err) => settle(err));
    // the client went away before the body ended
    req.on('close', () => {
      if (!req.complete) settle(new HttpError(400, 'aborted', 'the request was aborted before its body ended'));
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The JSON reward service: `POST /v1/rewards`, `GET /healthz`. */
export interface RewardServer {
  /** The underlying Node HTTP server. */
  server: Server;
  /** Listens (port 0 and host 127.0.0.1 by default; port 0 picks a free one) and resolves with the address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/**
 * The reward service trainers in other languages call: `POST /v1/rewards` takes `{ pair | pairId,
 * completions: [{ text, offsets?, tokenIds?, offsetUnit?, offsetBase?, findings? }], options? }`
 * and answers `{ results: [{ id, rewards, spans, truncated }] }`; bad input gets a 4xx with
 * `{ error: { code, message } }`. `GET /healthz` reports the languages and the pairs loaded.
 *
 * @example
 * ```ts
 * import { byteTokenizer, createRewardServer } from '@srcode/token-reward';
 *
 * const service = createRewardServer({ tokenizer: byteTokenizer });
 * const { port } = await service.listen(8765);
 * // POST http://127.0.0.1:8765/v1/rewards { "pair": { ... }, "completions": [{ "text": "..." }] }
 * process.once('SIGTERM', () => void service.close());
 * ```
 */
export function createRewardServer(options: ServerOptions = {}): RewardServer {
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxCompletions = options.maxCompletions ?? 256;
  const maxTextLength = options.maxTextLength ?? 4 * 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 64;
  const cache = options.cache ?? new SpanCache();
  let inFlight = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { ok: true, languages: languageNames(), pairs: options.pairs?.size ?? 0 });
    if (url.pathname !== '/v1/rewards') throw new HttpError(404, 'not-found', `no route ${url.pathname}; use POST /v1/rewards`);
    if (req.method !== 'POST') throw new HttpError(405, 'method', 'use POST');
    const body = await readBody(req, maxBody);
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new HttpError(400, 'json', `body is not JSON: ${(cause as Error).message}`);
    }
    if (!request || typeof request !== 'object' || Array.isArray(request))
      throw new HttpError(400, 'invalid-request', 'body must be a JSON object');
    let pair: RepairPair | undefined;
    if (request.pair !== undefined) {
      const r = validate('RepairPair', request.pair);
      if (!r.ok) throw new HttpError(400, 'invalid-pair', `pair: ${issueText(r.issues)}`);
      pair = r.value;
    } else if (request.pairId !== undefined) {
      pair = options.pairs?.get(String(request.pairId));
      if (!pair) throw new HttpError(404, 'unknown-pair', `no pair with id "${String(request.pairId)}" was loaded`);
    }
    const list = request.completions;
    if (!Array.isArray(list) || list.length === 0) throw new HttpError(400, 'invalid-request', '"completions" must be a non-empty array');
    if (list.length > maxCompletions) throw new HttpError(413, 'too-large', `${list.length} completions; the limit is ${maxCompletions}`);
    const opts = parseOptions(request.options);
    const results = list.map((raw, i) => {
      const c = parseCompletion(raw, i, { maxTextLength }, options.tokenizer);
      const { map, truncated } = onlineRewardMap(
        {
          ...(pair ? { pair, cache } : {}),
          completion: c.text,
          encoding: c.encoding,
          findings: c.findings,
          id: c.id,
          tokenizer: options.tokenizer?.name ?? 'caller',
        },
        opts,
      );
      return {
        id: c.id,
        rewards: map.rewards,
        spans: map.spans,
        truncated,
        ...(c.tokenized ? { tokenIds: map.tokenIds, offsets: map.offsets } : {}),
      };
    });
    send(res, 200, { results });
  };

  const closeGraceMs = options.closeGraceMs ?? 30_000;
  let closing = false;
  /** Responses whose headers are not written yet, so a close can still mark them `Connection: close`. */
  const pending = new Set<ServerResponse>();
  /** While closing: drop connections that went idle, and every connection once nothing is in flight. */
  const drain = () => {
    if (!closing) return;
    server.closeIdleConnections();
    if (inFlight === 0) server.closeAllConnections();
  };

  const server = createServer((req, res) => {
    if (closing) res.shouldKeepAlive = false;
    else {
      pending.add(res);
      res.once('close', () => pending.delete(res));
    }
    let done = false;
    res.once('close', () => {
      done = true;
      drain();
    });
    if (inFlight >= maxInFlight) {
      req.resume();
      return send(res, 503, { error: { code: 'busy', message: `${inFlight} requests in flight; retry later` } });
    }
    inFlight++;
    handle(req, res)
      .catch((err: unknown) => {
        if (err instanceof HttpError) return send(res, err.status, { error: { code: err.code, message: err.message } });
        if (err instanceof TokenRewardError) {
          const status = err.code === 'too-large' ? 413 : 400;
          return send(res, status, { error: { code: err.code, message: err.message } });
        }
        send(res, 500, { error: { code: 'internal', message: String((err as Error)?.message ?? err) } });
      })
      .finally(() => {
        inFlight--;
        // the client may have gone before the handler settled
        if (done) drain();
      });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
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
        const grace = setTimeout(() => server.closeAllConnections(), closeGraceMs);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        drain();
      });
    },
  };
}
