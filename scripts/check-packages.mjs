// Packs every package and checks the tarball with publint and @arethetypeswrong/cli, as npm users will get it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
  const listed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).files ?? [];
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
rmSync(dest, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
