/**
 * Step engines: what computes one training update. The training loop (`train.ts`) owns the data
 * streams, logging, checks and checkpoints, and hands each batch to an engine:
 *
 * - `fused` — {@link FusedStep} on the wasm heap in place (every model option, when the polytoy
 *   kernels are registered): the fast path.
 * - `tfjs` — `lossAndGradients` (`@polytoy/model`) and {@link optimizerStep} in tfjs ops: the
 *   reference and the fallback (stock kernels), every model and optimizer.
 * - `split` (Node, `@polytoy/trainer/node`) — one batch split across worker threads.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelParams, TrainConfig } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import type { HiddenNoiseSample, LossAndGradients, ParamTensors } from '@polytoy/model';
import { applyConstraints, disposeParams, lossAndGradients, paramsToTensors, tensorsToParams } from '@polytoy/model';
import type { OptimizerStateData } from './checkpoint.js';
import { flushMomentsInPlace, FusedStep } from './fused-step.js';
import { inputPath } from './step-plan.js';
import { createOptimizerState, disposeOptimizerState, FLUSH_THRESHOLD, flushTinyMoments, optimizerStep } from './optimizer.js';
import type { OptimizerState, TensorMap } from './optimizer.js';

/** Per-instance losses of one batch, before the update ([I] each). */
export interface StepLosses {
  loss: Float32Array;
  reconstruction: Float32Array;
  l1: Float32Array;
}

/** Computes updates for the training loop. */
export interface TrainEngine {
  readonly kind: 'fused' | 'tfjs' | 'split';
  /**
   * When true, `submit` returns before the work is done, and the loop draws the next batch
   * before calling `collect` (overlapping data generation with the update).
   */
  readonly overlapsData: boolean;
  /**
   * Starts one step on the batch `x` [I, B, n] (copied before returning) with optional hidden
   * noise: the loss at the current parameters and, with `lr` (one per instance, scheduled),
   * one optimizer update followed by the model's constraints.
   */
  submit(x: Float32Array, noise: HiddenNoiseSample | null, lr: readonly number[] | null): void;
  /** The losses of the submitted step, once it is done. */
  collect(): StepLosses | Promise<StepLosses>;
  /** Flushes tiny optimizer moments (see `flushTinyMoments`). */
  flush(): void | Promise<void>;
  /** Per instance: are all parameters finite? */
  finite(): boolean[] | Promise<boolean[]>;
  /** The current parameters, one per instance (copies). */
  params(): ModelParams[] | Promise<ModelParams[]>;
  /** The current optimizer state (copies). */
  optimizerState(): OptimizerStateData | Promise<OptimizerStateData>;
  dispose(): void | Promise<void>;
}

/** What an engine starts from. */
export interface EngineStart {
  config: TrainConfig;
  params: ModelParams[];
  /** Saved optimizer state (resume), or null for a fresh one. */
  optimizer: OptimizerStateData | null;
  /** Feature weights of the reconstruction loss: [n] shared, or [I, n] per instance; null: all 1. */
  importance: Float32Array | null;
}

/** Weights decayed by AdamW; the output bias b never is. */
export const DECAYED: ReadonlySet<string> = new Set(['W', 'E', 'D']);

export function paramMap(p: ParamTensors): TensorMap {
  return p.kind === 'tied' ? { W: p.W, b: p.b } : { E: p.E, D: p.D, b: p.b };
}

function fromMap(kind: ParamTensors['kind'], t: TensorMap): ParamTensors {
  return kind === 'tied'
    ? { kind, W: t.W as tf.Tensor3D, b: t.b as tf.Tensor2D }
    : { kind, E: t.E as tf.Tensor3D, D: t.D as tf.Tensor3D, b: t.b as tf.Tensor2D };
}

export function stateToData(state: OptimizerState): OptimizerStateData {
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(state.slots)) {
    slots[slot] = Object.fromEntries(
      Object.entries(byParam).map(([name, t]) => [name, { shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() }]),
    );
  }
  return { kind: state.kind, step: state.step, slots };
}

/** Builds optimizer state tensors from saved data, checking every slot against the params. */
export function stateFromData(data: OptimizerStateData, config: TrainConfig, params: ParamTensors): OptimizerState {
  if (data.kind !== config.optimizer.kind) {
    throw new ConfigError('resumeFrom.optimizer.kind', `"${config.optimizer.kind}"`, data.kind);
  }
  const fresh = createOptimizerState(config.optimizer, paramMap(params));
  try {
    for (const [slot, byParam] of Object.entries(fresh.slots)) {
      for (const [name, t] of Object.entries(byParam)) {
        const saved = data.slots[slot]?.[name];
        if (!saved || saved.shape.join() !== t.shape.join()) {
          throw new ConfigError(
            `resumeFrom.optimizer.slots.${slot}.${name}`,
            `shape [${t.shape.join(', ')}]`,
            saved?.shape ?? 'missing',
          );
        }
      }
    }
  } finally {
    disposeOptimizerState(fresh);
  }
  const slots: OptimizerState['slots'] = {};
  for (const [slot, byParam] of Object.entries(data.slots)) {
    slots[slot] = Object.fromEntries(Object.entries(byParam).map(([name, t]) => [name, tf.tensor(t.data, t.shape, 'float32')]));
  }
  return { kind: data.kind, step: data.step, slots };
}

/** Per instance: all parameters finite? */
function finiteParams(params: ParamTensors): boolean[] {
  const ok = tf.tidy(() => {
    const perInstance = Object.values(paramMap(params)).map((t) =>
      tf.all(
        tf.isFinite(t),
        Array.from({ length: t.rank - 1 }, (_, k) => k + 1),
      ),
    );
    return perInstance.reduce((a, b) => tf.logicalAnd(a, b));
  });
  const flags = ok.dataSync();
  ok.dispose();
  return Array.from(flags, (f) => f !== 0);
}

/** Parameter and optimizer tensors of a local engine. */
function startTensors(start: EngineStart): { params: ParamTensors; state: OptimizerState } {
  const params = paramsToTensors(start.params);
  try {
    const state = start.optimizer
      ? stateFromData(start.optimizer, start.config, params)
      : createOptimizerState(start.config.optimizer, paramMap(params));
    return { params, state };
  } catch (error) {
    disposeParams(params);
    throw error;
  }
}

/** The engine on tfjs ops (any model, any kernels). */
export function createTfjsEngine(start: EngineStart): TrainEngine {
  const { config, importance } = start;
  const { model, instances } = config;
  const I = instances.length;
  const B = config.batchSize;
  const n = model.n;
  let { params, state } = startTensors(start);
  const lambda = tf.tensor1d(
    instances.map((s) => s.lambda),
    'float32',
  );
  let result: StepLosses | null = null;

  const read = (out: LossAndGradients): StepLosses => ({
    loss: out.loss.dataSync() as Float32Array,
    reconstruction: out.reconstruction.dataSync() as Float32Array,
    l1: out.l1.dataSync() as Float32Array,
  });
  const disposeOut = (out: LossAndGradients): void => {
    tf.dispose([out.loss, out.reconstruction, out.l1]);
    disposeParams(out.grads);
  };

  return {
    kind: 'tfjs',
    overlapsData: false,
    submit(x, noise, lr) {
      const xt = tf.tensor3d(x, [I, B, n]);
      let out: LossAndGradients;
      try {
        out = lossAndGradients(model, params, xt, { lambda, importance, noise });
      } finally {
        xt.dispose();
      }
      try {
        result = read(out);
        if (!lr) return;
        const next = optimizerStep(config.optimizer, paramMap(params), paramMap(out.grads), state, { lr, decay: DECAYED });
        const unconstrained = fromMap(params.kind, next.params);
        const constrained = applyConstraints(model, unconstrained);
        if (constrained !== unconstrained) disposeParams(unconstrained);
        disposeParams(params);
        disposeOptimizerState(state);
        params = constrained;
        state = next.state;
      } finally {
        disposeOut(out);
      }
    },
    collect() {
      if (!result) throw new Error('collect() before submit()');
      const r = result;
      result = null;
      return r;
    },
    flush() {
      const flushed = flushTinyMoments(state);
      disposeOptimizerState(state);
      state = flushed;
    },
    finite: () => finiteParams(params),
    params: () => tensorsToParams(params),
    optimizerState: () => stateToData(state),
    dispose() {
      disposeParams(params);
      disposeOptimizerState(state);
      lambda.dispose();
    },
  };
}

/** Rounds float64 loss sums to the float32 records. */
export function lossesFrom(rec: Float64Array, l1: Float64Array, lambda: readonly number[]): StepLosses {
  const I = rec.length;
  const out: StepLosses = { loss: new Float32Array(I), reconstruction: new Float32Array(I), l1: new Float32Array(I) };
  for (let i = 0; i < I; i++) {
    out.reconstruction[i] = rec[i]!;
    out.l1[i] = l1[i]!;
    out.loss[i] = rec[i]! + Math.fround(lambda[i]!) * l1[i]!;
  }
  return out;
}

/** The fused engine ({@link FusedStep}, every model option); the caller checks `fusedStepSupports(config)`. */
export function createFusedEngine(start: EngineStart): TrainEngine {
  const { config, importance } = start;
  const { model, instances } = config;
  const lambda = instances.map((s) => s.lambda);
  const { params, state } = startTensors(start);
  let fused: FusedStep;
  try {
    fused = new FusedStep({
      model,
      optimizer: config.optimizer,
      instances: instances.length,
      batch: config.batchSize,
      batchTotal: config.batchSize,
      lambda,
      importance,
      input: inputPath(config),
    });
  } catch (error) {
    disposeParams(params);
    disposeOptimizerState(state);
    throw error;
  }
  const weightsL1 = model.l1.target === 'weights';
  let result: StepLosses | null = null;
  return {
    kind: 'fused',
    overlapsData: false,
    submit(x, noise, lr) {
      fused.setBatch(x);
      const sums = fused.lossAndGradients(params, lr !== null, noise ? noise.values : null);
      result = lossesFrom(sums.reconstruction, weightsL1 ? fused.weightL1Of(params) : sums.activationL1, lambda);
      if (lr) {
        state.step += 1;
        fused.apply(params, state, lr, state.step);
      }
    },
    collect() {
      if (!result) throw new Error('collect() before submit()');
      const r = result;
      result = null;
      return r;
    },
    flush: () => flushMomentsInPlace(fused.heap, state, FLUSH_THRESHOLD),
    finite: () => finiteParams(params),
    params: () => tensorsToParams(params),
    optimizerState: () => stateToData(state),
    dispose() {
      fused.dispose();
      disposeParams(params);
      disposeOptimizerState(state);
    },
  };
}
