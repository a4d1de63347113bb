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
import type {
  InstanceResult,
  LossRecord,
  ModelParams,
  PrngState,
  ProgressCallback,
  TrainConfig,
  TrainConfigInput,
  TrainResult,
} from '@polytoy/core';
import { ConfigError, DivergenceError, Prng, resolveTrainConfig } from '@polytoy/core';
import type { HiddenNoiseSample } from '@polytoy/model';
import { initParams, sampleHiddenNoise } from '@polytoy/model';
import { isPolytoyKernelsRegistered } from '@polytoy/kernels';
import { initBackend } from './backend.js';
import { CHECKPOINT_FORMAT, jsonSafeConfig } from './checkpoint.js';
import type { Checkpoint, CheckpointSink } from './checkpoint.js';
import { createFusedEngine, createTfjsEngine } from './engine.js';
import type { EngineStart, StepLosses, TrainEngine } from './engine.js';
import { TrainingAbortedError } from './errors.js';
import { createTrainingData } from './fast-data.js';
import { instanceDataConfig, stackImportance } from './instance-data.js';
import type { TrainingDataStream } from './fast-data.js';
import { fusedStepSupports } from './fused-step.js';
import { learningRate } from './schedule.js';
import { instanceStreams, STREAM_IDS } from './streams.js';

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
  /** Forces an engine (default: {@link chooseEngine}). */
  engine?: 'fused' | 'tfjs';
  /** Creates the engine instead (the batch-split engine of `@polytoy/trainer/node`). */
  createEngine?: (start: EngineStart) => TrainEngine | Promise<TrainEngine>;
  /** Replaces the runtime facts reported in the result (parallel runs add theirs). */
  runtime?: (info: TrainResult['runtime']) => TrainResult['runtime'];
  /**
   * Called before every update with its step; returning true stops there like an abort (a last
   * checkpoint, then {@link TrainingAbortedError}). Parallel runs use it to stop all workers at
   * one step.
   */
  stopBefore?: (step: number) => boolean | Promise<boolean>;
}

/**
 * Optimizer moments below `FLUSH_THRESHOLD` are set to 0 after every `FLUSH_EVERY`-th update
 * (see `flushTinyMoments`: denormal floats are ~8× slower in WebAssembly). A fixed function of
 * the step count, so resumed and batched runs flush at the same updates as uninterrupted ones.
 */
export const FLUSH_EVERY = 100;

/**
 * The engine a run uses: the fused step when the polytoy kernels are registered and the model
 * is tied without hidden noise, tfjs ops otherwise.
 *
 * @example
 * chooseEngine(resolveTrainConfig({ data: { n: 64 } })); // 'fused' (after initBackend())
 */
export function chooseEngine(config: TrainConfig): 'fused' | 'tfjs' {
  return isPolytoyKernelsRegistered() && fusedStepSupports(config) ? 'fused' : 'tfjs';
}

/**
 * Accepts a resolved {@link TrainConfig} as input too: its `model.n` (derived from `data.n`) is
 * not a user field, so it is dropped before validation, after checking it agrees.
 */
export function asInput(input: TrainConfigInput | TrainConfig): unknown {
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

export function checkResumable(cp: Checkpoint, config: TrainConfig): void {
  const strip = (c: unknown): string => {
    const { steps: _s, logEvery: _l, ...rest } = c as Record<string, unknown>;
    return canonical(rest);
  };
  if (strip(cp.config) !== strip(jsonSafeConfig(config))) {
    throw new ConfigError(
      'resumeFrom.config',
      'the same config as the run (only steps and logEvery may differ)',
      'a different config',
    );
  }
  if (cp.step > config.steps) throw new ConfigError('resumeFrom.step', `<= steps (${config.steps})`, cp.step);
  if (cp.params.length !== config.instances.length) {
    throw new ConfigError('resumeFrom.params', `${config.instances.length} instances`, cp.params.length);
  }
}

export function positiveInt(value: number | undefined, path: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new ConfigError(path, 'a positive integer', value);
  }
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
  const info = await initBackend();
  const runtime = hooks.runtime ? hooks.runtime(info) : info;
  const started = now();

  const { model, instances, steps } = config;
  const I = instances.length;
  const B = config.batchSize;
  const n = model.n;
  const checkEvery = opts.checkEvery ?? config.logEvery;
  const flushEvery = hooks.flushEvery ?? FLUSH_EVERY;

  const rngs = resume
    ? resume.rngs.map((r) => ({ init: Prng.fromState(r.init), data: Prng.fromState(r.data), noise: Prng.fromState(r.noise) }))
    : instances.map((spec) => instanceStreams(spec.seed));
  const initial: ModelParams[] = resume ? resume.params : rngs.map((s) => initParams(model, s.init));
  const data: TrainingDataStream[] = rngs.map((s, i) =>
    createTrainingData(instanceDataConfig(config.data, instances[i]!), s.data),
  );
  const noiseRngs = rngs.map((s) => s.noise);
  const importance = stackImportance(
    data.map((d) => d.importance),
    n,
  );
  const history: LossRecord[][] = resume ? resume.history.map((h) => h.map((r) => ({ ...r }))) : instances.map(() => []);

  const start: EngineStart = { config, params: initial, optimizer: resume ? resume.optimizer : null, importance };
  const kind = hooks.engine ?? chooseEngine(config);
  const engine = hooks.createEngine
    ? await hooks.createEngine(start)
    : kind === 'fused'
      ? createFusedEngine(start)
      : createTfjsEngine(start);

  /** One batch and its noise, with the stream states from before it was drawn. */
  interface Batch {
    step: number;
    x: Float32Array;
    noise: HiddenNoiseSample | null;
    before: { data: PrngState[]; noise: PrngState[] };
  }
  const buffers = [new Float32Array(I * B * n), new Float32Array(engine.overlapsData ? I * B * n : 0)];
  let flip = 0;
  const draw = (step: number, sources: TrainingDataStream[], noise: Prng[]): Batch => {
    const before = { data: sources.map((d) => d.state()), noise: noise.map((r) => r.state()) };
    if (engine.overlapsData) flip ^= 1;
    const x = buffers[flip]!;
    sources.forEach((src, i) => src.next(B, x.subarray(i * B * n, (i + 1) * B * n)));
    hooks.batch?.(step, x);
    return { step, x, noise: sampleHiddenNoise(model, noise, B), before };
  };

  /** Throws on a NaN/Inf loss. */
  const checkLoss = (step: number, out: StepLosses): void => {
    for (let i = 0; i < I; i++) {
      const loss = out.loss[i]!;
      if (!Number.isFinite(loss)) {
        throw new DivergenceError(
          `instance ${i} diverged at step ${step}: loss is ${describeValue(loss)} (lr ${instances[i]!.lr} may be too large)`,
          step,
          i,
        );
      }
    }
  };

  const checkParams = async (step: number): Promise<void> => {
    const flags = await engine.finite();
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

  const log = (step: number, out: StepLosses): void => {
    for (let i = 0; i < I; i++) {
      const record: LossRecord = {
        step,
        instance: i,
        loss: out.loss[i]!,
        reconstruction: out.reconstruction[i]!,
        l1: out.l1[i]!,
      };
      history[i]!.push(record);
      opts.onLog?.(record);
    }
  };

  const meanLoss = (loss: Float32Array): number => loss.reduce((a, b) => a + b, 0) / I;
  const elapsed = (): number => (resume?.wallSeconds ?? 0) + (now() - started) / 1000;

  /** A batch drawn ahead (engines that overlap data generation), not yet trained on. */
  let ahead: Batch | null = null;
  const snapshot = async (step: number): Promise<Checkpoint> => {
    const pending = ahead && ahead.step === step ? ahead.before : null;
    return {
      format: CHECKPOINT_FORMAT,
      config: jsonSafeConfig(config),
      step,
      params: await engine.params(),
      optimizer: await engine.optimizerState(),
      rngs: rngs.map((s, i) => ({
        init: s.init.state(),
        data: pending ? pending.data[i]! : data[i]!.state(),
        noise: pending ? pending.noise[i]! : s.noise.state(),
      })),
      history: history.map((h) => h.map((r) => ({ ...r }))),
      wallSeconds: elapsed(),
    };
  };

  const sink = opts.checkpoint;
  let step = resume?.step ?? 0;
  let lastYield = now();
  try {
    for (; step < steps; step++) {
      if (opts.signal?.aborted || (hooks.stopBefore && (await hooks.stopBefore(step)))) {
        const cp = await snapshot(step);
        if (sink) await sink.write(cp);
        throw new TrainingAbortedError(step, cp, sink !== undefined);
      }
      const batch = ahead ?? draw(step, data, noiseRngs);
      ahead = null;
      const lr = instances.map((spec) => learningRate(spec.lr, step, steps, config.schedule));
      engine.submit(batch.x, batch.noise, lr);
      if (engine.overlapsData && step + 1 < steps) ahead = draw(step + 1, data, noiseRngs);
      const out = await engine.collect();
      checkLoss(step, out);
      if (step % config.logEvery === 0) {
        log(step, out);
        opts.onProgress?.({ done: step, total: steps, loss: meanLoss(out.loss) });
      }

      const done = step + 1;
      if (flushEvery > 0 && done % flushEvery === 0) await engine.flush();
      const checkpointDue = sink !== undefined && done % sink.every === 0 && done < steps;
      if (done % checkEvery === 0 || checkpointDue) await checkParams(done);
      if (checkpointDue) await sink.write(await snapshot(done));
      if (now() - lastYield >= YIELD_MS) {
        opts.onProgress?.({ done, total: steps, loss: meanLoss(out.loss) });
        await yieldToEventLoop();
        lastYield = now();
      }
    }

    await checkParams(steps);
    if (sink) await sink.write(await snapshot(steps));
    // Final evaluation on streams forked off the training streams (they stay untouched).
    const evalData = data.map((d, i) =>
      createTrainingData(instanceDataConfig(config.data, instances[i]!), d.rng().fork(STREAM_IDS.evaluation)),
    );
    const evalNoise = rngs.map((s) => s.noise.fork(STREAM_IDS.evaluation));
    const evalBatch = draw(steps, evalData, evalNoise);
    engine.submit(evalBatch.x, evalBatch.noise, null);
    const out = await engine.collect();
    checkLoss(steps, out);
    log(steps, out);
    const finalLoss = history.map((h) => h[h.length - 1]!);
    opts.onProgress?.({ done: steps, total: steps, loss: finalLoss.reduce((a, r) => a + r.loss, 0) / I });

    const finalParams = await engine.params();
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
    await engine.dispose();
  }
}
