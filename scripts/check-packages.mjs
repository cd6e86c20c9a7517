// Packs every package and checks the tarball with publint and @arethetypeswrong/cli, as npm users will get it.
// Every optional peer must also be a dev dependency, so the workspace tests what it enables.
// With --install (needs the npm registry): installs the packed @srcode/token-reward with its @srcode
// dependencies into a fresh npm project, as a user would, and reports the size of node_modules, with and
// without the optional C++ grammar; C++ must fail with the error naming tree-sitter-cpp until it is added.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const dest = mkdtempSync(join(tmpdir(), 'srcode-pack-'));
let failed = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const before = new Set(readdirSync(dest));
  execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dest).find((f) => !before.has(f));
  if (!tarball) throw new Error(`pnpm pack produced nothing for ${name}`);
  // every entry of `files` is in the tarball (a listed CHANGELOG.md or LICENSE that does not exist is a broken promise)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const untested = Object.keys(manifest.peerDependenciesMeta ?? {}).filter(
    (peer) => manifest.peerDependenciesMeta[peer]?.optional && !manifest.devDependencies?.[peer],
  );
  if (untested.length) {
    failed++;
    console.log(`FAIL peers    @srcode/${name}: optional peers not in devDependencies: ${untested.join(', ')}`);
  } else console.log(`ok   peers    @srcode/${name}`);
  const listed = manifest.files ?? [];
  const packed = execFileSync('tar', ['-tzf', join(dest, tarball)], { encoding: 'utf8' }).split('\n');
  const absent = listed.filter((f) => !packed.some((entry) => entry === `package/${f}` || entry.startsWith(`package/${f}/`)));
  if (absent.length) {
    failed++;
    console.log(`FAIL files    @srcode/${name}: listed in files but not packed: ${absent.join(', ')}`);
  } else console.log(`ok   files    @srcode/${name}`);
  for (const [tool, args] of [
    ['publint', [join(dest, tarball), '--strict']],
    ['attw', [join(dest, tarball), '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync(bin(tool), args, { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
      console.log(`ok   ${tool.padEnd(8)} @srcode/${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${tool.padEnd(8)} @srcode/${name}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
}
if (process.argv.includes('--install')) failed += installCheck(dest);
rmSync(dest, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;

/** The fresh-project install of @srcode/token-reward from the tarballs in `tarballs`; the number of failures. */
function installCheck(tarballs) {
  const project = mkdtempSync(join(tmpdir(), 'srcode-install-'));
  const npm = (...args) =>
    execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const size = () => execFileSync('du', ['-sh', 'node_modules'], { cwd: project, encoding: 'utf8' }).split('\t')[0];
  const node = (code) => execFileSync(process.execPath, ['-e', code], { cwd: project, encoding: 'utf8' }).trim();
  const cppParse =
    "try { require('@srcode/syntax').parse('namespace a {}', 'cpp'); console.log('parsed') } catch (e) { console.log(e.code + ': ' + e.message) }";
  let failures = 0;
  try {
    npm('init', '-y');
    const wanted = ['dataset', 'syntax', 'token-reward'].map((p) => readdirSync(tarballs).find((f) => f.startsWith(`srcode-${p}-`)));
    npm('install', ...wanted.map((f) => join(tarballs, f)));
    const without = node(cppParse);
    const ok = /^unknown-language: .*npm install tree-sitter-cpp@/.test(without);
    if (!ok) failures++;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} install  @srcode/token-reward: ${size()} of node_modules without C++ (${without.slice(0, 60)}...)`,
    );
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    const cppVersion = JSON.parse(readFileSync(join(root, 'packages', 'syntax', 'package.json'), 'utf8')).peerDependencies[
      'tree-sitter-cpp'
    ];
    const treeSitter = JSON.parse(readFileSync(join(root, 'packages', 'syntax', 'package.json'), 'utf8')).dependencies['tree-sitter'];
    pkg.overrides = { 'tree-sitter-cpp': { 'tree-sitter': treeSitter } };
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    npm('install', `tree-sitter-cpp@${cppVersion}`);
    const withCpp = node(cppParse);
    if (withCpp !== 'parsed') failures++;
    console.log(
      `${withCpp === 'parsed' ? 'ok  ' : 'FAIL'} install  @srcode/token-reward: ${size()} of node_modules with tree-sitter-cpp@${cppVersion} (${withCpp})`,
    );
  } catch (e) {
    failures++;
    console.log(`FAIL install  ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  return failures;
}
