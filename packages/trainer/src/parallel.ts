/**
 * `trainParallel`: one run spread over worker threads (Node).
 *
 * - `split: 'instances'` (default): each worker trains a contiguous slice of the instances with
 *   `train()`. Instances never interact and every instance's randomness derives from its own
 *   seed, so the result — parameters, histories, checkpoints — equals the single-thread run bit
 *   for bit.
 * - `split: 'batch'`: every batch is split by rows across the main thread and `workers − 1`
 *   worker threads, which hold replicas of the parameters; each computes its rows' gradients
 *   with the fused step, publishes them in shared memory, and every replica sums them in replica
 *   order and applies the same update (`split-replica.ts`). Deterministic (bit-identical across
 *   repeated runs with the same thread count); it differs from the unsplit run only by float32
 *   reassociation of the sums over rows (see the README for the bound).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LossRecord, TrainConfig, TrainConfigInput, TrainResult } from '@polytoy/core';
import { BackendError, ConfigError, DivergenceError, PolytoyError, resolveTrainConfig } from '@polytoy/core';
import { isPolytoyKernelsRegistered } from '@polytoy/kernels';
import type { KernelChoice } from './backend.js';
import type { Checkpoint, InstanceState, OptimizerStateData, TensorData } from './checkpoint.js';
import { CHECKPOINT_FORMAT, jsonSafeConfig } from './checkpoint.js';
import { lossesFrom } from './engine.js';
import type { EngineStart, StepLosses, TrainEngine } from './engine.js';
import { TrainingAbortedError } from './errors.js';
import { batchSplitSupports } from './fused-step.js';
import { asInput, checkResumable, positiveInt, runTraining } from './train.js';
import type { TrainOptions } from './train.js';
import { wasmDistDir } from './wasm-dist.js';
import { initBackend } from './backend.js';
import { createSplitBuffers, SplitReplica, splitRows, splitViews } from './split-replica.js';
import type { FromWorker, ToWorker, WorkerFailure, WorkerInit } from './worker-protocol.js';
import { CMD, CTRL, WORKER_MARK } from './worker-protocol.js';

/** Options of {@link trainParallel}, besides {@link TrainOptions}. */
export interface ParallelOptions {
  /**
   * Threads that train (default: `os.availableParallelism()`): worker threads for
   * `'instances'` (at most one per instance), the main thread plus `workers − 1` worker threads
   * for `'batch'` (at most one per batch row).
   */
  workers?: number;
  /** How the work is divided; see {@link trainParallel}. Default `'instances'`. */
  split?: 'instances' | 'batch';
}

let entryOverride: URL | null = null;

/**
 * Sets the module worker threads start from (null: automatic). Automatic means: from source
 * (`.ts`, under vitest or tsx) `worker-main.ts` through tsx; from the compiled package
 * `dist/worker-main.js`; otherwise (a bundle) the bundle itself, which must then call
 * `runTrainerWorker()` when `isTrainerWorker()` is true.
 *
 * @example
 * setTrainerWorkerEntry(new URL('./my-worker.js', import.meta.url));
 */
export function setTrainerWorkerEntry(url: URL | string | null): void {
  entryOverride = url === null ? null : new URL(url);
}

/** File URL of tsx's ESM API (`tsx/esm/api`, import condition), resolved from `from`. */
function tsxEsmApi(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
}

function spawn(kernels: KernelChoice): Worker {
  const workerData: WorkerInit = { [WORKER_MARK]: true, kernels };
  if (entryOverride) return new Worker(entryOverride, { workerData });
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // From source: the worker registers tsx itself (a worker does not inherit the parent's
    // loader hooks) and resolves workspace packages to their sources.
    const tsx = tsxEsmApi(here);
    const entry = new URL('./worker-main.ts', here).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=@polytoy/source'] });
  }
  const sibling = new URL('./worker-main.js', here);
  if (existsSync(fileURLToPath(sibling))) return new Worker(sibling, { workerData });
  return new Worker(new URL(here), { workerData });
}

/** A worker with a typed message queue. */
class Thread {
  readonly worker: Worker;
  private readonly queue: FromWorker[] = [];
  private waiter: (() => void) | null = null;
  exited = false;
  error: Error | null = null;
  /** The error the worker reported, if it failed. */
  failure: WorkerFailure | null = null;
  onMessage: ((msg: FromWorker) => void) | null = null;

  constructor(kernels: KernelChoice) {
    this.worker = spawn(kernels);
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'failed') this.failure ??= msg.error;
      if (this.onMessage) this.onMessage(msg);
      else this.queue.push(msg);
      this.wake();
    });
    this.worker.on('error', (e) => {
      this.error = e;
      this.wake();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /** The next queued message of `type` (a `failed` one throws). */
  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const msg = this.queue.splice(i, 1)[0]!;
        if (msg.type === 'failed') throw rebuild(msg.error, 0);
        return msg as Extract<FromWorker, { type: T }>;
      }
      if (this.error) throw this.error;
      if (this.exited) throw new BackendError(`a trainer worker exited before sending "${type}"`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

/** Re-creates a worker's error in this thread (instance indices shifted by `offset`). */
function rebuild(e: WorkerFailure, offset: number): Error {
  if (e.name === 'DivergenceError' && e.step !== undefined && e.instance !== undefined) {
    const message = e.message.replace(/^instance \d+/, `instance ${e.instance + offset}`);
    return new DivergenceError(message, e.step, e.instance + offset);
  }
  const error = e.name === 'BackendError' ? new BackendError(e.message) : new PolytoyError(e.message);
  if (e.name !== error.name) Object.defineProperty(error, 'name', { value: e.name });
  return error;
}

/** [start, end) of each of `parts` contiguous, balanced slices of `count` items. */
function slices(count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, k) => [Math.floor((k * count) / parts), Math.floor(((k + 1) * count) / parts)]);
}

const remap = (r: LossRecord, offset: number): LossRecord => ({ ...r, instance: r.instance + offset });

function sliceTensor(t: TensorData, a: number, b: number): TensorData {
  const per = t.data.length / t.shape[0]!;
  return { shape: [b - a, ...t.shape.slice(1)], data: t.data.slice(a * per, b * per) };
}

/**
 * The part of a checkpoint that belongs to instances [a, b), as a checkpoint of `config` (the
 * run's config with `instances` sliced the same way); instance indices in the history restart at 0.
 *
 * @example
 * const sub = { ...config, instances: config.instances.slice(2, 4) };
 * await train(sub, { resumeFrom: sliceCheckpoint(cp, 2, 4, sub) });
 */
export function sliceCheckpoint(cp: Checkpoint, a: number, b: number, config: TrainConfig): Checkpoint {
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(cp.optimizer.slots)) {
    slots[slot] = Object.fromEntries(Object.entries(byParam).map(([name, t]) => [name, sliceTensor(t, a, b)]));
  }
  return {
    ...cp,
    config: jsonSafeConfig(config),
    params: cp.params.slice(a, b),
    optimizer: { ...cp.optimizer, slots },
    rngs: cp.rngs.slice(a, b),
    history: cp.history.slice(a, b).map((h) => h.map((r) => remap(r, -a))),
    instanceStates: cp.instanceStates.slice(a, b).map((st) => remapState(st, -a)),
  };
}

/** An instance state with its records' instance index shifted. */
function remapState(st: InstanceState, offset: number): InstanceState {
  if (st.status === 'converged') return { ...st, finalLoss: remap(st.finalLoss, offset) };
  if (st.status === 'diverged') return { ...st, message: remapMessage(st.message, offset) };
  return st;
}

const remapMessage = (message: string, offset: number): string =>
  message.replace(/^instance (\d+)/, (_m, i: string) => `instance ${Number(i) + offset}`);

/**
 * A finished slice's last checkpoint at a later step: every instance in it is frozen (or it
 * reached the cap), so only the step changes.
 */
const relabel = (cp: Checkpoint, step: number): Checkpoint => ({ ...cp, step, optimizer: { ...cp.optimizer, step } });

/**
 * Joins the checkpoints of consecutive instance slices (all at the same step) into one of
 * `config`; `offsets[k]` is the first instance of part k.
 *
 * @example
 * const whole = mergeCheckpoints([part0, part1], [0, 8], config, wallSeconds);
 */
export function mergeCheckpoints(parts: Checkpoint[], offsets: number[], config: TrainConfig, wallSeconds: number): Checkpoint {
  const first = parts[0]!;
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(first.optimizer.slots)) {
    slots[slot] = {};
    for (const name of Object.keys(byParam)) {
      const tensors = parts.map((p) => p.optimizer.slots[slot]![name]!);
      const data = new Float32Array(tensors.reduce((s, t) => s + t.data.length, 0));
      let o = 0;
      for (const t of tensors) {
        data.set(t.data, o);
        o += t.data.length;
      }
      const rows = tensors.reduce((s, t) => s + t.shape[0]!, 0);
      slots[slot]![name] = { shape: [rows, ...tensors[0]!.shape.slice(1)], data };
    }
  }
  return {
    format: CHECKPOINT_FORMAT,
    config: jsonSafeConfig(config),
    step: first.step,
    params: parts.flatMap((p) => p.params),
    optimizer: { kind: first.optimizer.kind, step: first.optimizer.step, slots },
    rngs: parts.flatMap((p) => p.rngs),
    history: parts.flatMap((p, k) => p.history.map((h) => h.map((r) => remap(r, offsets[k]!)))),
    instanceStates: parts.flatMap((p, k) => p.instanceStates.map((st) => remapState(st, offsets[k]!))),
    wallSeconds,
  };
}

/**
 * Trains a run on several worker threads (Node). Takes every option of `train` (callbacks,
 * abort signal, checkpoints, resume) plus `workers` and `split`:
 *
 * - `'instances'` (default): each worker trains a contiguous slice of the instances. The result,
 *   every logged record and every checkpoint equal a single-thread `train()` bit for bit (only
 *   wall times and `runtime.parallel` differ). Checkpoints are joined from the workers' slices at
 *   each step; on abort the workers first agree on one step (the furthest any has reached), so
 *   the last checkpoint is consistent.
 * - `'batch'`: every batch is split by rows across the main thread and `workers − 1` worker
 *   threads (tied models without hidden noise, polytoy kernels: the fused step). Gradients are
 *   summed in a fixed order, so the run is deterministic, but it differs from the unsplit run by
 *   float32 reassociation.
 *
 * Workers start from this package's `worker-main` module, or — in a bundle — from the bundle
 * itself (see {@link setTrainerWorkerEntry} and `isTrainerWorker`).
 *
 * @throws ConfigError for bad options (and everything `train` throws).
 * @example
 * import { trainParallel } from '@polytoy/trainer/node';
 * const result = await trainParallel({ data: { n: 64 }, model: { m: 33 }, instances: 16, steps: 10_000 }, { workers: 2 });
 */
export async function trainParallel(
  input: TrainConfigInput | TrainConfig,
  opts: TrainOptions & ParallelOptions = {},
): Promise<TrainResult> {
  const config = resolveTrainConfig(asInput(input));
  const { workers: requested, split: splitOpt, ...trainOpts } = opts;
  const split = splitOpt ?? 'instances';
  if (split !== 'instances' && split !== 'batch') throw new ConfigError('split', '"instances" or "batch"', split);
  positiveInt(requested, 'workers');
  positiveInt(opts.checkEvery, 'checkEvery');
  positiveInt(opts.checkpoint?.every, 'checkpoint.every');
  if (opts.resumeFrom) checkResumable(opts.resumeFrom, config);
  await initBackend({ wasmPaths: wasmDistDir() });
  const kernels: KernelChoice = isPolytoyKernelsRegistered() ? 'polytoy' : 'stock';
  const wanted = requested ?? availableParallelism();
  if (split === 'batch') {
    if (kernels !== 'polytoy' || !batchSplitSupports(config)) {
      throw new ConfigError(
        'split',
        '"instances" for this run (a batch split needs the fused step: polytoy kernels, tied weights, no hidden noise)',
        '"batch"',
      );
    }
    const W = Math.min(wanted, config.batchSize);
    return runTraining(config, trainOpts, {
      createEngine: (start) => createSplitEngine(start, W, kernels),
      runtime: (info) => ({ ...info, parallel: { workers: W, split: 'batch' } }),
    });
  }
  return trainInstanceSlices(config, trainOpts, Math.min(wanted, config.instances.length), kernels);
}

async function trainInstanceSlices(
  config: TrainConfig,
  opts: TrainOptions,
  W: number,
  kernels: KernelChoice,
): Promise<TrainResult> {
  const started = performance.now();
  const resume = opts.resumeFrom;
  const elapsed = (): number => (resume?.wallSeconds ?? 0) + (performance.now() - started) / 1000;
  const I = config.instances.length;
  const { steps } = config;
  const bounds = slices(I, W);
  const offsets = bounds.map(([a]) => a);
  const threads = bounds.map(() => new Thread(kernels));
  const sink = opts.checkpoint;

  try {
    return await new Promise<TrainResult>((resolve, reject) => {
      let settled = false;
      const results: (TrainResult | null)[] = bounds.map(() => null);
      const done = bounds.map(() => resume?.step ?? 0);
      const losses: (number | undefined)[] = bounds.map(() => undefined);
      const pendingCheckpoints = new Map<number, (Checkpoint | null)[]>();
      let writes: Promise<void> = Promise.resolve();
      const answers: (number | null)[] = bounds.map(() => null);
      const aborted: (Checkpoint | null)[] = bounds.map(() => null);
      /** Each slice's latest checkpoint (its final one once it has finished). */
      const last: (Checkpoint | null)[] = bounds.map(() => null);
      let stopAt: number | null = null;

      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const write = (cp: Checkpoint): void => {
        if (!sink) return;
        writes = writes.then(() => sink.write(cp));
        writes.catch(fail);
      };
      /** Writes the pending checkpoints that are complete, finished slices standing in with their last one. */
      const flushCheckpoints = (): void => {
        for (const step of [...pendingCheckpoints.keys()].sort((x, y) => x - y)) {
          const parts = pendingCheckpoints.get(step)!;
          results.forEach((r, j) => {
            if (r && !parts[j] && last[j]!.step <= step) parts[j] = relabel(last[j]!, step);
          });
          if (parts.every((p) => p !== null)) {
            pendingCheckpoints.delete(step);
            write(mergeCheckpoints(parts as Checkpoint[], offsets, config, elapsed()));
          }
        }
      };
      /** Once every slice has finished or stopped: the merged result, or the abort with a merged checkpoint. */
      const settle = (): void => {
        if (!results.every((r, j) => r !== null || aborted[j] !== null)) return;
        if (aborted.some((c) => c !== null)) {
          const parts = aborted.map((c, j) => c ?? relabel(last[j]!, stopAt!));
          const cp = mergeCheckpoints(parts, offsets, config, elapsed());
          // The slices' sinks already sent this step's checkpoint (merged and written above).
          writes.then(() => fail(new TrainingAbortedError(cp.step, cp, sink !== undefined)), fail);
          return;
        }
        const all = results as TrainResult[];
        const merged: TrainResult = {
          config,
          instances: all.flatMap((r, j) =>
            r.instances.map((inst) => ({
              ...inst,
              instance: inst.instance + offsets[j]!,
              finalLoss: remap(inst.finalLoss, offsets[j]!),
              history: inst.history.map((rec) => remap(rec, offsets[j]!)),
            })),
          ),
          diverged: all.flatMap((r, j) =>
            r.diverged.map((d) => ({
              ...d,
              instance: d.instance + offsets[j]!,
              message: remapMessage(d.message, offsets[j]!),
              history: d.history.map((rec) => remap(rec, offsets[j]!)),
            })),
          ),
          stepsRun: Math.max(...all.map((r) => r.stepsRun)),
          runtime: { ...all[0]!.runtime, parallel: { workers: W, split: 'instances' } },
          wallSeconds: elapsed(),
        };
        writes.then(() => {
          if (!settled) {
            settled = true;
            resolve(merged);
          }
        }, fail);
      };
      const progress = (): void => {
        if (!opts.onProgress) return;
        const known = losses.every((l) => l !== undefined);
        const loss = known ? losses.reduce((s: number, l, k) => s + l! * (bounds[k]![1] - bounds[k]![0]), 0) / I : undefined;
        opts.onProgress({ done: Math.min(...done), total: steps, ...(loss !== undefined ? { loss } : {}) });
      };
      const decideStop = (): void => {
        if (stopAt !== null || answers.some((a) => a === null)) return;
        stopAt = Math.max(...(answers as number[]));
        threads.forEach((t, k) => {
          if (!results[k]) t.post({ type: 'stop-at', step: stopAt! });
        });
      };
      const started = bounds.map(() => false);
      let abortRequested = false;
      const onAbort = (): void => {
        abortRequested = true;
        threads.forEach((t, k) => {
          if (results[k]) answers[k] = last[k]!.step;
          else if (started[k]) t.post({ type: 'pause' });
        });
        decideStop();
      };

      threads.forEach((thread, k) => {
        const offset = offsets[k]!;
        const [a, b] = bounds[k]!;
        const sub: TrainConfig = { ...config, instances: config.instances.slice(a, b) };
        thread.onMessage = (msg) => {
          if (settled) return;
          switch (msg.type) {
            case 'ready':
              thread.post({
                type: 'train',
                config: sub,
                resume: resume ? sliceCheckpoint(resume, a, b, sub) : null,
                checkEvery: opts.checkEvery,
                // Without a sink, still the final checkpoint: a slice that finishes early (all
                // its instances converged or diverged) stands in for later steps with it.
                checkpointEvery: sink?.every ?? Number.MAX_SAFE_INTEGER,
                flushEvery: undefined,
                paused: abortRequested,
              });
              started[k] = true;
              break;
            case 'log':
              opts.onLog?.(remap(msg.record, offset));
              break;
            case 'progress':
              done[k] = msg.done;
              losses[k] = msg.loss;
              progress();
              break;
            case 'checkpoint': {
              const step = msg.checkpoint.step;
              last[k] = msg.checkpoint;
              if (!sink) break;
              const parts = pendingCheckpoints.get(step) ?? bounds.map(() => null);
              parts[k] = msg.checkpoint;
              pendingCheckpoints.set(step, parts);
              flushCheckpoints();
              break;
            }
            case 'paused':
              answers[k] = msg.step;
              decideStop();
              break;
            case 'result': {
              results[k] = msg.result;
              // A slice that stopped early (converged or diverged) no longer holds progress back.
              done[k] = steps;
              if (stopAt === null && answers.some((x) => x !== null)) answers[k] = last[k]!.step;
              decideStop();
              flushCheckpoints();
              settle();
              break;
            }
            case 'failed': {
              const e = msg.error;
              if (e.name === 'TrainingAbortedError' && e.checkpoint) {
                aborted[k] = e.checkpoint;
                settle();
                break;
              }
              fail(rebuild(e, offset));
              break;
            }
          }
        };
        thread.worker.on('error', fail);
        thread.worker.on('exit', (code) => {
          // Messages sent just before exiting may still be queued: look after they are handled.
          setTimeout(() => {
            if (!results[k] && !aborted[k] && !thread.failure) {
              fail(new BackendError(`trainer worker ${k} exited (code ${code}) before finishing`));
            }
          }, 50);
        });
      });
      if (opts.signal) {
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  } finally {
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

/**
 * The batch-split engine: the main thread is replica 0 and starts `threads − 1` worker threads
 * (replicas 1 …); every update is one command in shared memory and one barrier (see
 * `split-replica.ts`). The main thread also draws the next batch while the workers compute,
 * so it takes fewer rows (`splitRows`).
 */
async function createSplitEngine(start: EngineStart, threads: number, kernels: KernelChoice): Promise<TrainEngine> {
  const { config } = start;
  const I = config.instances.length;
  const lambda = config.instances.map((s) => s.lambda);
  const weightsL1 = config.model.l1.target === 'weights';
  const shared = createSplitBuffers(config, threads);
  const v = splitViews(shared);
  const { ctrl } = v;
  const rows = splitRows(config, threads);
  const main = new SplitReplica(config, 0, threads, rows[0]!, start, v);
  const workers = Array.from({ length: threads - 1 }, () => new Thread(kernels));
  const W = workers.length;
  try {
    await Promise.all(workers.map((t) => t.next('ready')));
    workers.forEach((t, k) =>
      t.post({
        type: 'split',
        index: k + 1,
        replicas: threads,
        rows: rows[k + 1]!,
        config,
        params: start.params,
        optimizer: start.optimizer,
        importance: start.importance,
        shared,
      }),
    );
    await Promise.all(workers.map((t) => t.next('ready')));
  } catch (error) {
    await Promise.all(workers.map((t) => t.worker.terminate()));
    main.dispose();
    throw error;
  }

  /** The error of the thread that failed (its message may still be on its way). */
  const failure = async (): Promise<Error> => {
    for (let tries = 0; tries < 100; tries++) {
      const t = workers.find((th) => th.failure);
      if (t?.failure) return rebuild(t.failure, 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return new BackendError('batch split: a worker failed');
  };
  /** Waits for `ctrl[index] >= target`, yielding to the event loop now and then (worker exits). */
  const waitFor = async (index: number, target: number): Promise<void> => {
    for (;;) {
      const value = Atomics.load(ctrl, index);
      if (Atomics.load(ctrl, CTRL.failed) !== 0) throw await failure();
      if (value >= target) return;
      if (Atomics.wait(ctrl, index, value, 200) === 'timed-out') {
        await new Promise((resolve) => setImmediate(resolve));
        const gone = workers.find((t) => t.exited || t.error);
        if (gone) throw gone.error ?? new BackendError('batch split: a worker exited');
      }
    }
  };
  let issued = 0;
  const command = async (cmd: number): Promise<void> => {
    // The ring holds CTRL.ring commands: never overwrite one a worker has not read. (Checked
    // synchronously first: the command must go out before the main thread starts computing.)
    const needed = W * (issued + 1 - CTRL.ring);
    if (needed > 0 && Atomics.load(ctrl, CTRL.done) < needed) await waitFor(CTRL.done, needed);
    issued += 1;
    v.commands[issued % CTRL.ring] = cmd;
    Atomics.store(ctrl, CTRL.go, issued);
    Atomics.notify(ctrl, CTRL.go);
  };
  let pending: 'step' | 'evaluate' | null = null;
  let barrierTarget = 0;
  let ready: Promise<void> = Promise.resolve();

  const losses = (): StepLosses => {
    const rec = new Float64Array(I);
    const l1 = new Float64Array(I);
    for (let k = 0; k < threads; k++) {
      for (let i = 0; i < I; i++) {
        rec[i] = rec[i]! + v.sums[k * 3 * I + i]!;
        l1[i] = l1[i]! + v.sums[k * 3 * I + I + i]!;
      }
    }
    if (weightsL1) for (let i = 0; i < I; i++) l1[i] = v.sums[2 * I + i]!;
    return lossesFrom(rec, l1, lambda);
  };

  return {
    kind: 'split',
    overlapsData: true,
    submit(batch, noise, rates) {
      if (noise) throw new ConfigError('model.hiddenNoise', '"none" for a batch split', noise.kind);
      v.x.set(batch);
      if (rates) {
        v.lr.set(rates, (main.updates % 2) * I);
        pending = 'step';
        ready = command(CMD.step);
        // The main thread's own rows, while the workers compute theirs.
        main.compute(true);
        barrierTarget = main.arrive();
      } else {
        pending = 'evaluate';
        ready = command(CMD.evaluate);
        main.compute(false);
      }
    },
    async collect(): Promise<StepLosses> {
      await ready;
      if (pending === 'step') {
        await waitFor(CTRL.arrived, barrierTarget);
        const out = losses();
        main.update();
        pending = null;
        return out;
      }
      await waitFor(CTRL.done, W * issued);
      pending = null;
      return losses();
    },
    async flush() {
      main.flush();
      await command(CMD.flush);
    },
    finite: () => main.finite(),
    params: () => main.exportParams(),
    optimizerState: () => main.exportState(),
    async dispose() {
      try {
        await command(CMD.exit);
        await waitFor(CTRL.done, W * issued);
      } catch {
        // terminating anyway
      } finally {
        await Promise.all(workers.map((t) => t.worker.terminate()));
        main.dispose();
      }
    },
  };
}
