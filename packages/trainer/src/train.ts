/**
 * The training loop: I independent instances stacked along a leading tensor dimension, each with
 * its own seed, lambda and learning rate, trained in one batched step.
 *
 * Per update `t` (0-based): draw x [I, B, n] from each instance's data stream and the hidden
 * noise from its noise stream, compute loss and hand-written gradients (`@polytoy/model`),
 * apply the optimizer with the scheduled per-instance lr, enforce the model's constraints, and
 * dispose every temporary. The per-instance loss is read back at every update and checked for
 * NaN/Inf; parameters are checked every `checkEvery` updates, before each checkpoint, and at
 * the end. After the last update the final parameters are evaluated once more on a batch from
 * streams forked off the training streams (so evaluation never shifts training).
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  InstanceResult,
  LossRecord,
  ProgressCallback,
  TrainConfig,
  TrainConfigInput,
  TrainResult,
} from '@polytoy/core';
import { ConfigError, DivergenceError, Prng, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import type { DataSource } from '@polytoy/data';
import {
  applyConstraints,
  disposeParams,
  initParams,
  lossAndGradients,
  paramsToTensors,
  sampleHiddenNoise,
  tensorsToParams,
} from '@polytoy/model';
import type { LossAndGradients, ParamTensors } from '@polytoy/model';
import { initBackend } from './backend.js';
import { CHECKPOINT_FORMAT, jsonSafeConfig } from './checkpoint.js';
import type { Checkpoint, CheckpointSink, OptimizerStateData } from './checkpoint.js';
import { TrainingAbortedError } from './errors.js';
import { createOptimizerState, disposeOptimizerState, flushTinyMoments, optimizerStep } from './optimizer.js';
import type { OptimizerState, TensorMap } from './optimizer.js';
import { learningRate } from './schedule.js';
import { instanceStreams, STREAM_IDS } from './streams.js';
import type { InstanceStreams } from './streams.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Called at every log step and about every 100 ms (for progress bars). */
  onProgress?: ProgressCallback;
  /** Called with each LossRecord as it is logged (every `logEvery` updates and at the end). */
  onLog?: (record: LossRecord) => void;
  /**
   * Stops training between two updates: a last checkpoint goes to the sink and
   * {@link TrainingAbortedError} is thrown. Checked before every update; the loop yields to the
   * event loop about every 100 ms so that Ctrl-C handlers and UI events can run.
   */
  signal?: AbortSignal;
  /** Receives a checkpoint every `sink.every` updates, at the end, and on abort. */
  checkpoint?: CheckpointSink;
  /**
   * Continue from this checkpoint. The config must equal the checkpoint's except for `steps`
   * and `logEvery`; with an identical config the result is bit-identical to an uninterrupted run.
   */
  resumeFrom?: Checkpoint;
  /**
   * Check the parameters for NaN/Inf every `checkEvery` updates (default: `config.logEvery`).
   * The loss is checked at every update regardless.
   */
  checkEvery?: number;
}

/** Internal hooks for tests (not exported from the package). */
export interface TrainHooks {
  /** Sees (and may modify) each update's batch [I, B, n] before upload. */
  batch?: (step: number, x: Float32Array) => void;
  /** Overrides {@link FLUSH_EVERY} (0: never flush), to measure what flushing buys. */
  flushEvery?: number;
}

/**
 * Optimizer moments below `FLUSH_THRESHOLD` are set to 0 after every `FLUSH_EVERY`-th update
 * (see `flushTinyMoments`: denormal floats are ~8× slower in WebAssembly). A fixed function of
 * the step count, so resumed and batched runs flush at the same updates as uninterrupted ones.
 */
export const FLUSH_EVERY = 100;

/** Weights decayed by AdamW; the output bias b never is. */
const DECAYED = new Set(['W', 'E', 'D']);

function paramMap(p: ParamTensors): TensorMap {
  return p.kind === 'tied' ? { W: p.W, b: p.b } : { E: p.E, D: p.D, b: p.b };
}

function fromMap(kind: ParamTensors['kind'], t: TensorMap): ParamTensors {
  return kind === 'tied'
    ? { kind, W: t.W as tf.Tensor3D, b: t.b as tf.Tensor2D }
    : { kind, E: t.E as tf.Tensor3D, D: t.D as tf.Tensor3D, b: t.b as tf.Tensor2D };
}

/**
 * Accepts a resolved {@link TrainConfig} as input too: its `model.n` (derived from `data.n`) is
 * not a user field, so it is dropped before validation, after checking it agrees.
 */
function asInput(input: TrainConfigInput | TrainConfig): unknown {
  const model = (input as { model?: unknown } | null)?.model;
  if (!model || typeof model !== 'object' || !('n' in model)) return input;
  const { n, ...rest } = model as { n: unknown };
  const dataN = (input as { data?: { n?: unknown } }).data?.n;
  if (n !== dataN) throw new ConfigError('model.n', `data.n (${String(dataN)})`, n);
  return { ...input, model: rest };
}

/** Key-sorted JSON, so configs compare by value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function checkResumable(cp: Checkpoint, config: TrainConfig): void {
  const strip = (c: unknown): string => {
    const { steps: _s, logEvery: _l, ...rest } = c as Record<string, unknown>;
    return canonical(rest);
  };
  if (strip(cp.config) !== strip(jsonSafeConfig(config))) {
    throw new ConfigError('resumeFrom.config', 'the same config as the run (only steps and logEvery may differ)', 'a different config');
  }
  if (cp.step > config.steps) throw new ConfigError('resumeFrom.step', `<= steps (${config.steps})`, cp.step);
  if (cp.params.length !== config.instances.length) {
    throw new ConfigError('resumeFrom.params', `${config.instances.length} instances`, cp.params.length);
  }
}

function positiveInt(value: number | undefined, path: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new ConfigError(path, 'a positive integer', value);
  }
}

function stateToData(state: OptimizerState): OptimizerStateData {
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(state.slots)) {
    slots[slot] = Object.fromEntries(
      Object.entries(byParam).map(([name, t]) => [name, { shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() }]),
    );
  }
  return { kind: state.kind, step: state.step, slots };
}

function stateFromData(data: OptimizerStateData, config: TrainConfig, params: ParamTensors): OptimizerState {
  if (data.kind !== config.optimizer.kind) {
    throw new ConfigError('resumeFrom.optimizer.kind', `"${config.optimizer.kind}"`, data.kind);
  }
  const fresh = createOptimizerState(config.optimizer, paramMap(params));
  try {
    for (const [slot, byParam] of Object.entries(fresh.slots)) {
      for (const [name, t] of Object.entries(byParam)) {
        const saved = data.slots[slot]?.[name];
        if (!saved || saved.shape.join() !== t.shape.join()) {
          throw new ConfigError(`resumeFrom.optimizer.slots.${slot}.${name}`, `shape [${t.shape.join(', ')}]`, saved?.shape ?? 'missing');
        }
      }
    }
  } catch (error) {
    disposeOptimizerState(fresh);
    throw error;
  }
  disposeOptimizerState(fresh);
  const slots: OptimizerState['slots'] = {};
  for (const [slot, byParam] of Object.entries(data.slots)) {
    slots[slot] = Object.fromEntries(Object.entries(byParam).map(([name, t]) => [name, tf.tensor(t.data, t.shape, 'float32')]));
  }
  return { kind: data.kind, step: data.step, slots };
}

function describeValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

const YIELD_MS = 100;
const now = (): number => globalThis.performance.now();
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains every instance of a config and returns their parameters and loss histories.
 *
 * @param input - a user config (resolved with `resolveTrainConfig`) or an already resolved one.
 * @param opts - callbacks, abort signal, checkpointing and resume; see {@link TrainOptions}.
 * @returns the final parameters, histories, runtime facts and wall time.
 * @throws ConfigError for a bad config; BackendError if tfjs-backend-wasm with SIMD is not
 *   available; DivergenceError naming step and instance when a loss or parameter becomes
 *   NaN/Inf (checkpoints already written are kept); TrainingAbortedError when `signal` fires.
 * @example
 * import { train, jsonLinesLogger } from '@polytoy/trainer';
 * const result = await train(
 *   { data: { n: 16 }, steps: 1000, optimizer: { kind: 'adam', lr: 1e-2 } },
 *   { onLog: jsonLinesLogger((line) => console.log(line)) },
 * );
 * result.instances[0]!.finalLoss.reconstruction; // close to 0
 */
export function train(input: TrainConfigInput | TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  return runTraining(input, opts, {});
}

/** {@link train} with test hooks. */
export async function runTraining(
  input: TrainConfigInput | TrainConfig,
  opts: TrainOptions,
  hooks: TrainHooks,
): Promise<TrainResult> {
  const config = resolveTrainConfig(asInput(input));
  positiveInt(opts.checkEvery, 'checkEvery');
  positiveInt(opts.checkpoint?.every, 'checkpoint.every');
  const resume = opts.resumeFrom;
  if (resume) checkResumable(resume, config);
  const runtime = await initBackend();
  const started = now();

  const { model, instances, steps } = config;
  const I = instances.length;
  const B = config.batchSize;
  const n = model.n;
  const checkEvery = opts.checkEvery ?? config.logEvery;
  const flushEvery = hooks.flushEvery ?? FLUSH_EVERY;

  const streams: InstanceStreams[] = resume
    ? resume.rngs.map((r) => ({ init: Prng.fromState(r.init), data: Prng.fromState(r.data), noise: Prng.fromState(r.noise) }))
    : instances.map((spec) => instanceStreams(spec.seed));
  const sources: DataSource[] = streams.map((s) => createDataSource(config.data, s.data));
  const importance = sources[0]!.importance;
  const history: LossRecord[][] = resume ? resume.history.map((h) => h.map((r) => ({ ...r }))) : instances.map(() => []);

  let params = paramsToTensors(resume ? resume.params : streams.map((s) => initParams(model, s.init)));
  let state: OptimizerState;
  try {
    state = resume ? stateFromData(resume.optimizer, config, params) : createOptimizerState(config.optimizer, paramMap(params));
  } catch (error) {
    disposeParams(params);
    throw error;
  }
  const lambda = tf.tensor1d(instances.map((s) => s.lambda), 'float32');
  const xbuf = new Float32Array(I * B * n);

  /** Loss and gradients on one batch drawn from `data`/`noise` streams. */
  const evaluate = (step: number, data: DataSource[], noise: Prng[]): LossAndGradients => {
    data.forEach((src, i) => src.next(B, xbuf.subarray(i * B * n, (i + 1) * B * n)));
    hooks.batch?.(step, xbuf);
    const x = tf.tensor3d(xbuf, [I, B, n]);
    try {
      return lossAndGradients(model, params, x, {
        lambda,
        importance,
        noise: sampleHiddenNoise(model, noise, B),
      });
    } finally {
      x.dispose();
    }
  };

  const disposeOut = (out: LossAndGradients): void => {
    tf.dispose([out.loss, out.reconstruction, out.l1]);
    disposeParams(out.grads);
  };

  /** Reads the per-instance loss and throws on NaN/Inf. */
  const checkLoss = (step: number, out: LossAndGradients): Float32Array => {
    const loss = out.loss.dataSync() as Float32Array;
    for (let i = 0; i < I; i++) {
      if (!Number.isFinite(loss[i]!)) {
        throw new DivergenceError(
          `instance ${i} diverged at step ${step}: loss is ${describeValue(loss[i]!)} (lr ${instances[i]!.lr} may be too large)`,
          step,
          i,
        );
      }
    }
    return loss;
  };

  const checkParams = (step: number): void => {
    const ok = tf.tidy(() => {
      const perInstance = Object.values(paramMap(params)).map((t) =>
        tf.all(tf.isFinite(t), Array.from({ length: t.rank - 1 }, (_, k) => k + 1)),
      );
      return perInstance.reduce((a, b) => tf.logicalAnd(a, b));
    });
    const flags = ok.dataSync();
    ok.dispose();
    for (let i = 0; i < I; i++) {
      if (!flags[i]) {
        throw new DivergenceError(
          `instance ${i} diverged at step ${step}: parameters contain NaN or Infinity (lr ${instances[i]!.lr} may be too large)`,
          step,
          i,
        );
      }
    }
  };

  const log = (step: number, out: LossAndGradients, loss: Float32Array): void => {
    const rec = out.reconstruction.dataSync();
    const l1 = out.l1.dataSync();
    for (let i = 0; i < I; i++) {
      const record: LossRecord = { step, instance: i, loss: loss[i]!, reconstruction: rec[i]!, l1: l1[i]! };
      history[i]!.push(record);
      opts.onLog?.(record);
    }
  };

  const meanLoss = (loss: Float32Array): number => loss.reduce((a, b) => a + b, 0) / I;
  const elapsed = (): number => (resume?.wallSeconds ?? 0) + (now() - started) / 1000;

  const snapshot = (step: number): Checkpoint => ({
    format: CHECKPOINT_FORMAT,
    config: jsonSafeConfig(config),
    step,
    params: tensorsToParams(params),
    optimizer: stateToData(state),
    rngs: streams.map((s) => ({ init: s.init.state(), data: s.data.state(), noise: s.noise.state() })),
    history: history.map((h) => h.map((r) => ({ ...r }))),
    wallSeconds: elapsed(),
  });

  const sink = opts.checkpoint;
  let step = resume?.step ?? 0;
  let lastYield = now();
  try {
    for (; step < steps; step++) {
      if (opts.signal?.aborted) {
        const cp = snapshot(step);
        if (sink) await sink.write(cp);
        throw new TrainingAbortedError(step, cp, sink !== undefined);
      }
      const out = evaluate(step, sources, streams.map((s) => s.noise));
      let next: { params: TensorMap; state: OptimizerState };
      let loss: Float32Array;
      try {
        loss = checkLoss(step, out);
        if (step % config.logEvery === 0) {
          log(step, out, loss);
          opts.onProgress?.({ done: step, total: steps, loss: meanLoss(loss) });
        }
        const lr = instances.map((spec) => learningRate(spec.lr, step, steps, config.schedule));
        next = optimizerStep(config.optimizer, paramMap(params), paramMap(out.grads), state, { lr, decay: DECAYED });
      } finally {
        disposeOut(out);
      }
      const unconstrained = fromMap(params.kind, next.params);
      const constrained = applyConstraints(model, unconstrained);
      if (constrained !== unconstrained) disposeParams(unconstrained);
      disposeParams(params);
      disposeOptimizerState(state);
      params = constrained;
      state = next.state;

      const done = step + 1;
      if (flushEvery > 0 && done % flushEvery === 0) {
        const flushed = flushTinyMoments(state);
        disposeOptimizerState(state);
        state = flushed;
      }
      const checkpointDue = sink !== undefined && done % sink.every === 0 && done < steps;
      if (done % checkEvery === 0 || checkpointDue) checkParams(done);
      if (checkpointDue) await sink.write(snapshot(done));
      if (now() - lastYield >= YIELD_MS) {
        opts.onProgress?.({ done, total: steps, loss: meanLoss(loss) });
        await yieldToEventLoop();
        lastYield = now();
      }
    }

    checkParams(steps);
    if (sink) await sink.write(snapshot(steps));
    // Final evaluation on streams forked off the training streams (they stay untouched).
    const evalData = streams.map((s) => createDataSource(config.data, s.data.fork(STREAM_IDS.evaluation)));
    const evalNoise = streams.map((s) => s.noise.fork(STREAM_IDS.evaluation));
    const out = evaluate(steps, evalData, evalNoise);
    try {
      log(steps, out, checkLoss(steps, out));
    } finally {
      disposeOut(out);
    }
    const finalLoss = history.map((h) => h[h.length - 1]!);
    opts.onProgress?.({ done: steps, total: steps, loss: finalLoss.reduce((a, r) => a + r.loss, 0) / I });

    const finalParams = tensorsToParams(params);
    const results: InstanceResult[] = instances.map((spec, i) => ({
      instance: i,
      seed: spec.seed,
      lambda: spec.lambda,
      lr: spec.lr,
      params: finalParams[i]!,
      finalLoss: finalLoss[i]!,
      history: history[i]!,
    }));
    return { config, instances: results, runtime, wallSeconds: elapsed() };
  } finally {
    disposeParams(params);
    disposeOptimizerState(state);
    lambda.dispose();
  }
}
