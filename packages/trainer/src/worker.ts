/**
 * The worker-thread side of `trainParallel`: a worker either trains a slice of the instances
 * with `train()` (messages to the parent), or computes its rows of every batch for a batch-split
 * run (shared memory, blocking waits).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { DivergenceError, PolytoyError } from '@polytoy/core';
import { disposeParams, paramsToTensors, tensorsToParams } from '@polytoy/model';
import { initBackend } from './backend.js';
import type { CheckpointSink } from './checkpoint.js';
import { paramMap, stateFromData, stateToData } from './engine.js';
import { TrainingAbortedError } from './errors.js';
import { flushMomentsInPlace, FusedTiedStep } from './fused-step.js';
import { createOptimizerState, disposeOptimizerState, FLUSH_THRESHOLD } from './optimizer.js';
import { runTraining } from './train.js';
import type { FromWorker, ToWorker, WorkerFailure, WorkerInit } from './worker-protocol.js';
import { CMD, CTRL, WORKER_MARK } from './worker-protocol.js';
import { wasmDistDir } from './wasm-dist.js';

/**
 * True in a worker thread started by `trainParallel`. A bundled program (one file, such as the
 * polytoy CLI) checks this first thing and then calls {@link runTrainerWorker} instead of its
 * normal `main`, because `trainParallel` starts its workers from the bundle itself.
 *
 * @example
 * if (isTrainerWorker()) await runTrainerWorker();
 * else await main();
 */
export function isTrainerWorker(): boolean {
  const data = workerData as Partial<WorkerInit> | null | undefined;
  return !isMainThread && data?.[WORKER_MARK] === true;
}

function failure(error: unknown): WorkerFailure {
  if (error instanceof TrainingAbortedError) {
    return { name: error.name, message: error.message, step: error.step, checkpoint: error.checkpoint };
  }
  if (error instanceof DivergenceError) {
    return { name: error.name, message: error.message, step: error.step, instance: error.instance };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Runs this worker thread's share of a `trainParallel` run, until the parent is done with it.
 *
 * @throws PolytoyError when not called in a worker started by `trainParallel`.
 * @example
 * // the CLI's entry module
 * if (isTrainerWorker()) await runTrainerWorker();
 */
export async function runTrainerWorker(): Promise<void> {
  const port = parentPort;
  if (!isTrainerWorker() || !port) {
    throw new PolytoyError('runTrainerWorker: expected a worker thread started by trainParallel, received the main thread');
  }
  const init = workerData as WorkerInit;
  const post = (msg: FromWorker): void => port.postMessage(msg);
  // One listener from the start: messages can arrive back to back (a job, then `pause`).
  const inbox: ToWorker[] = [];
  let notify: (() => void) | null = null;
  port.on('message', (msg: ToWorker) => {
    inbox.push(msg);
    notify?.();
  });
  const receive = async (): Promise<ToWorker> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (notify = resolve));
    notify = null;
    return inbox.shift()!;
  };
  try {
    await initBackend({ wasmPaths: wasmDistDir(), kernels: init.kernels });
  } catch (error) {
    post({ type: 'failed', error: failure(error) });
    return;
  }
  post({ type: 'ready' });
  const job = await receive();
  if (job.type === 'train') await trainSlice(job, receive, post);
  else if (job.type === 'split') splitLoop(job, post);
  port.close();
}

/** Trains a slice of the instances with `train()`, reporting to the parent. */
async function trainSlice(
  msg: Extract<ToWorker, { type: 'train' }>,
  receive: () => Promise<ToWorker>,
  post: (m: FromWorker) => void,
): Promise<void> {
  let pause = msg.paused;
  let stopAt: number | null = null;
  const gate: { release: (() => void) | null } = { release: null };
  void (async () => {
    for (;;) {
      const m = await receive();
      if (m.type === 'pause') pause = true;
      if (m.type === 'stop-at') {
        stopAt = m.step;
        gate.release?.();
        return;
      }
    }
  })();
  const checkpoint: CheckpointSink | undefined =
    msg.checkpointEvery !== undefined
      ? { every: msg.checkpointEvery, write: async (cp) => post({ type: 'checkpoint', checkpoint: cp }) }
      : undefined;
  try {
    const result = await runTraining(
      msg.config,
      {
        onLog: (record) => post({ type: 'log', record }),
        onProgress: (p) => post({ type: 'progress', done: p.done, loss: p.loss }),
        ...(checkpoint ? { checkpoint } : {}),
        ...(msg.resume ? { resumeFrom: msg.resume } : {}),
        ...(msg.checkEvery !== undefined ? { checkEvery: msg.checkEvery } : {}),
      },
      {
        ...(msg.flushEvery !== undefined ? { flushEvery: msg.flushEvery } : {}),
        stopBefore: async (step) => {
          if (stopAt === null && pause) {
            post({ type: 'paused', step });
            await new Promise<void>((resolve) => {
              gate.release = resolve;
              if (stopAt !== null) resolve();
            });
          }
          return stopAt !== null && step >= stopAt;
        },
      },
    );
    post({ type: 'result', result });
  } catch (error) {
    post({ type: 'failed', error: failure(error) });
  }
}

/**
 * A batch-split worker: holds a replica of the parameters and optimizer state, and on every
 * `step` command computes the loss sums and gradients of its rows, publishes the gradients,
 * waits for the other workers, sums all workers' gradients in worker order and applies the same
 * update as every other replica.
 */
function splitLoop(msg: Extract<ToWorker, { type: 'split' }>, post: (m: FromWorker) => void): void {
  const { config, index, workers, rows, shared } = msg;
  const ctrl = new Int32Array(shared.control);
  const fail = (error: unknown): void => {
    Atomics.store(ctrl, CTRL.failed, 1);
    post({ type: 'failed', error: failure(error) });
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
    Atomics.notify(ctrl, CTRL.arrived);
  };
  const { model, instances } = config;
  const I = instances.length;
  const B = config.batchSize;
  const n = model.n;
  const m = model.m;
  const [r0, r1] = rows;
  const lambda = instances.map((s) => s.lambda);
  let params: ReturnType<typeof paramsToTensors>;
  let state: ReturnType<typeof createOptimizerState>;
  let fused: FusedTiedStep;
  try {
    params = paramsToTensors(msg.params);
    state = msg.optimizer
      ? stateFromData(msg.optimizer, config, params)
      : createOptimizerState(config.optimizer, paramMap(params));
    fused = new FusedTiedStep({
      model,
      optimizer: config.optimizer,
      instances: I,
      batch: r1 - r0,
      batchTotal: B,
      lambda,
      importance: msg.importance,
    });
  } catch (error) {
    fail(error);
    return;
  }
  if (params.kind !== 'tied') {
    fail(new PolytoyError('batch split: expected tied parameters'));
    return;
  }
  const { W, b } = params;
  const x = new Float32Array(shared.x);
  const lr = new Float64Array(shared.lr);
  const grads = new Float32Array(shared.grads);
  const sums = new Float64Array(shared.sums);
  const flags = new Int32Array(shared.flags);
  const gradLen = I * (m * n + n);
  const heap = fused.heap;
  // Heap space for another worker's gradients.
  const incomingW = tf.zeros([I * m * n]);
  const incomingB = tf.zeros([I * n]);
  const post0 = index === 0;
  let seen = 0;
  let barriers = 0;
  post({ type: 'ready' });

  const barrier = (): void => {
    Atomics.add(ctrl, CTRL.arrived, 1);
    Atomics.notify(ctrl, CTRL.arrived);
    const target = workers * ++barriers;
    for (;;) {
      const v = Atomics.load(ctrl, CTRL.arrived);
      if (v >= target) return;
      if (Atomics.load(ctrl, CTRL.failed) !== 0) throw new PolytoyError('batch split: another worker failed');
      Atomics.wait(ctrl, CTRL.arrived, v, 1000);
    }
  };

  const step = (update: boolean): void => {
    for (let i = 0; i < I; i++) fused.xView(i).set(x.subarray((i * B + r0) * n, (i * B + r1) * n));
    const weightL1 = post0 && model.l1.target === 'weights' ? fused.weightL1(W) : null;
    const s = fused.forward(W, b, update);
    const base = index * 3 * I;
    for (let i = 0; i < I; i++) {
      sums[base + i] = s.reconstruction[i]!;
      sums[base + I + i] = s.activationL1[i]!;
      sums[base + 2 * I + i] = weightL1 ? weightL1[i]! : 0;
    }
    if (!update) return;
    const mn = I * m * n;
    const pDW = heap.offsetOf(fused.dW, 'dW');
    const pDB = heap.offsetOf(fused.db, 'db');
    const H = heap.f32();
    const slot = index * gradLen;
    grads.set(H.subarray(pDW >> 2, (pDW >> 2) + mn), slot);
    grads.set(H.subarray(pDB >> 2, (pDB >> 2) + I * n), slot + mn);
    barrier();
    // dW = ((g_0 + g_1) + g_2) + …, in float32, the same on every worker.
    H.set(grads.subarray(0, mn), pDW >> 2);
    H.set(grads.subarray(mn, gradLen), pDB >> 2);
    const pInW = heap.offsetOf(incomingW, 'incomingW');
    const pInB = heap.offsetOf(incomingB, 'incomingB');
    for (let w = 1; w < workers; w++) {
      H.set(grads.subarray(w * gradLen, w * gradLen + mn), pInW >> 2);
      H.set(grads.subarray(w * gradLen + mn, (w + 1) * gradLen), pInB >> 2);
      // The kernels' SGD update with lr = -1 and no decay is exactly p ← fl(p + g).
      heap.kernels.sgd(pDW, pInW, 0, mn, -1, 0, 1, 0);
      heap.kernels.sgd(pDB, pInB, 0, I * n, -1, 0, 1, 0);
    }
    state.step += 1;
    fused.update(W, b, state, Array.from(lr), state.step);
  };

  const finite = (): void => {
    const H = heap.f32();
    const pW = heap.offsetOf(W, 'W') >> 2;
    const pb = heap.offsetOf(b, 'b') >> 2;
    for (let i = 0; i < I; i++) {
      let ok = 1;
      for (let e = pW + i * m * n, end = e + m * n; e < end && ok; e++) if (!Number.isFinite(H[e]!)) ok = 0;
      for (let e = pb + i * n, end = e + n; e < end && ok; e++) if (!Number.isFinite(H[e]!)) ok = 0;
      flags[i] = ok;
    }
  };

  for (;;) {
    while (Atomics.load(ctrl, CTRL.go) === seen) Atomics.wait(ctrl, CTRL.go, seen);
    seen += 1;
    const command = Atomics.load(ctrl, CTRL.command);
    try {
      if (command === CMD.step) step(true);
      else if (command === CMD.evaluate) step(false);
      else if (command === CMD.flush) flushMomentsInPlace(heap, state, FLUSH_THRESHOLD);
      else if (command === CMD.finite && post0) finite();
      else if (command === CMD.export && post0) {
        post({ type: 'export', params: tensorsToParams(params), optimizer: stateToData(state) });
      }
    } catch (error) {
      fail(error);
      break;
    }
    if (command === CMD.exit) {
      fused.dispose();
      disposeParams(params);
      tf.dispose([incomingW, incomingB]);
      disposeOptimizerState(state);
    }
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
    if (command === CMD.exit) break;
  }
}
