import { runExperiment } from './src/tfjs/experiment.js';
const r = await runExperiment({
  outDir: '/tmp/rlx/exp-mid',
  seeds: [1],
  sftSteps: 300,
  rlSteps: 12,
  evalEvery: 4,
  evalSamples: 1,
  backend: 'wasm',
  conditions: ['ppo-instance', 'ppo-token+instance', 'grpo-instance', 'grpo-token+instance'],
  log: (l) => console.log(new Date().toISOString().slice(11, 19), l),
});
console.log(r.table, r.seconds);
