/**
 * The training loop: I independent instances stacked along a leading tensor dimension, each with
 * its own seed, lambda and learning rate, trained in one batched step.
 *
 * Per update `t` (0-based): draw x [I, B, n] from each instance's data stream and the hidden
 * noise from its noise stream, compute loss and hand-written gradients (`@polytoy/model`),
 * apply the optimizer with the scheduled per-instance lr, enforce the model's constraints, and
 * dispose every temporary.
 *
 * Every instance is watched on its own: its minibatch loss at every update (divergence: NaN/Inf
 * or a blow-up, `divergence.ts`; convergence: the plateau criterion, `convergence.ts`) and its
 * parameters every `checkEvery` updates and at the end (NaN/Inf). An instance that converges
 * or diverges is frozen at that step: its parameters and stream states are copied out, a
 * converged one is evaluated right then, and it takes no further part (learning rate 0, no
 * data drawn; once a quarter of the engine's instances are frozen the engine is rebuilt without
 * them). The run ends when no instance is training or at `steps` (the cap); the instances still
 * training then are `capped` and evaluated. Because an instance's arithmetic and randomness
 * never depend on the others, its result (parameters, status, step, history) is the same alone
 * or in any group, and a resumed run equals an uninterrupted one (checkpoints carry every
 * instance's state). Evaluation uses a batch from streams forked off the instance's training
 * streams at its last step, so it never shifts training.
 */
import type {
  DivergenceReason,
  LossRecord,
  ModelParams,
  PrngState,
  ProgressCallback,
  TrainConfig,
  TrainConfigInput,
  TrainResult,
} from '@polytoy/core';
import { ConfigError, createPrng, isResolvedTrainConfig, Prng, resolveTrainConfig } from '@polytoy/core';
import type { HiddenNoiseSample } from '@polytoy/model';
import { initParams, sampleHiddenNoise } from '@polytoy/model';
import { isPolytoyKernelsRegistered } from '@polytoy/kernels';
import { initBackend } from './backend.js';
import { CHECKPOINT_FORMAT, cloneInstanceState, instanceRows, jsonSafeConfig } from './checkpoint.js';
import type { Checkpoint, CheckpointSink, InstanceState, InstanceStreamStates, OptimizerStateData } from './checkpoint.js';
import { addPlateauStep, emptyPlateauState } from './convergence.js';
import { allFinite, lossDivergence, referenceLoss } from './divergence.js';
import { createFusedEngine, createTfjsEngine } from './engine.js';
import type { EngineStart, StepLosses, TrainEngine } from './engine.js';
import { TrainingAbortedError } from './errors.js';
import { createTrainingData } from './fast-data.js';
import { importanceRows, instanceDataConfig, stackImportance } from './instance-data.js';
import type { TrainingDataStream } from './fast-data.js';
import { fusedStepSupports } from './fused-step.js';
import { learningRate } from './schedule.js';
import { instanceStreams, STREAM_IDS } from './streams.js';
import { collectInstanceResults } from './train-result.js';

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
   * Check the parameters for NaN/Inf every `checkEvery` updates and at the end (default:
   * `config.logEvery`). The loss is checked at every update regardless. A fixed function of the
   * step (never of checkpoint times), so checkpointing does not change when divergence is seen.
   */
  checkEvery?: number;
}

/** Internal hooks for tests (not exported from the package). */
export interface TrainHooks {
  /**
   * Sees (and may modify) each update's batch before upload: [slots, B, n] in engine order (the
   * instances still in the engine; equal to [I, B, n] until a frozen instance is dropped).
   */
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
 * The engine a run uses: the fused step when the polytoy kernels are registered (every model
 * option), tfjs ops otherwise (the stock-kernel fallback and reference).
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
  if (isResolvedTrainConfig(input)) return input;
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

/** The checkpoint's config with today's defaults (older checkpoints lack newer fields). */
function normalisedConfig(config: unknown): unknown {
  try {
    return jsonSafeConfig(resolveTrainConfig(asInput(config as TrainConfigInput)));
  } catch {
    return config;
  }
}

export function checkResumable(cp: Checkpoint, config: TrainConfig): void {
  const strip = (c: unknown): string => {
    const { steps: _s, logEvery: _l, ...rest } = c as Record<string, unknown>;
    return canonical(rest);
  };
  if (strip(normalisedConfig(cp.config)) !== strip(jsonSafeConfig(config))) {
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
  const frozenLater = cp.instanceStates.findIndex((s) => s.status !== 'training' && s.step > config.steps);
  if (frozenLater >= 0) {
    throw new ConfigError(`resumeFrom.instanceStates[${frozenLater}].step`, `<= steps (${config.steps})`, cp.step);
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

/**
 * Drop frozen instances from the engine (rebuild it with the others) once this fraction of its
 * instances is frozen: the cost per update follows the instances still training, and at most
 * log_{4/3}(I) rebuilds happen (each costs one parameter/state export and a new engine).
 */
export const COMPACT_FRACTION = 0.25;

/** The one-line message of a divergence. */
function divergenceMessage(
  i: number,
  step: number,
  lr: number,
  reason: DivergenceReason,
  loss: number,
  reference: number | null,
  blowUp: number,
): string {
  const what =
    reason === 'non-finite-params'
      ? 'parameters contain NaN or Infinity'
      : reason === 'blow-up'
        ? `loss ${loss.toPrecision(3)} > ${blowUp} × reference ${reference!.toPrecision(3)}`
        : `loss is ${describeValue(loss)}`;
  return `instance ${i} diverged at step ${step}: ${what} (lr ${lr} may be too large)`;
}

const YIELD_MS = 100;
const now = (): number => globalThis.performance.now();
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains every instance of a config and returns their parameters, statuses and histories.
 *
 * With `convergence: { kind: 'plateau' }` each instance trains until the plateau criterion is
 * met (`status: 'converged'`, `step` = that step) or to `steps` (`'capped'`); with
 * `convergence: { kind: 'off' }` (the default) every instance trains exactly `steps` updates
 * and is reported `'capped'`. An instance whose loss or parameters blow up is reported in
 * `diverged` with its step and reason (no parameters); the others are unaffected.
 *
 * @param input - a user config (resolved with `resolveTrainConfig`) or an already resolved one.
 * @param opts - callbacks, abort signal, checkpointing and resume; see {@link TrainOptions}.
 * @returns the instances that did not diverge (parameters, status, step, history), the diverged
 *   ones, runtime facts and wall time.
 * @throws ConfigError for a bad config; BackendError if tfjs-backend-wasm with SIMD is not
 *   available; TrainingAbortedError when `signal` fires.
 * @example
 * import { train, jsonLinesLogger } from '@polytoy/trainer';
 * const result = await train(
 *   { data: { n: 16 }, steps: 20_000, optimizer: { kind: 'adam', lr: 1e-2 }, convergence: { kind: 'plateau' } },
 *   { onLog: jsonLinesLogger((line) => console.log(line)) },
 * );
 * result.instances[0]!.status; // 'converged' (at result.instances[0]!.step) or 'capped'
 * result.instances[0]!.finalLoss.reconstruction; // close to 0
 */
export function train(input: TrainConfigInput | TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  // The library's boundary: resolves a user config; a config resolveTrainConfig returned passes through.
  let config: TrainConfig;
  try {
    config = resolveTrainConfig(asInput(input));
  } catch (e) {
    return Promise.reject(e);
  }
  return runTraining(config, opts, {});
}

/** One batch and its noise for the engine's slots, with the stream states from before it was drawn. */
interface Batch {
  step: number;
  x: Float32Array;
  noise: HiddenNoiseSample | null;
  /** Per slot. */
  before: { data: PrngState[]; noise: PrngState[] };
}

/**
 * {@link train} with test hooks, on a resolved config (it does not resolve again: its callers,
 * `train`, the parallel engine and the worker, hold one already).
 */
export async function runTraining(config: TrainConfig, opts: TrainOptions, hooks: TrainHooks): Promise<TrainResult> {
  positiveInt(opts.checkEvery, 'checkEvery');
  positiveInt(opts.checkpoint?.every, 'checkpoint.every');
  const resume = opts.resumeFrom;
  if (resume) checkResumable(resume, config);
  const info = await initBackend();
  const runtime = hooks.runtime ? hooks.runtime(info) : info;
  const started = now();

  const { model, instances, steps } = config;
  const B = config.batchSize;
  const n = model.n;
  const checkEvery = opts.checkEvery ?? config.logEvery;
  const flushEvery = hooks.flushEvery ?? FLUSH_EVERY;
  const plateau = config.convergence.kind === 'plateau' ? config.convergence : null;
  const { blowUp } = config.divergence;

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
  const states: InstanceState[] = resume
    ? resume.instanceStates.map(cloneInstanceState)
    : instances.map(() => ({ status: 'training', monitor: { reference: null, plateau: null } }));
  for (const st of states) {
    // A /1 checkpoint has no plateau state: it was a fixed-step run.
    if (st.status === 'training' && plateau && !st.monitor.plateau) st.monitor.plateau = emptyPlateauState();
  }
  /** Parameters and stream states of frozen instances (converged or diverged), from their freeze step. */
  const frozenParams: (ModelParams | null)[] = states.map((st, i) => (st.status === 'training' ? null : initial[i]!));
  const frozenRngs: (InstanceStreamStates | null)[] = states.map((st, i) => (st.status === 'training' ? null : resume!.rngs[i]!));
  const isTraining = (i: number): boolean => states[i]!.status === 'training';

  const kind = hooks.engine ?? chooseEngine(config);
  const buildEngine = async (
    slotList: number[],
    params: ModelParams[],
    optimizer: OptimizerStateData | null,
  ): Promise<TrainEngine> => {
    const start: EngineStart = {
      config: { ...config, instances: slotList.map((i) => instances[i]!) },
      params,
      optimizer,
      importance: importanceRows(importance, slotList, n),
    };
    if (hooks.createEngine) return hooks.createEngine(start);
    return kind === 'fused' ? createFusedEngine(start) : createTfjsEngine(start);
  };
  /** The instances in the engine, in engine order (frozen ones stay until the next rebuild). */
  let slots = instances.map((_, i) => i).filter(isTraining);
  let engine: TrainEngine | null =
    slots.length > 0
      ? await buildEngine(
          slots,
          slots.map((i) => initial[i]!),
          resume ? instanceRows(resume.optimizer, slots) : null,
        )
      : null;
  let trainingCount = slots.length;

  const allocate = (count: number): Float32Array[] => [
    new Float32Array(count * B * n),
    new Float32Array(engine?.overlapsData ? count * B * n : 0),
  ];
  let buffers = allocate(slots.length);
  let flip = 0;
  const draw = (step: number): Batch => {
    const before = { data: slots.map((i) => data[i]!.state()), noise: slots.map((i) => noiseRngs[i]!.state()) };
    if (engine!.overlapsData) flip ^= 1;
    const x = buffers[flip]!;
    // Frozen slots get no new data (their rows keep whatever they held; their lr is 0).
    slots.forEach((i, k) => isTraining(i) && data[i]!.next(B, x.subarray(k * B * n, (k + 1) * B * n)));
    hooks.batch?.(step, x);
    return {
      step,
      x,
      noise: sampleHiddenNoise(
        model,
        slots.map((i) => noiseRngs[i]!),
        B,
      ),
      before,
    };
  };

  const record = (step: number, i: number, out: StepLosses, k: number): LossRecord => ({
    step,
    instance: i,
    loss: out.loss[k]!,
    reconstruction: out.reconstruction[k]!,
    l1: out.l1[k]!,
  });
  const meanLoss = (out: StepLosses): number => {
    let sum = 0;
    let count = 0;
    slots.forEach((i, k) => {
      if (isTraining(i)) {
        sum += out.loss[k]!;
        count++;
      }
    });
    return count > 0 ? sum / count : Number.NaN;
  };
  const elapsed = (): number => (resume?.wallSeconds ?? 0) + (now() - started) / 1000;

  /** A batch drawn ahead (engines that overlap data generation), not yet trained on. */
  let ahead: Batch | null = null;
  /** Stream states of slot k after the draws of `step` updates (an ahead batch has drawn one more). */
  const streamsAt = (step: number, i: number, k: number): InstanceStreamStates => {
    const pending = ahead && ahead.step === step ? ahead.before : null;
    return {
      init: rngs[i]!.init.state(),
      data: pending ? pending.data[k]! : data[i]!.state(),
      noise: pending ? pending.noise[k]! : noiseRngs[i]!.state(),
    };
  };

  /**
   * Evaluates the engine's current parameters of slots `which` on a fresh batch each, from
   * streams forked (id `evaluation`) off their states `at`; the other slots see zeros.
   */
  const evaluate = async (
    which: { k: number; i: number; streams: InstanceStreamStates }[],
    at: number,
  ): Promise<LossRecord[]> => {
    const x = new Float32Array(slots.length * B * n);
    const noise: Prng[] = slots.map(() => createPrng(0));
    for (const w of which) {
      const src = createTrainingData(
        instanceDataConfig(config.data, instances[w.i]!),
        Prng.fromState(w.streams.data).fork(STREAM_IDS.evaluation),
      );
      src.next(B, x.subarray(w.k * B * n, (w.k + 1) * B * n));
      noise[w.k] = Prng.fromState(w.streams.noise).fork(STREAM_IDS.evaluation);
    }
    hooks.batch?.(at, x);
    engine!.submit(x, sampleHiddenNoise(model, noise, B), null);
    const out = await engine!.collect();
    return which.map((w) => record(at, w.i, out, w.k));
  };

  const diverge = (i: number, step: number, reason: DivergenceReason, loss: number, reference: number | null): void => {
    const message = divergenceMessage(i, step, instances[i]!.lr, reason, loss, reference, blowUp);
    states[i] = { status: 'diverged', step, reason, message };
  };

  /** A freeze decided at one step: diverged (reason known) or converged (to be evaluated). */
  interface Freeze {
    i: number;
    k: number;
    diverged: { step: number; reason: DivergenceReason; loss: number; reference: number | null } | null;
  }
  /** Copies the frozen instances' parameters and stream states out, evaluates the converged ones at `done`. */
  const freeze = async (list: Freeze[], done: number): Promise<void> => {
    const params = await engine!.params();
    const toEvaluate: { k: number; i: number; streams: InstanceStreamStates }[] = [];
    for (const f of list) {
      frozenParams[f.i] = params[f.k]!;
      frozenRngs[f.i] = streamsAt(done, f.i, f.k);
      if (f.diverged) {
        diverge(f.i, f.diverged.step, f.diverged.reason, f.diverged.loss, f.diverged.reference);
        continue;
      }
      const p = params[f.k]!;
      if (!(p.kind === 'tied' ? allFinite(p.W, p.b) : allFinite(p.E, p.D, p.b))) {
        diverge(f.i, done, 'non-finite-params', Number.NaN, null);
        continue;
      }
      toEvaluate.push({ k: f.k, i: f.i, streams: frozenRngs[f.i]! });
    }
    if (toEvaluate.length > 0) {
      const records = await evaluate(toEvaluate, done);
      toEvaluate.forEach((w, j) => {
        const r = records[j]!;
        if (!Number.isFinite(r.loss)) diverge(w.i, done, 'non-finite-loss', r.loss, null);
        else {
          states[w.i] = { status: 'converged', step: done, finalLoss: r };
          opts.onLog?.(r);
        }
      });
    }
    trainingCount = states.filter((st) => st.status === 'training').length;
  };

  /** Rebuilds the engine with only the training instances (same arithmetic: like a resume). */
  const compact = async (): Promise<void> => {
    const keep = slots.map((i, k) => ({ i, k })).filter(({ i }) => isTraining(i));
    const params = await engine!.params();
    const state = await engine!.optimizerState();
    await engine!.dispose();
    engine = null;
    const newSlots = keep.map(({ i }) => i);
    engine = await buildEngine(
      newSlots,
      keep.map(({ k }) => params[k]!),
      instanceRows(
        state,
        keep.map(({ k }) => k),
      ),
    );
    const fresh = allocate(newSlots.length);
    if (ahead) {
      const old = ahead;
      const x = fresh[flip]!;
      keep.forEach(({ k }, r) => x.set(old.x.subarray(k * B * n, (k + 1) * B * n), r * B * n));
      let noise = old.noise;
      if (noise) {
        const per = noise.values.length / slots.length;
        const values = new Float32Array(newSlots.length * per);
        keep.forEach(({ k }, r) => values.set(noise!.values.subarray(k * per, (k + 1) * per), r * per));
        noise = { ...noise, values };
      }
      ahead = {
        step: old.step,
        x,
        noise,
        before: { data: keep.map(({ k }) => old.before.data[k]!), noise: keep.map(({ k }) => old.before.noise[k]!) },
      };
    }
    buffers = fresh;
    slots = newSlots;
  };

  const snapshot = async (step: number): Promise<Checkpoint> => {
    const current = engine ? await engine.params() : [];
    const state = engine ? await engine.optimizerState() : resume!.optimizer;
    const slotOf = new Map(slots.map((i, k) => [i, k]));
    const live = (i: number): number | null => (isTraining(i) && engine ? slotOf.get(i)! : null);
    return {
      format: CHECKPOINT_FORMAT,
      config: jsonSafeConfig(config),
      step,
      params: instances.map((_, i) => (live(i) !== null ? current[live(i)!]! : frozenParams[i]!)),
      // Frozen instances' optimizer rows are 0: they never train again.
      optimizer: instanceRows(
        state,
        instances.map((_, i) => live(i)),
        step,
      ),
      rngs: instances.map((_, i) => (live(i) !== null ? streamsAt(step, i, live(i)!) : frozenRngs[i]!)),
      history: history.map((h) => h.map((r) => ({ ...r }))),
      instanceStates: states.map(cloneInstanceState),
      wallSeconds: elapsed(),
    };
  };

  /**
   * Watches every training instance's loss on update `step`: a divergence or (with a plateau
   * criterion) convergence freezes it; the first loss sets its divergence reference; on log
   * steps its record is kept and logged. Returns the freezes decided.
   */
  const watchLosses = (step: number, out: StepLosses, batch: Batch, logged: boolean): Freeze[] => {
    const freezing: Freeze[] = [];
    slots.forEach((i, k) => {
      const st = states[i]!;
      if (st.status !== 'training') return;
      const { monitor } = st;
      const loss = out.loss[k]!;
      const reason = lossDivergence(loss, monitor.reference, blowUp);
      if (reason) {
        freezing.push({ i, k, diverged: { step, reason, loss, reference: monitor.reference } });
        return;
      }
      if (monitor.reference === null)
        monitor.reference = referenceLoss(
          loss,
          batch.x.subarray(k * B * n, (k + 1) * B * n),
          importanceRows(importance, [i], n),
          B,
          n,
        );
      if (logged) {
        const r = record(step, i, out, k);
        history[i]!.push(r);
        opts.onLog?.(r);
      }
      if (plateau && addPlateauStep(plateau, monitor.plateau!, loss, out.l1[k]!)) freezing.push({ i, k, diverged: null });
    });
    return freezing;
  };

  /** Adds a freeze (non-finite parameters at `done`) for every training instance whose parameters are not finite. */
  const checkParams = async (eng: TrainEngine, done: number, freezing: Freeze[]): Promise<void> => {
    const flags = await eng.finite();
    slots.forEach((i, k) => {
      if (!isTraining(i) || flags[k]) return;
      const f = freezing.find((x) => x.i === i);
      const diverged = { step: done, reason: 'non-finite-params' as const, loss: Number.NaN, reference: null };
      if (f) f.diverged ??= diverged;
      else freezing.push({ i, k, diverged });
    });
  };

  /**
   * Evaluates the instances still training at the cap `end` (their parameters become final);
   * one whose evaluation loss is not finite diverges. Returns the capped ones' records.
   */
  const evaluateCapped = async (end: number): Promise<Map<number, LossRecord>> => {
    const capped = slots.map((i, k) => ({ i, k, streams: streamsAt(end, i, k) })).filter(({ i }) => isTraining(i));
    const cappedLoss = new Map<number, LossRecord>();
    if (capped.length === 0) return cappedLoss;
    const finalParams = await engine!.params();
    const records = await evaluate(capped, end);
    capped.forEach((c, j) => {
      const r = records[j]!;
      if (!Number.isFinite(r.loss)) diverge(c.i, end, 'non-finite-loss', r.loss, null);
      else {
        cappedLoss.set(c.i, r);
        frozenParams[c.i] = finalParams[c.k]!;
        opts.onLog?.(r);
      }
    });
    return cappedLoss;
  };

  const sink = opts.checkpoint;
  let step = resume?.step ?? 0;
  let lastYield = now();
  try {
    while (step < steps && trainingCount > 0) {
      if (opts.signal?.aborted || (hooks.stopBefore && (await hooks.stopBefore(step)))) {
        const cp = await snapshot(step);
        if (sink) await sink.write(cp);
        throw new TrainingAbortedError(step, cp, sink !== undefined);
      }
      const eng = engine!;
      const batch = ahead ?? draw(step);
      ahead = null;
      const lr = slots.map((i) => (isTraining(i) ? learningRate(instances[i]!.lr, step, steps, config.schedule) : 0));
      eng.submit(batch.x, batch.noise, lr);
      if (eng.overlapsData && step + 1 < steps) ahead = draw(step + 1);
      const out = await eng.collect();
      const done = step + 1;
      const logged = step % config.logEvery === 0;
      const freezing = watchLosses(step, out, batch, logged);
      if (logged) opts.onProgress?.({ done: step, total: steps, loss: meanLoss(out) });

      if (flushEvery > 0 && done % flushEvery === 0) await eng.flush();
      if (done % checkEvery === 0) await checkParams(eng, done, freezing);
      if (freezing.length > 0) {
        await freeze(freezing, done);
        const frozenSlots = slots.filter((i) => !isTraining(i)).length;
        if (trainingCount > 0 && frozenSlots >= Math.max(1, COMPACT_FRACTION * slots.length)) await compact();
      }
      step = done;
      if (sink && done % sink.every === 0 && done < steps && trainingCount > 0) await sink.write(await snapshot(done));
      if (now() - lastYield >= YIELD_MS) {
        opts.onProgress?.({ done, total: steps, loss: meanLoss(out) });
        await yieldToEventLoop();
        lastYield = now();
      }
    }

    // The instances still training reached the cap: a last parameter check, the final
    // checkpoint, then their evaluation.
    const end = step;
    if (trainingCount > 0) {
      const flags = await engine!.finite();
      slots.forEach((i, k) => {
        if (isTraining(i) && !flags[k]) {
          frozenParams[i] = null;
          diverge(i, end, 'non-finite-params', Number.NaN, null);
        }
      });
    }
    if (sink) await sink.write(await snapshot(end));
    const cappedLoss = await evaluateCapped(end);

    const {
      instances: results,
      diverged,
      stepsRun,
    } = collectInstanceResults({
      specs: instances,
      states,
      history,
      params: frozenParams,
      cappedLoss,
      end,
    });
    const meanFinal = results.length > 0 ? results.reduce((a, r) => a + r.finalLoss.loss, 0) / results.length : Number.NaN;
    opts.onProgress?.({ done: end, total: steps, ...(results.length > 0 ? { loss: meanFinal } : {}) });
    return { config, instances: results, diverged, stepsRun, runtime, wallSeconds: elapsed() };
  } finally {
    await engine?.dispose();
  }
}
