/**
 * Messages between the page and the training worker. Everything is structured-clone safe
 * (typed arrays travel as copies).
 */
import type { LossRecord, ModelParams, RunRecord, RuntimeInfo, TrainConfigInput } from '@polytoy/core';

/** Page → worker. */
export type ToWorker =
  /** Start tfjs-backend-wasm; `wasmPaths` is the absolute URL prefix of the served `.wasm` files. */
  | { type: 'init'; wasmPaths: string }
  /**
   * Train a config; `snapshotEvery` = updates between live parameter snapshots; `pace` = updates
   * per second to hold the run to (0 or absent: as fast as possible).
   */
  | { type: 'train'; runId: number; config: TrainConfigInput; snapshotEvery: number; pace?: number }
  /** Measure training throughput (benchmark harness). */
  | { type: 'throughput'; runId: number; config: TrainConfigInput; warmupSteps: number }
  /** Abort the current run between two updates. */
  | { type: 'stop'; runId: number };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; runtime: RuntimeInfo; inWorker: boolean }
  | { type: 'progress'; runId: number; done: number; total: number; loss: number | undefined }
  | { type: 'log'; runId: number; record: LossRecord }
  /** Every instance's parameters at `step`. */
  | { type: 'snapshot'; runId: number; step: number; params: ModelParams[] }
  | { type: 'done'; runId: number; record: RunRecord }
  | { type: 'throughput'; runId: number; result: ThroughputResult }
  | { type: 'aborted'; runId: number; step: number }
  | { type: 'error'; runId: number | null; name: string; message: string };

/** Steps per second of one training run, measured after a warm-up. */
export interface ThroughputResult {
  steps: number;
  warmupSteps: number;
  /** Seconds from the log at `warmupSteps` to the final log. */
  seconds: number;
  stepsPerSecond: number;
  runtime: RuntimeInfo;
}
