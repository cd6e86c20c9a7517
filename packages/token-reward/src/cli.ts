import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatIssue, type Issue, type RepairPair, readJsonlAll, type TokenRewardMap, writeJsonlAtomic } from '@srcode/dataset';
import { type CliSpec, escapeControl, inputFile, main, outputFile, packageVersion } from '../../../common/cli.js';
import { TokenRewardError } from './errors.js';
import { loadHfTokenizer } from './hf.js';
import { teacherForcedMaps } from './map.js';
import { pairSpans } from './pair-spans.js';
import { renderHtml } from './render.js';
import { cliAnalyzers, inProcess } from './cli-analyzers.js';
import type { CliWorkerData } from './cli-worker.js';
import { createRewardServer } from './server.js';
import { LOOPBACK_HOSTS, type ServerOptions } from './server-options.js';
import { byteTokenizer, type TokenizerLike } from './tokenizer.js';

const TOKENIZER_HELP = '--tokenizer takes a folder (or file) with a Hugging Face tokenizer.json, or "bytes" for one token per byte.';

const note = (message: string) => process.stderr.write(`srcode-reward: ${escapeControl(message)}\n`);

/** The value of a required option. */
function required(value: string | undefined, option: string): string {
  if (value === undefined) throw new TokenRewardError('invalid-input', `expected ${option}`);
  return value;
}

/** Reports the rejected lines of `file`, and fails naming it when no line was a valid record. */
function keepValid<T>(file: string, kind: string, run: { records: T[]; issues: Issue[] }): T[] {
  const shown = run.issues.slice(0, 20);
  for (const issue of shown) note(`skipped ${formatIssue({ ...issue, file })}`);
  if (run.issues.length > shown.length) note(`… and ${run.issues.length - shown.length} more`);
  if (run.records.length === 0)
    throw new TokenRewardError(
      'invalid-input',
      `${file}: no valid ${kind} record read (${run.issues.length} rejected); expected ${kind} JSONL`,
    );
  return run.records;
}

async function loadPairs(file: string): Promise<RepairPair[]> {
  return keepValid(file, 'RepairPair', await readJsonlAll(inputFile(file), { schema: 'RepairPair' }));
}

async function loadTokenizer(spec: string | undefined): Promise<TokenizerLike | undefined> {
  if (!spec) return undefined;
  if (spec === 'bytes') return byteTokenizer;
  if (!statSync(spec, { throwIfNoEntry: false }))
    throw new TokenRewardError(
      'invalid-input',
      `${spec}: expected a tokenizer.json, a folder holding one, or "bytes"; found nothing there`,
    );
  return loadHfTokenizer(spec);
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
      note(`pair ${p.id}: ${e.message}`);
    }
  }
  const total = [...skipped.values()].reduce((a, b) => a + b, 0);
  note(`${pairs.length - total} of ${pairs.length} pairs done${total ? `, ${total} skipped` : ''}`);
  return out;
}

async function cmdSpans(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { pairs: { type: 'string' }, out: { type: 'string' } } });
  const file = required(values.pairs, '--pairs FILE');
  const outFile = required(values.out, '--out FILE');
  const records = eachPair(await loadPairs(file), (p) => {
    const s = pairSpans(p);
    const side = (name: 'vulnerable' | 'fixed', list: typeof s.fixed) =>
      list.map((x) => ({ side: name, polarity: x.polarity, start: x.start, end: x.end, nodeType: x.nodeType, weight: x.weight }));
    return [{ pairId: p.id, language: p.language, spans: [...side('vulnerable', s.vulnerable), ...side('fixed', s.fixed)] }];
  });
  await writeJsonlAtomic(outputFile(outFile), records);
  return 0;
}

async function cmdMap(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string' },
      tokenizer: { type: 'string' },
      out: { type: 'string' },
      side: { type: 'string', default: 'both' },
    },
  });
  const file = required(values.pairs, '--pairs FILE');
  const tokenizerSpec = required(values.tokenizer, '--tokenizer PATH|bytes');
  const outFile = required(values.out, '--out FILE');
  const side = values.side;
  if (!['both', 'fixed', 'vulnerable'].includes(side))
    throw new TokenRewardError('invalid-input', `--side must be both, fixed or vulnerable, not "${side}"`);
  // the pairs file is checked before the tokenizer, the slower load, is started
  inputFile(file);
  const tokenizer = (await loadTokenizer(tokenizerSpec)) as TokenizerLike;
  const pairs = await loadPairs(file);
  const maps = eachPair(pairs, (p) => {
    const m = teacherForcedMaps(p, tokenizer);
    return side === 'both' ? [m.vulnerable, m.fixed] : [side === 'fixed' ? m.fixed : m.vulnerable];
  });
  await writeJsonlAtomic(outputFile(outFile), maps, { schema: 'TokenRewardMap' });
  return 0;
}

async function cmdRender(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { maps: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' }, title: { type: 'string' } },
  });
  const file = required(values.maps, '--maps FILE');
  const outFile = required(values.out, '--out FILE.html');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new TokenRewardError('invalid-input', '--limit must be a non-negative integer');
  const records = keepValid(file, 'TokenRewardMap', await readJsonlAll(inputFile(file), { schema: 'TokenRewardMap' }));
  const maps: TokenRewardMap[] = records.slice(0, limit ?? records.length);
  writeFileSync(outputFile(outFile), renderHtml(maps, values.title ? { title: values.title } : {}));
  return 0;
}

/** The worker setup module beside this file: built `.js`, or the `.ts` source when run from sources. */
function cliWorkerModule(): URL {
  const js = new URL('./cli-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./cli-worker.ts', import.meta.url);
}

/** A positive integer option, or undefined when not given. */
function positive(values: Record<string, unknown>, name: string, allowZero = false): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new TokenRewardError(
      'invalid-input',
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, not "${String(raw)}"`,
    );
  return n;
}

async function cmdServe(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      pairs: { type: 'string' },
      tokenizer: { type: 'string' },
      analyzer: { type: 'string' },
      workers: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-completions': { type: 'string' },
      'max-work-chars': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'body-idle-ms': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TokenRewardError('invalid-input', `--port must be 0..65535, not "${values.port}"`);
  const limits = {
    maxBodyBytes: positive(values, 'max-body-bytes'),
    maxCompletions: positive(values, 'max-completions'),
    maxWorkChars: positive(values, 'max-work-chars'),
    maxInFlight: positive(values, 'max-in-flight'),
    bodyIdleMs: positive(values, 'body-idle-ms'),
    workers: positive(values, 'workers', true),
  };
  if (values.pairs) inputFile(values.pairs);
  const tokenizer = await loadTokenizer(values.tokenizer);
  const pairs = values.pairs ? await loadPairs(values.pairs) : [];
  const found = values.analyzer === undefined ? undefined : await cliAnalyzers(values.analyzer);
  const workers = limits.workers ?? availableParallelism();
  // rule engines run in each worker thread; subprocess tools (bandit) on the main thread, batched
  const inWorkers = workers > 0 ? (found?.analyzers.filter(inProcess) ?? []) : [];
  const onMain = found?.analyzers.filter((a) => !inWorkers.includes(a)) ?? [];
  const options: ServerOptions = {
    pairs: new Map(pairs.map((p) => [p.id, p])),
    ...(tokenizer ? { tokenizer } : {}),
    ...(onMain.length ? { analyzers: onMain } : {}),
    workers,
    workerSetup: {
      module: cliWorkerModule(),
      data: {
        ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}),
        analyzers: inWorkers.map((a) => a.name),
      } satisfies CliWorkerData,
    },
    ...(values['allow-host'] ? { allowedHosts: [...LOOPBACK_HOSTS, ...values['allow-host']] } : {}),
  };
  for (const [key, value] of Object.entries(limits)) if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  const service = createRewardServer(options);
  const address = await service.listen(port, values.host);
  process.stdout.write(`srcode-reward listening on http://${address.address}:${address.port}\n`);
  note(
    `${pairs.length} pairs, ${workers} worker threads${found ? `, analysers ${found.names.join(', ')}` : ''}, tokenizer ${tokenizer?.name ?? 'none (completions bring offsets)'}`,
  );
  const stop = () => {
    note('shutting down');
    // every reply in flight is completed before the process ends
    service.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The server keeps the process alive; the signal handlers end it.
  return 0;
}

const SPEC: CliSpec = {
  bin: 'srcode-reward',
  version: packageVersion(import.meta.url),
  about: 'Token-level security reward maps of repair pairs, aligned to AST units (tree-sitter), as files or as a service.',
  commands: {
    spans: {
      summary: 'AST spans of each repair pair (JSONL)',
      usage: `--pairs FILE --out FILE

Reads RepairPair JSONL and writes one line a pair: { pairId, language, spans: [{ side, polarity, start,
end, nodeType, weight }] }. Pairs in a language that is not registered are reported and skipped.`,
      run: cmdSpans,
    },
    map: {
      summary: 'teacher-forced TokenRewardMap records (JSONL)',
      usage: `--pairs FILE --tokenizer PATH|bytes --out FILE [--side both|fixed|vulnerable]

Writes the TokenRewardMap of each pair's vulnerable and fixed code (--side picks one; default both).
${TOKENIZER_HELP}`,
      run: cmdMap,
    },
    render: {
      summary: 'an HTML page colouring tokens by reward',
      usage: `--maps FILE --out FILE.html [--limit N] [--title TEXT]

Renders the first --limit maps (default all) of TokenRewardMap JSONL as one self-contained page.`,
      run: cmdRender,
    },
    serve: {
      summary: 'JSON service: POST /v1/rewards, POST /v1/openrlhf, GET /healthz',
      usage: `[--port 0] [--host 127.0.0.1] [--pairs FILE] [--tokenizer PATH|bytes] [--analyzer builtin[,bandit]]
       [--workers N] [--max-completions N] [--max-work-chars N] [--max-body-bytes N] [--max-in-flight N]
       [--body-idle-ms N] [--allow-host NAME]...

Serves POST /v1/rewards, POST /v1/openrlhf (OpenRLHF's remote reward protocol) and GET /healthz until
SIGTERM or SIGINT, which completes every reply in flight first; --port 0 picks a free port, printed on
stdout. --pairs gives the pairs requests may name by pairId; with --tokenizer, completions may come
without offsets. --analyzer runs @srcode/eval's analysers (an optional peer) on each completion and
folds their findings in.
Limits: --workers threads do the work (default: the number of cores; 0 works on the main thread);
a request over --max-completions (default 256), --max-work-chars characters of completions and inline
pairs (default 4194304) or --max-body-bytes (default 33554432) gets 413; past --max-in-flight admitted
requests (default 64) new ones get 503 with Retry-After; a body that pauses --body-idle-ms (default
10000) gets 408. Only JSON bodies (415 otherwise) and Host names localhost, 127.0.0.1 and [::1] are
served; add names with --allow-host (repeatable; * allows any) when serving beyond loopback.
${TOKENIZER_HELP}`,
      run: cmdServe,
    },
  },
  footer: `${TOKENIZER_HELP}
Exit codes: 0 done, 1 a failure, 2 bad arguments or input.`,
};

main(SPEC);
