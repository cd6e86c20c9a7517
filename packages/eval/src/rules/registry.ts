import type { Language } from '@srcode/dataset';
import { C_LANGUAGE } from './c.js';
import { PYTHON_LANGUAGE } from './python.js';
import type { LanguageRules } from './rule.js';

/** Every language the built-in analyser supports, registered in one place. */
export const BUILTIN_LANGUAGES: readonly LanguageRules[] = [C_LANGUAGE, PYTHON_LANGUAGE];

/** The language whose registered extensions include the file's, if any. */
export function languageForFile(file: string, languages: readonly LanguageRules[] = BUILTIN_LANGUAGES): Language | undefined {
  const lower = file.toLowerCase();
  return languages.find((l) => l.extensions.some((e) => lower.endsWith(e)))?.language;
}
