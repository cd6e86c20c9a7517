import { expect } from 'vitest';
import { type ProOutcome, runProProblem } from '../../src/codeeval-pro.js';
import type { SandboxLimits } from '../../src/sandbox.js';
import { type Host, type Target, harmDone, indent, proProblem, pythonHarm } from './harness.js';

/** The problems every Pro attack is tried on: one of HumanEval Pro, one of MBPP Pro. */
export const PRO_PROBLEMS = ['he/0', 'mbpp/1'] as const;

/** The function each problem's tests call, with a return value its tests never expect. */
const ENTRY: Record<string, { name: string; wrong: string }> = {
  'he/0': { name: 'find_close_elements_lists', wrong: '[-1]' },
  'mbpp/1': { name: 'first_n_non_primes', wrong: '[-1]' },
};

/** One attack: Python run at load (`load`) and inside the tested function (`call`), in the worker. */
export interface ProAttack {
  name: string;
  /** Module-level code, after the host-harm prologue. `NAME` is replaced by the tested function's name. */
  load?: string;
  /** The tested function's body before it returns a wrong answer; `NAME` as above. */
  call?: string;
  /** Replace the whole program (after the prologue) instead of `load`/`call`. */
  program?: string;
  /** What the run's error must say (the attack ran to its end and failed for the expected reason). */
  error?: RegExp;
  /** Also try the host's listening Unix socket (a folder every user can reach). */
  unix?: boolean;
  /** Sandbox limits (short by default, so the suite stays fast). */
  limits?: Partial<SandboxLimits>;
}

/** Short limits for attacks: none of them needs long, and a hang must not stall the suite. */
export const ATTACK_LIMITS: Partial<SandboxLimits> = { timeoutMs: 8000, maxProcesses: 24 };

/** The completion an attack submits for `key`: a whole program defining the tested function. */
export function proCompletion(t: Target, key: string, a: ProAttack): string {
  const e = ENTRY[key];
  if (!e) throw new Error(`no entry for ${key}`);
  const sub = (s: string) => s.replaceAll('NAME', e.name);
  const body = a.program
    ? sub(a.program)
    : `${sub(a.load ?? '')}\n\ndef ${e.name}(*args, **kwargs):\n${indent(sub(a.call ?? 'pass'))}\n    return ${e.wrong}\n`;
  return `${pythonHarm(t)}\n${body}`;
}

/** Run one attack on `key` through `runProProblem`; assert it did not pass and left the host unharmed. */
export async function runProAttack(host: Host, key: string, a: ProAttack): Promise<ProOutcome> {
  const t = host.target({ unix: a.unix === true });
  const outcome = await runProProblem(proProblem(key as `he/${string}`), proCompletion(t, key, a), {
    limits: { ...ATTACK_LIMITS, ...a.limits },
  });
  expect({ passed: outcome.passed, outcome: outcome.outcome === 'passed' ? 'passed' : 'not passed' }).toEqual({
    passed: false,
    outcome: 'not passed',
  });
  expect(harmDone(host, t, outcome)).toEqual({ markers: [], secretInOutput: false });
  if (a.error) expect(outcome.error).toMatch(a.error);
  return outcome;
}

/**
 * The control of every Pro attack file: the canonical solution behind the same host-harm prologue
 * must pass, so a failed attack is the judge's doing, not a prologue that breaks every program.
 */
export async function runProControl(host: Host, key: string): Promise<ProOutcome> {
  const t = host.target();
  const p = proProblem(key as `he/${string}`);
  const program = `${pythonHarm(t)}\n${p.rawProblem}${p.rawSolution}\n${p.newProblem}${p.newSolution}`;
  const outcome = await runProProblem(p, program, { limits: ATTACK_LIMITS });
  expect(harmDone(host, t, outcome)).toEqual({ markers: [], secretInOutput: false });
  return outcome;
}
