import { srcodeTsup } from '../../tooling/tsup.js';

// server-worker and cli-worker are loaded by worker threads from beside the bundle that starts them
export default srcodeTsup({
  index: 'src/index.ts',
  hf: 'src/hf.ts',
  'server-worker': 'src/server-worker.ts',
  'cli-worker': 'src/cli-worker.ts',
  cli: 'src/cli.ts',
});
