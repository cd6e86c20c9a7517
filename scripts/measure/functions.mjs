// The ten longest functions (in lines) of packages/*/src, scripts and common, tests excluded.
// usage: node scripts/measure/functions.mjs [repo] (default: this checkout)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const repo = process.argv[2] ?? fileURLToPath(new URL('../..', import.meta.url));
const ts = createRequire(join(repo, 'package.json'))('typescript');
const files = execSync('git ls-files -co --exclude-standard', { cwd: repo, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && /^(packages\/[^/]+\/src|scripts|common)\//.test(f));
const out = [];
for (const f of files) {
  let text;
  try {
    text = readFileSync(join(repo, f), 'utf8');
  } catch {
    continue;
  }
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
  const visit = (n) => {
    if (
      ts.isFunctionDeclaration(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isArrowFunction(n) ||
      ts.isFunctionExpression(n) ||
      ts.isConstructorDeclaration(n)
    ) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart()).line,
        b = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const name = n.name?.getText?.() ?? (ts.isVariableDeclaration(n.parent) ? n.parent.name.getText() : '<anon>');
      out.push({ where: `${f}:${a + 1}`, name, lines: b - a + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  // top-level statements of scripts count as one "function"
  if (f.startsWith('scripts/')) {
    const top = sf.statements.filter(
      (s) =>
        !ts.isFunctionDeclaration(s) &&
        !ts.isImportDeclaration(s) &&
        !ts.isInterfaceDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s) &&
        !ts.isClassDeclaration(s),
    );
    const lines = top.reduce(
      (s, n) => s + sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart()).line + 1,
      0,
    );
    out.push({ where: `${f}`, name: '<top level>', lines });
  }
}
out.sort((a, b) => b.lines - a.lines);
console.log(
  out
    .slice(0, 10)
    .map((r) => `${r.lines}\t${r.name}\t${r.where}`)
    .join('\n'),
);
