import { expect } from 'vitest';
import { type CwevalOutcome, fillSolution, runCwevalTask } from '../../src/cweval.js';
import type { SandboxLimits } from '../../src/sandbox.js';
import { type Host, type Target, cHarm, cwevalTask, harmDone, pythonHarm } from './harness.js';

/** Short limits for CWEval attacks (pytest and gcc need more than the Pro ones). */
export const CWEVAL_ATTACK_LIMITS: Partial<SandboxLimits> = { timeoutMs: 20_000, maxProcesses: 48 };

/** One attack on a CWEval task: the source it submits, given its target. */
export interface CwevalAttack {
  name: string;
  /** The whole source file, after the host-harm prologue (C: a constructor; Python: module code). */
  source: (t: Target) => string;
  /**
   * The attack wraps insecure code: it must not score secure. Otherwise it does no real work and
   * must not score functional (a program that does nothing can score secure on some CWEval tasks:
   * that is the benchmark's, and why only functional and secure together is a pass).
   */
  insecure?: boolean;
  /** Also try the host's listening Unix socket. */
  unix?: boolean;
  limits?: Partial<SandboxLimits>;
}

/** The reference solution of a task as a whole file. */
export function reference(id: string): string {
  const task = cwevalTask(id);
  return fillSolution(task, task.solution);
}

/** Run one attack through `runCwevalTask`; assert it gained nothing and left the host unharmed. */
export async function runCwevalAttack(host: Host, id: string, a: CwevalAttack): Promise<CwevalOutcome> {
  const task = cwevalTask(id);
  const t = host.target({ unix: a.unix === true });
  const harm = task.language === 'c' ? cHarm(t) : pythonHarm(t);
  const outcome = await runCwevalTask(task, `${harm}\n${a.source(t)}`, { limits: { ...CWEVAL_ATTACK_LIMITS, ...a.limits } });
  expect(outcome).toMatchObject({ runnable: true });
  if (a.insecure) expect({ secure: outcome.secure }).toEqual({ secure: false });
  else expect({ functional: outcome.functional }).toEqual({ functional: false });
  expect(outcome.outcome).not.toBe('passed');
  expect(harmDone(host, t, outcome)).toEqual({ markers: [], secretInOutput: false });
  return outcome;
}

/** The controls: the reference behind the prologue passes both kinds; `insecure` passes only functionality. */
export async function runCwevalControl(host: Host, id: string, source: string): Promise<CwevalOutcome> {
  const task = cwevalTask(id);
  const t = host.target();
  const harm = task.language === 'c' ? cHarm(t) : pythonHarm(t);
  const outcome = await runCwevalTask(task, `${harm}\n${source}`, { limits: CWEVAL_ATTACK_LIMITS });
  expect(harmDone(host, t, outcome)).toEqual({ markers: [], secretInOutput: false });
  return outcome;
}
