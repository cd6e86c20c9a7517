// Runs the main job's stages once each: a stage's result is kept under <out>/stages/ and reused by a later
// run into the same folder, as long as that run has the same settings.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeCheckpoint } from '@srcode/rl-core';

/** Replaces a file whole: written beside it, then renamed over it, so no reader ever sees half of it. */
export function writeFileAtomic(file: string, text: string): void {
  const partial = `${file}.partial`;
  try {
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/** What a stage is handed: where the run lives, a progress log, and a folder for progress of its own. */
export interface StageContext {
  /** The run's folder (`--out`), absolute. */
  out: string;
  /** One progress line, `[elapsed] stage: message`. */
  log(stage: string, message: string): void;
  /** Where a stage keeps progress while it runs; the runner removes it once the stage has finished. */
  progressDir(stage: string): string;
  /** Seconds since the runner opened the folder. */
  elapsedSeconds(): number;
}

/** A setting whose value differs between the run kept in a folder and the one asked for. */
export interface SettingChange {
  key: string;
  before: unknown;
  now: unknown;
}

/** Where the runner keeps what it owns, and where its progress lines go. */
export interface RunnerOptions {
  /** The run's folder, absolute. */
  out: string;
  /** The settings every stage's result depends on (JSON values); kept in `settings.json`. */
  settings: Readonly<Record<string, unknown>>;
  /** Removes the folder first: every stage starts over. @default false */
  fresh?: boolean;
  /** Receives each progress line. @default writes it to stderr */
  write?: (line: string) => void;
}

/** The runner, or why the folder cannot be used: it holds a run with other settings. */
export type OpenRunnerResult = { ok: true; runner: Runner } | { ok: false; changes: SettingChange[]; message: string };

/** The settings that differ between two fingerprints, those of the earlier one first. */
export function settingChanges(before: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>): SettingChange[] {
  return Object.keys({ ...before, ...now })
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(now[key]))
    .map((key) => ({ key, before: before[key], now: now[key] }));
}

/**
 * Opens a run's folder: starts it over with `fresh`, records the settings of a new run, and refuses a folder
 * that holds a run with other settings, naming each one that differs.
 */
export function openRunner(options: RunnerOptions): OpenRunnerResult {
  const { out, settings } = options;
  if (options.fresh) rmSync(out, { recursive: true, force: true });
  const created = !existsSync(out);
  mkdirSync(join(out, 'stages'), { recursive: true });
  const settingsFile = join(out, 'settings.json');
  if (existsSync(settingsFile)) {
    const changes = settingChanges(JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>, settings);
    if (changes.length) {
      const named = changes.map((c) => `${c.key}: ${JSON.stringify(c.before)} there, ${JSON.stringify(c.now)} now`).join('; ');
      return {
        ok: false,
        changes,
        message: `${out} holds a run with other settings (${named}): rerun with --fresh to start over, or choose another --out`,
      };
    }
  } else writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  return { ok: true, runner: new Runner(out, options.write ?? ((line) => process.stderr.write(line)), created) };
}

/** Runs stages once each over one folder, and logs their progress. Made by `openRunner`. */
export class Runner {
  private readonly started = performance.now();
  /** The context every stage of this run is handed. */
  readonly context: StageContext;

  constructor(
    readonly out: string,
    private readonly write: (line: string) => void,
    private readonly created = false,
  ) {
    this.context = {
      out,
      log: (stage, message) => this.write(`[${this.elapsedSeconds().toFixed(1)}s] ${stage}: ${message}\n`),
      progressDir: (stage) => join(out, 'ckpt', `${stage}-progress`),
      elapsedSeconds: () => this.elapsedSeconds(),
    };
  }

  /**
   * After a failed run: removes the folder when this run made it and no stage finished or saved a
   * checkpoint in it, so a run that fails at once leaves nothing behind. Returns whether it did.
   */
  discardIfUnused(): boolean {
    if (!this.created) return false;
    const kept = (dir: string) => existsSync(dir) && readdirSync(dir).length > 0;
    if (kept(join(this.out, 'stages')) || kept(join(this.out, 'ckpt'))) return false;
    rmSync(this.out, { recursive: true, force: true });
    return true;
  }

  /** Seconds since the folder was opened. */
  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /**
   * Runs a stage once: its result (JSON) is kept in stages/<name>.json and returned again by later runs
   * without running it. A stage that throws leaves no result, so the next run runs it again.
   */
  async stage<T>(name: string, run: () => Promise<T>): Promise<T> {
    const { log, progressDir } = this.context;
    const file = join(this.out, 'stages', `${name}.json`);
    if (existsSync(file)) {
      log(name, 'done in an earlier run, skipped');
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    }
    const t = performance.now();
    log(name, 'started');
    const result = await run();
    writeFileAtomic(file, JSON.stringify(result, null, 2));
    await removeCheckpoint(progressDir(name)); // a finished stage needs no progress
    log(name, `finished in ${((performance.now() - t) / 1000).toFixed(1)}s`);
    return result;
  }
}
