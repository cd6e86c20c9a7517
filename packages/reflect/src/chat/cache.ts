import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../hash.js';
import type { TokenUsage } from './model.js';

export interface CachedAnswer {
  content: string;
  model: string;
  usage: TokenUsage;
  finishReason: string | undefined;
}

/**
 * A content-addressed answer cache: one file per request, named by the sha256 of the request body's
 * canonical JSON. The body never holds credentials (those travel in headers), so neither do the files.
 */
export class ChatCache {
  /** The folder is made with the first entry, so a run that caches nothing leaves none behind. */
  constructor(readonly dir: string) {}

  static key(body: unknown): string {
    return sha256(canonicalJson(body));
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedAnswer | undefined {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { answer?: CachedAnswer };
      return entry.answer && typeof entry.answer.content === 'string' ? entry.answer : undefined;
    } catch {
      return undefined; // a damaged entry is a miss; the next answer overwrites it
    }
  }

  set(key: string, request: unknown, answer: CachedAnswer): void {
    const file = this.path(key);
    mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ key, request, answer })}\n`);
    renameSync(tmp, file);
  }
}
