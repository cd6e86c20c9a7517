import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrimeVulPairer } from '../src/import/primevul.js';
import { type SvenCharChange, type SvenRecord, toSvenRecord } from '../src/import/sven.js';
import { computeChanges, importPairs, validate, type RepairPair, samplePairsPath, fromSvenRecord } from '../src/index.js';
import { HAS_SHARED_DATA, NO_DATA_REASON, SHARED_DATA, tempDir } from './helpers.js';

async function all(run: AsyncIterable<RepairPair>) {
  const out: RepairPair[] = [];
  for await (const p of run) out.push(p);
  return out;
}

function sourceLines(dir: string): Array<{ file: string; line: number; rec: SvenRecord }> {
  const out: Array<{ file: string; line: number; rec: SvenRecord }> = [];
  for (const split of readdirSync(dir).sort()) {
    if (!statSync(join(dir, split)).isDirectory()) continue;
    for (const f of readdirSync(join(dir, split)).sort()) {
      const file = join(dir, split, f);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((l, i) => {
          if (l.trim()) out.push({ file, line: i + 1, rec: JSON.parse(l) });
        });
    }
  }
  return out;
}

/** Text outside the changed ranges must be the same on both sides: the ranges explain the whole edit. */
function unchangedText(text: string, ranges: Array<{ start: number; end: number }>): string {
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, r.start);
    at = r.end;
  }
  return out + text.slice(at);
}

/** Whether a source record's char changes, in code points, leave the same text on both sides. */
function reconciles(rec: {
  func_src_before: string;
  func_src_after: string;
  char_changes?: { deleted: SvenCharChange[]; added: SvenCharChange[] };
}): boolean {
  const left = (text: string, list: SvenCharChange[]) => {
    const cps = [...text];
    let out = '';
    let at = 0;
    for (const c of [...list].sort((a, b) => a.char_start - b.char_start)) {
      if (c.char_start > at) out += cps.slice(at, c.char_start).join('');
      at = Math.max(at, c.char_end);
    }
    return out + cps.slice(at).join('');
  };
  return !rec.char_changes || left(rec.func_src_before, rec.char_changes.deleted) === left(rec.func_src_after, rec.char_changes.added);
}

/** Records of each data set whose char changes do not reconcile (counted in the source files). */
const SVEN_RECOMPUTED = 125;
const SAFECODER_RECOMPUTED = 10;

describe.skipIf(!HAS_SHARED_DATA)(`SVEN and SafeCoder import ${HAS_SHARED_DATA ? '' : NO_DATA_REASON}`, () => {
  it.each([
    ['sven', 803],
    ['safecoder', 465],
  ] as const)('imports every %s pair, valid, and exports back the same code and changes', async (format, count) => {
    let recomputed = 0;
    const run = importPairs({ format, inputs: [join(SHARED_DATA, format)] });
    const pairs = await all(run);
    expect(run.issues).toEqual([]);
    expect(pairs.length).toBe(count);
    expect(new Set(pairs.map((p) => p.id)).size).toBe(count);
    const sources = sourceLines(join(SHARED_DATA, format));
    expect(sources.length).toBe(count);
    pairs.forEach((p, i) => {
      const src = sources[i]!.rec;
      expect(validate('RepairPair', p).ok).toBe(true);
      expect(p.provenance.origin).toContain(`:${sources[i]!.line}`);
      const back = toSvenRecord(p);
      expect(Buffer.from(back.func_src_before).equals(Buffer.from(src.func_src_before))).toBe(true);
      expect(Buffer.from(back.func_src_after).equals(Buffer.from(src.func_src_after))).toBe(true);
      expect(back.file_name).toBe(src.file_name);
      expect(back.func_name).toBe(src.func_name);
      // every pair's changes turn one side into the other
      expect(unchangedText(p.vulnerableCode, p.changes.deleted), p.id).toBe(unchangedText(p.fixedCode, p.changes.added));
      if (src.char_changes && reconciles(src)) {
        expect(p.changes.origin).toBe('source');
        expect(back.char_changes).toEqual(src.char_changes);
      } else {
        // no char changes, or ones that are no edit of one side into the other: computed from the texts
        expect(p.changes.origin).toBe('diff');
        if (src.char_changes) recomputed++;
      }
      expect(p.cwes).toEqual([`CWE-${Number(src.vul_type.slice(4))}`]);
    });
    const splits = new Set(pairs.map((p) => p.provenance.split));
    expect(splits).toEqual(new Set(['train', 'val']));
    expect(recomputed).toBe(format === 'sven' ? SVEN_RECOMPUTED : SAFECODER_RECOMPUTED);
  });

  it('derives the language from the file name across SafeCoder languages', async () => {
    const pairs = await all(importPairs({ format: 'safecoder', inputs: [join(SHARED_DATA, 'safecoder')] }));
    const langs = new Set(pairs.map((p) => p.language));
    expect(langs).toEqual(new Set(['python', 'javascript', 'ruby', 'go', 'java', 'c', 'cpp']));
  });

  it('imports the 20 CWEval C tasks that have an unsafe reference and reports the others', async () => {
    const run = importPairs({ format: 'cweval', inputs: [join(SHARED_DATA, 'cweval', 'core')] });
    const pairs = await all(run);
    expect(pairs.length).toBe(20);
    expect(pairs.every((p) => p.language === 'c' && p.fixedCode.includes('BEGIN SOLUTION'))).toBe(true);
    expect(pairs.find((p) => p.id === 'cweval-cwe_078_0_c')).toMatchObject({
      cwes: ['CWE-78'],
      provenance: { functionName: 'get_ls_result' },
    });
    expect(run.issues.length).toBe(25);
    expect(run.issues.every((i) => i.code === 'unpaired')).toBe(true);
  });
});

describe('computed changes', () => {
  it('finds the character ranges of a bounded-copy fix', () => {
    const before = 'strcpy(buf, src);';
    const after = 'strncpy(buf, src, sizeof buf);';
    const c = computeChanges(before, after);
    expect(unchangedText(before, c.deleted)).toBe(unchangedText(after, c.added));
    expect(c.added.map((r) => after.slice(r.start, r.end)).join('')).toBe('n, sizeof buf');
  });

  it('converts code-point offsets of astral characters to UTF-16 offsets', () => {
    const before = 'x = "😀"; eval(s)';
    const after = 'x = "😀"; ast.literal_eval(s)';
    const r = fromSvenRecord(
      {
        func_name: 'f',
        func_src_before: before,
        func_src_after: after,
        char_changes: { deleted: [], added: [{ char_start: 9, char_end: 21, chars: 'ast.literal_' }] },
        commit_link: 'github.com/o/r/commit/1',
        file_name: 'a.py',
        vul_type: 'cwe-095',
      },
      { dataset: 'test' },
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.changes.added).toEqual([{ start: 10, end: 22 }]);
      expect(r.value.cwes).toEqual(['CWE-95']);
      expect(toSvenRecord(r.value).char_changes?.added).toEqual([{ char_start: 9, char_end: 21, chars: 'ast.literal_' }]);
    }
  });

  it('computes the changes from the texts when the char changes of a record are no edit of one side into the other', () => {
    // SVEN train cwe-022 line 8, cut to the changed line: each range's chars are right, but what is
    // left of the two sides differs ("self.asekey))" against "self.aeekey))")
    const before = 'self.etcd.delete(os.path.join(self.namespace, key))\n';
    const after = 'self.etcd.delete(self._absolute_key(key))\n';
    const at = (text: string, start: number, end: number) => ({ char_start: start, char_end: end, chars: text.slice(start, end) });
    const record = {
      func_name: 'cut',
      func_src_before: before,
      func_src_after: after,
      char_changes: {
        deleted: [at(before, 17, 30), at(before, 35, 36), at(before, 37, 39), at(before, 40, 43), at(before, 44, 46)],
        added: [at(after, 22, 23), at(after, 24, 30), at(after, 31, 33), at(after, 34, 36)],
      },
      commit_link: 'github.com/o/r/commit/1',
      file_name: 'store.py',
      vul_type: 'cwe-022',
    };
    const r = fromSvenRecord(record, { dataset: 'test' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.changes.origin).toBe('diff');
    expect(unchangedText(before, r.value.changes.deleted)).toBe(unchangedText(after, r.value.changes.added));
    // as given, the ranges leave different texts on the two sides
    const given = (list: Array<{ char_start: number; char_end: number }>) => list.map((c) => ({ start: c.char_start, end: c.char_end }));
    expect(unchangedText(before, given(record.char_changes.deleted))).not.toBe(unchangedText(after, given(record.char_changes.added)));
    // a record whose changes do reconcile keeps them as given
    const fine = fromSvenRecord(
      { ...record, char_changes: { deleted: [at(before, 17, 51)], added: [at(after, 17, 41)] } },
      { dataset: 'test' },
    );
    expect(fine.ok && fine.value.changes).toEqual({ deleted: [{ start: 17, end: 51 }], added: [{ start: 17, end: 41 }], origin: 'source' });
  });

  it('rejects a source record whose chars do not match its offsets, naming the field', () => {
    const r = fromSvenRecord(
      {
        func_name: 'f',
        func_src_before: 'a',
        func_src_after: 'ab',
        char_changes: { deleted: [], added: [{ char_start: 0, char_end: 1, chars: 'b' }] },
        commit_link: 'x',
        file_name: 'a.c',
        vul_type: 'cwe-1',
      },
      { dataset: 't' },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('/char_changes/added/0');
  });
});

describe('PrimeVul pairing', () => {
  const fn = (name: string, body: string) => `static int ${name}(struct ctx *c, size_t n)\n{\n${body}\n}\n`;
  const rec = (target: 0 | 1, project: string, commit: string, func: string, extra: object = {}) => ({
    idx: Math.floor(Math.random() * 1e6),
    project,
    commit_id: commit,
    target,
    func,
    func_hash: 1,
    file_name: 'lib/parse.c',
    cwe: ['CWE-125'],
    cve: 'CVE-2021-1234',
    cve_desc: 'out-of-bounds read',
    commit_url: `https://example.org/${project}/commit/${commit}`,
    ...extra,
  });

  it('pairs vulnerable and fixed functions sharing project, commit and name, from files written in PrimeVul format', async () => {
    const dir = tempDir();
    const lines = [
      rec(1, 'libfoo', 'aaa', fn('parse_hdr', '  return c->buf[n];')),
      rec(1, 'libfoo', 'aaa', fn('parse_body', '  memcpy(c->out, c->in, n);')),
      rec(0, 'libfoo', 'aaa', fn('parse_body', '  if (n > c->cap) return -1;\n  memcpy(c->out, c->in, n);')),
      rec(0, 'libfoo', 'aaa', fn('parse_hdr', '  if (n >= c->len) return -1;\n  return c->buf[n];')),
      rec(1, 'libbar', 'bbb', fn('lonely', '  return 0;')),
    ];
    const file = join(dir, 'primevul_train_paired.jsonl');
    writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const run = importPairs({ format: 'primevul', inputs: [file] });
    const pairs = await all(run);
    expect(pairs.map((p) => p.provenance.functionName)).toEqual(['parse_body', 'parse_hdr']);
    expect(pairs[1]).toMatchObject({
      language: 'c',
      cwes: ['CWE-125'],
      cve: 'CVE-2021-1234',
      description: 'out-of-bounds read',
      provenance: { project: 'libfoo' },
    });
    expect(pairs[1]?.fixedCode).toContain('if (n >= c->len)');
    expect(run.issues).toEqual([expect.objectContaining({ code: 'unpaired', message: expect.stringContaining('lonely') })]);
  });

  it('reports a record with a bad target by line', () => {
    const pairer = new PrimeVulPairer();
    const r = pairer.add({ project: 'p', commit_id: 'c', target: 2, func: 'int f(){}' });
    expect(r.issues?.[0]).toMatchObject({ path: '/target' });
  });
});

describe('embedded sample', () => {
  it('imports a dozen valid C and Python pairs across at least 8 CWEs', async () => {
    const pairs = await all(importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] }));
    expect(pairs.length).toBeGreaterThanOrEqual(12);
    expect(new Set(pairs.map((p) => p.language))).toEqual(new Set(['c', 'python']));
    expect(new Set(pairs.flatMap((p) => p.cwes)).size).toBeGreaterThanOrEqual(8);
    for (const p of pairs) {
      expect(p.changes.added.length + p.changes.deleted.length).toBeGreaterThan(0);
      expect(p.provenance.dataset).toBe('sample');
    }
  });
});
