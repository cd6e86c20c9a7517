import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatIssue, type RepairPair, readJsonlAll, type TokenRewardMap, writeJsonlAtomic } from '@srcode/dataset';
import { TokenRewardError } from './errors.js';
import { loadHfTokenizer } from './hf.js';
import { teacherForcedMaps } from './map.js';
import { pairSpans } from './pair-spans.js';
import { renderHtml } from './render.js';
import { createRewardServer } from './server.js';
import { byteTokenizer, type TokenizerLike } from './tokenizer.js';

const USAGE = `usage: srcode-reward <command> [options]

commands:
  spans  --pairs FILE --out FILE                 AST spans of each repair pair (JSONL)
  map    --pairs FILE --tokenizer PATH|bytes --out FILE [--side both|fixed|vulnerable]
                                                 teacher-forced TokenRewardMap records (JSONL)
  render --maps FILE --out FILE.html [--limit N] [--title TEXT]
                                                 an HTML page colouring tokens by reward
  serve  [--port 0] [--host 127.0.0.1] [--pairs FILE] [--tokenizer PATH|bytes] [--max-body-bytes N]
                                                 JSON service: POST /v1/rewards, GET /healthz

--tokenizer takes a folder (or file) with a Hugging Face tokenizer.json, or "bytes" for one token per byte.
`;

function fail(message: string): never {
  process.stderr.write(`srcode-reward: ${message}\n`);
  process.exit(2);
}

async function loadPairs(file: string): Promise<RepairPair[]> {
  const { records, issues } = await readJsonlAll(file, { schema: 'RepairPair' });
  for (const issue of issues) process.stderr.write(`srcode-reward: skipped ${formatIssue({ ...issue, file })}\n`);
  return records;
}

async function loadTokenizer(spec: string | undefined): Promise<TokenizerLike | undefined> {
  if (!spec) return undefined;
  return spec === 'bytes' ? byteTokenizer : loadHfTokenizer(spec);
}

/** Runs `fn` per pair; pairs it cannot handle (an unknown language) are reported and skipped. */
function eachPair<T>(pairs: RepairPair[], fn: (p: RepairPair) => T[]): T[] {
  const out: T[] = [];
  const skipped = new Map<string, number>();
  for (const p of pairs) {
    try {
      out.push(...fn(p));
    } catch (e) {
      if (!(e instanceof TokenRewardError)) throw e;
      skipped.set(e.code, (skipped.get(e.code) ?? 0) + 1);
      process.stderr.write(`srcode-reward: pair ${p.id}: ${e.message}\n`);
    }
  }
  const total = [...skipped.values()].reduce((a, b) => a + b, 0);
  process.stderr.write(`srcode-reward: ${pairs.length - total} of ${pairs.length} pairs done${total ? `, ${total} skipped` : ''}\n`);
  return out;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      pairs: { type: 'string' },
      maps: { type: 'string' },
      out: { type: 'string' },
      tokenizer: { type: 'string' },
      side: { type: 'string', default: 'both' },
      limit: { type: 'string' },
      title: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-body-bytes': { type: 'string' },
    },
    strict: true,
  });
  const need = (name: 'pairs' | 'maps' | 'out' | 'tokenizer') => values[name] ?? fail(`${command} needs --${name}\n\n${USAGE}`);

  if (command === 'spans') {
    const pairs = await loadPairs(need('pairs'));
    const records = eachPair(pairs, (p) => {
      const s = pairSpans(p);
      const side = (name: 'vulnerable' | 'fixed', list: typeof s.fixed) =>
        list.map((x) => ({ side: name, polarity: x.polarity, start: x.start, end: x.end, nodeType: x.nodeType, weight: x.weight }));
      return [{ pairId: p.id, language: p.language, spans: [...side('vulnerable', s.vulnerable), ...side('fixed', s.fixed)] }];
    });
    await writeJsonlAtomic(need('out'), records);
  } else if (command === 'map') {
    const pairs = await loadPairs(need('pairs'));
    const tokenizer = (await loadTokenizer(need('tokenizer'))) as TokenizerLike;
    const side = values.side;
    if (!['both', 'fixed', 'vulnerable'].includes(side)) fail(`--side must be both, fixed or vulnerable, not "${side}"`);
    const maps = eachPair(pairs, (p) => {
      const m = teacherForcedMaps(p, tokenizer);
      return side === 'both' ? [m.vulnerable, m.fixed] : [side === 'fixed' ? m.fixed : m.vulnerable];
    });
    await writeJsonlAtomic(need('out'), maps, { schema: 'TokenRewardMap' });
  } else if (command === 'render') {
    const { records, issues } = await readJsonlAll(need('maps'), { schema: 'TokenRewardMap' });
    for (const issue of issues) process.stderr.write(`srcode-reward: skipped ${formatIssue(issue)}\n`);
    const limit = values.limit ? Number(values.limit) : records.length;
    if (!Number.isInteger(limit) || limit < 0) fail('--limit must be a non-negative integer');
    const maps: TokenRewardMap[] = records.slice(0, limit);
    writeFileSync(need('out'), renderHtml(maps, values.title ? { title: values.title } : {}));
  } else if (command === 'serve') {
    const pairs = values.pairs ? await loadPairs(values.pairs) : [];
    const tokenizer = await loadTokenizer(values.tokenizer);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, not "${values.port}"`);
    const maxBody = values['max-body-bytes'] ? Number(values['max-body-bytes']) : undefined;
    const service = createRewardServer({
      pairs: new Map(pairs.map((p) => [p.id, p])),
      ...(tokenizer ? { tokenizer } : {}),
      ...(maxBody ? { maxBodyBytes: maxBody } : {}),
    });
    const address = await service.listen(port, values.host);
    process.stdout.write(`srcode-reward listening on http://${address.address}:${address.port}\n`);
    const stop = () => {
      process.stderr.write('srcode-reward: shutting down\n');
      service.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } else {
    fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof TokenRewardError || (e instanceof Error && 'code' in e)) fail((e as Error).message);
  throw e;
});
