import type { Language, RepairPair, TextRange } from '@srcode/dataset';

/** Builds a pair from marked text: `[-…-]` is deleted from the vulnerable side, `{+…+}` added on the fixed side. */
export function markedPair(id: string, language: Language, marked: string): RepairPair {
  const vuln = { text: '', ranges: [] as TextRange[] };
  const fixed = { text: '', ranges: [] as TextRange[] };
  const re = /\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g;
  let at = 0;
  for (let m = re.exec(marked); m; m = re.exec(marked)) {
    const plain = marked.slice(at, m.index);
    vuln.text += plain;
    fixed.text += plain;
    if (m[1] !== undefined) {
      vuln.ranges.push({ start: vuln.text.length, end: vuln.text.length + m[1].length });
      vuln.text += m[1];
    } else if (m[2] !== undefined) {
      fixed.ranges.push({ start: fixed.text.length, end: fixed.text.length + m[2].length });
      fixed.text += m[2];
    }
    at = m.index + m[0].length;
  }
  vuln.text += marked.slice(at);
  fixed.text += marked.slice(at);
  return {
    schemaVersion: 1,
    id,
    language,
    cwes: [],
    provenance: { dataset: 'sample' },
    vulnerableCode: vuln.text,
    fixedCode: fixed.text,
    changes: { deleted: vuln.ranges, added: fixed.ranges, origin: 'diff' },
  };
}

/** The text each span covers, with its node type. */
export function spanTexts(text: string, spans: ReadonlyArray<{ start: number; end: number; nodeType?: string }>): string[] {
  return spans.map((s) => `${s.nodeType}: ${text.slice(s.start, s.end)}`);
}
