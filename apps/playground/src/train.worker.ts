/**
 * The training worker: tfjs-backend-wasm (SIMD, single-threaded) runs here, off the UI thread.
 * The page sends `init` once, then `train` / `throughput` / `stop`; see ./protocol.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, CheckpointSink } from '@polytoy/trainer';
import { initBackend, train, TrainingAbortedError } from '@polytoy/trainer';
import { DivergenceError, toRunRecord } from '@polytoy/core';
import type { FromWorker, ToWorker } from './protocol.js';
import { measureThroughput } from './throughput.js';

/** The slice of DedicatedWorkerGlobalScope used here (the DOM lib types `self` as Window). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker): void => scope.postMessage(message);

let ready: Promise<void> | null = null;
/** Set when the backend failed to start: every later request reports it instead of training. */
let backendError: unknown = null;
let current: { runId: number; controller: AbortController } | null = null;

function errorMessage(runId: number | null, error: unknown): FromWorker {
  const e = error instanceof Error ? error : new Error(String((error as { message?: unknown })?.message ?? error));
  return { type: 'error', runId, name: e.name, message: e.message };
}

async function init(wasmPaths: string): Promise<void> {
  // Node never uses the threaded binary (tfjs disables it there); neither do we, so both
  // environments run the very same `tfjs-backend-wasm-simd.wasm`.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const runtime = await initBackend({ wasmPaths });
  post({
    type: 'ready',
    runtime,
    inWorker: typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function',
  });
}

/** At most this many parameter snapshots per second reach the page. */
const SNAPSHOT_INTERVAL_MS = 40;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts every instance's parameters every `every` updates (the checkpoint hook is the trainer's
 * read-out point; it only reads, so training is unaffected), thinned to one per
 * {@link SNAPSHOT_INTERVAL_MS} except the last one (of a finished or an aborted run). With a `pace` (updates per
 * second) it also waits until the run is due at this step, so that a run can be watched; the
 * numbers do not depend on it.
 */
function snapshotSink(runId: number, every: number, signal: AbortSignal, pace: number, total: number): CheckpointSink {
  let last = -Infinity;
  const started = performance.now();
  return {
    every,
    write: async (cp: Checkpoint) => {
      if (pace > 0 && !signal.aborted) {
        const wait = started + (cp.step / pace) * 1000 - performance.now();
        if (wait > 1) await sleep(wait);
      }
      const now = performance.now();
      if (now - last < SNAPSHOT_INTERVAL_MS && !signal.aborted && cp.step < total) return;
      last = now;
      post({ type: 'snapshot', runId, step: cp.step, params: cp.params });
    },
  };
}

async function run(message: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  const controller = new AbortController();
  current = { runId: message.runId, controller };
  const { runId } = message;
  try {
    const result = await train(message.config, {
      signal: controller.signal,
      checkpoint: snapshotSink(
        runId,
        message.snapshotEvery,
        controller.signal,
        message.pace ?? 0,
        message.config.steps ?? Number.POSITIVE_INFINITY,
      ),
      onProgress: (p) => post({ type: 'progress', runId, done: p.done, total: p.total, loss: p.loss }),
      onLog: (record) => post({ type: 'log', runId, record }),
    });
    // The trainer reports a diverged instance instead of throwing; the page shows it as an error.
    const [diverged] = result.diverged;
    if (diverged) post(errorMessage(runId, new DivergenceError(diverged.message, diverged.step, diverged.instance)));
    else post({ type: 'done', runId, record: toRunRecord(result) });
  } catch (error) {
    if (error instanceof TrainingAbortedError) post({ type: 'aborted', runId, step: error.step });
    else post(errorMessage(runId, error));
  } finally {
    if (current?.runId === runId) current = null;
  }
}

let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'stop') {
    if (current?.runId === message.runId) current.controller.abort();
    return;
  }
  if (message.type === 'init') {
    ready ??= init(message.wasmPaths).catch((error: unknown) => {
      backendError = error;
      post(errorMessage(null, error));
    });
    return;
  }
  // One run at a time, after start-up.
  queue = queue.then(async () => {
    await ready;
    if (ready === null || backendError !== null) {
      post(errorMessage(message.runId, backendError ?? new Error('the worker was not initialised')));
      return;
    }
    if (message.type === 'train') await run(message);
    else {
      try {
        post({ type: 'throughput', runId: message.runId, result: await measureThroughput(message.config, message.warmupSteps) });
      } catch (error) {
        post(errorMessage(message.runId, error));
      }
    }
  });
};
