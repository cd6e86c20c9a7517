// srcode-rl: a thin driver over the library, by the shared command-line convention. `advantages`, the help
// and the version run on the TypeScript math alone; the training commands load TensorFlow.js lazily (their
// own chunk in dist/: see tsup.config.ts), so they are the only ones that need the optional peers.
import { parseArgs } from 'node:util';
import { type CliSpec, type Command, escapeControl, main, packageVersion } from '../../../common/cli.js';
import { ESTIMATORS } from './advantages.js';
import { parseAdvantageRequest, runAdvantageRequest } from './advantages-json.js';
import { RlCoreError } from './errors.js';
import { isHfCheckpoint } from './hf/detect.js';
import { isMissingPeer, missingPeerError } from './tfjs/peers.js';

type TfjsCommands = typeof import('./tfjs/commands.js');
type HfCommands = typeof import('./hf/commands.js');
type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

const strings = (names: string): OptionSpec => Object.fromEntries(names.split(' ').map((k) => [k, { type: 'string' as const }]));

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function advantages(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  // On a terminal nothing would ever arrive: say what is expected instead of waiting.
  if (process.stdin.isTTY)
    throw new RlCoreError('invalid-input', 'expected one JSON batch on stdin, found a terminal (srcode-rl advantages < batch.json)');
  let json: unknown;
  try {
    json = JSON.parse(await readStdin());
  } catch (e) {
    throw new RlCoreError('invalid-input', `expected one JSON object on stdin: ${(e as Error).message}`, { cause: e });
  }
  const parsed = parseAdvantageRequest(json);
  if (!parsed.ok) {
    for (const i of parsed.issues) process.stderr.write(`${escapeControl(`srcode-rl advantages: ${i.path || '/'}: ${i.message}`)}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(runAdvantageRequest(parsed.value))}\n`);
  return 0;
}

/** A command that needs TensorFlow.js: its options are checked before the engine loads. */
function tfjsCommand(
  name: 'sftCommand' | 'trainCommand' | 'sampleCommand' | 'experimentCommand',
  summary: string,
  usage: string,
  options: OptionSpec,
): Command {
  return {
    summary,
    usage,
    async run(argv) {
      const { values } = parseArgs({ args: argv, options, strict: true });
      let commands: TfjsCommands;
      try {
        commands = await import('./tfjs/commands.js');
      } catch (e) {
        throw isMissingPeer(e) ? missingPeerError('this command', e) : e;
      }
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const say = name === 'sampleCommand' ? (line: string) => process.stdout.write(`${line}\n`) : progress;
      return commands[name](values, say);
    },
  };
}

/** A command on a Hugging Face checkpoint: its options are checked before the engine loads. */
function hfCommand(name: 'scoreCommand' | 'sampleCommand' | 'trainCommand', summary: string, usage: string, options: OptionSpec): Command {
  return {
    summary,
    usage,
    async run(argv) {
      const { values } = parseArgs({ args: argv, options, strict: true });
      let commands: HfCommands;
      try {
        commands = await import('./hf/commands.js');
      } catch (e) {
        throw isMissingPeer(e) ? missingPeerError('this command', e) : e;
      }
      const say =
        name === 'trainCommand' ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => process.stdout.write(`${line}\n`);
      return commands[name](values, say);
    },
  };
}

/** The value of `--model` in argv (`--model DIR` or `--model=DIR`), if any. */
function modelArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--model') return argv[i + 1];
    if (a.startsWith('--model=')) return a.slice('--model='.length);
  }
  return undefined;
}

/** `command`, or `hf` when `--model` names a Hugging Face checkpoint (`train`: when `--model` is given at all). */
function orHf(command: Command, hf: Command, always: boolean, summary: string): Command {
  return {
    summary,
    usage: `${command.usage}\n\nOn a Hugging Face checkpoint (--model DIR with a config.json of model_type llama, qwen2 or gpt2):\n${hf.usage}`,
    run(argv) {
      const dir = modelArg(argv);
      return dir !== undefined && (always || isHfCheckpoint(dir)) ? hf.run(argv) : command.run(argv);
    },
  };
}

const BACKEND = '--backend auto|webgpu|wasm|cpu';

/** srcode-rl's commands, help and version. */
const spec: CliSpec = {
  bin: 'srcode-rl',
  version: packageVersion(import.meta.url),
  about:
    'Per-token advantages for any trainer; SFT, RL and sampling of a small TensorFlow.js policy on the task family; and scoring,\nsampling and LoRA training (SFT, PPO, GRPO) of Hugging Face checkpoints (Llama, Qwen2, GPT-2) with --model DIR.',
  commands: {
    advantages: {
      summary: 'read one JSON batch on stdin, write {"advantages","returns"} on stdout',
      usage: `< batch.json

Reads one JSON object on stdin and writes {"advantages","returns"} (rows of numbers) on stdout:
  {"estimator": ${ESTIMATORS.join('|')},
   "rewards": [[...]], "values"?: [[...]] (gae), "mask"?: [[...]], "groupIds"?: [...],
   "gamma"?: 0..1, "lambda"?: 0..1, "whiten"?: true|false}
Each problem in the batch is a 'path: message' line on stderr (exit 2).`,
      run: advantages,
    },
    sft: tfjsCommand(
      'sftCommand',
      'supervised fine-tuning',
      `[--data FILE.jsonl] --out DIR [options]

Masked cross-entropy on prompt/completion pairs (default: the task family, about half insecure).
  --data FILE.jsonl                 one {"prompt","completion"} object a line
  --out DIR                         checkpoint folder (default srcode-rl-sft)
  --steps N --batch N --lr X        (default 200, 32, 3e-3)
  --width N --layers N --heads N    a new policy's size (default 48, 2, 4)
  --max-length N                    a new policy's longest sequence (default: the longest example)
  --resume DIR | --init DIR         start from a saved policy instead; its step count goes on
  --seed N                          (default 0)
  ${BACKEND}    (default auto)
  --log FILE                        metrics JSONL (default <out>/metrics.jsonl)`,
      strings('data out steps batch lr width layers heads max-length resume init seed backend log'),
    ),
    train: orHf(
      tfjsCommand(
        'trainCommand',
        'RL on the task family',
        `--algo ppo|grpo --reward token|instance --init DIR --out DIR [options]

RL from an SFT checkpoint, rewarded by the task family's analyser (token: per-token and instance rewards).
  --init DIR                        the SFT checkpoint to start from (and the KL reference)
  --resume DIR                      go on from a saved policy instead (--init, if given, stays the reference)
  --reference DIR                   the KL reference (default: --init, else --resume)
  --out DIR                         checkpoint folder (default srcode-rl-train)
  --steps N --prompts N --group N   (default 20, 8, 4)
  --kl X --lr X                     (default 0.02; the checkpoint's learning rate)
  --value-warmup N                  ppo: N value-only steps on the first rollout before any policy update,
                                    the policy frozen, so the first advantages do not come from the SFT
                                    checkpoint's untrained value head (default 0: none)
  --value-warmup-lr X               their learning rate (default: the policy's)
  --seed N                          (default 0; moved by the step count on --resume)
  ${BACKEND}    (default auto)
  --log FILE                        metrics JSONL (default <out>/metrics.jsonl)`,
        strings('algo reward init resume reference out steps prompts group kl lr value-warmup value-warmup-lr seed backend log'),
      ),
      hfCommand(
        'trainCommand',
        'LoRA training of a Hugging Face checkpoint',
        `--model DIR --lora r=8,alpha=16 [--data FILE.jsonl] --out DIR [options]
  --lora r=N,alpha=X,dropout=X,targets=q_proj+v_proj,seed=N   adapters (default r=8,alpha=16 on q_proj+v_proj;
                                    GPT-2: targets among c_attn+c_proj+c_fc; targets may also be listed
                                    with commas, and target_modules= is the same key)
  --data FILE.jsonl                 SFT on {"prompt","completion"} lines (the default --algo then)
  --algo sft|ppo|grpo               RL: the task family, its rewards summed onto the model's tokens
  --reward token|instance           (default token)
  --out DIR                         PEFT adapter + value head + optimiser (default srcode-rl-hf)
  --resume DIR                      go on from a folder written by --out
  --adapter DIR                     start from a PEFT adapter folder
  --steps N --batch N --lr X        (default 20, 8, 1e-4)
  --prompts N --group N --kl X      RL (default 4, 4, 0.02); --max-new-tokens N (default 32)
  --value-warmup N --value-warmup-lr X   ppo: N value-only steps (the adapters frozen) on the first rollout
                                    before any update, at lr X (default 0: none; X: --lr)
  --max-length N --seed N --raw     (default 256 or the checkpoint's context if shorter, 0; --raw: no chat template)
  ${BACKEND}    (default auto)
  --log FILE                        metrics JSONL (default <out>/metrics.jsonl)`,
        {
          ...strings(
            'model lora data algo reward out resume adapter steps batch lr prompts group kl max-new-tokens max-length value-warmup value-warmup-lr seed backend log',
          ),
          raw: { type: 'boolean' },
        },
      ),
      true,
      'RL on the task family; LoRA training (SFT, PPO, GRPO) of a Hugging Face checkpoint with --model DIR',
    ),
    sample: orHf(
      tfjsCommand(
        'sampleCommand',
        'sample from a checkpoint',
        `--model DIR --prompt TEXT [options]

One JSON line per completion on stdout, with the analyser's verdict when the prompt is a task.
  --n N --temperature X --top-p X   (default 4, 1, 1)
  --max-new-tokens N                (default: what fits the policy's longest sequence)
  --seed N                          (default 0)
  ${BACKEND}    (default auto)`,
        strings('model prompt n temperature top-p max-new-tokens seed backend'),
      ),
      hfCommand(
        'sampleCommand',
        'sample from a Hugging Face checkpoint',
        `--model DIR --prompt TEXT [options]
One JSON line per completion on stdout: {"completion", "tokens", "stop": "eos"|"length"}. The prompt is one
user message in the chat format of tokenizer_config.json's template (ChatML or Llama 3); sampling stops
at the EOS tokens of config.json, generation_config.json and tokenizer_config.json.
  --n N --temperature X --top-p X   (default 1, 1, 1)
  --max-new-tokens N --max-length N (default: what fits; 256 or the checkpoint's context if shorter)
  --adapter DIR                     a PEFT LoRA adapter folder on top
  --system TEXT | --raw             a system message | no chat template
  --seed N                          (default 0)
  ${BACKEND}    (default auto)`,
        {
          ...strings('model prompt n temperature top-p max-new-tokens max-length adapter system seed backend'),
          raw: { type: 'boolean' },
        },
      ),
      false,
      "sample from a checkpoint (this package's, or a Hugging Face one's with --model DIR)",
    ),
    score: hfCommand(
      'scoreCommand',
      'log-probabilities of token ids under a Hugging Face checkpoint',
      `--model DIR --ids 1,2,3,... | --text TEXT [options]

Loads a Llama, Qwen2 or GPT-2 checkpoint (config.json + model.safetensors or a sharded index; F32, F16, BF16)
and prints {"ids": [...], "logprobs": [...]} on stdout, logprobs[i] = log p(ids[i+1] | ids[0..i]).
  --model DIR                       the checkpoint folder
  --ids 1,2,3                       token ids, comma-separated
  --text TEXT                       or a text, tokenised by the checkpoint's tokenizer.json (its BOS when it adds one)
  ${BACKEND}    (default auto)`,
      strings('model ids text backend'),
    ),
    experiment: tfjsCommand(
      'experimentCommand',
      'the miniature SRCode experiment',
      `[--out DIR] [options]

SFT, then PPO/GRPO with token-level against instance rewards, on several seeds; writes plot.svg,
table.md, results.json and metrics.jsonl under --out.
  --out DIR                         (default srcode-rl-experiment)
  --seeds 1,2,3 --sft-steps N --rl-steps N --rl-lr X   (default 1,2,3, 300, 16, 7e-4)
  --eval-every N --eval-samples N   (default 2, 1)
  ${BACKEND}    (default wasm)
  --quick                           the 2-step smoke version`,
      { ...strings('out seeds sft-steps rl-steps rl-lr eval-every eval-samples backend'), quick: { type: 'boolean' } },
    ),
  },
  footer:
    'Training commands print progress on stderr and append metrics to a JSONL log. advantages, --help and\n--version need none of the optional TensorFlow.js peers; the other commands name them when missing.',
};

// A GPU device or the wasm runtime can hold the event loop open: exit once stdout has drained.
main(spec, { exit: true });
