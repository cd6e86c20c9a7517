import { C_LANGUAGE } from './c.js';
import { PYTHON_LANGUAGE } from './python.js';
import type { LanguageRules } from './rule.js';

/** Every language the built-in analyser supports, registered in one place. */
export const BUILTIN_LANGUAGES: readonly LanguageRules[] = [C_LANGUAGE, PYTHON_LANGUAGE];
