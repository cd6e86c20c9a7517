import { closeSync, openSync, writeSync } from 'node:fs';
import type { Issue } from './errors.js';

/**
 * Side files for rejected lines: `<path>` holds each rejected line byte for byte (so it can be fixed
 * and re-imported), `<path>.reasons.jsonl` one JSON object per rejected line saying where and why.
 * Both are truncated when a read starts, so they describe that read alone.
 */
export class QuarantineSink {
  private readonly fd: number;
  private readonly reasonsFd: number;
  private written = 0;

  constructor(
    readonly path: string,
    private readonly sourceFile: string,
  ) {
    this.fd = openSync(path, 'w');
    this.reasonsFd = openSync(`${path}.reasons.jsonl`, 'w');
  }

  writeLine(raw: Uint8Array): void {
    writeSync(this.fd, raw);
    writeSync(this.fd, '\n');
    this.written++;
  }

  /** Part of a rejected line too long to buffer whole; `endRaw` finishes it. */
  writeRaw(piece: Uint8Array): void {
    if (piece.length) writeSync(this.fd, piece);
  }

  endRaw(): void {
    writeSync(this.fd, '\n');
    this.written++;
  }

  writeReasons(issues: Issue[]): void {
    const first = issues[0];
    const reason = {
      file: this.sourceFile,
      line: first?.line,
      quarantineLine: this.written,
      issues: issues.map(({ code, path, message }) => ({ code, path, message })),
    };
    writeSync(this.reasonsFd, `${JSON.stringify(reason)}\n`);
  }

  close(): void {
    closeSync(this.fd);
    closeSync(this.reasonsFd);
  }
}
