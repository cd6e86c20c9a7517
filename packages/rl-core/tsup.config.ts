import { srcodeTsup } from '../../tooling/tsup.js';

export default srcodeTsup({ index: 'src/index.ts', tfjs: 'src/tfjs/index.ts', cli: 'src/cli.ts' });
