import { srcodeTsup } from '../../tooling/tsup.js';

export default srcodeTsup({ index: 'src/index.ts' });
