import { parseArgs } from 'node:util';
import { parseAdvantageRequest, runAdvantageRequest } from './advantages-json.js';
import { isMissingPeer, missingPeerError } from './tfjs/peers.js';

const USAGE = `usage: srcode-rl <command> [options]

commands:
  advantages   read one JSON batch on stdin, write {"advantages","returns"} on stdout
  sft          supervised fine-tuning   [--data FILE.jsonl] --out DIR [--steps 200 --batch 32 --lr 3e-3
               --width 48 --layers 2 --heads 4 --seed 0 --resume DIR --backend auto|webgpu|wasm|cpu --log FILE]
  train        RL on the task family     --algo ppo|grpo --reward token|instance --init DIR --out DIR
               [--steps 20 --prompts 8 --group 4 --kl 0.02 --lr 1e-3 --resume DIR --backend ... --log FILE]
  sample       sample from a checkpoint  --model DIR --prompt TEXT [--n 4 --temperature 1 --top-p 1 --seed 0]
  experiment   the miniature SRCode experiment [--out DIR --seeds 1,2,3 --sft-steps 300 --rl-steps 16 --rl-lr 7e-4
               --eval-every 2 --backend wasm --quick]
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function advantagesCommand(): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(await readStdin());
  } catch (e) {
    process.stderr.write(`srcode-rl advantages: expected one JSON object on stdin: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = parseAdvantageRequest(json);
  if (!parsed.ok) {
    for (const i of parsed.issues) process.stderr.write(`srcode-rl advantages: ${i.path || '/'}: ${i.message}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(runAdvantageRequest(parsed.value))}\n`);
  return 0;
}

const OPTIONS = Object.fromEntries(
  'data out steps batch lr width layers heads seed resume init backend log algo reward prompts group kl reference model prompt n temperature top-p max-new-tokens max-length seeds sft-steps rl-steps rl-lr eval-every eval-samples'
    .split(' ')
    .map((k) => [k, { type: 'string' as const }]),
);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'advantages') return advantagesCommand();
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const commands = ['sft', 'train', 'sample', 'experiment'];
  if (!commands.includes(command)) {
    process.stderr.write(`srcode-rl: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: { ...OPTIONS, quick: { type: 'boolean' } }, strict: true }));
  } catch (e) {
    process.stderr.write(`srcode-rl ${command}: ${(e as Error).message}\n`);
    return 2;
  }
  // The tensor engine loads only for the commands that need it (its own chunk in dist/: see tsup.config.ts).
  let c: typeof import('./tfjs/commands.js');
  try {
    c = await import('./tfjs/commands.js');
  } catch (e) {
    throw isMissingPeer(e) ? missingPeerError(`srcode-rl ${command}`, e) : e;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const say = command === 'sample' ? (line: string) => process.stdout.write(`${line}\n`) : progress;
  if (command === 'sft') return c.sftCommand(values, say);
  if (command === 'train') return c.trainCommand(values, say);
  if (command === 'sample') return c.sampleCommand(values, say);
  return c.experimentCommand(values, say);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A GPU device or the wasm runtime can hold the event loop open: exit once stdout has drained.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`srcode-rl: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
