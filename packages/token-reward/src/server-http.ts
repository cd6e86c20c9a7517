import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request the server refuses: the status, a stable code and a message for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Longest error message sent: whatever a message quotes from the request stays short. */
const MAX_MESSAGE = 400;

/** A client's value as it appears in a message: JSON-quoted and cut to `max` characters. */
export function clip(value: unknown, max = 64): string {
  const text = typeof value === 'string' ? value : String(value);
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${text.length} characters)` : shown;
}

/** Writes a JSON reply with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Writes JSON text already serialised as a reply, with its length. */
export function sendJsonText(res: ServerResponse, status: number, json: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** Writes `{ error: { code, message } }`, the message cut to a bounded length. */
export function sendError(res: ServerResponse, error: HttpError): void {
  const message = error.message.length > MAX_MESSAGE ? `${error.message.slice(0, MAX_MESSAGE)}…` : error.message;
  sendJson(res, error.status, { error: { code: error.code, message } }, error.headers);
}

/** The host name of a Host header, without its port (`[::1]:80` -> `[::1]`). */
export function hostName(header: string | undefined): string {
  const host = (header ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * Refuses requests a web page could have sent: a Host outside the allow-list (DNS rebinding), an
 * `Origin` header (browsers set it on cross-site requests; trainers do not), and, for bodies, a type
 * other than JSON, which a page cannot send without a preflight the server never grants.
 */
export function checkRequest(req: IncomingMessage, allowedHosts: ReadonlySet<string>, withBody: boolean): void {
  const host = hostName(req.headers.host);
  if (!allowedHosts.has('*') && !allowedHosts.has(host)) {
    throw new HttpError(
      403,
      'host-not-allowed',
      `Host ${clip(req.headers.host ?? '')} is not served; allowed: ${[...allowedHosts].join(', ')} (serve --allow-host)`,
    );
  }
  if (req.headers.origin !== undefined) {
    throw new HttpError(403, 'origin-not-allowed', `requests from web pages (Origin ${clip(req.headers.origin)}) are refused`);
  }
  if (!withBody) return;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const [mime = '', ...params] = type.split(';').map((s) => s.trim());
  const json = mime === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mime);
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  if (!json || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      `expected Content-Type: application/json (UTF-8), got ${type ? clip(type) : 'none'}`,
    );
  }
}

/** Byte offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function invalidUtf8At(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= bytes.length) return i;
    const b1 = bytes[i + 1] as number;
    // the second byte's range excludes overlong forms and UTF-16 surrogates
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= n; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** Limits of {@link readBody}. */
export interface BodyLimits {
  /** Largest body stored; a larger one is drained and answered 413. */
  maxBytes: number;
  /** Longest pause between two chunks of the body before the request is answered 408. */
  idleMs: number;
}

/** Past this many bytes the server stops draining an oversized body and drops the connection. */
const hardCap = (limit: number) => limit * 8 + 64 * 1024 * 1024;

/**
 * Reads a request's body as UTF-8 text: 413 past `maxBytes` (the rest drained so the client reads
 * the answer, the connection dropped past a hard cap), 408 after `idleMs` without data, 400 on bytes
 * that are not UTF-8 (they would otherwise be replaced and every offset after them would shift).
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
    const tooLarge = () => new HttpError(413, 'too-large', `request body is over the ${limits.maxBytes}-byte limit (--max-body-bytes)`);
    let timer: NodeJS.Timeout | undefined;
    const settle = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) return reject(err);
      const body = Buffer.concat(chunks);
      const bad = invalidUtf8At(body);
      if (bad >= 0) return reject(new HttpError(400, 'invalid-utf8', `request body is not UTF-8: byte ${bad} starts no valid sequence`));
      resolve(body.toString('utf8'));
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settle(new HttpError(408, 'body-timeout', `no part of the request body arrived for ${limits.idleMs} ms`));
        // the rest of this body is not read: the caller answers with Connection: close
        req.resume();
      }, limits.idleMs);
      timer.unref();
    };
    idle();
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      idle();
      size += chunk.length;
      // past the limit, keep draining (so the client can read our 413) but store nothing
      if (size > limits.maxBytes) over = true;
      else chunks.push(chunk);
      if (size > hardCap(limits.maxBytes)) {
        // settle first: a destroyed request never emits 'end'
        settle(tooLarge());
        req.destroy();
      }
    });
    req.on('end', () => settle(over ? tooLarge() : undefined));
    req.on('error', (err) => settle(err));
    req.on('close', () => {
      if (!req.complete) settle(new HttpError(400, 'aborted', 'the request was aborted before its body ended'));
    });
  });
}
