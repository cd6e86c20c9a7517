import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/judge.js';
import { type CwevalAttack, runCwevalAttack } from './cweval-attack.js';
import { CWEVAL_SKIP, Host, PRO_SKIP } from './harness.js';
import { type ProAttack, runProAttack } from './pro-attack.js';

// Runs that hit a limit are reported as what they hit, never as a pass.
const PRO: (ProAttack & { expected: Outcome })[] = [
  { name: 'an endless loop at load', load: 'while True:\n    pass', limits: { timeoutMs: 2500 }, expected: 'timed-out' },
  { name: 'an endless loop in the tested function', call: 'while True:\n    pass', limits: { timeoutMs: 2500 }, expected: 'timed-out' },
  {
    name: 'sleeping forever with SIGTERM ignored',
    call: 'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(3600)',
    limits: { timeoutMs: 2500 },
    expected: 'timed-out',
  },
  {
    name: 'allocating past the memory limit',
    call: 'blocks = []\nwhile True:\n    blocks.append(bytearray(32 << 20))',
    limits: { memoryBytes: 256 << 20 },
    expected: 'memory-limit',
  },
  {
    name: 'flooding its output',
    call: 'import sys\nwhile True:\n    sys.stdout.write("x" * 65536)\n    sys.stderr.write("y" * 65536)',
    limits: { outputBytes: 64 << 10 },
    expected: 'output-limit',
  },
  {
    name: 'filling the work folder past its cap',
    call: 'i = 0\nwhile True:\n    with open("fill-%d" % i, "wb") as f:\n        f.write(b"x" * (8 << 20))\n    i += 1',
    expected: 'disk-limit',
  },
  {
    name: 'filling the private /tmp past its cap',
    call: 'i = 0\nwhile True:\n    with open("/tmp/fill-%d" % i, "wb") as f:\n        f.write(b"x" * (4 << 20))\n    i += 1',
    limits: { tmpfsBytes: 16 << 20 },
    expected: 'disk-limit',
  },
  {
    name: 'writing one file past the file-size limit',
    call: 'with open("big", "wb") as f:\n    f.write(b"x" * (4 << 20))',
    limits: { fileSizeBytes: 1 << 20 },
    expected: 'disk-limit',
  },
  { name: 'an abort', call: 'import os\nos.abort()', expected: 'crashed' },
];

const CWEVAL: (CwevalAttack & { task: string; expected: Outcome })[] = [
  {
    name: 'a Python task whose function loops forever',
    task: 'cwe_020_0',
    source: () => 'def get_target_for_redirect(target, domain):\n    while True:\n        pass\n',
    limits: { timeoutMs: 6000 },
    expected: 'timed-out',
  },
  {
    name: 'a Python task flooding its output',
    task: 'cwe_020_0',
    source: () => 'import sys\ndef get_target_for_redirect(target, domain):\n    while True:\n        sys.stdout.write("x" * 65536)\n',
    limits: { outputBytes: 256 << 10 },
    expected: 'output-limit',
  },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Outcomes of runs that hit a limit${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
  beforeAll(() => host.start());
  afterAll(() => host.stop());

  for (const a of PRO) {
    it.concurrent(`${a.name} is reported ${a.expected} (he/0)`, async () => {
      expect((await runProAttack(host, 'he/0', a)).outcome).toBe(a.expected);
    });
  }

  for (const a of CWEVAL) {
    it.skipIf(CWEVAL_SKIP !== undefined).concurrent(`${a.name} is reported ${a.expected} (${a.task})`, async () => {
      expect((await runCwevalAttack(host, a.task, a)).outcome).toBe(a.expected);
    });
  }

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
