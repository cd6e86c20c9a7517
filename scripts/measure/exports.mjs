// Exported names per entry point (values and types), read with the TypeScript compiler API.
// usage: node scripts/measure/exports.mjs [repo] (default: this checkout)
import { createRequire } from 'node:module';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const repo = process.argv[2] ?? fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(repo, 'package.json'));
const ts = require('typescript');
const rows = [];
for (const pkg of readdirSync(join(repo, 'packages'))) {
  const pj = join(repo, 'packages', pkg, 'package.json');
  if (!existsSync(pj)) continue;
  const cfg = readFileSync(join(repo, 'packages', pkg, 'tsup.config.ts'), 'utf8');
  const entries = [...cfg.matchAll(/(\w+): '(src\/[^']+)'/g)].filter((m) => m[1] !== 'cli');
  for (const [, name, file] of entries) {
    const abs = join(repo, 'packages', pkg, file);
    const program = ts.createProgram([abs], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(abs);
    const sym = checker.getSymbolAtLocation(sf);
    const ex = sym ? checker.getExportsOfModule(sym) : [];
    rows.push({ entry: `@srcode/${pkg}${name === 'index' ? '' : '/' + name}`, names: ex.length });
  }
}
console.log(JSON.stringify(rows));
