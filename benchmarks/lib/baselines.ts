/**
 * Step loops for the comparison points, each the same training step as the trainer's:
 * - `stock-wasm`: tfjs ops (`lossAndGradients` + `optimizerStep`, what `train()` runs without
 *   the polytoy kernels) on tfjs-backend-wasm with its own kernels;
 * - `cpu`: the same tfjs ops on tfjs-backend-cpu;
 * - `plain-ts`: {@link PlainTiedStep}.
 * Every loop draws its batches with the trainer's data streams, uploads them, computes the loss
 * and gradients, reads the loss back (as the trainer does every step) and applies Adam/AdamW.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { TrainConfig } from '@polytoy/core';
import { applyConstraints, disposeParams, initParams, lossAndGradients, paramsToTensors } from '@polytoy/model';
import type { ParamTensors } from '@polytoy/model';
import {
  createOptimizerState,
  createTrainingData,
  disposeOptimizerState,
  instanceStreams,
  optimizerStep,
} from '@polytoy/trainer/internal';
import { initNodeBackend } from '@polytoy/trainer/node';
import { PlainTiedStep } from './plain-step.js';

export type Baseline = 'stock-wasm' | 'cpu' | 'plain-ts';

/** A step function and its cleanup. */
interface Stepper {
  step(): void;
  dispose(): void;
}

function batches(config: TrainConfig): () => Float32Array {
  const { n } = config.model;
  const B = config.batchSize;
  const data = config.instances.map((s) => createTrainingData(config.data, instanceStreams(s.seed).data));
  const x = new Float32Array(config.instances.length * B * n);
  return () => {
    data.forEach((d, i) => d.next(B, x.subarray(i * B * n, (i + 1) * B * n)));
    return x;
  };
}

function tfjsStepper(config: TrainConfig): Stepper {
  const { model, instances } = config;
  const I = instances.length;
  const B = config.batchSize;
  const next = batches(config);
  let params: ParamTensors = paramsToTensors(instances.map((s) => initParams(model, instanceStreams(s.seed).init)));
  const map = (p: ParamTensors): Record<string, tf.Tensor> =>
    p.kind === 'tied' ? { W: p.W, b: p.b } : { E: p.E, D: p.D, b: p.b };
  let state = createOptimizerState(config.optimizer, map(params));
  const lambda = tf.tensor1d(instances.map((s) => s.lambda));
  const lr = instances.map((s) => s.lr);
  return {
    step() {
      const x = tf.tensor3d(next(), [I, B, model.n]);
      const out = lossAndGradients(model, params, x, { lambda });
      out.loss.dataSync();
      const upd = optimizerStep(config.optimizer, map(params), map(out.grads), state, { lr, decay: new Set(['W', 'E', 'D']) });
      tf.dispose([x, out.loss, out.reconstruction, out.l1]);
      disposeParams(out.grads);
      disposeParams(params);
      disposeOptimizerState(state);
      const updated: ParamTensors =
        params.kind === 'tied'
          ? { kind: 'tied', W: upd.params.W as tf.Tensor3D, b: upd.params.b as tf.Tensor2D }
          : { kind: 'untied', E: upd.params.E as tf.Tensor3D, D: upd.params.D as tf.Tensor3D, b: upd.params.b as tf.Tensor2D };
      // The untied decoder's unit-norm constraint, as the trainer applies it after every update.
      params = applyConstraints(model, updated);
      if (params !== updated) disposeParams(updated);
      state = upd.state;
    },
    dispose() {
      disposeParams(params);
      disposeOptimizerState(state);
      lambda.dispose();
    },
  };
}

function plainStepper(config: TrainConfig): Stepper {
  const { model, instances } = config;
  const next = batches(config);
  const plain = new PlainTiedStep(
    config,
    instances.map((s) => {
      const p = initParams(model, instanceStreams(s.seed).init);
      if (p.kind !== 'tied') throw new Error('plain-ts: tied models only');
      return { W: p.W, b: p.b };
    }),
  );
  const lr = instances[0]!.lr;
  return { step: () => void plain.step(next(), lr), dispose: () => undefined };
}

/** Selects the backend of a baseline (and restores wasm + polytoy kernels afterwards via `restore`). */
async function enter(baseline: Baseline): Promise<void> {
  if (baseline === 'stock-wasm') await initNodeBackend({ kernels: 'stock' });
  if (baseline === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs-backend-cpu failed to start');
  }
}

export async function restore(): Promise<void> {
  await initNodeBackend({ kernels: 'polytoy' });
}

/**
 * Median steps/s (and CPU seconds per step) of a baseline: `warmup` steps, then `repeats` timed
 * blocks of `steps` steps.
 */
export async function measureBaseline(
  baseline: Baseline,
  config: TrainConfig,
  plan: { warmup: number; steps: number; repeats: number },
): Promise<{ rates: number[]; cpuPerStep: number[] }> {
  await enter(baseline);
  const stepper = baseline === 'plain-ts' ? plainStepper(config) : tfjsStepper(config);
  try {
    for (let i = 0; i < plan.warmup; i++) stepper.step();
    const rates: number[] = [];
    const cpuPerStep: number[] = [];
    for (let r = 0; r < plan.repeats; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < plan.steps; i++) stepper.step();
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      rates.push(plan.steps / seconds);
      cpuPerStep.push((c.user + c.system) / 1e6 / plan.steps);
    }
    return { rates, cpuPerStep };
  } finally {
    stepper.dispose();
    await restore();
  }
}
