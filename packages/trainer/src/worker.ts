/**
 * The worker-thread side of `trainParallel`: a worker either trains a slice of the instances
 * with `train()` (messages to the parent), or computes its rows of every batch for a batch-split
 * run (shared memory, blocking waits).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DivergenceError, PolytoyError } from '@polytoy/core';
import { initBackend } from './backend.js';
import type { CheckpointSink } from './checkpoint.js';
import { TrainingAbortedError } from './errors.js';
import { SplitReplica, splitViews } from './split-replica.js';
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
  // One listener from the start: messages can arrive back to back (a job, then `stop-at`).
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
  const pauseFlag = new Int32Array(msg.pauseFlag);
  let stopAt: number | null = null;
  const gate: { release: (() => void) | null } = { release: null };
  void (async () => {
    for (;;) {
      const m = await receive();
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
          if (stopAt === null && Atomics.load(pauseFlag, 0) !== 0) {
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
 * A batch-split worker: one replica (see `split-replica.ts`), driven by the main thread's
 * commands in shared memory; blocks between them.
 */
function splitLoop(msg: Extract<ToWorker, { type: 'split' }>, post: (m: FromWorker) => void): void {
  const v = splitViews(msg.shared);
  const { ctrl } = v;
  const fail = (error: unknown): void => {
    Atomics.store(ctrl, CTRL.failed, 1);
    post({ type: 'failed', error: failure(error) });
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
    Atomics.notify(ctrl, CTRL.arrived);
  };
  let replica: SplitReplica;
  try {
    replica = new SplitReplica(msg.config, msg.index, msg.replicas, msg.rows, msg, v);
  } catch (error) {
    fail(error);
    return;
  }
  post({ type: 'ready' });
  let seen = 0;
  for (;;) {
    for (;;) {
      const issued = Atomics.load(ctrl, CTRL.go);
      if (issued > seen) break;
      Atomics.wait(ctrl, CTRL.go, issued);
    }
    seen += 1;
    const command = v.commands[seen % CTRL.ring];
    try {
      if (command === CMD.step) {
        replica.compute(true);
        replica.barrier();
        replica.update();
      } else if (command === CMD.evaluate) replica.compute(false);
      else if (command === CMD.flush) replica.flush();
      else if (command === CMD.exit) replica.dispose();
    } catch (error) {
      fail(error);
      break;
    }
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
    if (command === CMD.exit) break;
  }
}
