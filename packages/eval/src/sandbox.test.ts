import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
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

describe.skipIf(!full || !isolation.ipc || !isolation.disk)('Sandbox isolation of the host (needs root and unshare)', () => {
  it('makes every host file system read-only, with private /tmp, /var/tmp, /dev/shm, /run, /run/lock and /var/lock', async () => {
    const marker = `srcode-ro-${process.pid}-${Date.now()}`;
    const places = ['/', '/etc', '/root', '/usr/local', '/tmp', '/var/tmp', '/dev/shm', '/run', '/run/lock', '/var/lock', process.cwd()];
    const code = `import os
for d in ${JSON.stringify(places)}:
    try:
        with open(os.path.join(d, "${marker}"), "w") as f:
            f.write("x")
        print("wrote", d)
    except OSError as e:
        print("blocked", d, e.errno)
`;
    const sandbox = await Sandbox.create({ files: { 'a.py': code } });
    // The judge side (root of the namespaces) may write where the sandbox user may not: it must not reach the host either.
    const asRoot = await sandbox.run({ command: [PY, 'a.py'], trusted: true });
    const asUser = await sandbox.run({ command: [PY, 'a.py'] });
    await sandbox.dispose();
    for (const r of [asRoot, asUser]) expect(r.exitCode).toBe(0);
    for (const d of places) expect(existsSync(join(d, marker)), d).toBe(false);
    // Read-only where the new root shows a host folder; absent where it does not (no home, no checkout).
    for (const d of ['/', '/etc', '/usr/local']) expect(asRoot.stdout).toContain(`blocked ${d} 30`);
    for (const d of ['/root', process.cwd()]) expect(asRoot.stdout).toContain(`blocked ${d} 2`);
    for (const d of ['/tmp', '/var/tmp', '/dev/shm', '/run/lock']) expect(asRoot.stdout).toContain(`wrote ${d}\n`);
  });

  it('leaves no SysV shared memory, semaphore or message queue behind (an IPC namespace)', async () => {
    const ipcs = () => spawnSync('ipcs', ['-a'], { encoding: 'utf8' }).stdout;
    const before = ipcs();
    const r = await attack(`import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
ids = [libc.shmget(0, 64 * 1024 * 1024, 0o1777 | 0o1000), libc.semget(0, 4, 0o1777 | 0o1000), libc.msgget(0, 0o1777 | 0o1000)]
print(ids)
`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/-1/);
    expect(ipcs()).toBe(before);
  });

  it('caps the bytes a run can write to its work folder, over many files', async () => {
    const sandbox = await Sandbox.create({ diskBytes: 8 * 1024 * 1024 });
    const r = await sandbox.run({
      command: [PY, '-c', 'import os\nfor i in range(64):\n    open(f"f{i}", "wb").write(b"0" * 1024 * 1024)\n'],
    });
    let total = 0;
    for (const name of await readdir(sandbox.dir)) total += (await stat(join(sandbox.dir, name))).size;
    await sandbox.dispose();
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/No space left on device/);
    expect(total).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('gives a trusted run a verdict pipe the sandbox user cannot reach, and judge files it cannot read', async () => {
    const sandbox = await Sandbox.create({ judgeFiles: { 'expected.txt': 'secret answer' } });
    const user = await sandbox.run({
      command: ['sh', '-c', `echo forged >&3; cat ${sandbox.judgeDir}/expected.txt; ls ${sandbox.judgeDir}; echo done`],
    });
    const judge = await sandbox.run({
      command: ['sh', '-c', `cat ${sandbox.judgeDir}/expected.txt >&3; echo "uid $SRCODE_UNTRUSTED_UID"`],
      trusted: true,
    });
    await sandbox.dispose();
    expect(user.verdict).toBeUndefined();
    expect(user.stdout).toBe('done\n');
    expect(user.stderr).not.toContain('secret answer');
    expect(judge.verdict).toBe('secret answer');
    expect(judge.stdout).toBe(`uid ${sandbox.uid}\n`);
  });

  it('refuses to read back a link the code planted to a host file', async () => {
    const sandbox = await Sandbox.create();
    await sandbox.run({ command: ['ln', '-s', '/etc/hostname', 'report.xml'] });
    await expect(sandbox.readFile('report.xml')).rejects.toThrow(/outside the sandbox/);
    await sandbox.dispose();
  });

  it('sweeps what a killed process left: its sandbox folders and their mounts', async () => {
    const base = await mkdtemp(join(tmpdir(), 'srcode-sweep-'));
    try {
      // A child process makes a sandbox (a mounted work folder) and is killed before it can dispose of it.
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('${new URL('./sandbox.ts', import.meta.url).pathname}').then(async (m) => { await m.Sandbox.create({ baseDir: ${JSON.stringify(base)} }); process.kill(process.pid, 'SIGKILL'); })`,
        ],
        { encoding: 'utf8' },
      );
      expect(child.signal).toBe('SIGKILL');
      const left = await readdir(base);
      expect(left).toHaveLength(1);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(join(base, left[0] as string));
      const next = await Sandbox.create({ baseDir: base });
      await next.dispose();
      expect(await readdir(base)).toEqual([]);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(base);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
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
