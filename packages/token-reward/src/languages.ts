import { getLanguage, type LoadedLanguage } from '@srcode/syntax';
import { TokenRewardError } from './errors.js';

/**
 * The registered language `name` (the registry is @srcode/syntax's), or a `TokenRewardError` with code
 * `unknown-language` that names the registered ones.
 */
export function languageOf(name: string): LoadedLanguage {
  try {
    return getLanguage(name);
  } catch (cause) {
    throw new TokenRewardError('unknown-language', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
