/**
 * Messages and shared-memory layout between `trainParallel` (parent) and its worker threads.
 * Internal to `@polytoy/trainer/node`.
 */
import type { LossRecord, ModelParams, TrainConfig, TrainResult } from '@polytoy/core';
import type { KernelChoice } from './backend.js';
import type { Checkpoint, OptimizerStateData } from './checkpoint.js';

/** Marks a worker started by `trainParallel` (in `workerData`). */
export const WORKER_MARK = '@polytoy/trainer:worker';

export interface WorkerInit {
  [WORKER_MARK]: true;
  kernels: KernelChoice;
}

/** An error crossing the thread boundary. */
export interface WorkerFailure {
  name: string;
  message: string;
  step?: number;
  instance?: number;
  /** TrainingAbortedError: the checkpoint of the slice. */
  checkpoint?: Checkpoint;
}

/** Parent → worker. */
export type ToWorker =
  | {
      type: 'train';
      config: TrainConfig;
      resume: Checkpoint | null;
      checkEvery: number | undefined;
      checkpointEvery: number | undefined;
      flushEvery: number | undefined;
      /**
       * One Int32 word shared by the run's workers, set to 1 when the run is aborted: read
       * before every update, so a worker pauses at its next step even while its event loop is
       * busy training (a message would wait for its next yield, up to ~100 ms of steps later).
       */
      pauseFlag: SharedArrayBuffer;
    }
  | { type: 'stop-at'; step: number }
  | {
      type: 'split';
      /** Replica index (0 is the main thread). */
      index: number;
      replicas: number;
      rows: [number, number];
      config: TrainConfig;
      params: ModelParams[];
      optimizer: OptimizerStateData | null;
      importance: Float32Array | null;
      shared: SplitBuffers;
    };

/** Worker → parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'log'; record: LossRecord }
  | { type: 'progress'; done: number; loss: number | undefined }
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'paused'; step: number }
  | { type: 'result'; result: TrainResult }
  | { type: 'failed'; error: WorkerFailure };

/** SharedArrayBuffers of a batch-split run (see `split-replica.ts` for the layout). */
export interface SplitBuffers {
  /** Int32 control words, see {@link CTRL}. */
  control: SharedArrayBuffer;
  /** Int32 ring of {@link CTRL.ring} commands, indexed by command number. */
  commands: SharedArrayBuffer;
  /** [I, B, n] float32 batch. */
  x: SharedArrayBuffer;
  /** [2, I] float64 learning rates, by update parity. */
  lr: SharedArrayBuffer;
  /** [2, replicas, gradientFloats] float32 gradients (dW, or dE then dD; then db), by update parity. */
  grads: SharedArrayBuffer;
  /** [replicas, 3·I] float64 loss sums: reconstruction, activation L1, weight L1. */
  sums: SharedArrayBuffer;
}

/** Indices into the control words. */
export const CTRL = {
  /** Commands issued by the main thread (monotonic); command k is `commands[k % ring]`. */
  go: 0,
  /** Replicas arrived at gradient barriers (monotonic). */
  arrived: 1,
  /** Commands completed, summed over the workers (monotonic). */
  done: 2,
  /** Set to 1 by a thread that failed. */
  failed: 3,
  size: 4,
  /** Length of the command ring. */
  ring: 8,
} as const;

export const CMD = {
  /** Loss and gradients of the replica's rows, barrier, sum, update. */
  step: 1,
  /** Loss sums only (evaluation). */
  evaluate: 2,
  flush: 3,
  exit: 4,
} as const;
