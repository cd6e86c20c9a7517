import { computeChanges } from '../changes.js';
import type { Issue } from '../errors.js';
import { languageFromFileName } from '../languages.js';
import { normaliseCwe, shortHash } from '../text.js';
import type { Language, RepairPair } from '../types.js';
import { checkSourceFields } from './source.js';

/** One function record of PrimeVul's paired files: a vulnerable one (`target` 1) and its fix (`target` 0). */
export interface PrimeVulRecord {
  idx?: number;
  project: string;
  commit_id: string;
  target: 0 | 1;
  func: string;
  func_name?: string;
  file_name?: string;
  cwe?: string[] | string;
  cve?: string;
  cve_desc?: string;
  commit_url?: string;
  commit_message?: string;
}

interface Entry {
  r: PrimeVulRecord;
  /** `func_name`, else the name read from the signature (worked out once, in `add`). */
  fn: string | undefined;
  language: Language;
  origin?: string;
}

/** The function's name, from its signature (the identifier before the first parenthesis ahead of the body). */
export function functionNameOf(code: string): string | undefined {
  const head = code.slice(0, Math.max(0, code.indexOf('{')) || code.length);
  const names = [...head.matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]);
  return names.find((n) => n !== undefined && !['__attribute__', '__declspec', 'defined'].includes(n));
}

/**
 * Pairs PrimeVul function records: a vulnerable and a fixed function that share project, commit,
 * file and function name become one RepairPair. Streams: a pair is emitted as soon as both halves
 * have been seen; records left without a partner are reported by `finish()`.
 */
export class PrimeVulPairer {
  private readonly pending = new Map<string, { vulnerable: Entry[]; fixed: Entry[] }>();

  constructor(private readonly ctx: { split?: string } = {}) {}

  /** Adds one record; returns the pair it completes, an issue, or undefined while waiting for its partner. */
  add(raw: unknown, origin?: string): { pair?: RepairPair; issues?: Issue[] } {
    const issues = checkRecord(raw);
    if (issues.length) return { issues };
    const r = raw as PrimeVulRecord;
    const language = languageFromFileName(r.file_name ?? 'x.c');
    if (!language) return { issues: [{ code: 'source', path: '/file_name', message: `unknown language for "${r.file_name}"` }] };
    const fn = r.func_name ?? functionNameOf(r.func);
    const key = [r.project, r.commit_id, r.file_name ?? '', fn ?? ''].join('\u0000');
    let slot = this.pending.get(key);
    if (!slot) {
      slot = { vulnerable: [], fixed: [] };
      this.pending.set(key, slot);
    }
    (r.target === 1 ? slot.vulnerable : slot.fixed).push(origin === undefined ? { r, fn, language } : { r, fn, language, origin });
    const v = slot.vulnerable[0];
    const f = slot.fixed[0];
    if (!v || !f) return {};
    slot.vulnerable.shift();
    slot.fixed.shift();
    if (!slot.vulnerable.length && !slot.fixed.length) this.pending.delete(key);
    return { pair: this.toPair(v, f) };
  }

  /** Issues for every record that never found its partner. */
  finish(): Issue[] {
    const issues: Issue[] = [];
    for (const slot of this.pending.values()) {
      for (const { r, origin } of [...slot.vulnerable, ...slot.fixed]) {
        const side = r.target === 1 ? 'vulnerable' : 'fixed';
        issues.push({
          code: 'unpaired',
          path: '',
          message: `${side} function ${functionNameOf(r.func) ?? '?'} of ${r.project}@${r.commit_id.slice(0, 12)} has no partner${origin ? ` (${origin})` : ''}`,
        });
      }
    }
    this.pending.clear();
    return issues;
  }

  private toPair({ r: v, fn, language, origin }: Entry, { r: f }: Entry): RepairPair {
    const cweList = Array.isArray(v.cwe) ? v.cwe : v.cwe ? [v.cwe] : [];
    const cwes = [...new Set(cweList.map(normaliseCwe).filter((c): c is string => c !== undefined))];
    const pair: RepairPair = {
      schemaVersion: 1,
      id: `primevul-${shortHash(v.project, v.commit_id, v.file_name ?? '', v.func, f.func)}`,
      language,
      cwes,
      provenance: { dataset: 'primevul', project: v.project },
      vulnerableCode: v.func,
      fixedCode: f.func,
      changes: computeChanges(v.func, f.func),
    };
    if (v.cve && /^CVE-\d{4}-\d+$/.test(v.cve)) pair.cve = v.cve;
    if (v.cve_desc) pair.description = v.cve_desc;
    if (this.ctx.split) pair.provenance.split = this.ctx.split;
    if (v.commit_url) pair.provenance.commitUrl = v.commit_url;
    if (v.commit_message) pair.provenance.commitMessage = v.commit_message;
    if (v.file_name) pair.provenance.file = v.file_name;
    if (fn) pair.provenance.functionName = fn;
    if (origin) pair.provenance.origin = origin;
    return pair;
  }
}

function checkRecord(raw: unknown): Issue[] {
  const { record: r, issues } = checkSourceFields(raw, ['project', 'commit_id', 'func']);
  if (r && r.target !== 0 && r.target !== 1)
    issues.push({ code: 'source', path: '/target', message: 'expected target 0 (fixed) or 1 (vulnerable)' });
  return issues;
}
