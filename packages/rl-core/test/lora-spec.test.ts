import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HF_MODEL_TYPES } from '../src/hf/config.js';
import {
  LORA_FAMILY_MODULES,
  LORA_MODULES,
  loraConfigOfSpec,
  loraModulesOfType,
  parseLoraSpec,
  readLoraSpec,
} from '../src/hf/lora-spec.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const hook = fileURLToPath(new URL('./fixtures/without-tfjs.mjs', import.meta.url));

describe('readLoraSpec', () => {
  it('reads every key, targets joined by + or listed with commas, target_modules as targets, keys in the order given', () => {
    const spec = parseLoraSpec('r=16, alpha=32,dropout=0.05,targets=q_proj+k_proj,seed=3');
    expect(spec).toEqual({ r: 16, alpha: 32, dropout: 0.05, targets: ['q_proj', 'k_proj'], seed: 3 });
    expect(Object.keys(spec)).toEqual(['r', 'alpha', 'dropout', 'targets', 'seed']);
    const listed = parseLoraSpec('targets=q_proj,v_proj+o_proj,r=2');
    expect(listed).toEqual({ targets: ['q_proj', 'v_proj', 'o_proj'], r: 2 });
    expect(Object.keys(listed)).toEqual(['targets', 'r']);
    expect(parseLoraSpec('target_modules=c_attn')).toEqual({ targets: ['c_attn'] });
    expect(parseLoraSpec('')).toEqual({});
    expect(parseLoraSpec('  ')).toEqual({});
    expect(loraConfigOfSpec(parseLoraSpec('r=4,targets=q_proj,seed=1'))).toEqual({ r: 4, targetModules: ['q_proj'], seed: 1 });
  });

  it('refuses each kind of bad spec with a structured problem and a message naming it', () => {
    for (const [text, problem, message] of [
      ['r', { kind: 'pair', part: 'r' }, /expected --lora key=value pairs \(r, alpha, dropout, targets, seed\), found "r"/],
      ['r=8,alpha', { kind: 'pair', part: 'alpha' }, /found "alpha"/],
      ['r=1=2', { kind: 'pair', part: 'r=1=2' }, /key=value/],
      ['rank=8', { kind: 'key', key: 'rank' }, /expected --lora keys r, alpha, dropout, targets, seed; found "rank"/],
      ['r=8,r=4', { kind: 'twice', key: 'r' }, /expected each --lora key once, found r twice/],
      ['targets=q_proj,target_modules=v_proj', { kind: 'twice', key: 'targets' }, /targets twice/],
      ['r=0', { kind: 'value', key: 'r', value: '0' }, /expected --lora r to be a whole number, found "0"/],
      ['r=2.5', { kind: 'value', key: 'r', value: '2.5' }, /whole number, found "2\.5"/],
      ['seed=-1', { kind: 'value', key: 'seed', value: '-1' }, /seed to be a whole number/],
      ['alpha=x', { kind: 'value', key: 'alpha', value: 'x' }, /expected --lora alpha > 0, found "x"/],
      ['alpha=0', { kind: 'value', key: 'alpha', value: '0' }, /alpha > 0/],
      ['dropout=1', { kind: 'value', key: 'dropout', value: '1' }, /expected --lora dropout in \[0, 1\), found "1"/],
      // a blank number is no number (Number('') would be 0, a valid dropout)
      ['dropout=', { kind: 'value', key: 'dropout', value: '' }, /dropout in \[0, 1\), found ""/],
      [
        'targets=qkv+lm_head',
        { kind: 'target', targets: ['qkv', 'lm_head'] },
        /expected --lora targets among q_proj\+k_proj.*found "qkv", "lm_head"/,
      ],
      ['targets=', { kind: 'target', targets: [''] }, /targets among .*found ""/],
      ['targets=q_proj+q_proj', { kind: 'target-twice', target: 'q_proj' }, /expected each --lora target once, found q_proj twice/],
    ] as const) {
      const r = readLoraSpec(text);
      expect(r, text).toMatchObject({ ok: false, problem });
      expect(r.ok ? '' : r.message, text).toMatch(message);
      expect(() => parseLoraSpec(text)).toThrow(message);
    }
  });

  it('takes only the keys a command allows, and names them', () => {
    const keys = ['r', 'alpha', 'dropout', 'targets'] as const;
    const r = readLoraSpec('seed=2', { keys });
    expect(r).toMatchObject({ ok: false, problem: { kind: 'key', key: 'seed' } });
    expect(r.ok ? '' : r.message).toBe('expected --lora keys r, alpha, dropout, targets; found "seed"');
    expect(readLoraSpec('r=2', { keys })).toEqual({ ok: true, spec: { r: 2 } });
  });
});

describe('the projections of each family, in one table', () => {
  it('covers every model_type the loader reads, and LORA_MODULES is their union in order', () => {
    expect(Object.keys(LORA_FAMILY_MODULES).sort()).toEqual([...HF_MODEL_TYPES].sort());
    const union = [...new Set(Object.values(LORA_FAMILY_MODULES).flat())];
    expect([...LORA_MODULES].sort()).toEqual(union.sort());
    expect(loraModulesOfType('gpt2')).toEqual(['c_attn', 'c_proj', 'c_fc']);
    expect(loraModulesOfType('qwen2')).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
    expect(loraModulesOfType('mistral')).toBeUndefined();
    expect(loraModulesOfType('toString')).toBeUndefined();
  });
});

/** Runs `code` in a fresh node where every TensorFlow.js import fails (as where no peer is installed). */
function withoutTfjs(code: string, type: 'module' | 'commonjs') {
  const r = spawnSync(
    process.execPath,
    ['--import', hook, type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built @srcode/rl-core/lora-spec (pnpm --filter @srcode/rl-core build first)', () => {
  it('loads and parses with no TensorFlow.js module loadable, ESM and CJS, while the hf entry cannot', () => {
    const esm = withoutTfjs(
      "const m = await import('@srcode/rl-core/lora-spec'); console.log(JSON.stringify(m.parseLoraSpec('r=4,targets=c_attn')));",
      'module',
    );
    expect(esm.stderr).toBe('');
    expect(esm.code).toBe(0);
    expect(JSON.parse(esm.stdout)).toEqual({ r: 4, targets: ['c_attn'] });
    // CommonJS: nothing under @tensorflow/ among the modules required
    const cjs = withoutTfjs(
      "const m = require('@srcode/rl-core/lora-spec'); m.parseLoraSpec('r=4'); console.log(JSON.stringify(Object.keys(require.cache)));",
      'commonjs',
    );
    expect(cjs.code, cjs.stderr).toBe(0);
    const loaded = JSON.parse(cjs.stdout) as string[];
    expect(loaded.some((f) => f.endsWith(join('dist', 'lora-spec.cjs')))).toBe(true);
    expect(loaded.filter((f) => f.includes('@tensorflow'))).toEqual([]);
    // the same hook does stop the hf entry, which loads TF.js: the check above could fail
    const hf = withoutTfjs("await import('@srcode/rl-core/hf');", 'module');
    expect(hf.code).not.toBe(0);
    expect(hf.stderr).toContain("Cannot find package '@tensorflow/");
  });
});
