import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProProblem } from '../../src/codeeval-pro.js';
import { type CwevalAttack, runCwevalAttack } from './cweval-attack.js';
import { CWEVAL_SKIP, Host, PLANT_DISCOVERABLE, PRO_SKIP, proProblem } from './harness.js';
import { ATTACK_LIMITS, type ProAttack, runProAttack } from './pro-attack.js';

// Attacks that got through when this suite was written, now closed; each stays as a regression test.
const PRO: ProAttack[] = [
  // Was open until the judge and sandbox closed it (kept as a regression test): the judge imports the standard-library module a global names in its forged __module__
  // (here unittest.__main__, with __qualname__ the tested name): shared_global imports the module
  // before it looks the name up, so unittest's main runs in the judge (root) and discovers and
  // imports test_*.py from the work folder, which forges a passing verdict.
  {
    name: 'a function with __module__ forged to unittest.__main__ under its own name',
    program: `${PLANT_DISCOVERABLE}\ndef NAME(*a):\n    return [-1]\nNAME.__module__ = "unittest.__main__"\n`,
  },
];

const CWEVAL: CwevalAttack[] = [
  // Was open until the judge and sandbox closed it (kept as a regression test): a value returned by the task's function is decoded in the judge; a module value is
  // imported there by the name the worker gives, so unittest.__main__ runs the planted module as
  // root inside pytest and forges counts: insecure code scores functional and secure.
  {
    name: 'insecure code returning a module named unittest.__main__ after planting a discoverable test',
    insecure: true,
    source: () => `${PLANT_DISCOVERABLE}
import types
def get_target_for_redirect(target, domain):
    return types.ModuleType("unittest.__main__")
`,
  },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Attacks that got through${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
  beforeAll(() => host.start());
  afterAll(() => host.stop());

  for (const a of PRO) {
    for (const key of ['he/0', 'mbpp/1']) {
      it.concurrent(`${a.name} (${key}) is not a pass`, async () => {
        const out = await runProAttack(host, key, a);
        expect(out.outcome).toBe('failed');
      });
    }
  }

  for (const a of CWEVAL) {
    it.skipIf(CWEVAL_SKIP !== undefined).concurrent(`${a.name} gains nothing`, async () => {
      const out = await runCwevalAttack(host, 'cwe_020_0', a);
      expect(out.outcome).toBe('failed');
    });
  }

  // Was open until the judge and sandbox closed it (kept as a regression test): connect() to a Unix socket needs only write permission on the socket file, and a
  // read-only mount does not stop it: a host service listening on a socket outside /tmp, /run and
  // /dev/shm (here one in the package's node_modules/.cache, mode 0777) is reachable from inside.
  it.concurrent('a connection to a host Unix socket outside the private folders is refused', async () => {
    await runProAttack(host, 'he/0', { name: 'unix socket', unix: true });
    expect(host.connections.filter((c) => c.endsWith('.sock'))).toEqual([]);
  });

  // Was open until the judge and sandbox closed it (kept as a regression test): the worker's end is read with waitpid(WNOHANG) right after its pipe closes; the kernel
  // closes a dying process's descriptors before it becomes a zombie, so the status is often not
  // there yet and the death by a signal is reported as a plain failure.
  it.concurrent('a segmentation fault is reported crashed every time', async () => {
    const p = proProblem('he/0');
    const code = 'import ctypes\ndef find_close_elements_lists(*a):\n    ctypes.string_at(0)\n';
    const runs = await Promise.all([1, 2, 3, 4].map(() => runProProblem(p, code, { limits: ATTACK_LIMITS })));
    expect(runs.map((r) => r.outcome)).toEqual(['crashed', 'crashed', 'crashed', 'crashed']);
  });

  // Was open until the judge and sandbox closed it (kept as a regression test): the same race for SIGXCPU (RLIMIT_CPU): reported failed, not timed-out.
  it.concurrent('burning CPU past the CPU-time limit is reported timed-out', async () => {
    const out = await runProAttack(host, 'he/0', {
      name: 'cpu',
      call: 'while True:\n    pass',
      limits: { timeoutMs: 8000, cpuSeconds: 1 },
    });
    expect(out.outcome).toBe('timed-out');
  });

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
