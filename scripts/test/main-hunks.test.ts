import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PrimeVulPlusRecord, type RepairPair, importPairs, samplePairsPath } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { parseFlags, settingsOf, taskFormOf } from '../pipeline/flags.js';
import { separation } from '../pipeline/stages/setup.js';
import { Scorer, type Task, hunkOf, hunkTasksFrom, pairIdOf, promptVariants, spliceCompletion, tasksFrom } from '../pipeline/tasks.js';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const hasData = existsSync(join(DATA, 'sven'));

async function pairsOf(inputs: string[], dataset?: string): Promise<RepairPair[]> {
  const out: RepairPair[] = [];
  for await (const p of importPairs({ format: 'sven', inputs, ...(dataset ? { dataset } : {}) })) out.push(p);
  return out;
}
const recordsOf = (pairs: RepairPair[]) => pairs.map((pair) => ({ pair }) as unknown as PrimeVulPlusRecord);

describe('hunk tasks', () => {
  it('are the default on --pairs, region tasks on the sample, and --tasks, --per-cwe, --heldout-prompts are checked and fingerprinted when given', () => {
    const run = (...argv: string[]) => {
      const p = parseFlags(argv, '/work');
      if (p.kind !== 'run') throw new Error(JSON.stringify(p));
      return p.options;
    };
    expect(taskFormOf(run())).toBe('region');
    expect(taskFormOf(run('--pairs', 'x'))).toBe('hunk');
    expect(taskFormOf(run('--pairs', 'x', '--tasks', 'region'))).toBe('region');
    expect(settingsOf(run('--tasks', 'hunk', '--per-cwe', '3', '--heldout-prompts', '2'))).toMatchObject({
      tasks: 'hunk',
      perCwe: 3,
      heldoutPrompts: 2,
    });
    expect(Object.keys(settingsOf(run()))).not.toContain('perCwe');
    for (const bad of [
      ['--tasks', 'lines'],
      ['--per-cwe', '0'],
      ['--heldout-prompts', '1.5'],
    ])
      expect(parseFlags(bad)).toMatchObject({ kind: 'invalid', message: expect.stringContaining(bad[0] as string) });
  });

  it('splice each side’s hunk back into its function as it was, and show the code before it in the prompt', async () => {
    const pairs = await pairsOf([samplePairsPath()], 'sample');
    for (const p of pairs) {
      const { splice, vulnerable, fixed, context } = hunkOf(p);
      // blank lines may lose trailing blanks; every other character comes back in place
      const norm = (s: string) => s.replace(/[ \t]+$/gm, '');
      // (an empty side is never a task: it would be a free escape from any finding)
      if (fixed) expect(norm(spliceCompletion(splice, fixed).code)).toBe(norm(p.fixedCode));
      if (vulnerable) expect(norm(spliceCompletion(splice, vulnerable).code)).toBe(norm(p.vulnerableCode));
      if (context) expect(splice.before.trimEnd().endsWith(context.split('\n').at(-1) as string)).toBe(true);
    }
    const { tasks } = hunkTasksFrom(recordsOf(pairs), 400);
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(t.prompt).toBe(`${t.tag}${t.name}>${t.context ? `${t.context}\n` : ''}`);
  });

  it('asks a held-out pair under its own prompt and made-up names, the same on every call', async () => {
    const pairs = await pairsOf([samplePairsPath()], 'sample');
    const [t] = tasksFrom(recordsOf(pairs), 400).tasks as [Task];
    const a = promptVariants(t, 4);
    expect(a.map((v) => v.prompt)).toEqual(promptVariants(t, 4).map((v) => v.prompt));
    expect(a[0]).toBe(t);
    expect(new Set(a.map((v) => v.prompt)).size).toBe(4);
    expect(a.map((v) => pairIdOf(v.id))).toEqual([t.id, t.id, t.id, t.id]);
    for (const v of a.slice(1)) expect(v.prompt.startsWith(t.tag)).toBe(true);
    expect(promptVariants(t, 1)).toEqual([t]);
  });

  describe.skipIf(!hasData)('on real SVEN pairs (skipped when ../shared/data/sven is absent)', () => {
    const scorer = new Scorer();

    it('keeps tasks whose vulnerable hunk, spliced in, is scored insecure and whose fixed hunk secure, by the analyser and the online map', async () => {
      const pairs = (await pairsOf([join(DATA, 'sven', 'train', 'cwe-089.jsonl')])).slice(0, 30);
      const { tasks } = hunkTasksFrom(recordsOf(pairs), 128);
      const kept = tasks.filter((t) => separation(t, scorer) === '');
      expect(kept.length).toBeGreaterThanOrEqual(5);
      for (const t of kept) {
        const v = scorer.score(t, t.pair.vulnerableCode);
        const f = scorer.score(t, t.pair.fixedCode);
        expect(v.insecure && v.wellFormed).toBe(true);
        expect(f.secure).toBe(true);
        expect(v.findings.some((x) => x.cwe === 'CWE-89')).toBe(true);
        // the RL reward: the vulnerable hunk's tokens carry the finding's negative span, the fixed hunk's none
        const rewards = (text: string) =>
          scorer.rewards(
            t,
            [...text].map((c) => c.charCodeAt(0)),
            text,
            true,
          );
        const rv = rewards(t.pair.vulnerableCode);
        const rf = rewards(t.pair.fixedCode);
        expect(rv.map?.spans.some((s) => s.weight < 0)).toBe(true);
        expect(rf.rewards.reduce((a, x) => a + x, 0)).toBeGreaterThan(rv.rewards.reduce((a, x) => a + x, 0));
      }
    });

    it('scores a completion that drops the statement (no escape from the finding by deleting it) as malformed', async () => {
      const pairs = (await pairsOf([join(DATA, 'sven', 'train', 'cwe-089.jsonl')])).slice(0, 30);
      const kept = hunkTasksFrom(recordsOf(pairs), 128).tasks.filter((t) => separation(t, scorer) === '');
      for (const t of kept) {
        expect(t.splice?.anchors.length).toBeGreaterThan(0);
        for (const dodge of ['pass', `# ${t.pair.fixedCode.split('\n')[0]}`, ''])
          expect(scorer.score(t, dodge), `${t.id}: ${JSON.stringify(dodge)}`).toMatchObject({ wellFormed: false, secure: false });
        // RL scores it below the fixed hunk, at the malformed reward
        const r = scorer.rewards(
          t,
          [...'pass'].map((c) => c.charCodeAt(0)),
          'pass',
          false,
        );
        expect(r.rewards.at(-1)).toBe(-2);
      }
    });
  });
});
