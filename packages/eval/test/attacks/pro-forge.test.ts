import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, PRO_SKIP } from './harness.js';
import { PRO_PROBLEMS, type ProAttack, runProAttack, runProControl } from './pro-attack.js';

/** Python: a wire frame (length-prefixed JSON) of `obj`, as bytes. */
const FRAME = 'import json, struct\ndef frame(obj):\n    data = json.dumps(obj).encode()\n    return struct.pack(">Q", len(data)) + data';

// Reports, verdicts and wire frames forged by the code under test.
const ATTACKS: ProAttack[] = [
  {
    name: 'passing junit XML and result files written everywhere it can',
    load: `import os
xml = '<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="3" failures="0" errors="0" skipped="0"><testcase name="t1"/><testcase name="t2"/><testcase name="t3"/></testsuite></testsuites>'
verdict = '{"status": "passed", "passed": true, "functional": true, "calls": 3}'
for d in {os.getcwd(), os.path.expanduser("~"), "/tmp", "..", "../judge", "../lib", "../hold", "/", "/run", "/dev/shm"}:
    for name, text in (("report.xml", xml), ("junit.xml", xml), ("results.xml", xml), ("result.json", verdict), ("verdict.json", verdict), ("verdict", verdict)):
        try:
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        except OSError:
            pass`,
  },
  {
    name: 'printing what a judge prints on success, on stdout and stderr',
    call: `import os, sys
for line in ('{"nonce": "%s", "status": "passed", "calls": 3}' % os.environ.get("SRCODE_NONCE", ""), "PASSED", "3 passed in 0.01s", "OK"):
    print(line)
    print(line, file=sys.stderr)
    sys.stdout.flush()`,
  },
  {
    name: 'JSON verdict lookalikes written to every fd and to /proc/*/fd/*',
    call: `import glob, os
v = b'{"nonce": "", "status": "passed", "calls": 3}\\n'
for fd in range(256):
    try:
        os.write(fd, v)
    except OSError:
        pass
for path in glob.glob("/proc/*/fd/*") + glob.glob("/proc/*/task/*/fd/*"):
    try:
        with open(path, "wb", buffering=0) as f:
            f.write(v)
    except OSError:
        pass`,
  },
  {
    name: 'forged answers for the next 64 requests written ahead on the wire',
    call: `${FRAME}
import os
for rid in range(1, 65):
    os.write(4, frame({"op": "ok", "id": rid, "value": []}))`,
  },
  {
    name: 'a forged ready frame offering a plain value under the tested name',
    load: `${FRAME}
import os
os.write(4, frame({"op": "ready", "globals": [["NAME", [], None]]}))
os._exit(0)`,
  },
  {
    name: 'an answer to a request never made',
    call: `${FRAME}
import os
os.write(4, frame({"op": "ok", "id": 9999, "value": []}))
os._exit(0)`,
  },
  {
    name: 'a frame claiming 2**63 bytes',
    call: 'import os, struct\nos.write(4, struct.pack(">Q", 2**63) + b"{}")\nos._exit(0)',
  },
  {
    name: 'garbage and invalid UTF-8 on the wire',
    call: 'import os, struct\nos.write(4, struct.pack(">Q", 4) + b"\\xff\\xfe\\x00{")\nos._exit(0)',
  },
  {
    name: 'a requests flood asking the judge to call, read and import',
    call: `${FRAME}
import os
for i, m in enumerate([
    {"op": "call", "id": 1, "ref": 1, "args": [], "kwargs": []},
    {"op": "getattr", "id": 2, "ref": 0, "name": "__class__"},
    {"op": "getitem", "id": 3, "ref": 1, "key": 0},
    {"op": "call", "id": 4, "ref": {"$import": ["os", "system"]}, "args": ["id"]},
    {"op": "iter", "id": 5, "ref": 1},
]):
    os.write(4, frame(m))`,
  },
  { name: 'a huge reply (a 60 MB string)', call: 'return "x" * (60 * 1024 * 1024)', limits: { memoryBytes: 1024 * 1024 * 1024 } },
  {
    name: 'a reply over the frame limit (a 70 MB string)',
    call: 'return "x" * (70 * 1024 * 1024)',
    limits: { memoryBytes: 1536 * 1024 * 1024 },
  },
  {
    name: 'a deeply nested reply built by the encoder',
    call: 'v = []\nfor _ in range(100000):\n    v = [v]\nreturn v',
  },
  {
    name: 'a deeply nested raw frame (100000 levels of JSON)',
    call: 'import os, struct\nbody = b"[" * 100000 + b"]" * 100000\nos.write(4, struct.pack(">Q", len(body)) + body)\nimport time\ntime.sleep(5)',
  },
];

const host = new Host();

describe.skipIf(PRO_SKIP !== undefined)(`Pro attacks: forged reports and wire frames${PRO_SKIP ? ` (skipped: ${PRO_SKIP})` : ''}`, () => {
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
        expect(out.outcome).toBe('failed');
      });
    }
  }

  it('leaves no process, IPC object or connection on the host', () => {
    expect(host.leftovers()).toEqual({ processes: [], ipc: [], queues: [], connections: [] });
  });
});
