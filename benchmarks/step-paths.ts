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
if (!process.argv.includes('--paths-only'))
  for (const [name, model, engine] of rows) {
    const steps = engine === 'tfjs' ? 40 : 200;
    console.log(`${name.padEnd(32)} ${(await msPerStep(model, engine, steps)).toFixed(3)} ms/step`);
  }

// The input paths of the step plan, on FusedStep directly (forward + backward + Adam update):
// dense GEMMs vs the k-hot gather/scatter (identity for basis data), interleaved.
import * as tf from '@tensorflow/tfjs-core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { initParams, paramsToTensors } from '@polytoy/model';
import { createOptimizerState, FusedStep, inputPath } from '@polytoy/trainer/internal';
import type { InputPath } from '@polytoy/trainer/internal';

const shapes: [string, TrainConfigInput][] = [
  ['seed-64 (k-hot, k=16)', { data: { n: 64 }, model: { m: 33 }, batchSize: 1024 }],
  ['seed-256 (k-hot, k=64)', { data: { n: 256 }, model: { m: 129 }, batchSize: 1024 }],
  [
    'untied-64 (k-hot)',
    { data: { n: 64 }, model: { m: 33, weights: { kind: 'untied', decoderNorm: 'unit-columns' } }, batchSize: 1024 },
  ],
  [
    'paper-256 (identity-gram)',
    {
      data: { kind: 'basis', n: 256 },
      model: { m: 1024, outputBias: false, l1: { target: 'weights', lambda: 1e-3 } },
      batchSize: 256,
    },
  ],
];

function stepTimer(input: TrainConfigInput, path: InputPath): () => number {
  const config = resolveTrainConfig({ ...input, optimizer: { kind: 'adam', lr: 1e-3 } });
  const params = paramsToTensors([initParams(config.model, createPrng(1))]);
  const state = createOptimizerState(
    config.optimizer,
    params.kind === 'tied' ? { W: params.W, b: params.b } : { E: params.E, D: params.D, b: params.b },
  );
  const step = new FusedStep({
    model: config.model,
    optimizer: config.optimizer,
    instances: 1,
    batch: config.batchSize,
    batchTotal: config.batchSize,
    lambda: [1e-3],
    importance: null,
    input: path,
  });
  const src = createDataSource(config.data, createPrng(2));
  const x = src.next(config.batchSize);
  return () => {
    const t0 = performance.now();
    step.setBatch(x);
    step.lossAndGradients(params, true, null);
    state.step += 1;
    step.apply(params, state, [1e-3], state.step);
    return performance.now() - t0;
  };
}

await initNodeBackend({ kernels: 'polytoy' });
for (const [name, input] of shapes) {
  const config = resolveTrainConfig(input);
  const dense = stepTimer(input, { kind: 'dense' });
  const planned = stepTimer(input, inputPath(config));
  const reps = config.model.m > 500 ? 20 : 100;
  for (let r = 0; r < 5; r++) {
    dense();
    planned();
  }
  let td = 0;
  let tp = 0;
  for (let r = 0; r < reps; r++) {
    td += dense();
    tp += planned();
  }
  console.log(
    `${name.padEnd(28)} dense ${(td / reps).toFixed(3)} ms  planned ${(tp / reps).toFixed(3)} ms  (${(td / tp).toFixed(2)}x)`,
  );
  if (inputPath(config).kind === 'identity-gram') {
    // The Gram form (2 GEMMs) against the plain identity path (3 GEMMs), interleaved.
    const plain = stepTimer(input, { kind: 'identity' });
    for (let r = 0; r < 5; r++) plain();
    let ti = 0;
    let tg = 0;
    for (let r = 0; r < reps; r++) {
      ti += plain();
      tg += planned();
    }
    console.log(
      `${''.padEnd(28)} identity ${(ti / reps).toFixed(3)} ms  gram ${(tg / reps).toFixed(3)} ms  (${(ti / tg).toFixed(2)}x)`,
    );
  }
}
void tf;
