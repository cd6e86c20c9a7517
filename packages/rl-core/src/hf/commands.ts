// The CLI's commands on Hugging Face checkpoints: `cli.ts` imports this module only when one of them runs.
import { statSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { inputFile } from '../../../../common/cli.js';
import { type Args, num, valueWarmupOf } from '../cli-args.js';
import { RlCoreError } from '../errors.js';
import { completionRewards, promptsFor, type TaskPrompt, TRAIN_NAMES } from '../experiment/tasks.js';
import { tokenRewards } from '../rewards.js';
import { seededRandom } from '../sampling.js';
import { train } from '../train.js';
import { type BackendName, useBackend } from '../tfjs/backend.js';
import { encodePrompt, type HfText, loadHfText } from './chat.js';
import { readJson } from './checkpoint.js';
import { parseHfConfig } from './config.js';
import { loraConfigOfSpec, parseLoraSpec } from './lora-spec.js';
import { HfModel } from './model.js';
import { HfPolicy } from './policy.js';

/** Parsed options of a command. */
type Out = (line: string) => void;

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

function backendOf(a: Args): BackendName | 'auto' {
  const b = typeof a.backend === 'string' ? a.backend : 'auto';
  if (!(BACKENDS as readonly string[]).includes(b))
    throw new RlCoreError('invalid-option', `expected --backend ${BACKENDS.join('|')}, found ${JSON.stringify(b)}`);
  return b as BackendName | 'auto';
}

function needModel(a: Args): string {
  if (typeof a.model !== 'string') throw new RlCoreError('invalid-option', 'expected --model DIR (a Hugging Face checkpoint folder)');
  const st = statSync(a.model, { throwIfNoEntry: false });
  if (!st) throw new RlCoreError('invalid-option', `--model ${a.model}: expected a Hugging Face checkpoint folder, found no such path`);
  if (!st.isDirectory())
    throw new RlCoreError('invalid-option', `--model ${a.model}: expected a Hugging Face checkpoint folder, found a file`);
  return a.model;
}

/** `--ids 1,2,3`: whole numbers from 0 in plain decimal digits (no `1e3`, `0x10` or `2.0`), at least one. */
export function parseIds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const ids = parts.map(Number);
  const bad = parts.findIndex((s, i) => !/^\d{1,15}$/.test(s) || !Number.isSafeInteger(ids[i]));
  if (bad >= 0)
    throw new RlCoreError(
      'invalid-option',
      `expected --ids to be comma-separated token ids, found ${JSON.stringify(parts[bad])} at position ${bad}`,
    );
  return ids;
}

/** `srcode-rl score --model DIR --ids 1,2,3` (or `--text TEXT`): {"ids","logprobs"}, logprobs[i] = log p(ids[i + 1] | ids[0..i]). */
export async function scoreCommand(a: Args, out: Out): Promise<number> {
  const dir = needModel(a);
  if ((typeof a.ids === 'string') === (typeof a.text === 'string'))
    throw new RlCoreError('invalid-option', 'expected one of --ids 1,2,3 (token ids, comma-separated) and --text TEXT');
  const given = typeof a.ids === 'string' ? parseIds(a.ids) : undefined;
  const backend = backendOf(a);
  await useBackend(backend);
  const model = await HfModel.load(dir);
  try {
    // --text: the checkpoint's tokenizer, with its BOS when it adds one, no chat format
    const ids = given ?? encodePrompt(await loadHfText(dir, model.config), a.text as string, { raw: true });
    const V = model.config.vocabSize;
    const i = ids.findIndex((id) => id >= V);
    if (i >= 0)
      throw new RlCoreError('invalid-option', `expected --ids below the vocabulary size ${V} of ${dir}, found ${ids[i]} at position ${i}`);
    if (ids.length > model.config.maxPositions)
      throw new RlCoreError(
        'invalid-option',
        `expected at most ${model.config.maxPositions} token ids (the max_position_embeddings of ${dir}), found ${ids.length}`,
      );
    let logprobs: number[] = [];
    if (ids.length > 1) {
      const t = tf.tensor2d(ids, [1, ids.length], 'int32');
      const r = tf.tidy(() => model.score(t));
      logprobs = Array.from(await r.logp.data());
      tf.dispose([t, r.logp, r.entropy, r.values]);
    }
    out(JSON.stringify({ ids, logprobs }));
  } finally {
    model.dispose();
  }
  return 0;
}

/**
 * Per-character rewards of a completion's decoded text (special tokens dropped) moved onto its tokens: each
 * token gets the sum over the characters it covers, so the total is the same however the text is cut
 * (a character split across byte-level tokens counts once, on the token that completes it), and `instance`
 * goes on the last token.
 */
export function alignCharRewards(text: HfText, tokens: readonly number[], charRewards: Float32Array, instance: number): Float32Array {
  const { offsets } = text.tokenizer.decodeWithOffsets(tokens);
  const map = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++)
    for (let c = offsets[2 * i] as number; c < (offsets[2 * i + 1] as number); c++) map[i] = (map[i] as number) + (charRewards[c] ?? 0);
  return tokenRewards({ length: tokens.length, map: { rewards: map }, instance });
}

async function openPolicy(a: Args, dir: string): Promise<{ policy: HfPolicy; text: HfText }> {
  // default 256, or the checkpoint's whole context when that is shorter
  const configFile = join(dir, 'config.json');
  const context = parseHfConfig(await readJson(configFile), configFile).maxPositions;
  const maxLength = num(a, 'max-length', Math.min(256, context), 'positive');
  if (maxLength > context)
    throw new RlCoreError(
      'invalid-option',
      `expected --max-length at most ${context} (/max_position_embeddings of ${configFile}), found ${maxLength}`,
    );
  const lr = num(a, 'lr', 1e-4);
  const lora = typeof a.lora === 'string' ? loraConfigOfSpec(parseLoraSpec(a.lora)) : {};
  const policy = await HfPolicy.load(dir, {
    maxLength,
    learningRate: lr,
    lora,
    ...(typeof a.adapter === 'string' ? { adapter: a.adapter } : {}),
  });
  try {
    const text = await loadHfText(dir, policy.model.config);
    policy.stopTokens = text.stopTokens;
    return { policy, text };
  } catch (e) {
    policy.dispose();
    throw e;
  }
}

/** `srcode-rl sample --model DIR --prompt TEXT` on a Hugging Face checkpoint: one JSON line per completion. */
export async function sampleCommand(a: Args, out: Out): Promise<number> {
  const dir = needModel(a);
  if (typeof a.prompt !== 'string') throw new RlCoreError('invalid-option', 'expected --prompt TEXT');
  const n = num(a, 'n', 1, 'positive');
  const temperature = num(a, 'temperature', 1);
  const topP = num(a, 'top-p', 1);
  const seed = num(a, 'seed', 0);
  num(a, 'max-new-tokens', 0, 'count');
  await useBackend(backendOf(a));
  const { policy, text } = await openPolicy(a, dir);
  try {
    const prompt = encodePrompt(text, a.prompt, { raw: a.raw === true, ...(typeof a.system === 'string' ? { system: a.system } : {}) });
    if (prompt.length >= policy.maxLength)
      throw new RlCoreError(
        'invalid-option',
        `expected a prompt shorter than --max-length ${policy.maxLength}, found ${prompt.length} tokens`,
      );
    const comps = await policy.sample(
      Array.from({ length: n }, () => prompt),
      {
        temperature,
        topP,
        seed,
        maxNewTokens: num(a, 'max-new-tokens', policy.maxLength - prompt.length, 'count'),
        stopTokens: text.stopTokens,
      },
    );
    for (const c of comps) {
      const stopped = c.tokens.length > 0 && text.stopTokens.includes(c.tokens.at(-1) as number);
      out(JSON.stringify({ completion: text.tokenizer.decode(c.tokens), tokens: c.tokens, stop: stopped ? 'eos' : 'length' }));
    }
  } finally {
    policy.dispose();
  }
  return 0;
}

interface SftExample {
  prompt: string;
  completion: string;
}

async function readSftData(path: string): Promise<SftExample[]> {
  const lines = (await readFile(inputFile(path), 'utf8')).split('\n');
  const out: SftExample[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      throw new RlCoreError('invalid-input', `${path}:${i + 1}: expected a JSON object, found a line that is not JSON`);
    }
    const o = r as Record<string, unknown>;
    for (const f of ['prompt', 'completion'])
      if (typeof o?.[f] !== 'string')
        throw new RlCoreError(
          'invalid-input',
          `${path}:${i + 1}: /${f}: expected a string, found ${o?.[f] === undefined ? 'none' : typeof o[f]}`,
        );
    out.push({ prompt: o.prompt as string, completion: o.completion as string });
  }
  if (!out.length) throw new RlCoreError('invalid-input', `${path}: expected {"prompt","completion"} lines, found none`);
  return out;
}

/**
 * `srcode-rl train --model DIR --lora r=8,alpha=16`: LoRA training of a Hugging Face checkpoint through
 * `train`: SFT on `--data` pairs, or PPO/GRPO on the task family with its rewards aligned to the model's tokens.
 */
export async function trainCommand(a: Args, out: Out): Promise<number> {
  const dir = needModel(a);
  const algo = typeof a.algo === 'string' ? a.algo : typeof a.data === 'string' ? 'sft' : 'grpo';
  if (!['sft', 'ppo', 'grpo'].includes(algo))
    throw new RlCoreError('invalid-option', `expected --algo sft|ppo|grpo, found ${JSON.stringify(algo)}`);
  if (algo === 'sft' && typeof a.data !== 'string') throw new RlCoreError('invalid-option', 'expected --data FILE.jsonl for --algo sft');
  const reward = typeof a.reward === 'string' ? a.reward : 'token';
  if (reward !== 'token' && reward !== 'instance')
    throw new RlCoreError('invalid-option', `expected --reward token|instance, found ${JSON.stringify(reward)}`);
  const steps = num(a, 'steps', 20, 'count');
  const B = num(a, 'batch', 8, 'positive');
  const seed = num(a, 'seed', 0);
  const prompts = num(a, 'prompts', 4, 'positive');
  const group = num(a, 'group', 4, 'positive');
  const kl = num(a, 'kl', 0.02);
  const maxNew = num(a, 'max-new-tokens', 32, 'positive');
  const warmup = valueWarmupOf(a, algo);
  for (const k of ['lr', 'max-length']) num(a, k, 1, k === 'lr' ? 'number' : 'positive');
  if (typeof a.lora === 'string') parseLoraSpec(a.lora);
  const data = algo === 'sft' ? await readSftData(a.data as string) : [];
  const outDir = typeof a.out === 'string' ? a.out : 'srcode-rl-hf';
  const info = await useBackend(backendOf(a));
  const { policy, text } = await openPolicy(a, dir);
  // the KL reference is the base model: the policy's own weights with the adapters switched off
  const reference = algo === 'sft' || kl === 0 ? undefined : policy.baseReference();
  try {
    if (typeof a.resume === 'string') await policy.restore(a.resume);
    await mkdir(outDir, { recursive: true });
    const logFile = typeof a.log === 'string' ? a.log : join(outDir, 'metrics.jsonl');
    const log = (o: Record<string, unknown>) => appendFile(logFile, `${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`);
    const eos = text.stopTokens[0];
    const raw = a.raw === true;
    out(
      `${algo} on ${dir} (${policy.model.baseParameters} frozen parameters, LoRA r=${policy.model.lora?.r}), backend ${info.name}, ${steps} steps`,
    );
    if (algo === 'sft') {
      const encoded = data.map((d) => ({
        prompt: encodePrompt(text, d.prompt, { raw }),
        target: [...text.tokenizer.encode(d.completion), ...(eos === undefined ? [] : [eos])],
      }));
      const V = policy.model.config.vocabSize;
      const past = encoded.findIndex((e) => e.target.some((id) => id >= V));
      if (past >= 0)
        throw new RlCoreError(
          'invalid-input',
          `${a.data}: example ${past + 1}: expected completion token ids below the model's vocab_size ${V}, found ${encoded[past]?.target.find((id) => id >= V)} (tokenizer.json has more tokens than the embedding has rows)`,
        );
      const long = encoded.findIndex((e) => e.prompt.length + e.target.length > policy.maxLength);
      if (long >= 0)
        throw new RlCoreError(
          'invalid-input',
          `${a.data}: example ${long + 1} has ${encoded[long]?.prompt.length} + ${encoded[long]?.target.length} tokens, more than --max-length ${policy.maxLength}`,
        );
      await train({
        policy,
        steps,
        random: seed,
        sft: {
          examples: ({ random }) =>
            Array.from({ length: B }, () => encoded[Math.floor(random() * encoded.length)] as (typeof encoded)[number]),
          prompt: (e) => e.prompt,
          target: (e) => e.target,
        },
        onStep: async ({ step, loss }) => {
          await log({ phase: 'sft', step, loss });
          out(`step ${step} loss ${loss.toFixed(4)}`);
        },
      });
    } else {
      const tasks: TaskPrompt[] = promptsFor(TRAIN_NAMES);
      const rand = seededRandom(seed);
      await train({
        policy,
        steps,
        random: rand,
        rl: {
          algo: algo as 'ppo' | 'grpo',
          ...(reference ? { reference } : {}),
          groupSize: group,
          klCoef: kl,
          maxNewTokens: maxNew,
          ...(eos === undefined ? {} : { stopToken: eos }),
          ...warmup,
          tasks: ({ random }) => Array.from({ length: prompts }, () => tasks[Math.floor(random() * tasks.length)] as TaskPrompt),
          prompt: (t) => encodePrompt(text, t.text, { raw }),
          reward: (t, c) => {
            const completion = text.tokenizer.decode(c.tokens);
            const { rewards, verdict } = completionRewards(t, completion, { token: reward === 'token' });
            return {
              rewards: alignCharRewards(text, c.tokens, rewards.subarray(0, completion.length), rewards[completion.length] as number),
              metrics: { insecure: verdict.insecure ? 1 : 0, wellFormed: verdict.wellFormed ? 1 : 0 },
            };
          },
        },
        onStep: async (m) => {
          await log({
            phase: 'rl',
            algo,
            reward,
            step: m.step,
            meanReward: m.reward,
            kl: m.refKl,
            loss: m.loss,
            insecure: m.extra.insecure,
            ...(m.valueWarmup ? { valueWarmup: m.valueWarmup } : {}),
          });
          out(
            `step ${m.step}/${steps} reward ${m.reward.toFixed(3)} kl ${m.refKl.toFixed(4)} insecure ${(m.extra.insecure ?? 0).toFixed(2)}`,
          );
        },
      });
    }
    await policy.save(outDir, { algo });
    out(`saved ${outDir} (adapter_model.safetensors + adapter_config.json load with PEFT)`);
  } finally {
    policy.dispose();
  }
  return 0;
}
