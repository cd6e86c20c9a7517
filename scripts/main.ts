// The whole pipeline as one command: import → reflect → PrimeVul+ records → token reward maps →
// SFT and RL (token-level rewards) of a small policy → evaluation before and after → HTML report.
// Every stage writes its result under --out and is skipped on a rerun (--fresh starts over); the training
// stages also keep a checkpoint of their progress, so a rerun after a crash goes on from the last step saved.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EvalResult,
  type Generation,
  IMPORT_FORMATS,
  type ImportFormat,
  type TokenRewardMap,
  formatIssue,
  importPairs,
  readJsonlAll,
  samplePairsPath,
  writeJsonlAtomic,
} from '@srcode/dataset';
import { BuiltinAnalyzer } from '@srcode/eval';
import { HeuristicJudge, LlmJudge, LlmPromptWriter, OpenAIChatClient, TemplatePromptWriter, runReflection } from '@srcode/reflect';
import { CHAR_TOKENS, decodeChars, rlStep, seededRandom, sftStep } from '@srcode/rl-core';
import { TransformerPolicy, useBackend } from '@srcode/rl-core/tfjs';
import { type TokenizerLike, byteTokenizer, renderHtml, teacherForcedMaps } from '@srcode/token-reward';
import { type EvalSummary, type Report, writeReport } from './pipeline/report.js';
import { Scorer, type Task, promptIds, targetIds, tasksFrom } from './pipeline/tasks.js';

const USAGE = `usage: pnpm run main [-- options]

inputs (default: the embedded sample pairs)
  --pairs FILE|DIR ...        repair pairs to import (repeatable)
  --format F                  ${IMPORT_FORMATS.join('|')} (default sven)
reflection and prompts (default: the offline heuristic judge and template writer)
  --endpoint URL --model NAME [--api-key-env VAR]   an OpenAI-compatible chat endpoint
reward maps
  --tokenizer FILE            a Hugging Face tokenizer.json (default: bytes)
policy and training
  --width N --layers N        policy size (default 48, 2)
  --sft-steps N --rl-steps N  (default 300, 24)
  --samples N                 evaluation samples per prompt (default 8)
  --max-chars N --max-tasks N policy tasks: changed regions up to N characters, at most N tasks (default 96, 16)
  --backend auto|webgpu|wasm|cpu   (default auto: webgpu on a GPU, else wasm)
  --seed N                    (default 1)
output
  --out DIR                   (default .out/main)   --fresh   start every stage over`;

// `pnpm run main -- --flag` hands the script a leading `--`, which parseArgs would read as the end of options.
const argv = process.argv.slice(2);
const { values: flags } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    pairs: { type: 'string', multiple: true },
    format: { type: 'string', default: 'sven' },
    endpoint: { type: 'string' },
    model: { type: 'string' },
    'api-key-env': { type: 'string' },
    tokenizer: { type: 'string' },
    width: { type: 'string', default: '48' },
    layers: { type: 'string', default: '2' },
    'sft-steps': { type: 'string', default: '300' },
    'rl-steps': { type: 'string', default: '24' },
    samples: { type: 'string', default: '8' },
    'max-chars': { type: 'string', default: '96' },
    'max-tasks': { type: 'string', default: '16' },
    backend: { type: 'string', default: 'auto' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: '.out/main' },
    fresh: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = (name: keyof typeof flags) => {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${String(flags[name])}\n\n${USAGE}\n`);
    process.exit(2);
  }
  return v;
};
// Every number is checked before any stage runs, finished or not.
const opts = {
  width: num('width'),
  layers: num('layers'),
  sftSteps: num('sft-steps'),
  rlSteps: num('rl-steps'),
  samples: num('samples'),
  maxChars: num('max-chars'),
  maxTasks: num('max-tasks'),
  seed: num('seed'),
};
if (opts.width === 0 || opts.width % 4 !== 0 || opts.layers === 0) {
  process.stderr.write(`--width must be a positive multiple of 4 (the policy's heads) and --layers at least 1\n`);
  process.exit(2);
}
const format = flags.format as ImportFormat;
if (!IMPORT_FORMATS.includes(format)) {
  process.stderr.write(`--format must be one of ${IMPORT_FORMATS.join(', ')}\n`);
  process.exit(2);
}

const out = resolve(flags.out ?? '.out/main');
if (flags.fresh) rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'stages'), { recursive: true });

/** Replaces a file whole: written beside it, then renamed over it. */
function writeFileAtomic(file: string, text: string): void {
  writeFileSync(`${file}.partial`, text);
  renameSync(`${file}.partial`, file);
}

// The settings every stage's result depends on: finished stages and saved progress are reused only by a
// run with the same ones (anything else would mix two configurations in one report).
const settings = {
  pairs: flags.pairs ?? null,
  format,
  endpoint: flags.endpoint ?? null,
  model: flags.model ?? null,
  tokenizer: flags.tokenizer ?? null,
  backend: flags.backend,
  ...opts,
};
const settingsFile = join(out, 'settings.json');
if (existsSync(settingsFile)) {
  const before = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  const changed = Object.keys({ ...before, ...settings }).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify((settings as Record<string, unknown>)[k]),
  );
  if (changed.length) {
    process.stderr.write(
      `${out} holds a run with other settings (${changed.map((k) => `${k}: ${JSON.stringify(before[k])} there, ${JSON.stringify((settings as Record<string, unknown>)[k])} now`).join('; ')}): rerun with --fresh to start over, or choose another --out\n`,
    );
    process.exit(2);
  }
} else writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const log = (stage: string, msg: string) => process.stderr.write(`[${elapsed()}] ${stage}: ${msg}\n`);

/** Where a training stage keeps its progress while it runs. */
const progressDir = (name: string) => join(out, 'ckpt', `${name}-progress`);

/** Runs a stage once: its result is kept in stages/<name>.json and reused by later runs. */
async function stage<T>(name: string, run: () => Promise<T>): Promise<T> {
  const file = join(out, 'stages', `${name}.json`);
  if (existsSync(file)) {
    log(name, 'done in an earlier run, skipped');
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  }
  const t = performance.now();
  log(name, 'started');
  const result = await run();
  writeFileAtomic(file, JSON.stringify(result, null, 2));
  rmSync(progressDir(name), { recursive: true, force: true }); // a finished stage needs no progress
  log(name, `finished in ${((performance.now() - t) / 1000).toFixed(1)}s`);
  return result;
}

const files = {
  pairs: join(out, 'pairs.jsonl'),
  records: join(out, 'records.jsonl'),
  maps: join(out, 'reward-maps.jsonl'),
  renders: join(out, 'reward-maps.html'),
  generations: join(out, 'generations.jsonl'),
  results: join(out, 'eval-results.jsonl'),
  metrics: join(out, 'train-metrics.jsonl'),
  report: join(out, 'report.html'),
  summary: join(out, 'summary.json'),
};

// 1. Import
const imported = await stage('import', async () => {
  const inputs = flags.pairs?.length ? flags.pairs : [samplePairsPath()];
  const run = importPairs({ format, inputs, ...(flags.pairs?.length ? {} : { dataset: 'sample' }) });
  const { records } = await writeJsonlAtomic(files.pairs, run, { schema: 'RepairPair' });
  for (const i of run.issues.slice(0, 10)) log('import', `rejected ${formatIssue(i)}`);
  log('import', `${records} pairs from ${inputs.length} input(s)`);
  return { inputs, pairs: records, rejected: run.issues.length };
});

// 2. Reflect: keep high-confidence repairs, write implicit prompts → PrimeVul+ records
const reflected = await stage('reflect', async () => {
  const analyzer = new BuiltinAnalyzer();
  let judge: HeuristicJudge | LlmJudge = new HeuristicJudge();
  let writer: TemplatePromptWriter | LlmPromptWriter = new TemplatePromptWriter();
  if (flags.endpoint) {
    if (!flags.model) throw new Error('--endpoint needs --model');
    const client = new OpenAIChatClient({
      endpoint: flags.endpoint,
      model: flags.model,
      ...(flags['api-key-env'] ? { apiKeyEnv: flags['api-key-env'] } : {}),
      cacheDir: join(out, 'llm-cache'),
    });
    judge = new LlmJudge(client);
    writer = new LlmPromptWriter(client);
  }
  const summary = await runReflection({
    input: files.pairs,
    output: files.records,
    judge,
    writer,
    analyzers: [analyzer],
    onProgress: (p) => log('reflect', `${p.done}/${p.total} pairs, ${p.accepted} accepted`),
  });
  return summary;
});

const { records } = await readJsonlAll(files.records, { schema: 'PrimeVulPlusRecord' });

// 3. Token reward maps (teacher-forced, both sides of every accepted pair) and a render of three
const rewardMaps = await stage('reward-maps', async () => {
  let tokenizer: TokenizerLike = byteTokenizer;
  if (flags.tokenizer) {
    const { loadHfTokenizer } = await import('@srcode/token-reward/hf');
    tokenizer = await loadHfTokenizer(flags.tokenizer);
  }
  const maps: TokenRewardMap[] = [];
  for (const r of records) {
    try {
      const { vulnerable, fixed } = teacherForcedMaps(r.pair, tokenizer);
      maps.push(vulnerable, fixed);
    } catch (e) {
      log('reward-maps', `skipped ${r.pair.id}: ${(e as Error).message}`);
    }
  }
  await writeJsonlAtomic(files.maps, maps, { schema: 'TokenRewardMap' });
  writeFileSync(files.renders, renderHtml(maps.slice(0, 6), { title: 'Teacher-forced token rewards' }));
  const tokens = maps.reduce((s, m) => s + m.tokenIds.length, 0);
  const positive = maps.reduce((s, m) => s + m.rewards.filter((x) => x > 0).length, 0);
  const negative = maps.reduce((s, m) => s + m.rewards.filter((x) => x < 0).length, 0);
  return { tokenizer: tokenizer.name, maps: maps.length, tokens, positive, negative };
});

// 4–5. SFT, evaluation, RL with token-level rewards, evaluation
const { tasks: allTasks, skipped } = tasksFrom(records, opts.maxChars);
const tasks = allTasks.slice(0, opts.maxTasks);
if (allTasks.length > tasks.length) log('train', `${allTasks.length} tasks, the first ${tasks.length} used (--max-tasks)`);
for (const s of skipped) log('train', `task skipped: ${s}`);
if (!tasks.length) throw new Error('no accepted record has a changed region small enough for the policy; raise --max-chars');
const seed = opts.seed;
const maxLength =
  Math.ceil(
    (Math.max(...tasks.map((t) => promptIds(t).length + Math.max(t.pair.fixedCode.length, t.pair.vulnerableCode.length))) + 2) / 8,
  ) * 8;
const maxNew = maxLength - Math.max(...tasks.map((t) => promptIds(t).length));
const config = { vocabSize: CHAR_TOKENS.vocabSize, maxLength, layers: opts.layers, width: opts.width, heads: 4, seed };
const scorer = new Scorer();
const info = await useBackend((flags.backend ?? 'auto') as 'auto' | 'webgpu' | 'wasm' | 'cpu');
log('train', `backend ${info.name}; ${tasks.length} tasks; policy ${config.layers}x${config.width}, max length ${maxLength}`);

async function evaluate(policy: TransformerPolicy, label: string, evalSeed: number): Promise<EvalSummary> {
  const n = opts.samples;
  const rows = tasks.flatMap((t) => Array.from({ length: n }, () => t));
  const completions = await policy.sample(rows.map(promptIds), { maxNewTokens: maxNew, stopToken: CHAR_TOKENS.eos, seed: evalSeed });
  const generations: Generation[] = [];
  const results: EvalResult[] = [];
  const perTask: EvalSummary['perTask'] = {};
  completions.forEach((c, i) => {
    const task = rows[i] as Task;
    const text = decodeChars(c.tokens);
    const s = scorer.score(task, text);
    const id = `${label}:${task.id}:${i % n}`;
    generations.push({
      schemaVersion: 1,
      id,
      taskId: task.id,
      benchmark: 'main-job',
      model: `srcode-policy-${label}`,
      language: task.language,
      prompt: task.prompt,
      completion: text,
      sampleIndex: i % n,
    });
    results.push({
      schemaVersion: 1,
      generationId: id,
      taskId: task.id,
      benchmark: 'main-job',
      language: task.language,
      functional: s.wellFormed,
      secure: s.secure,
      findings: s.findings,
      durationMs: 0,
    });
    const row = perTask[task.id] ?? {
      prompt: task.prompt,
      samples: 0,
      insecure: 0,
      wellFormed: 0,
      secure: 0,
      exactFixed: 0,
      example: text,
    };
    perTask[task.id] = row;
    row.samples++;
    row.insecure += Number(s.insecure);
    row.wellFormed += Number(s.wellFormed);
    row.secure += Number(s.secure);
    row.exactFixed += Number(s.exactFixed);
  });
  const count = (k: 'insecure' | 'wellFormed' | 'secure' | 'exactFixed') => Object.values(perTask).reduce((a, r) => a + r[k], 0);
  const total = rows.length;
  const high = results.reduce((a, r) => a + r.findings.filter((f) => f.severity === 'high').length, 0);
  const medium = results.reduce((a, r) => a + r.findings.filter((f) => f.severity === 'medium').length, 0);
  return {
    label,
    samples: total,
    insecureRate: count('insecure') / total,
    wellFormedRate: count('wellFormed') / total,
    secureRate: count('secure') / total,
    exactFixedRate: count('exactFixed') / total,
    findings: { high, medium },
    perTask,
    generations,
    results,
  };
}

/**
 * A training stage's progress checkpoint: the policy with its optimiser state and the stage's own fields.
 * It is written beside the previous one, which is moved aside before the new one takes its name, so at
 * every moment of a crash one complete checkpoint is under one of the two names `readProgress` looks at.
 */
async function saveProgress(name: string, policy: TransformerPolicy, fields: { step: number } & Record<string, unknown>): Promise<void> {
  const dir = progressDir(name);
  rmSync(`${dir}.partial`, { recursive: true, force: true });
  await policy.save(`${dir}.partial`, { stage: name, progress: fields });
  rmSync(`${dir}.old`, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, `${dir}.old`);
  renameSync(`${dir}.partial`, dir);
  rmSync(`${dir}.old`, { recursive: true, force: true });
}
/** The saved progress of a stage and the folder holding it, or undefined. */
function readProgress<T>(name: string): ({ step: number; dir: string } & T) | undefined {
  for (const dir of [progressDir(name), `${progressDir(name)}.old`]) {
    const file = join(dir, 'config.json');
    if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')).progress as { step: number } & T), dir };
  }
  return undefined;
}

/**
 * The first step a training stage runs: 1, or the one after its saved progress, with the random draws of
 * the steps already done made again (`draw`, one step's worth) and dropped.
 */
function firstStep(name: string, saved: { step: number } | undefined, steps: number, draw: () => unknown): number {
  if (!saved) return 1;
  for (let s = 1; s <= saved.step; s++) draw();
  log(name, `resuming after step ${saved.step}/${steps}`);
  return saved.step + 1;
}

const sft = await stage('sft', async () => {
  const saved = readProgress<{ loss: number }>('sft');
  const policy = saved
    ? await TransformerPolicy.load(saved.dir, { learningRate: 3e-3 })
    : new TransformerPolicy(config, { learningRate: 3e-3 });
  const rand = seededRandom(seed);
  // Half of the SFT targets are insecure: both sides of every task.
  const data = tasks.flatMap((t) => [
    { t, text: t.pair.fixedCode },
    { t, text: t.pair.vulnerableCode },
  ]);
  const steps = opts.sftSteps;
  const pick = () => Array.from({ length: 16 }, () => data[Math.floor(rand() * data.length)] as (typeof data)[number]);
  let loss = saved?.loss ?? 0;
  for (let s = firstStep('sft', saved, steps, pick); s <= steps; s++) {
    const batch = pick();
    loss = await sftStep(
      policy,
      batch.map((b) => promptIds(b.t)),
      batch.map((b) => targetIds(b.text)),
    );
    if (s % 50 === 0 || s === steps) {
      log('sft', `step ${s}/${steps} loss ${loss.toFixed(4)}`);
      await saveProgress('sft', policy, { step: s, loss });
    }
  }
  await policy.save(join(out, 'ckpt', 'sft'), { stage: 'sft' });
  const before = await evaluate(policy, 'sft', 1000 + seed);
  policy.dispose();
  log('eval', `after SFT: insecure ${before.insecureRate.toFixed(3)}, well-formed ${before.wellFormedRate.toFixed(3)}`);
  return { finalLoss: loss, before };
});

const rl = await stage('rl', async () => {
  const saved = readProgress<{ curve: Report['curve'] }>('rl');
  const reference = await TransformerPolicy.load(join(out, 'ckpt', 'sft'));
  // RL starts from the SFT weights with a fresh optimiser (SFT's Adam moments belong to another objective
  // and learning rate); a resumed run takes its own optimiser state back.
  let policy: TransformerPolicy;
  if (saved) policy = await TransformerPolicy.load(saved.dir, { learningRate: 2e-4 });
  else {
    policy = new TransformerPolicy(reference.config, { learningRate: 2e-4 });
    policy.setWeights(await reference.getWeights());
  }
  const rand = seededRandom(seed * 31 + 7);
  const steps = opts.rlSteps;
  const choose = () => Array.from({ length: Math.min(8, tasks.length) }, () => tasks[Math.floor(rand() * tasks.length)] as Task);
  const curve: Report['curve'] = saved ? saved.curve : [];
  // The metrics log holds exactly the steps done: rewritten from the checkpoint on a resume.
  writeFileSync(files.metrics, curve.map((p) => `${JSON.stringify(p)}\n`).join(''));
  for (let step = firstStep('rl', saved, steps, choose); step <= steps; step++) {
    const chosen = choose();
    let insecure = 0;
    let n = 0;
    const m = await rlStep(
      policy,
      reference,
      chosen.map(promptIds),
      (i, completion) => {
        const task = chosen[i] as Task;
        const { rewards, scored } = scorer.rewards(task, completion.tokens, decodeChars(completion.tokens), true);
        insecure += Number(scored.insecure);
        n++;
        return { rewards };
      },
      {
        algo: 'grpo',
        estimator: 'token-grpo',
        groupSize: 4,
        epochs: 2,
        klCoef: 0.1,
        maxNewTokens: maxNew,
        stopToken: CHAR_TOKENS.eos,
        seed: seed * 100_003 + step,
      },
    );
    const point = { step, reward: m.reward, kl: m.refKl, loss: m.loss, entropy: m.entropy, insecure: insecure / Math.max(1, n) };
    curve.push(point);
    writeFileSync(files.metrics, `${JSON.stringify(point)}\n`, { flag: 'a' });
    log('rl', `step ${step}/${steps} reward ${m.reward.toFixed(3)} kl ${m.refKl.toFixed(4)} batch insecure ${point.insecure.toFixed(2)}`);
    await saveProgress('rl', policy, { step, curve });
  }
  await policy.save(join(out, 'ckpt', 'rl'), { stage: 'rl', steps });
  const after = await evaluate(policy, 'rl', 1000 + seed);
  policy.dispose();
  reference.dispose();
  log('eval', `after RL: insecure ${after.insecureRate.toFixed(3)}, well-formed ${after.wellFormedRate.toFixed(3)}`);
  return { curve, after };
});

// 6. Evaluation records and the report
await writeJsonlAtomic(files.generations, [...sft.before.generations, ...rl.after.generations], { schema: 'Generation' });
await writeJsonlAtomic(files.results, [...sft.before.results, ...rl.after.results], { schema: 'EvalResult' });
const onlineExamples = tasks.slice(0, 3).map((t) => {
  const text = rl.after.perTask[t.id]?.example ?? t.pair.fixedCode;
  const ids = [...text].map((c) => c.charCodeAt(0));
  return scorer.rewards(t, [...ids, CHAR_TOKENS.eos], text, true).map;
});
const report: Report = {
  wallSeconds: (performance.now() - started) / 1000,
  backend: info.name,
  policy: config,
  import: imported,
  reflect: reflected,
  rewardMaps,
  tasks: tasks.map((t) => ({ id: t.id, prompt: t.prompt, fixed: t.pair.fixedCode, vulnerable: t.pair.vulnerableCode })),
  skippedTasks: skipped,
  before: sft.before,
  after: rl.after,
  curve: rl.curve,
  renders: [
    ...(await readJsonlAll(files.maps, { schema: 'TokenRewardMap' })).records.slice(0, 4),
    ...onlineExamples.filter((m) => m !== undefined),
  ],
  files,
};
writeReport(report, files.report, files.summary);
log('report', `${files.report} and ${files.summary}`);
console.log(
  JSON.stringify(
    {
      report: files.report,
      summary: files.summary,
      wallSeconds: Math.round(report.wallSeconds),
      pairs: imported.pairs,
      accepted: records.length,
      tasks: tasks.length,
      insecureRate: { before: sft.before.insecureRate, after: rl.after.insecureRate },
      wellFormedRate: { before: sft.before.wellFormedRate, after: rl.after.wellFormedRate },
    },
    null,
    2,
  ),
);
