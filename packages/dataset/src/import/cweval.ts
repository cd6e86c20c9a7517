import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { computeChanges } from '../changes.js';
import type { Issue } from '../errors.js';
import { languageFromFileName } from '../languages.js';
import { normaliseCwe } from '../text.js';
import type { RepairPair } from '../types.js';

const TASK = /^(cwe_(\d+)_\d+)(?:_(\w+?))?_task\.(\w+)$/;

/** The task text between `BEGIN PROMPT` and `BEGIN SOLUTION`, with comment markers removed. */
function promptOf(code: string): string | undefined {
  const m = /BEGIN PROMPT\s*\n([\s\S]*?)BEGIN SOLUTION/.exec(code);
  if (!m?.[1]) return undefined;
  return m[1]
    .split('\n')
    .map((l) => l.replace(/^\s*(\/\*\*?|\*\/|\*|\/\/|#|""")\s?/, '').replace(/\s*(\*\/|""")\s*$/, ''))
    .join('\n')
    .trim();
}

/** The name in the signature just above `BEGIN SOLUTION` (the last line there that opens a parameter list). */
function functionNameOf(code: string): string | undefined {
  const head = code.slice(0, code.indexOf('BEGIN SOLUTION'));
  const lines = head.split('\n').reverse();
  for (const l of lines) {
    const m = /(?:def\s+)?([A-Za-z_]\w*)\s*\(/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Imports CWEval tasks from one or more folders (e.g. `cweval/core/c`): the `*_task` file is the fixed
 * side and `*_unsafe` the vulnerable one. Tasks without an unsafe reference are reported, not imported.
 */
export function* importCwevalDir(dir: string): Generator<{ pair?: RepairPair; issue?: Issue }> {
  for (const name of readdirSync(dir).sort()) {
    const m = TASK.exec(name);
    if (!m) continue;
    const [, stem, cweNum, langTag, ext] = m as unknown as [string, string, string, string | undefined, string];
    const language = languageFromFileName(name);
    const unsafeName = name.replace(/_task\./, '_unsafe.');
    const file = join(dir, name);
    const base = `${stem}${langTag ? `_${langTag}` : ''}`;
    if (!language) {
      yield { issue: { code: 'source', path: '', message: `unknown language for ${name}`, file } };
      continue;
    }
    let unsafe: string;
    try {
      unsafe = readFileSync(join(dir, unsafeName), 'utf8');
    } catch {
      yield { issue: { code: 'unpaired', path: '', message: `${name} has no ${unsafeName}: no vulnerable side`, file } };
      continue;
    }
    const task = readFileSync(file, 'utf8');
    const prompt = promptOf(task);
    const fn = functionNameOf(task);
    const pair: RepairPair = {
      schemaVersion: 1,
      id: `cweval-${base}`,
      language,
      cwes: [normaliseCwe(cweNum) ?? `CWE-${Number(cweNum)}`],
      provenance: {
        dataset: 'cweval',
        project: 'cweval',
        file: name,
        origin: `${dir}/${base}_{task,unsafe}.${ext}`,
      },
      vulnerableCode: unsafe,
      fixedCode: task,
      changes: computeChanges(unsafe, task),
    };
    if (prompt) pair.description = prompt;
    if (fn) pair.provenance.functionName = fn;
    yield { pair };
  }
}
