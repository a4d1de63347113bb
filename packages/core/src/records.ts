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

/**
 * How an instance's training ended:
 * - `converged` — the convergence criterion was met at `step` (its parameters stopped there);
 * - `capped` — it trained to the step cap without meeting it (every instance of a run with
 *   `convergence: { kind: 'off' }` is `capped`: nothing says it converged);
 * - `diverged` — its loss or parameters blew up at `step` (see {@link DivergenceReason}).
 */
export type InstanceStatus = 'converged' | 'capped' | 'diverged';

/**
 * Why an instance was declared diverged: a NaN/Inf minibatch loss, NaN/Inf parameters (checked
 * every `checkEvery` updates and at the end), or a finite loss above `divergence.blowUp` × the
 * instance's reference loss.
 */
export type DivergenceReason = 'non-finite-loss' | 'non-finite-params' | 'blow-up';

/** The outcome of training one instance that did not diverge. */
export interface InstanceResult {
  instance: number;
  seed: number;
  lambda: number;
  lr: number;
  status: 'converged' | 'capped';
  /** Updates this instance trained: its convergence step, or the cap. */
  step: number;
  /** The parameters after `step` updates. */
  params: ModelParams;
  /** The evaluation after `step` updates (a fresh batch from forked streams; `finalLoss.step = step`). */
  finalLoss: LossRecord;
  /** Logged records, ending with `finalLoss`. */
  history: LossRecord[];
}

/** An instance that diverged: reported with its step and reason, without parameters. */
export interface DivergedInstance {
  instance: number;
  seed: number;
  lambda: number;
  lr: number;
  status: 'diverged';
  /** The step whose loss (or, for `non-finite-params`, the update count whose parameters) was bad. */
  step: number;
  reason: DivergenceReason;
  /** One line, e.g. `instance 1 diverged at step 12: loss 3.1e6 > 100 × reference 4 (lr 1000 may be too large)`. */
  message: string;
  /** Logged records before the divergence (all finite). */
  history: LossRecord[];
}

/** The result of a training run (one or many instances). */
export interface TrainResult {
  config: TrainConfig;
  /**
   * The instances that did not diverge (converged or capped), in instance order; `instance`
   * is the index into `config.instances`.
   */
  instances: InstanceResult[];
  /** The instances that diverged, in instance order (their parameters are not returned). */
  diverged: DivergedInstance[];
  /** Updates the run made: the largest `step` of any instance (at most `config.steps`). */
  stepsRun: number;
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

/**
 * JSON file format of a run (version tag lets readers reject what they don't understand).
 * `/2` adds per-instance `status` and `step`, the `diverged` list and `stepsRun`; `/1` records
 * (fixed-step runs) are read as every instance `capped` at `config.steps`.
 */
export const RUN_RECORD_FORMAT = 'polytoy.run/2' as const;
/** The previous format, still read by {@link parseRunRecord}. */
export const RUN_RECORD_FORMAT_V1 = 'polytoy.run/1' as const;

export interface RunRecordInstance extends Omit<InstanceResult, 'params'> {
  params: SerializedParams;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  createdAt: string;
  config: unknown;
  runtime: RuntimeInfo;
  wallSeconds: number;
  stepsRun: number;
  /** The instances that did not diverge, with parameters. */
  instances: RunRecordInstance[];
  /** The instances that diverged (step, reason, message, history; no parameters). */
  diverged: DivergedInstance[];
  /** Analyses added by the CLI (metrics, exact loss), keyed by name. */
  analysis?: Record<string, unknown>;
  /**
   * `sha256:<hex>` of `JSON.stringify` of every other field, verified by {@link parseRunRecord}
   * (absent in records written before checksums; those are read as they are).
   */
  checksum?: string;
}

import { PolytoyError } from './errors.js';
import { deserializeParams, serializeParams } from './params.js';
import { checksumMatches, payloadChecksum } from './sha256.js';

/** JSON-safe copy of a config (typed arrays become plain arrays). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
}

/**
 * Converts a {@link TrainResult} to the JSON run record (`polytoy.run/2`).
 *
 * @example
 * fs.writeFileSync('run.json', JSON.stringify(toRunRecord(result)));
 */
export function toRunRecord(result: TrainResult, analysis?: Record<string, unknown>, now: Date = new Date()): RunRecord {
  const record: RunRecord = {
    format: RUN_RECORD_FORMAT,
    createdAt: now.toISOString(),
    config: jsonSafe(result.config),
    runtime: result.runtime,
    wallSeconds: result.wallSeconds,
    stepsRun: result.stepsRun,
    instances: result.instances.map((r) => ({ ...r, params: serializeParams(r.params) })),
    diverged: result.diverged.map((d) => ({ ...d, history: d.history.map((h) => ({ ...h })) })),
    ...(analysis ? { analysis } : {}),
  };
  // Sealed over its JSON form (what a file holds), so a reader can verify it after parsing.
  return { ...record, checksum: payloadChecksum(JSON.parse(JSON.stringify(record))) };
}

/** A run record read back, with parameters as typed arrays. */
export interface LoadedRun {
  record: RunRecord;
  /** The parameters of `record.instances` (same order). */
  params: ModelParams[];
}

/** A `/1` record in the `/2` shape: fixed-step runs, so every instance is `capped` at its last step. */
function upgradeV1(v: Record<string, unknown>): Partial<RunRecord> {
  const instances = Array.isArray(v.instances) ? (v.instances as Record<string, unknown>[]) : [];
  const steps = instances.map((inst) => {
    const last = (inst.finalLoss as { step?: unknown } | undefined)?.step;
    return typeof last === 'number' ? last : 0;
  });
  return {
    ...(v as Partial<RunRecord>),
    format: RUN_RECORD_FORMAT,
    stepsRun: Math.max(0, ...steps),
    instances: instances.map((inst, i) => ({ ...inst, status: 'capped', step: steps[i]! })) as RunRecordInstance[],
    diverged: [],
  };
}

/**
 * Parses and validates a run record (the JSON written by `polytoy train --out`).
 *
 * @throws PolytoyError if the value is not a `polytoy.run/2` (or `/1`) record.
 * @example
 * const { record, params } = parseRunRecord(JSON.parse(fs.readFileSync('run.json', 'utf8')));
 * record.instances[0].status; // 'converged' | 'capped'
 */
export function parseRunRecord(value: unknown): LoadedRun {
  let v = value as Partial<RunRecord> | null;
  if (v && typeof v === 'object' && 'checksum' in v && !checksumMatches(v as Record<string, unknown>)) {
    throw new PolytoyError(
      'run record checksum: expected the SHA-256 of the contents, received a mismatch (the file is corrupt or was edited)',
    );
  }
  const format = v && typeof v === 'object' ? (v.format as string | undefined) : undefined;
  if (v && format === RUN_RECORD_FORMAT_V1) v = upgradeV1(v as Record<string, unknown>);
  if (!v || typeof v !== 'object' || v.format !== RUN_RECORD_FORMAT) {
    throw new PolytoyError(
      `not a polytoy run record: expected format "${RUN_RECORD_FORMAT}" (or "${RUN_RECORD_FORMAT_V1}"), received ${JSON.stringify(v?.format)}`,
    );
  }
  // A record without a `diverged` list had none.
  if (v.diverged === undefined) v = { ...v, diverged: [] };
  if (!Array.isArray(v.instances) || !Array.isArray(v.diverged) || v.instances.length + v.diverged.length === 0) {
    throw new PolytoyError('run record has no instances');
  }
  const params = v.instances.map((inst, i) => deserializeParams(inst.params, `instances[${i}].params`));
  return { record: v as RunRecord, params };
}
