import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunOutcome } from '@srcode/dataset';
import type { SandboxResult } from './sandbox.js';

/** How one judged run ended (the dataset's `RunOutcome`). */
export type Outcome = RunOutcome;

/** What a judge wrote on its verdict pipe: the run's nonce, pass or fail, and why. */
export interface Verdict {
  /** The per-run secret the host gave the judge on its standard input. */
  nonce: string;
  /** `passed` only when every test ran to its end and held. */
  status: 'passed' | 'failed';
  /** Why it failed (the judge's words; exception names in it come from the code under test). */
  reason?: string;
  /** How the untrusted worker ended, when it did before the verdict. */
  worker?: string;
  /** Test counts by kind (pytest judges). */
  counts?: Record<string, { passed: number; failed: number; errors: number; skipped: number; collected: number }>;
  /** Calls the tests made into the code (self-invoking judges). */
  calls?: number;
}

const JUDGE_FILES = ['wire.py', 'aliases.py', 'worker.py', 'judge.py', 'pro.py', 'pytest_judge.py'] as const;
let sources: Record<string, string> | undefined;

/** The judges' Python sources, to write into a sandbox's read-only folder. */
export function judgeSources(): Record<string, string> {
  if (!sources) {
    const base = new URL('../judge/', import.meta.url);
    sources = Object.fromEntries(JUDGE_FILES.map((f) => [f, readFileSync(new URL(f, base), 'utf8')]));
  }
  return sources;
}

/** A fresh per-run secret: the verdict must echo it. */
export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** The verdict of a trusted run, or undefined when there is none or it is not this run's. */
export function parseVerdict(text: string | undefined, nonce: string): Verdict | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<Verdict>;
    if (typeof v !== 'object' || v === null || v.nonce !== nonce) return undefined;
    if (v.status !== 'passed' && v.status !== 'failed') return undefined;
    return v as Verdict;
  } catch {
    return undefined;
  }
}

const CRASH = /signal (4|6|7|8|11|31)\b|Segmentation fault|core dumped|Aborted/;
const MEMORY = /MemoryError|Cannot allocate memory|std::bad_alloc|out of memory/i;
const DISK = /No space left on device|File too large|Errno 28|Errno 27|signal 25\b|Disk quota/;

/**
 * The outcome of a judged run from what the host saw (limits it enforced) and the verdict. A pass
 * needs the verdict, with this run's nonce, saying so; limits the host hit win over anything else.
 * Failure kinds read from text the code could write only ever tell one failure from another.
 */
export function classify(
  run: Pick<SandboxResult, 'timedOut' | 'outputTruncated' | 'signal' | 'exitCode' | 'stderr'>,
  verdict: Verdict | undefined,
): Outcome {
  if (run.timedOut) return 'timed-out';
  if (run.outputTruncated) return 'output-limit';
  if (!verdict) {
    if (run.signal === 'SIGXCPU') return 'timed-out';
    if (run.signal === 'SIGXFSZ') return 'disk-limit';
    return 'harness-error';
  }
  if (verdict.status === 'passed' && run.exitCode === 0) return 'passed';
  const text = `${verdict.reason ?? ''}\n${verdict.worker ?? ''}\n${run.stderr.slice(-4000)}`;
  if (DISK.test(text)) return 'disk-limit';
  if (MEMORY.test(text)) return 'memory-limit';
  if (/signal 24\b/.test(verdict.worker ?? '')) return 'timed-out';
  if (CRASH.test(verdict.worker ?? '') || CRASH.test(verdict.reason ?? '')) return 'crashed';
  return 'failed';
}
