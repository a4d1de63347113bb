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
      /** Start paused (the run was aborted before this worker started). */
      paused: boolean;
    }
  | { type: 'pause' }
  | { type: 'stop-at'; step: number }
  | {
      type: 'split';
      index: number;
      workers: number;
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
  | { type: 'failed'; error: WorkerFailure }
  | { type: 'export'; params: ModelParams[]; optimizer: OptimizerStateData };

/** SharedArrayBuffers of a batch-split run. */
export interface SplitBuffers {
  /** Int32 control words, see {@link CTRL}. */
  control: SharedArrayBuffer;
  /** [I, B, n] float32 batch. */
  x: SharedArrayBuffer;
  /** [I] float64 learning rates of the current update. */
  lr: SharedArrayBuffer;
  /** [workers, I·(m·n + n)] float32 gradients (dW then db per worker). */
  grads: SharedArrayBuffer;
  /** [workers, 3·I] float64 loss sums: reconstruction, activation L1, weight L1. */
  sums: SharedArrayBuffer;
  /** [I] int32 finiteness flags. */
  flags: SharedArrayBuffer;
}

/** Indices into the control words. */
export const CTRL = {
  /** Incremented by the parent to start a command. */
  go: 0,
  /** The command: one of {@link CMD}. */
  command: 1,
  /** Workers arrived at the gradient barrier (monotonic). */
  arrived: 2,
  /** Workers done with the command (monotonic). */
  done: 3,
  /** Set to 1 by a worker that failed. */
  failed: 4,
  size: 8,
} as const;

export const CMD = {
  /** Loss and gradients on the batch, sum, update. */
  step: 1,
  /** Loss only (evaluation). */
  evaluate: 2,
  flush: 3,
  finite: 4,
  export: 5,
  exit: 6,
} as const;
