// The main job on the embedded default: import the bundled sample pairs, validate them, print statistics.
// Later stages of the pipeline (reflect → token rewards → RL → eval) hook in here as they land.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PairStatsCollector, formatIssue, importPairs, readJsonl, samplePairsPath, writeJsonlAtomic } from '@srcode/dataset';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, '.out', 'main');
mkdirSync(outDir, { recursive: true });
const step = (s) => process.stderr.write(`[main] ${s}\n`);

step(`1/3 import the embedded sample (${samplePairsPath()})`);
const run = importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] });
const pairsFile = join(outDir, 'pairs.jsonl');
const { records } = await writeJsonlAtomic(pairsFile, run, { schema: 'RepairPair' });
for (const i of run.issues) step(`  rejected: ${formatIssue(i)}`);
step(`  ${records} pairs → ${pairsFile}`);

step('2/3 validate against the RepairPair schema');
const reader = readJsonl(pairsFile, { schema: 'RepairPair', mode: 'collect' });
const stats = new PairStatsCollector();
for await (const { value } of reader) stats.add(value);
for (const i of reader.issues) step(`  invalid: ${formatIssue(i)}`);
step(`  ${reader.stats.records} valid, ${reader.stats.rejected} invalid`);

step('3/3 statistics');
console.log(JSON.stringify({ pairsFile, valid: reader.stats.records, invalid: reader.stats.rejected, stats: stats.result() }, null, 2));
process.exitCode = reader.stats.rejected || run.issues.length ? 1 : 0;
