import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, PRO_SKIP } from './harness.js';
import { PRO_PROBLEMS, type ProAttack, runProAttack, runProControl } from './pro-attack.js';

// Attacks that end the run early, by every means, hoping an early end reads as a pass.
const ATTACKS: ProAttack[] = [
  { name: 'os._exit(0) at load', load: 'import os\nos._exit(0)' },
  { name: 'os._exit(0) inside the tested function', call: 'import os\nos._exit(0)' },
  { name: 'sys.exit(0) at load', load: 'import sys\nsys.exit(0)' },
  { name: 'sys.exit(0) inside the tested function', call: 'import sys\nsys.exit(0)' },
  { name: 'raise SystemExit inside the tested function', call: 'raise SystemExit(0)' },
  { name: 'raise KeyboardInterrupt inside the tested function', call: 'raise KeyboardInterrupt' },
  { name: 'raise GeneratorExit inside the tested function', call: 'raise GeneratorExit' },
  {
    name: 'an atexit handler that exits 0, then sys.exit(1)',
    load: 'import atexit, os\natexit.register(lambda: os._exit(0))',
    call: 'import sys\nsys.exit(1)',
  },
  {
    name: 'sys.excepthook that exits 0, then an uncaught error',
    load: 'import os, sys\nsys.excepthook = lambda *a: os._exit(0)\nsys.unraisablehook = lambda *a: os._exit(0)',
    call: 'raise ValueError("boom")',
  },
  {
    name: 'SIGALRM handler that exits 0 while the tests run',
    load: 'import os, signal\nsignal.signal(signal.SIGALRM, lambda *a: os._exit(0))\nsignal.setitimer(signal.ITIMER_REAL, 0.05)',
    call: 'import time\ntime.sleep(2)',
  },
  {
    name: 'SIGTERM handler that exits 0, signalled by itself',
    call: 'import os, signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\nos.kill(os.getpid(), signal.SIGTERM)',
  },
  {
    name: 'a thread that calls os._exit(0) while the tests run',
    load: 'import os, threading, time\nthreading.Thread(target=lambda: (time.sleep(0.02), os._exit(0)), daemon=True).start()',
    call: 'import time\ntime.sleep(0.2)',
  },
  { name: 'os.kill(os.getppid(), 9) (the judge)', call: 'import os\ntry:\n    os.kill(os.getppid(), 9)\nexcept OSError:\n    pass' },
  {
    name: 'killing every process it can see, then itself',
    call: `import os, signal
for pid in sorted((int(p) for p in os.listdir("/proc") if p.isdigit()), reverse=True):
    if pid != os.getpid():
        for sig in (signal.SIGKILL, signal.SIGSTOP):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
os.kill(os.getpid(), signal.SIGKILL)`,
  },
  { name: 'closing file descriptors 0-255 at load', load: 'import os\nos.closerange(0, 256)' },
  { name: 'closing file descriptors 0-255 inside the tested function', call: 'import os\nos.closerange(0, 256)' },
  {
    name: 'writing a success frame and junk to file descriptors 0-255, then exiting 0',
    call: `import json, os, struct
ok = json.dumps({"op": "ok", "id": 1, "value": True, "status": "passed", "nonce": "x"}).encode()
for fd in range(256):
    for data in (struct.pack(">Q", len(ok)) + ok, b'{"status":"passed"}\\n', b"\\0" * 64):
        try:
            os.write(fd, data)
        except OSError:
            pass
os._exit(0)`,
  },
  { name: 'os.abort() inside the tested function', call: 'import os\nos.abort()' },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Pro attacks: early exit${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
  beforeAll(() => host.start());
  afterAll(() => host.stop());

  for (const key of PRO_PROBLEMS) {
    it.concurrent(`control: the canonical solution behind the same prologue passes (${key})`, async () => {
      expect((await runProControl(host, key)).outcome).toBe('passed');
    });
  }

  for (const a of ATTACKS) {
    for (const key of PRO_PROBLEMS) {
      it.concurrent(`${a.name} (${key}) is not a pass`, async () => {
        const out = await runProAttack(host, key, a);
        expect(out.outcome).not.toBe('harness-error');
      });
    }
  }

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
