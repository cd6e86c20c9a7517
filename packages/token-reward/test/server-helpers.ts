import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { markedPair } from './helpers.js';

/** A C pair: `strcpy` fixed to `strncpy`. */
export const copyPair = markedPair(
  'srv-copy',
  'c',
  'void f(const char *s) {\n  char buf[16];\n  [-strcpy(buf, s)-]{+strncpy(buf, s, sizeof buf)+};\n}\n',
);
/** A Python pair: `yaml.load` fixed to `yaml.safe_load`. */
export const yamlPair = markedPair('srv-yaml', 'python', 'import yaml\n\ndef read(s):\n    return yaml.[-load-]{+safe_load+}(s)\n');
export const goodC = 'void g(const char *in) {\n  char out[16];\n  strncpy(out, in, sizeof out);\n}\n';
export const badC = 'void g(const char *in) {\n  char out[16];\n  strcpy(out, in);\n}\n';

/** Offsets of whitespace-separated words and the gaps between them. */
export function words(text: string): number[][] {
  return [...text.matchAll(/\s+|\S+/g)].map((m) => [m.index, m.index + m[0].length]);
}

/** A reply read whole: status, headers and parsed JSON body. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: {
    results: Array<{
      id: string;
      pairId?: string;
      rewards: number[];
      spans: Array<{ start: number; end: number; polarity: string; source: string; nodeType?: string }>;
      truncated: boolean;
      offsets?: number[][];
    }>;
    error: { code: string; message: string };
    rewards: number[];
    scores: number[];
    extra_logs: Record<string, number[]>;
  };
  ms: number;
}

/** POSTs `body` (JSON-encoded unless a string or Buffer) over real HTTP; `headers` replace the defaults. */
export function post(port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(text) as Reply['json'],
            ms: performance.now() - t0,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** GET /healthz. */
export async function health(port: number): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Opens a raw connection and sends `head` (request line and headers) and `first` bytes of the body, nothing more. */
export function rawStart(port: number, head: string, first = ''): Promise<{ socket: Socket; received: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${head}\r\n\r\n${first}`);
      const received = new Promise<string>((done) => {
        let text = '';
        socket.on('data', (d) => {
          text += d.toString('latin1');
        });
        socket.on('close', () => done(text));
        socket.on('error', () => done(text));
      });
      resolve({ socket, received });
    });
    socket.on('error', reject);
  });
}

/** A valid body of `n` completions of `text` for the copy pair, with caller offsets. */
export function batch(text: string, n: number, extra: Record<string, unknown> = {}): unknown {
  const offsets = words(text);
  return { pair: copyPair, completions: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, text, offsets })), ...extra };
}
