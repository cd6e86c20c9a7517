import { availableParallelism } from 'node:os';
import type { Analyzer, RepairPair } from '@srcode/dataset';
import type { SpanCache } from './cache.js';
import type { TokenizerLike } from './tokenizer.js';

/**
 * How each worker thread builds what cannot cross threads (a tokenizer, in-process analysers): the
 * module is imported in every worker and its `setupWorker(data)` export called once; it returns
 * `{ tokenizer?, analyzers? }`. The analysers run on each completion inside the workers.
 */
export interface WorkerSetup {
  /** A module specifier or file URL the workers import. */
  module: string | URL;
  /** Passed to `setupWorker` (structured-cloned: plain data only). */
  data?: unknown;
}

/** What a {@link WorkerSetup} module's `setupWorker` returns. */
export interface WorkerTools {
  /** Tokenizes completions sent without offsets, and computes offsets of token ids. */
  tokenizer?: TokenizerLike;
  /** Run on each completion whose language they know; their findings are folded into its map. */
  analyzers?: readonly Analyzer[];
}

/** Options of {@link createRewardServer}: the pairs and tokenizer it serves, its threads and its limits. */
export interface ServerOptions {
  /** Pairs requests may name by `pairId`. @default none: requests send their `pair` */
  pairs?: ReadonlyMap<string, RepairPair>;
  /** Tokenizer for completions sent without offsets. @default none: completions must send `offsets` */
  tokenizer?: TokenizerLike;
  /**
   * Analysers run on the main thread on each completion (subprocess tools such as bandit; those with
   * an `analyzeBatch` method get each request's completions in one batch). In-process analysers
   * belong in `workerSetup`, so their work runs on the pool. @default none
   */
  analyzers?: readonly Analyzer[];
  /**
   * Worker threads doing the parsing and matching; 0 does the work on the main thread, one completion
   * at a time between other events. @default the number of cores (`os.availableParallelism()`)
   */
  workers?: number;
  /**
   * Builds each worker's tokenizer and analysers. Without it the workers tokenize with
   * `byteTokenizer` when that is the `tokenizer`; any other tokenizer then runs on the main thread.
   * @default none
   */
  workerSetup?: WorkerSetup;
  /** Largest request body in bytes; larger ones get 413. @default 33554432 (32 MiB) */
  maxBodyBytes?: number;
  /** Most completions in one request; more get 413. @default 256 */
  maxCompletions?: number;
  /** Longest completion in UTF-16 units; longer ones get 413. @default 4194304 */
  maxTextLength?: number;
  /**
   * A request's work budget: the UTF-16 units of its completions plus those of the pairs it sends
   * inline. Beyond it the request gets 413 before any work is done. @default 4194304
   */
  maxWorkChars?: number;
  /** Requests admitted at once (queued or running, bodies fully arrived); more get 503 with `Retry-After`. @default 64 */
  maxInFlight?: number;
  /** Work admitted at once, in the units of `maxWorkChars`; more gets 503 with `Retry-After`. @default 4 x maxWorkChars */
  maxQueuedChars?: number;
  /** A completion longer than this is heavy: heavy ones never hold every worker, so light requests keep one. @default 16384 */
  heavyChars?: number;
  /** Longest pause while a body arrives before the request gets 408. @default 10000 */
  bodyIdleMs?: number;
  /** Host names (without port) the server answers; `*` answers any. @default loopback names: localhost, 127.0.0.1, [::1] */
  allowedHosts?: readonly string[];
  /** Per-pair cache shared by requests on the main thread (each worker keeps its own). @default a cache of 1024 pairs */
  cache?: SpanCache;
  /** On close, how long requests in flight may run before their connections are cut, in ms. @default 30000 */
  closeGraceMs?: number;
}

/** Host names a server on loopback answers to by default. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The options with their defaults filled in. */
export interface ServerLimits {
  maxBodyBytes: number;
  maxCompletions: number;
  maxTextLength: number;
  maxWorkChars: number;
  maxInFlight: number;
  maxQueuedChars: number;
  heavyChars: number;
  bodyIdleMs: number;
  closeGraceMs: number;
  workers: number;
  allowedHosts: ReadonlySet<string>;
}

/** Fills in the defaults of the limits. */
export function resolveLimits(options: ServerOptions): ServerLimits {
  const maxWorkChars = options.maxWorkChars ?? 4 * 1024 * 1024;
  return {
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    maxCompletions: options.maxCompletions ?? 256,
    maxTextLength: options.maxTextLength ?? 4 * 1024 * 1024,
    maxWorkChars,
    maxInFlight: options.maxInFlight ?? 64,
    maxQueuedChars: options.maxQueuedChars ?? 4 * maxWorkChars,
    heavyChars: options.heavyChars ?? 16 * 1024,
    bodyIdleMs: options.bodyIdleMs ?? 10_000,
    closeGraceMs: options.closeGraceMs ?? 30_000,
    workers: options.workers ?? availableParallelism(),
    allowedHosts: new Set((options.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase())),
  };
}
