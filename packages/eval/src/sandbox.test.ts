import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sandbox, detectIsolation, processesOf, runInSandbox } from './sandbox.js';

const PY = '/usr/bin/python3';
const isolation = detectIsolation();
const full = isolation.network && isolation.mount && isolation.pid && isolation.user;

/** Run `code` with Python in a fresh sandbox and check, after disposal, that nothing of it is left. */
async function attack(code: string, limits: Parameters<Sandbox['run']>[0]['limits'] = {}) {
  const sandbox = await Sandbox.create({ files: { 'attack.py': code } });
  const result = await sandbox.run({ command: [PY, 'attack.py'], limits });
  const uid = sandbox.uid;
  await sandbox.dispose();
  expect(existsSync(sandbox.root)).toBe(false);
  if (uid !== undefined) expect(await processesOf(uid)).toEqual([]);
  return result;
}

describe('Sandbox', () => {
  it('runs a command in a fresh directory holding the given files and removes it afterwards', async () => {
    const sandbox = await Sandbox.create({ files: { 'in/data.txt': 'hello' } });
    const r = await sandbox.run({ command: [PY, '-c', 'import os; print(open("in/data.txt").read(), os.getcwd())'] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`hello ${sandbox.dir}\n`);
    await sandbox.dispose();
    await sandbox.dispose();
    expect(existsSync(sandbox.root)).toBe(false);
  });

  it('refuses to write a file outside its directory', async () => {
    const sandbox = await Sandbox.create();
    try {
      await expect(sandbox.writeFile('../escape.txt', 'x')).rejects.toThrow(/outside the sandbox/);
    } finally {
      await sandbox.dispose();
    }
  });

  it('reports which isolation this machine allows', () => {
    expect(Object.keys(isolation).sort()).toEqual(['disk', 'ipc', 'mount', 'network', 'pid', 'user']);
  });
});

describe.skipIf(!full)('Sandbox under attack (needs root and unshare: namespaces plus a fresh uid)', () => {
  it('contains a fork bomb with the process limit', async () => {
    const sandbox = await Sandbox.create();
    const r = await sandbox.run({
      command: ['sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 1; echo host-alive-check'],
      limits: { maxProcesses: 24, timeoutMs: 5000 },
    });
    const uid = sandbox.uid as number;
    await sandbox.dispose();
    expect(r.stderr).toMatch(/fork/i);
    expect(await processesOf(uid)).toEqual([]);
    const after = await runInSandbox({ command: ['echo', 'still here'] });
    expect(after.stdout).toBe('still here\n');
  });

  it('kills an infinite loop at the time limit', async () => {
    const r = await attack('while True:\n    pass\n', { timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
  });

  it('stops a memory bomb at the address-space limit', async () => {
    const r = await attack('blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))\n', {
      memoryBytes: 256 * 1024 * 1024,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/MemoryError/);
  });

  it('keeps writes outside the directory off the host', async () => {
    const host = await mkdtemp(join(tmpdir(), 'srcode-host-'));
    const marker = `srcode-escape-${process.pid}-${Date.now()}`;
    try {
      const code = `import os
results = []
for path in ["../${marker}", "${join(host, marker)}", "/tmp/${marker}", "/var/tmp/${marker}", "/dev/shm/${marker}", "/${marker}", "/etc/${marker}"]:
    try:
        with open(path, "w") as f:
            f.write("escaped")
        results.append("wrote " + path)
    except OSError as e:
        results.append("blocked " + path)
print("\\n".join(results))
`;
      const r = await attack(code);
      expect(r.exitCode).toBe(0);
      for (const path of [
        join(host, marker),
        `/tmp/${marker}`,
        `/var/tmp/${marker}`,
        `/dev/shm/${marker}`,
        `/${marker}`,
        `/etc/${marker}`,
      ]) {
        expect(existsSync(path), path).toBe(false);
      }
      expect(r.stdout).toMatch(new RegExp(`blocked ${join(host, marker).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });

  it('has no network: a connection to a server on the host loopback never arrives', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await attack(`import socket
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", ${port}))
    print("connected")
except OSError as e:
    print("refused", e.errno)
`);
      expect(r.stdout).toMatch(/^refused/);
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('caps a flood of output and stops the flooder', async () => {
    const r = await attack('import sys\nwhile True:\n    sys.stdout.write("x" * 65536)\n', { outputBytes: 100_000, timeoutMs: 20_000 });
    expect(r.outputTruncated).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(100_000);
  });

  it('limits the size of a file the program writes', async () => {
    const sandbox = await Sandbox.create();
    const r = await sandbox.run({
      command: [PY, '-c', 'f = open("big.bin", "wb")\nfor _ in range(64):\n    f.write(b"0" * 65536)\n'],
      limits: { fileSizeBytes: 1024 * 1024 },
    });
    const size = (await stat(join(sandbox.dir, 'big.bin'))).size;
    await sandbox.dispose();
    expect(r.exitCode).not.toBe(0);
    expect(size).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('Sandbox fallback without namespaces (limits only)', () => {
  for (const limiter of ['prlimit', 'ulimit'] as const) {
    it(`still enforces time, memory, file size and output with ${limiter}`, async () => {
      const sandbox = await Sandbox.create({ isolate: false, limiter });
      try {
        expect(sandbox.isolation).toEqual({ network: false, mount: false, ipc: false, pid: false, user: false, disk: false });
        const loop = await sandbox.run({ command: [PY, '-c', 'while True: pass'], limits: { timeoutMs: 1000 } });
        expect(loop.timedOut).toBe(true);
        const mem = await sandbox.run({
          command: [PY, '-c', 'x = bytearray(1024 * 1024 * 1024)'],
          limits: { memoryBytes: 256 * 1024 * 1024 },
        });
        expect(mem.stderr).toMatch(/MemoryError/);
        const big = await sandbox.run({
          command: [PY, '-c', 'open("big", "wb").write(b"0" * 4_000_000)'],
          limits: { fileSizeBytes: 1024 * 1024 },
        });
        expect(big.exitCode).not.toBe(0);
        const flood = await sandbox.run({ command: ['yes'], limits: { outputBytes: 10_000 } });
        expect(flood.outputTruncated).toBe(true);
        expect(flood.stdout.length).toBe(10_000);
      } finally {
        await sandbox.dispose();
      }
      expect(existsSync(sandbox.root)).toBe(false);
    });
  }
});
