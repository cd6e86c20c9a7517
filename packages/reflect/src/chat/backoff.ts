/** How `OpenAIChatClient` waits between retries: exponential backoff with full jitter. */
export interface BackoffOptions {
  /** First retry's base delay. @default 500 */
  baseDelayMs?: number;
  /** Upper bound of one computed delay (not of a server's Retry-After). @default 30000 */
  maxDelayMs?: number;
  /** Longest Retry-After honoured; a longer one is clipped to this. @default 120000 */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

/** Exponential backoff with full jitter: a uniform delay in [base * 2^attempt / 2, base * 2^attempt]. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  const r = (options.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/** Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
