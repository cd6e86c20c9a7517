import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, JsonlAppender, readJsonl, readJsonlAll, writeJsonlAtomic, type RepairPair } from '../src/index.js';
import { tempDir } from './helpers.js';

const pair = (id: string): RepairPair => ({
  schemaVersion: 1,
  id,
  language: 'python',
  cwes: ['CWE-89'],
  provenance: { dataset: 'test' },
  vulnerableCode: 'q = "%s" % x',
  fixedCode: 'q = (x,)',
  changes: { deleted: [], added: [], origin: 'diff' },
});
const line = (v: unknown) => JSON.stringify(v);

async function collect<T>(iter: AsyncIterable<{ line: number; value: T }>) {
  const out: Array<{ line: number; value: T }> = [];
  for await (const r of iter) out.push(r);
  return out;
}

/** A file with one good record on lines 1 and 7 and one kind of bad line on each line in between. */
function malformedFile(dir: string): { file: string; raw: Buffer[] } {
  const raw = [
    Buffer.from(line(pair('a'))),
    Buffer.from('{"schemaVersion": 1, "id": "broken"'),
    Buffer.from(line({ ...pair('b'), fixedCode: undefined })),
    Buffer.from(line({ ...pair('c'), cwes: 'CWE-89' })),
    Buffer.concat([Buffer.from('{"id": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    Buffer.from(line({ ...pair('d'), description: 'x'.repeat(50 * 1024 * 1024), language: 'cobol' })),
    Buffer.from(line(pair('e'))),
  ];
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, Buffer.concat(raw.flatMap((b) => [b, Buffer.from('\n')])));
  return { file, raw };
}

describe('readJsonl', () => {
  it('reads UTF-8 with a BOM, CRLF line ends and blank lines, numbering lines as in the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'crlf.jsonl');
    writeFileSync(file, `\uFEFF${line(pair('α'))}\r\n\r\n   \r\n${line(pair('β'))}\r\n`);
    const reader = readJsonl(file, { schema: 'RepairPair' });
    const recs = await collect(reader);
    expect(recs.map((r) => [r.line, r.value.id])).toEqual([
      [1, 'α'],
      [4, 'β'],
    ]);
    expect(reader.stats).toMatchObject({ records: 2, blank: 2, rejected: 0 });
  });

  it('reads a last line without a trailing newline', async () => {
    const dir = tempDir();
    const file = join(dir, 'nonl.jsonl');
    writeFileSync(file, `${line(pair('a'))}\n${line(pair('b'))}`);
    expect((await collect(readJsonl(file))).length).toBe(2);
  });

  it('fail-fast stops at the first bad line with file, line and schema path', async () => {
    const dir = tempDir();
    const { file } = malformedFile(dir);
    const err = await collect(readJsonl(file, { schema: 'RepairPair' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: broken JSON`));
  });

  it('collect keeps the valid records and reports every bad line by number and field', async () => {
    const dir = tempDir();
    const { file } = malformedFile(dir);
    const { records, issues } = await readJsonlAll(file, { schema: 'RepairPair' });
    expect(records.map((r) => r.id)).toEqual(['a', 'e']);
    const byLine = new Map(issues.map((i) => [i.line, i]));
    expect([...byLine.keys()]).toEqual([2, 3, 4, 5, 6]);
    expect(byLine.get(2)).toMatchObject({ code: 'json' });
    expect(byLine.get(3)).toMatchObject({ code: 'schema', message: 'missing required field "fixedCode"' });
    expect(byLine.get(4)).toMatchObject({ code: 'schema', path: '/cwes' });
    expect(byLine.get(5)).toMatchObject({ code: 'encoding' });
    expect(byLine.get(6)).toMatchObject({ code: 'schema', path: '/language' });
    expect(issues.every((i) => i.file === file)).toBe(true);
  });

  it('quarantine writes each rejected line byte for byte, with its reason beside it', async () => {
    const dir = tempDir();
    const { file, raw } = malformedFile(dir);
    const q = join(dir, 'rejects.jsonl');
    const reader = readJsonl(file, { schema: 'RepairPair', mode: 'quarantine', quarantinePath: q, maxLineBytes: 1024 * 1024 });
    const recs = await collect(reader);
    expect(recs.map((r) => r.value.id)).toEqual(['a', 'e']);
    const expected = Buffer.concat(raw.slice(1, 6).flatMap((b) => [b, Buffer.from('\n')]));
    expect(readFileSync(q).equals(expected)).toBe(true);
    const reasons = readFileSync(`${q}.reasons.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(reasons.map((r) => [r.line, r.quarantineLine, r.issues[0].code])).toEqual([
      [2, 1, 'json'],
      [3, 2, 'schema'],
      [4, 3, 'schema'],
      [5, 4, 'encoding'],
      [6, 5, 'too-long'],
    ]);
  });

  it('rejects an over-long line without buffering it, in collect mode too', async () => {
    const dir = tempDir();
    const { file } = malformedFile(dir);
    const { issues } = await readJsonlAll(file, { schema: 'RepairPair', maxLineBytes: 4096 });
    expect(issues.find((i) => i.line === 6)).toMatchObject({ code: 'too-long' });
  });

  it('counts an over-long last line in its line statistics', async () => {
    const dir = tempDir();
    const file = join(dir, 'tail.jsonl');
    for (const ending of ['', '\n']) {
      writeFileSync(file, `${JSON.stringify(pair('a'))}\n${'x'.repeat(5000)}${ending}`);
      const reader = readJsonl(file, { schema: 'RepairPair', mode: 'collect', maxLineBytes: 4096 });
      const recs = await collect(reader);
      expect(recs.map((r) => r.value.id)).toEqual(['a']);
      expect(reader.stats).toMatchObject({ lines: 2, records: 1, rejected: 1 });
    }
  });

  it('quarantine mode requires a path', () => {
    expect(() => readJsonl('x.jsonl', { mode: 'quarantine' })).toThrow(/quarantinePath/);
  });
});

describe('writers', () => {
  it('writeJsonlAtomic replaces the file whole and leaves the old one intact when a record is invalid', async () => {
    const dir = tempDir();
    const file = join(dir, 'out.jsonl');
    await writeJsonlAtomic(file, [pair('a'), pair('b')], { schema: 'RepairPair' });
    const before = readFileSync(file, 'utf8');
    await expect(writeJsonlAtomic(file, [pair('c'), { ...pair('d'), language: 'cobol' }], { schema: 'RepairPair' })).rejects.toThrow(
      /invalid RepairPair: \/language/,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['out.jsonl']);
  });

  it('writeJsonlAtomic sweeps the temporary file a killed writer left, and keeps that of a running writer', async () => {
    const dir = tempDir();
    const file = join(dir, 'out.jsonl');
    const src = new URL('../src/index.ts', import.meta.url).pathname;
    // A writer killed (SIGKILL) halfway through its records leaves its temporary file behind.
    const killed = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${src}').then(async (m) => { async function* slow() { for (let i = 0; ; i++) { yield { i, pad: 'x'.repeat(1 << 20) }; if (i === 3) process.kill(process.pid, 'SIGKILL'); } } await m.writeJsonlAtomic(${JSON.stringify(file)}, slow()); })`,
      ],
      { encoding: 'utf8' },
    );
    expect(killed.signal).toBe('SIGKILL');
    const left = readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.out\.jsonl\.\d+\.[0-9a-z]+\.tmp$/);
    const alive = spawn('sleep', ['30']);
    const running = `.out.jsonl.${alive.pid}.abc.tmp`;
    writeFileSync(join(dir, running), 'in progress');
    try {
      await writeJsonlAtomic(file, [pair('a')]);
      expect(readdirSync(dir).sort()).toEqual([running, 'out.jsonl'].sort());
    } finally {
      alive.kill();
    }
  });

  it('JsonlAppender cuts a torn last record left by a crash, so readers never accept half a record', async () => {
    const dir = tempDir();
    const file = join(dir, 'log.jsonl');
    const a = new JsonlAppender(file, { schema: 'RepairPair' });
    a.append(pair('a'));
    a.close();
    const whole = line(pair('b'));
    writeFileSync(file, readFileSync(file, 'utf8') + whole.slice(0, whole.length - 7)); // crash mid-write
    const b = new JsonlAppender(file, { schema: 'RepairPair' });
    expect(b.tornBytes).toBe(whole.length - 7);
    b.append(pair('b'));
    b.close();
    const recs = await collect(readJsonl(file, { schema: 'RepairPair' }));
    expect(recs.map((r) => r.value.id)).toEqual(['a', 'b']);
    expect(existsSync(file)).toBe(true);
  });
});
