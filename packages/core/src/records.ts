/**
 * Records that cross package boundaries: training logs and the run result that `polytoy train
 * --out` writes and `@polytoy/metrics` reads back.
 */
import type { TrainConfig } from './config.js';
import type { ModelParams, SerializedParams } from './params.js';

/** Loss components at one step for one instance (means over the batch). */
export interface LossRecord {
  step: number;
  instance: number;
  /** reconstruction + lambda * l1 */
  loss: number;
  /** mean over samples of ||x - y||^2 */
  reconstruction: number;
  /** mean over samples of ||h||_1 (activation L1) or sum |W| (weight L1), before lambda */
  l1: number;
}

/** Progress reported by long-running work (training, experiments). */
export interface Progress {
  done: number;
  total: number;
  /** Latest loss, when known. */
  loss?: number;
  message?: string;
}

export type ProgressCallback = (p: Progress) => void;

/** The outcome of training one instance. */
export interface InstanceResult {
  instance: number;
  seed: number;
  lambda: number;
  lr: number;
  params: ModelParams;
  finalLoss: LossRecord;
  history: LossRecord[];
}

/** The result of a training run (one or many instances). */
export interface TrainResult {
  config: TrainConfig;
  instances: InstanceResult[];
  /** Backend facts checked at start-up, e.g. `{ backend: 'wasm', simd: true }`. */
  runtime: RuntimeInfo;
  wallSeconds: number;
}

export interface RuntimeInfo {
  backend: string;
  simd: boolean;
  threads: boolean;
  tfjsVersion: string;
  platform: 'node' | 'browser';
  /**
   * Matrix-product kernels of the wasm backend: `'polytoy'` (`@polytoy/kernels`, with the fused
   * training step) or `'stock'` (tfjs-backend-wasm's own). Absent in older records.
   */
  kernels?: 'polytoy' | 'stock';
  /**
   * Worker threads the run was spread over (absent: trained in one thread): `'instances'` gives
   * each worker a slice of the instances (bit-identical to one thread), `'batch'` splits every
   * batch and sums the gradients in a fixed order.
   */
  parallel?: { workers: number; split: 'instances' | 'batch' };
}

/** JSON file format of a run (version tag lets readers reject what they don't understand). */
export const RUN_RECORD_FORMAT = 'polytoy.run/1' as const;

export interface RunRecordInstance extends Omit<InstanceResult, 'params'> {
  params: SerializedParams;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  createdAt: string;
  config: unknown;
  runtime: RuntimeInfo;
  wallSeconds: number;
  instances: RunRecordInstance[];
  /** Analyses added by the CLI (metrics, exact loss), keyed by name. */
  analysis?: Record<string, unknown>;
}

import { PolytoyError } from './errors.js';
import { deserializeParams, serializeParams } from './params.js';

/** JSON-safe copy of a config (typed arrays become plain arrays). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
}

/**
 * Converts a {@link TrainResult} to the JSON run record (`polytoy.run/1`).
 *
 * @example
 * fs.writeFileSync('run.json', JSON.stringify(toRunRecord(result)));
 */
export function toRunRecord(result: TrainResult, analysis?: Record<string, unknown>, now: Date = new Date()): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    createdAt: now.toISOString(),
    config: jsonSafe(result.config),
    runtime: result.runtime,
    wallSeconds: result.wallSeconds,
    instances: result.instances.map((r) => ({ ...r, params: serializeParams(r.params) })),
    ...(analysis ? { analysis } : {}),
  };
}

/** A run record read back, with parameters as typed arrays. */
export interface LoadedRun {
  record: RunRecord;
  params: ModelParams[];
}

/**
 * Parses and validates a run record (the JSON written by `polytoy train --out`).
 *
 * @throws PolytoyError if the value is not a `polytoy.run/1` record.
 */
export function parseRunRecord(value: unknown): LoadedRun {
  const v = value as Partial<RunRecord> | null;
  if (!v || typeof v !== 'object' || v.format !== RUN_RECORD_FORMAT) {
    throw new PolytoyError(
      `not a polytoy run record: expected format "${RUN_RECORD_FORMAT}", received ${JSON.stringify(v?.format)}`,
    );
  }
  if (!Array.isArray(v.instances) || v.instances.length === 0) {
    throw new PolytoyError('run record has no instances');
  }
  const params = v.instances.map((inst, i) => deserializeParams(inst.params, `instances[${i}].params`));
  return { record: v as RunRecord, params };
}
