import { parseAdvantageRequest, runAdvantageRequest } from './advantages-json.js';

const USAGE = `usage: srcode-rl <command> [options]

commands:
  advantages                          read one JSON batch on stdin, write {"advantages","returns"} on stdout
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

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'advantages') return advantagesCommand();
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`srcode-rl: unknown command ${JSON.stringify(command)}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`srcode-rl: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
