import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// The CLI's commands that need TensorFlow.js: `cli.ts` imports this module only when one of them runs.
// Bad values of their options, and bad input files, throw RlCoreErrors that the CLI prints (exit 2).
import { inputFile } from '../../../../common/cli.js';
import { type Args, num, toNumber, valueWarmupOf } from '../cli-args.js';
import { RlCoreError } from '../errors.js';
import { type ConditionName, CONDITIONS, runExperiment } from '../experiment/run.js';
import { HELDOUT_NAMES, judge, promptsFor, rewardFor, type TaskPrompt, TRAIN_NAMES } from '../experiment/tasks.js';
import { seededRandom } from '../sampling.js';
import { CHAR_TOKENS, decodeChars, encodeChars } from '../tokenizer.js';
import { train } from '../train.js';
import { type BackendName, useBackend } from './backend.js';
import { TransformerPolicy } from './policy.js';

type Out = (line: string) => void;
const str = (a: Args, k: string, d: string) => (typeof a[k] === 'string' ? (a[k] as string) : d);
const encodePrompt = (text: string) => [CHAR_TOKENS.bos, ...encodeChars(text)];

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

function backendOf(a: Args, fallback: BackendName | 'auto'): BackendName | 'auto' {
  const b = str(a, 'backend', fallback);
  if (!(BACKENDS as readonly string[]).includes(b))
    throw new RlCoreError('invalid-option', `expected --backend ${BACKENDS.join('|')}, found ${JSON.stringify(b)}`);
  return b as BackendName | 'auto';
}

interface SftExample {
  prompt: string;
  completion: string;
}

/** `--data`: one `{"prompt","completion"}` object a line; a problem names the file, the line and the field. */
async function readSftData(path: string): Promise<SftExample[]> {
  const text = await readFile(inputFile(path), 'utf8');
  const examples: SftExample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const at = `${path}:${i + 1}`;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      throw new RlCoreError('invalid-input', `${at}: expected a JSON object, found a line that is not JSON`);
    }
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new RlCoreError(
        'invalid-input',
        `${at}: expected a {"prompt","completion"} object, found ${Array.isArray(r) ? 'an array' : typeof r}`,
      );
    const o = r as Record<string, unknown>;
    for (const field of ['prompt', 'completion'])
      if (typeof o[field] !== 'string')
        throw new RlCoreError(
          'invalid-input',
          `${at}: /${field}: expected a string, found ${o[field] === undefined ? 'none' : typeof o[field]}`,
        );
    examples.push({ prompt: o.prompt as string, completion: o.completion as string });
  }
  if (examples.length === 0) throw new RlCoreError('invalid-input', `${path}: expected {"prompt","completion"} lines, found none`);
  return examples;
}

function logger(path: string) {
  return (o: Record<string, unknown>) => appendFile(path, `${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
}

async function openPolicy(a: Args, fallbackLength: number): Promise<TransformerPolicy> {
  const from = a.resume ?? a.init;
  if (typeof from === 'string') return TransformerPolicy.load(from, typeof a.lr === 'string' ? { learningRate: num(a, 'lr', 0) } : {});
  return new TransformerPolicy(
    {
      vocabSize: CHAR_TOKENS.vocabSize,
      maxLength: num(a, 'max-length', fallbackLength, 'positive'),
      layers: num(a, 'layers', 2, 'positive'),
      width: num(a, 'width', 48, 'positive'),
      heads: num(a, 'heads', 4, 'positive'),
      seed: num(a, 'seed', 0),
    },
    { learningRate: num(a, 'lr', 3e-3) },
  );
}

/** `srcode-rl sft`: masked cross-entropy on prompt/completion pairs (default: the task family, about half insecure). */
export async function sftCommand(a: Args, out: Out): Promise<number> {
  // every option and the data are checked before the backend starts
  const backend = backendOf(a, 'auto');
  const steps = num(a, 'steps', 200, 'count');
  const B = num(a, 'batch', 32, 'positive');
  for (const k of ['lr', 'width', 'layers', 'heads', 'max-length']) num(a, k, 1, k === 'lr' ? 'number' : 'positive');
  const rand = seededRandom(num(a, 'seed', 0));
  const data =
    typeof a.data === 'string'
      ? await readSftData(a.data)
      : promptsFor(TRAIN_NAMES).map((p) => ({
          prompt: p.text,
          completion: rand() < 0.5 ? p.pair.insecure(p.variable) : p.pair.secure(p.variable),
        }));
  const info = await useBackend(backend);
  const longest = Math.max(...data.map((d) => d.prompt.length + d.completion.length + 2));
  const policy = await openPolicy(a, Math.ceil(longest / 8) * 8);
  const dir = str(a, 'out', 'srcode-rl-sft');
  await mkdir(dir, { recursive: true });
  const log = logger(str(a, 'log', join(dir, 'metrics.jsonl')));
  out(`sft on ${data.length} examples, backend ${info.name}, ${steps} steps`);
  const t0 = performance.now();
  await train({
    policy,
    steps,
    random: rand,
    sft: {
      examples: ({ random }) => Array.from({ length: B }, () => data[Math.floor(random() * data.length)] as (typeof data)[number]),
      prompt: (r) => encodePrompt(r.prompt),
      target: (r) => [...encodeChars(r.completion), CHAR_TOKENS.eos],
    },
    onStep: async ({ step: s, loss }) => {
      const rate = (s * B) / ((performance.now() - t0) / 1000);
      await log({ phase: 'sft', step: policy.step, loss, sequencesPerSecond: rate });
      if (s % 10 === 0 || s === steps) out(`step ${policy.step} loss ${loss.toFixed(4)} ${rate.toFixed(1)} seq/s`);
    },
  });
  await policy.save(dir);
  policy.dispose();
  out(`saved ${dir}`);
  return 0;
}

/** `srcode-rl train --algo ppo|grpo --reward token|instance`: RL on the task family with its analyser-style reward. */
export async function trainCommand(a: Args, out: Out): Promise<number> {
  const algo = str(a, 'algo', 'ppo');
  const reward = str(a, 'reward', 'token');
  if ((algo !== 'ppo' && algo !== 'grpo') || (reward !== 'token' && reward !== 'instance'))
    throw new RlCoreError('invalid-option', 'expected --algo ppo|grpo and --reward token|instance');
  if (typeof (a.init ?? a.resume) !== 'string')
    throw new RlCoreError('invalid-option', 'expected --init DIR (an SFT checkpoint) or --resume DIR');
  const backend = backendOf(a, 'auto');
  const steps = num(a, 'steps', 20, 'count');
  const seed = num(a, 'seed', 0);
  const promptsPerStep = num(a, 'prompts', 8, 'positive');
  const groupSize = num(a, 'group', 4, 'positive');
  const klCoef = num(a, 'kl', 0.02);
  const warmup = valueWarmupOf(a, algo);
  num(a, 'lr', 0);
  const info = await useBackend(backend);
  const cond = CONDITIONS[`${algo}-${reward === 'token' ? 'token+instance' : 'instance'}` as ConditionName];
  const policy = await openPolicy(a, 0);
  const reference = await TransformerPolicy.load(str(a, 'reference', String(a.init ?? a.resume)));
  const prompts: TaskPrompt[] = promptsFor(TRAIN_NAMES);
  const dir = str(a, 'out', 'srcode-rl-train');
  await mkdir(dir, { recursive: true });
  const log = logger(str(a, 'log', join(dir, 'metrics.jsonl')));
  const maxNew = policy.config.maxLength - 1 - Math.max(...prompts.map((p) => p.text.length + 1));
  const t0 = performance.now();
  let tokens = 0;
  await train({
    policy,
    steps,
    // a run that goes on from a checkpoint (--resume) draws another stream: the seed moves with the step count
    random: seed + policy.step,
    rl: {
      reference,
      tasks: ({ random }) => Array.from({ length: promptsPerStep }, () => prompts[Math.floor(random() * prompts.length)] as TaskPrompt),
      prompt: (p) => encodePrompt(p.text),
      reward: (p, c) => rewardFor(p, c, { token: cond.token }),
      sampleSeed: () => seed * 100_003 + policy.step,
      algo: cond.algo,
      estimator: cond.estimator,
      groupSize,
      klCoef,
      maxNewTokens: maxNew,
      stopToken: CHAR_TOKENS.eos,
      ...warmup,
    },
    onStep: async (m) => {
      tokens += m.tokens;
      const rate = tokens / ((performance.now() - t0) / 1000);
      await log({
        phase: 'rl',
        algo,
        reward,
        backend: info.name,
        step: m.step,
        optimizerStep: policy.step,
        meanReward: m.reward,
        kl: m.refKl,
        loss: m.loss,
        entropy: m.entropy,
        insecure: m.extra.insecure,
        tokensPerSecond: rate,
        ...(m.valueWarmup ? { valueWarmup: m.valueWarmup } : {}),
      });
      out(
        `step ${m.step}/${steps} reward ${m.reward.toFixed(3)} kl ${m.refKl.toFixed(4)} insecure ${(m.extra.insecure ?? 0).toFixed(2)} ${rate.toFixed(0)} tok/s`,
      );
    },
  });
  await policy.save(dir, { algo, reward });
  policy.dispose();
  reference.dispose();
  out(`saved ${dir}`);
  return 0;
}

/** `srcode-rl sample`: completions for one prompt from a checkpoint, with their analyser verdict when the prompt is a task. */
export async function sampleCommand(a: Args, out: Out): Promise<number> {
  if (typeof a.model !== 'string' || typeof a.prompt !== 'string')
    throw new RlCoreError('invalid-option', 'expected --model DIR and --prompt TEXT');
  const backend = backendOf(a, 'auto');
  const n = num(a, 'n', 4, 'positive');
  const temperature = num(a, 'temperature', 1);
  const topP = num(a, 'top-p', 1);
  const seed = num(a, 'seed', 0);
  num(a, 'max-new-tokens', 0, 'count');
  await useBackend(backend);
  const policy = await TransformerPolicy.load(a.model);
  const comps = await policy.sample(
    Array.from({ length: n }, () => encodePrompt(String(a.prompt))),
    {
      temperature,
      topP,
      maxNewTokens: num(a, 'max-new-tokens', policy.config.maxLength - 2 - String(a.prompt).length, 'count'),
      stopToken: CHAR_TOKENS.eos,
      seed,
    },
  );
  policy.dispose();
  const task = promptsFor([...TRAIN_NAMES, ...HELDOUT_NAMES]).find((p) => p.text === a.prompt);
  for (const c of comps) {
    const text = decodeChars(c.tokens);
    out(JSON.stringify(task ? { completion: text, ...judge(task, text) } : { completion: text }));
  }
  return 0;
}

/** `srcode-rl experiment`: the whole miniature experiment (or `--quick`, a 2-step smoke version). */
export async function experimentCommand(a: Args, out: Out): Promise<number> {
  const quick = a.quick === true;
  const dir = str(a, 'out', 'srcode-rl-experiment');
  const r = await runExperiment({
    outDir: dir,
    seeds: str(a, 'seeds', quick ? '1' : '1,2,3')
      .split(',')
      .map((s) => toNumber('seeds', s, 'number')),
    sftSteps: num(a, 'sft-steps', quick ? 2 : 300, 'count'),
    rlSteps: num(a, 'rl-steps', quick ? 2 : 16, 'count'),
    evalEvery: num(a, 'eval-every', quick ? 1 : 2, 'positive'),
    evalSamples: num(a, 'eval-samples', 1, 'positive'),
    backend: backendOf(a, 'wasm'),
    rlLearningRate: num(a, 'rl-lr', 7e-4),
    ...(quick
      ? { conditions: ['ppo-token+instance', 'grpo-instance'] as ConditionName[], promptsPerStep: 2, groupSize: 2, heldoutLimit: 6 }
      : {}),
    log: out,
  });
  out(r.table);
  out(`done in ${r.seconds.toFixed(0)} s on ${r.backend}; wrote ${join(dir, 'plot.svg')}, table.md, results.json, metrics.jsonl`);
  await writeFile(join(dir, 'README-table.md'), `${r.table}\n`);
  return 0;
}
