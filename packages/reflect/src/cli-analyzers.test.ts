import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliAnalyzers } from './cli-analyzers.js';

const notInstalled = async () => {
  throw Object.assign(new Error("Cannot find package '@srcode/eval' imported from /x/cli.js"), { code: 'ERR_MODULE_NOT_FOUND' });
};

function analyserModule(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'reflect-cli-analyzers-')), 'analyzers.mjs');
  writeFileSync(file, "export const analyzers = [{ name: 'ext', languages: ['python'], analyze: () => [] }];\n");
  return file;
}

describe('the CLI analysers', () => {
  it("are @srcode/eval's lexical analyser when it is installed, then the module's", async () => {
    const file = analyserModule();
    expect((await cliAnalyzers(undefined)).analyzers.map((a) => a.name)).toEqual(['srcode-heuristic']);
    const r = await cliAnalyzers(file);
    expect(r.analyzers.map((a) => a.name)).toEqual(['srcode-heuristic', 'ext']);
    expect(r.notice).toBeUndefined();
  });

  it('say that analyser evidence is off when @srcode/eval is not installed', async () => {
    const none = await cliAnalyzers(undefined, notInstalled);
    expect(none.analyzers).toEqual([]);
    expect(none.notice).toMatch(/@srcode\/eval .*is not installed, so analyser evidence is off/);
    const file = analyserModule();
    const some = await cliAnalyzers(file, notInstalled);
    expect(some.analyzers.map((a) => a.name)).toEqual(['ext']);
    expect(some.notice).toContain(`only the analysers of ${file} give evidence`);
  });

  it('let any other failure to load @srcode/eval through', async () => {
    const broken = async () => {
      throw Object.assign(new Error("Cannot find package 'tree-sitter' imported from /x/eval.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(cliAnalyzers(undefined, broken)).rejects.toThrow(/tree-sitter/);
    // a dependency of an installed @srcode/eval missing: the path in the message names eval, the module does not
    const brokenEval = async () => {
      throw Object.assign(new Error("Cannot find package '@srcode/syntax' imported from /app/node_modules/@srcode/eval/dist/index.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    };
    await expect(cliAnalyzers(undefined, brokenEval)).rejects.toThrow(/@srcode\/syntax/);
  });
});
