// Quick per-step timing of the step engines on one thread (not the full bench): tied vs untied,
// with and without hidden noise, fused vs tfjs, seed-64 shape (n=64, m=33, batch 1024, Adam).
// Usage: npx tsx --conditions @polytoy/source benchmarks/step-paths.ts
// (tfjs rows run with the stock kernels: the engine the trainer falls back to without polytoy's.)
import type { TrainConfigInput } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import { initNodeBackend } from '@polytoy/trainer/node';

const base: TrainConfigInput = {
  data: { kind: 'half-split', n: 64 },
  model: { m: 33, l1: { target: 'activations', lambda: 1e-3 } },
  batchSize: 1024,
  optimizer: { kind: 'adam', lr: 1e-3 },
};
const rows: [string, TrainConfigInput['model'], 'fused' | 'tfjs'][] = [
  ['tied, fused', { m: 33 }, 'fused'],
  ['untied, fused', { m: 33, weights: { kind: 'untied', decoderNorm: 'unit-columns' } }, 'fused'],
  ['untied, tfjs', { m: 33, weights: { kind: 'untied', decoderNorm: 'unit-columns' } }, 'tfjs'],
  ['tied + gaussian noise, fused', { m: 33, hiddenNoise: { kind: 'gaussian', std: 0.1 } }, 'fused'],
  ['tied + gaussian noise, tfjs', { m: 33, hiddenNoise: { kind: 'gaussian', std: 0.1 } }, 'tfjs'],
  ['relu hidden, fused', { m: 33, hiddenActivation: 'relu' }, 'fused'],
];

async function msPerStep(model: TrainConfigInput['model'], engine: 'fused' | 'tfjs', steps: number): Promise<number> {
  const run = async (s: number): Promise<number> => {
    const t0 = performance.now();
    await train({ ...base, model, steps: s, logEvery: s });
    return performance.now() - t0;
  };
  await initNodeBackend({ kernels: engine === 'fused' ? 'polytoy' : 'stock' });
  await run(20);
  // Two run lengths, so start-up cancels.
  const short = await run(steps);
  const long = await run(3 * steps);
  return (long - short) / (2 * steps);
}

await initNodeBackend({ kernels: 'polytoy' });
for (const [name, model, engine] of rows) {
  const steps = engine === 'tfjs' ? 40 : 200;
  console.log(`${name.padEnd(32)} ${(await msPerStep(model, engine, steps)).toFixed(3)} ms/step`);
}
