import { computeChanges } from '../changes.js';
import type { Result } from '../errors.js';
import { languageFromFileName } from '../languages.js';
import { codePointToUtf16Mapper, normaliseCwe, shortHash, utf16ToCodePoint } from '../text.js';
import type { RepairPair, TextRange } from '../types.js';
import { checkSourceFields } from './source.js';

/** One line of a SVEN or SafeCoder file (SafeCoder adds commit_msg, parent_commit, description). */
export interface SvenRecord {
  func_name: string;
  func_src_before: string;
  func_src_after: string;
  char_changes?: { deleted: SvenCharChange[]; added: SvenCharChange[] };
  line_changes?: unknown;
  commit_link: string;
  file_name: string;
  vul_type: string;
  commit_msg?: string;
  parent_commit?: string;
  description?: string;
}

export interface SvenCharChange {
  char_start: number;
  char_end: number;
  chars: string;
}

/** What a SVEN record does not say about itself: its data set, split and place in the source. */
export interface SvenImportContext {
  /** `sven` or `safecoder`. */
  dataset: string;
  /** The split the record's file belongs to, e.g. `train` or `val`. */
  split?: string;
  /** Where the record came from, e.g. `val/cwe-787.jsonl:3`. */
  origin?: string;
}

/** `text` without `ranges` (sorted by start; overlaps taken once): what it shares with the other side. */
function unchanged(text: string, ranges: readonly TextRange[]): string {
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start > at) out += text.slice(at, r.start);
    at = Math.max(at, r.end);
  }
  return out + text.slice(at);
}

/**
 * Converts one SVEN/SafeCoder record into a RepairPair. Source offsets are code points; ours are
 * UTF-16. Some records' `char_changes` match the code at their offsets but are no edit of one side
 * into the other: the text left after removing the deleted ranges differs from the text left after
 * removing the added ones (their character diff paired unequal characters, as in
 * `os.path.join(self.namespace, key)` against `self._absolute_key(key)`). Their changes are computed
 * from the two texts instead (`origin: 'diff'`), so every pair's changes turn one side into the other.
 */
export function fromSvenRecord(raw: unknown, ctx: SvenImportContext): Result<RepairPair> {
  const { issues } = checkSourceFields(raw, ['func_src_before', 'func_src_after', 'file_name', 'vul_type', 'commit_link']);
  if (issues.length) return { ok: false, issues };
  const rec = raw as SvenRecord;
  const language = languageFromFileName(rec.file_name);
  if (!language)
    return { ok: false, issues: [{ code: 'source', path: '/file_name', message: `unknown language for file "${rec.file_name}"` }] };
  const cwe = normaliseCwe(rec.vul_type);
  if (!cwe) return { ok: false, issues: [{ code: 'source', path: '/vul_type', message: `"${rec.vul_type}" is not a CWE id` }] };

  let changes: RepairPair['changes'];
  if (rec.char_changes) {
    const side = (list: SvenCharChange[], text: string, path: string): TextRange[] => {
      const map = codePointToUtf16Mapper(text);
      return list.map((c, i) => {
        const start = map(c.char_start);
        const end = map(c.char_end);
        if (text.slice(start, end) !== c.chars)
          issues.push({ code: 'source', path: `${path}/${i}`, message: 'chars do not match the code at char_start..char_end' });
        return { start, end };
      });
    };
    changes = {
      deleted: side(rec.char_changes.deleted, rec.func_src_before, '/char_changes/deleted'),
      added: side(rec.char_changes.added, rec.func_src_after, '/char_changes/added'),
      origin: 'source',
    };
    if (issues.length) return { ok: false, issues };
    if (unchanged(rec.func_src_before, changes.deleted) !== unchanged(rec.func_src_after, changes.added))
      changes = computeChanges(rec.func_src_before, rec.func_src_after);
  } else {
    changes = computeChanges(rec.func_src_before, rec.func_src_after);
  }

  const project = /([^/]+\/[^/]+)\/commit\//.exec(rec.commit_link)?.[1];
  const pair: RepairPair = {
    schemaVersion: 1,
    id: `${ctx.dataset}-${shortHash(rec.commit_link, rec.file_name, rec.func_name ?? '', rec.func_src_before, rec.func_src_after)}`,
    language,
    cwes: [cwe],
    provenance: {
      dataset: ctx.dataset,
      commitUrl: rec.commit_link.startsWith('http') ? rec.commit_link : `https://${rec.commit_link}`,
      file: rec.file_name,
    },
    vulnerableCode: rec.func_src_before,
    fixedCode: rec.func_src_after,
    changes,
  };
  if (rec.description) pair.description = rec.description;
  if (ctx.split) pair.provenance.split = ctx.split;
  if (project) pair.provenance.project = project;
  if (rec.commit_msg) pair.provenance.commitMessage = rec.commit_msg;
  if (typeof rec.func_name === 'string') pair.provenance.functionName = rec.func_name;
  if (ctx.origin) pair.provenance.origin = ctx.origin;
  return { ok: true, value: pair };
}

/** The SVEN fields a pair can be exported back to (round trip: before/after code and char changes). */
export function toSvenRecord(
  pair: RepairPair,
): Pick<SvenRecord, 'func_name' | 'func_src_before' | 'func_src_after' | 'char_changes' | 'file_name'> {
  const side = (ranges: TextRange[], text: string): SvenCharChange[] =>
    ranges.map((r) => ({
      char_start: utf16ToCodePoint(text, r.start),
      char_end: utf16ToCodePoint(text, r.end),
      chars: text.slice(r.start, r.end),
    }));
  return {
    func_name: pair.provenance.functionName ?? '',
    func_src_before: pair.vulnerableCode,
    func_src_after: pair.fixedCode,
    char_changes: { deleted: side(pair.changes.deleted, pair.vulnerableCode), added: side(pair.changes.added, pair.fixedCode) },
    file_name: pair.provenance.file ?? '',
  };
}
