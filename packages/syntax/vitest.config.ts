import { srcodeVitest } from '../../tooling/vitest.js';

export default srcodeVitest('syntax');
