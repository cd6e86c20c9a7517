import type { Options } from 'tsup';
import { srcodeTsup } from '../../tooling/tsup.js';

const [lib, cli] = srcodeTsup({
  index: 'src/index.ts',
  tfjs: 'src/tfjs/index.ts',
  hf: 'src/hf/index.ts',
  experiment: 'src/experiment/index.ts',
  'lora-spec': 'src/hf/lora-spec.ts',
  cli: 'src/cli.ts',
}) as Options[];

// The CLI is split into chunks so the TF.js commands (its dynamic import) sit in one of their own:
// `srcode-rl advantages` and `--help` then run with none of the optional peers installed.
export default [lib, { ...cli, splitting: true }];
