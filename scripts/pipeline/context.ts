// What every stage of the main job is handed: the runner's context and the files the job writes.
import { join } from 'node:path';
import type { StageContext } from './runner.js';

/** The files of one run, in the order the summary lists them. */
export interface MainFiles {
  pairs: string;
  records: string;
  maps: string;
  renders: string;
  generations: string;
  results: string;
  metrics: string;
  report: string;
  /** Every accepted pair's teacher-forced token maps, rendered. */
  allMaps: string;
  summary: string;
}

/** A stage's context in the main job: the runner's, plus where the job's files go. */
export interface MainContext extends StageContext {
  files: MainFiles;
}

/** The files of a run whose folder is `out`. */
export function mainFiles(out: string): MainFiles {
  return {
    pairs: join(out, 'pairs.jsonl'),
    records: join(out, 'records.jsonl'),
    maps: join(out, 'reward-maps.jsonl'),
    renders: join(out, 'reward-maps.html'),
    generations: join(out, 'generations.jsonl'),
    results: join(out, 'eval-results.jsonl'),
    metrics: join(out, 'train-metrics.jsonl'),
    report: join(out, 'report.html'),
    allMaps: join(out, 'token-maps.html'),
    summary: join(out, 'summary.json'),
  };
}

/** The main job's context over a runner's. */
export function mainContext(stage: StageContext): MainContext {
  return { ...stage, files: mainFiles(stage.out) };
}
