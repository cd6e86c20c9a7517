/** `pnpm --filter @srcode/rl-core bench`: every benchmark of this package, ratios against baselines measured in the same run. */
import { benchAdvantages } from './advantages.js';
import { benchTrainStep } from './train-step.js';

await benchAdvantages();
await benchTrainStep();
process.exit(0);
