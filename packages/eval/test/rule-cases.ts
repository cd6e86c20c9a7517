import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Language } from '@srcode/dataset';
import type { BuiltinAnalyzer } from '../src/builtin.js';

/** `../shared/data` beside the repository; tests that need it skip when it is absent. */
export const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

/** Each finding as `<line>:<rule id>`, in the analyser's order. */
export function rulesAt(analyzer: BuiltinAnalyzer, code: string, language: Language): string[] {
  return analyzer.analyzeSync(code, language).map((f) => `${f.lines?.start}:${f.ruleId}`);
}

/** Code with one marked line per expected finding: `// expect: <rule>` or `# expect: <rule>`. */
export function expectedFromMarks(code: string): string[] {
  return code.split('\n').flatMap((line, i) => {
    const m = /(?:\/\/|#) expect: ([\w.-]+)/.exec(line);
    return m ? [`${i + 1}:${m[1]}`] : [];
  });
}

/** The before/after functions of a SVEN or SafeCoder JSONL file. */
export function readPairs(file: string): { before: string; after: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { func_src_before: string; func_src_after: string })
    .map((r) => ({ before: r.func_src_before, after: r.func_src_after }));
}
