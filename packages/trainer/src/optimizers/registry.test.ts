/**
 * The optimizer table is the single place an optimizer lives: a test-only Adagrad, registered
 * here and nowhere else, trains end to end through the tfjs engine and the fused engine (and
 * round-trips through a checkpoint), matching a float64 Adagrad driven by the float64 reference
 * gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelParams, OptimizerConfig, TrainConfig } from '@polytoy/core';
import { createPrng, OPTIMIZER_KINDS, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { initParams, referenceLossAndGradients } from '@polytoy/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, deserializeCheckpoint, jsonSafeConfig, serializeCheckpoint } from '../checkpoint.js';
import type { TrainEngine } from '../engine.js';
import { createFusedEngine, createTfjsEngine } from '../engine.js';
import { initNodeBackend } from '../node.js';
import { optimizerSlotNames } from '../optimizer.js';
import type { OptimizerDefinition } from './definition.js';
import { optimizerDefinition, registeredOptimizerKinds, registerOptimizer } from './registry.js';

/** Adagrad (torch.optim.Adagrad, no lr decay): sum ← sum + g², p ← p − lr·g / (√sum + ε). */
interface AdagradConfig {
  readonly kind: 'adagrad';
  readonly lr: number;
  readonly epsilon: number;
}

const adagrad: OptimizerDefinition<AdagradConfig> = {
  kind: 'adagrad',
  slotNames: () => ['sum'],
  tfjsUpdate({ config, param, grad, slots, perInstance }) {
    const sum = tf.add(slots.sum!, tf.square(grad));
    const step = tf.div(grad, tf.add(tf.sqrt(sum), tf.scalar(config.epsilon)));
    return {
      param: tf.sub(
        param,
        tf.mul(
          step,
          perInstance('lr', (l) => l),
        ),
      ),
      slots: { sum },
    };
  },
  inPlaceUpdate({ config, heap, param, grad, slots, len, lr }) {
    const H = heap();
    const f = Math.fround;
    const [p, g, s] = [param >> 2, grad >> 2, slots.sum! >> 2];
    for (let e = 0; e < len; e++) {
      const gi = H[g + e]!;
      const si = f(H[s + e]! + f(gi * gi));
      H[s + e] = si;
      H[p + e] = f(H[p + e]! - f(f(lr) * f(gi / f(f(Math.sqrt(si)) + f(config.epsilon)))));
    }
  },
};

let unregister: () => void = () => {};
beforeAll(async () => {
  await initNodeBackend({ kernels: 'polytoy' });
  unregister = registerOptimizer(adagrad);
});
afterAll(() => unregister());

const ADAGRAD: AdagradConfig = { kind: 'adagrad', lr: 0.05, epsilon: 1e-10 };
const STEPS = 25;

/** A resolved config whose optimizer is the test-only row (the core schema knows only its kinds). */
function adagradConfig(): TrainConfig {
  const base = resolveTrainConfig({ data: { n: 8 }, model: { m: 5 }, batchSize: 16, seed: 3 });
  return { ...base, optimizer: ADAGRAD as unknown as OptimizerConfig };
}

/** The batches of the run (one instance), drawn once. */
function batches(config: TrainConfig): Float32Array[] {
  const src = createDataSource(config.data, createPrng(11));
  return Array.from({ length: STEPS }, () => src.next(config.batchSize));
}

/** float64 Adagrad on the float64 reference gradients. */
function referenceRun(config: TrainConfig, start: ModelParams, xs: Float32Array[]): Float64Array {
  if (start.kind !== 'tied') throw new Error('tied expected');
  const W = Float64Array.from(start.W);
  const b = Float64Array.from(start.b);
  const sW = new Float64Array(W.length);
  const sb = new Float64Array(b.length);
  const lambda = config.instances[0]!.lambda;
  for (const x of xs) {
    const { grads } = referenceLossAndGradients(config.model, { ...start, W, b }, x, config.batchSize, lambda);
    for (const [p, g, s] of [
      [W, grads.W!, sW],
      [b, grads.b, sb],
    ] as const) {
      for (let e = 0; e < p.length; e++) {
        s[e] = s[e]! + g[e]! ** 2;
        p[e] = p[e]! - (ADAGRAD.lr * g[e]!) / (Math.sqrt(s[e]!) + ADAGRAD.epsilon);
      }
    }
  }
  return W;
}

async function engineRun(engine: TrainEngine, xs: Float32Array[]): Promise<Float32Array> {
  for (const x of xs) {
    engine.submit(x, null, [ADAGRAD.lr]);
    await engine.collect();
  }
  const [p] = await engine.params();
  if (p?.kind !== 'tied') throw new Error('tied expected');
  return p.W;
}

describe('optimizer table', () => {
  it('has a row for every kind of the config schema', () => {
    for (const kind of OPTIMIZER_KINDS) expect(optimizerDefinition(kind).kind).toBe(kind);
    expect(registeredOptimizerKinds().slice(0, OPTIMIZER_KINDS.length)).toEqual([...OPTIMIZER_KINDS]);
    expect(() => registerOptimizer({ ...adagrad, kind: 'adam' } as unknown as OptimizerDefinition)).toThrow(/not built in/);
  });

  it('a test-only Adagrad registered through the table trains on the tfjs and the fused engine, and checkpoints', async () => {
    const config = adagradConfig();
    const start = [initParams(config.model, createPrng(5))];
    const xs = batches(config);
    const expected = referenceRun(config, start[0]!, xs);
    expect(optimizerSlotNames(config.optimizer)).toEqual(['sum']);

    for (const create of [createTfjsEngine, createFusedEngine]) {
      const engine = create({ config, params: start, optimizer: null, importance: null });
      try {
        const W = await engineRun(engine, xs);
        // 25 float32 steps of size <= lr against float64: agree to 1e-4 (the trajectories start
        // identical; Adagrad's normalised step bounds each step's rounding by a few ulp of lr).
        let worst = 0;
        for (let e = 0; e < W.length; e++) worst = Math.max(worst, Math.abs(W[e]! - expected[e]!));
        expect(worst).toBeLessThan(1e-4);
        // Moved away from the start by much more than the tolerance: the updates happened.
        expect(Math.abs(W[0]! - (start[0] as { W: Float32Array }).W[0]!)).toBeGreaterThan(1e-3);

        const state = await engine.optimizerState();
        expect(state.kind).toBe('adagrad');
        expect(state.step).toBe(STEPS);
        expect(Object.keys(state.slots)).toEqual(['sum']);
        const sum = state.slots.sum!.W!.data;
        expect(sum.every((v) => v >= 0)).toBe(true);
        expect(Math.max(...sum)).toBeGreaterThan(0);
      } finally {
        await engine.dispose();
      }
    }

    // Checkpoint round trip, and a resumed engine continues from the saved sums.
    const engine = createTfjsEngine({ config, params: start, optimizer: null, importance: null });
    for (const x of xs.slice(0, 10)) engine.submit(x, null, [ADAGRAD.lr]);
    const cp = {
      step: 10,
      params: await engine.params(),
      optimizer: await engine.optimizerState(),
    };
    engine.dispose();
    const restoredState = roundTrip(config, cp.params, cp.optimizer);
    const resumed = createTfjsEngine({ config, params: cp.params, optimizer: restoredState, importance: null });
    try {
      const W = await engineRun(resumed, xs.slice(10));
      let worst = 0;
      for (let e = 0; e < W.length; e++) worst = Math.max(worst, Math.abs(W[e]! - expected[e]!));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      resumed.dispose();
    }
  });
});

/** Serializes and parses a checkpoint holding this state (the checkpoint reads kinds from the table). */
function roundTrip(
  config: TrainConfig,
  params: ModelParams[],
  optimizer: Awaited<ReturnType<TrainEngine['optimizerState']>>,
): Awaited<ReturnType<TrainEngine['optimizerState']>> {
  const rng = createPrng(0).state();
  const text = JSON.stringify(
    serializeCheckpoint({
      format: CHECKPOINT_FORMAT,
      config: jsonSafeConfig(config),
      step: optimizer.step,
      params,
      optimizer,
      rngs: [{ init: rng, data: rng, noise: rng }],
      history: [[]],
      instanceStates: [{ status: 'training', monitor: { reference: null, plateau: null } }],
      wallSeconds: 0,
    }),
  );
  return deserializeCheckpoint(JSON.parse(text)).optimizer;
}
