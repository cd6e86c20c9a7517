// Runs the main job's stages once each: a stage's result is kept under <out>/stages/ and reused by a later
// run into the same folder, as long as that run has the same settings.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeCheckpoint } from '@srcode/rl-core';
import { type ProgressState, type ProgressStream, ProgressReporter } from '../../common/progress.js';

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

/** What is counted by a stage's progress: `label` first on its lines, `unit` in its rate. */
export interface StageProgressOptions {
  /** What is counted, e.g. `steps`. */
  label: string;
  /** Unit of the rate, e.g. `steps` (shown as `steps/s`). */
  unit: string;
}

/** The progress of one long loop of a stage: readings as it goes, then a last one. */
export interface StageProgress {
  /** Records a reading; drawn when the last drawing is old enough. */
  update(state: ProgressState): void;
  /** Draws the last reading and ends the bar. */
  finish(state?: ProgressState): void;
}

/** What a stage is handed: where the run lives, a progress log, and a folder for progress of its own. */
export interface StageContext {
  /** The run's folder (`--out`), absolute. */
  out: string;
  /** One progress line, `[elapsed] stage: message`. */
  log(stage: string, message: string): void;
  /**
   * Progress of a long loop, as every bin of the repository shows it: on a terminal a bar with rate and
   * ETA redrawn in place below the log lines; elsewhere a `[elapsed] stage: label n/total (pct) | rate |
   * ETA` line every few seconds, and a last one at `finish`.
   */
  progress(stage: string, options: StageProgressOptions): StageProgress;
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
  /**
   * A terminal to draw progress bars on; without one, progress comes as lines through `write`.
   * @default stderr when it is a terminal and `write` is not given
   */
  terminal?: ProgressStream;
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
  const terminal = options.terminal ?? (options.write === undefined && process.stderr.isTTY ? process.stderr : undefined);
  return { ok: true, runner: new Runner(out, options.write ?? ((line) => process.stderr.write(line)), created, terminal) };
}

/** Runs stages once each over one folder, and logs their progress. Made by `openRunner`. */
export class Runner {
  private readonly started = performance.now();
  /** The bar drawn on the terminal now, under which log lines go. */
  private bar: ProgressReporter | undefined;
  /** The context every stage of this run is handed. */
  readonly context: StageContext;

  constructor(
    readonly out: string,
    private readonly write: (line: string) => void,
    private readonly created = false,
    private readonly terminal?: ProgressStream,
  ) {
    const log = (stage: string, message: string) => {
      const line = `[${this.elapsedSeconds().toFixed(1)}s] ${stage}: ${message}\n`;
      if (this.bar) this.bar.note(line);
      else this.write(line);
    };
    this.context = {
      out,
      log,
      progress: (stage, { label, unit }) => {
        const terminal = this.terminal;
        if (!terminal) {
          // lines through the log; the last one is not repeated when the last reading was already written
          let reading: ProgressState | undefined;
          let written: ProgressState | undefined;
          const lines = new ProgressReporter({
            stream: {
              write: (text) => {
                written = reading;
                log(stage, text.replace(/\n$/, ''));
              },
            },
            label,
            unit,
          });
          return {
            update: (state) => {
              reading = state;
              lines.update(state);
            },
            finish: (state) => {
              const last = state ?? reading;
              if (last && written && JSON.stringify(last) === JSON.stringify(written)) return;
              reading = last;
              lines.finish(state);
            },
          };
        }
        const bar = new ProgressReporter({
          stream: { write: (text) => terminal.write(text), isTTY: true, columns: terminal.columns ?? 0 },
          label: `${stage}: ${label}`,
          unit,
        });
        this.endBar();
        this.bar = bar;
        return {
          update: (state) => bar.update(state),
          finish: (state) => {
            if (this.bar === bar) this.bar = undefined;
            bar.finish(state);
          },
        };
      },
      progressDir: (stage) => join(out, 'ckpt', `${stage}-progress`),
      elapsedSeconds: () => this.elapsedSeconds(),
    };
  }

  /** Ends a bar its stage left drawn (the stage threw), so what follows starts on a line of its own. */
  private endBar(): void {
    const bar = this.bar;
    this.bar = undefined;
    bar?.finish();
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
    let result: T;
    try {
      result = await run();
    } finally {
      this.endBar();
    }
    writeFileAtomic(file, JSON.stringify(result, null, 2));
    await removeCheckpoint(progressDir(name)); // a finished stage needs no progress
    log(name, `finished in ${((performance.now() - t) / 1000).toFixed(1)}s`);
    return result;
  }
}
