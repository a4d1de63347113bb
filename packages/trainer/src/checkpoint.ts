/**
 * Checkpoints: everything needed to continue a run bit-identically — parameters, optimizer
 * moments, every PRNG state, the history so far — and their pure JSON (de)serialisation. Writing
 * files lives in `@polytoy/trainer/node` (`fileCheckpointSink`, `readCheckpoint`).
 */
import type { DivergenceReason, LossRecord, ModelParams, PrngState } from '@polytoy/core';
import { ConfigError, PolytoyError } from '@polytoy/core';
import type { PlateauState } from './convergence.js';
import { decodeFloat32, encodeFloat32 } from './float32-base64.js';
import { registeredOptimizerKinds } from './optimizers/registry.js';

/** `/2` adds `instanceStates` (convergence and divergence per instance); `/1` files are still read. */
export const CHECKPOINT_FORMAT = 'polytoy.checkpoint/2' as const;
const CHECKPOINT_FORMAT_V1 = 'polytoy.checkpoint/1';

/** One moment tensor downloaded from the backend: its shape ([I, …]) and row-major values. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** Optimizer state as plain arrays (see `OptimizerState` for the tensor form). */
export interface OptimizerStateData {
  /** A kind of the optimizer table (`optimizerDefinition`). */
  kind: string;
  /** Updates applied so far. */
  step: number;
  /** slot name (`momentum`, `m`, `v`) → parameter name (`W`, `E`, `D`, `b`) → values. */
  slots: Record<string, Record<string, TensorData>>;
}

/**
 * The three PRNG streams of one instance (all forked from `createPrng(instance.seed)`; see
 * `instanceStreams`). `init` is used up before step 0 but kept for completeness.
 */
export interface InstanceStreamStates {
  init: PrngState;
  data: PrngState;
  noise: PrngState;
}

/** What the trainer watches for an instance that is still training. */
export interface InstanceMonitor {
  /** Divergence reference (see `referenceLoss`), or null before the first step. */
  reference: number | null;
  /** The plateau criterion's state, or null when convergence is off. */
  plateau: PlateauState | null;
}

/**
 * One instance's place in a run. A `converged` or `diverged` instance no longer trains: its
 * `params` and `rngs` in the checkpoint are those of its freeze step, its optimizer rows are 0.
 */
export type InstanceState =
  | { status: 'training'; monitor: InstanceMonitor }
  | { status: 'converged'; step: number; finalLoss: LossRecord }
  | { status: 'diverged'; step: number; reason: DivergenceReason; message: string };

/** A training run frozen after `step` updates. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  /** The normalised TrainConfig, JSON-safe (typed arrays as plain arrays). */
  config: unknown;
  /** Updates applied so far; training resumes with update `step`. */
  step: number;
  /** One entry per instance, after `step` updates. */
  params: ModelParams[];
  optimizer: OptimizerStateData;
  /** PRNG states per instance, after the draws of `step` updates. */
  rngs: InstanceStreamStates[];
  /** Per instance, the LossRecords logged so far (all with `record.step < step`). */
  history: LossRecord[][];
  /** Per instance: still training (with its monitor state), converged or diverged. */
  instanceStates: InstanceState[];
  /** Wall time spent training up to this checkpoint, summed over sessions. */
  wallSeconds: number;
}

/** Float32 values in JSON: base64 of the little-endian bytes. */
export interface EncodedFloat32 {
  f32: string;
}

/** A tensor in a serialized checkpoint: its shape and its float32 data as base64. */
export interface EncodedTensorData {
  shape: number[];
  data: EncodedFloat32;
}

/** JSON form of a {@link Checkpoint} (what checkpoint files contain). */
export interface SerializedCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  config: unknown;
  step: number;
  params: Array<
    | { kind: 'tied'; n: number; m: number; W: EncodedFloat32; b: EncodedFloat32 }
    | { kind: 'untied'; n: number; m: number; E: EncodedFloat32; D: EncodedFloat32; b: EncodedFloat32 }
  >;
  optimizer: { kind: string; step: number; slots: Record<string, Record<string, EncodedTensorData>> };
  rngs: InstanceStreamStates[];
  history: LossRecord[][];
  instanceStates: InstanceState[];
  wallSeconds: number;
}

/**
 * JSON-safe copy of a config: typed arrays become plain arrays (float32 → float64 is exact,
 * and JSON prints the shortest round-tripping decimal).
 *
 * @example
 * JSON.stringify(jsonSafeConfig(config));
 */
export function jsonSafeConfig(config: unknown): unknown {
  return JSON.parse(JSON.stringify(config, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
}

const enc = (a: Float32Array): EncodedFloat32 => ({ f32: encodeFloat32(a) });

/**
 * Converts a checkpoint to its JSON form (float32 arrays as base64, exact).
 *
 * @example
 * const text = JSON.stringify(serializeCheckpoint(cp));
 */
export function serializeCheckpoint(cp: Checkpoint): SerializedCheckpoint {
  const slots: SerializedCheckpoint['optimizer']['slots'] = {};
  for (const [slot, byParam] of Object.entries(cp.optimizer.slots)) {
    slots[slot] = Object.fromEntries(
      Object.entries(byParam).map(([name, t]) => [name, { shape: [...t.shape], data: enc(t.data) }]),
    );
  }
  return {
    format: CHECKPOINT_FORMAT,
    config: jsonSafeConfig(cp.config),
    step: cp.step,
    params: cp.params.map((p) =>
      p.kind === 'tied'
        ? { kind: 'tied', n: p.n, m: p.m, W: enc(p.W), b: enc(p.b) }
        : { kind: 'untied', n: p.n, m: p.m, E: enc(p.E), D: enc(p.D), b: enc(p.b) },
    ),
    optimizer: { kind: cp.optimizer.kind, step: cp.optimizer.step, slots },
    rngs: cp.rngs.map((r) => ({ init: [...r.init], data: [...r.data], noise: [...r.noise] }) as InstanceStreamStates),
    history: cp.history.map((h) => h.map((r) => ({ ...r }))),
    instanceStates: cp.instanceStates.map(cloneInstanceState),
    wallSeconds: cp.wallSeconds,
  };
}

/** Deep copy of an instance state. */
export function cloneInstanceState(s: InstanceState): InstanceState {
  if (s.status === 'converged') return { ...s, finalLoss: { ...s.finalLoss } };
  if (s.status === 'diverged') return { ...s };
  const p = s.monitor.plateau;
  return {
    status: 'training',
    monitor: {
      reference: s.monitor.reference,
      plateau: p ? { ...p, means: p.means.map(([a, b]) => [a, b] as [number, number]) } : null,
    },
  };
}

type Obj = Record<string, unknown>;

function obj(value: unknown, path: string): Obj {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path, 'an object', value);
  return value as Obj;
}

function nonNegativeInt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(path, 'an integer >= 0', value);
  }
  return value;
}

function floats(value: unknown, length: number, path: string): Float32Array {
  const v = obj(value, path);
  if (typeof v.f32 !== 'string') throw new ConfigError(`${path}.f32`, 'a base64 string', v.f32);
  try {
    return decodeFloat32(v.f32, length);
  } catch (error) {
    throw new ConfigError(`${path}.f32`, `base64 of ${length} float32 values`, (error as Error).message);
  }
}

function prngState(value: unknown, path: string): PrngState {
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !value.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
    value.every((w) => w === 0)
  ) {
    throw new ConfigError(path, 'four uint32 words, not all zero', value);
  }
  return value as unknown as PrngState;
}

function lossRecord(value: unknown, path: string): LossRecord {
  const v = obj(value, path);
  for (const key of ['step', 'instance', 'loss', 'reconstruction', 'l1'] as const) {
    // Diverged values are never checkpointed, so every number is finite.
    if (typeof v[key] !== 'number' || !Number.isFinite(v[key]))
      throw new ConfigError(`${path}.${key}`, 'a finite number', v[key]);
  }
  return { step: v.step, instance: v.instance, loss: v.loss, reconstruction: v.reconstruction, l1: v.l1 } as LossRecord;
}

function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(path, 'a finite number', value);
  return value;
}

function plateauState(value: unknown, path: string): PlateauState | null {
  if (value === null) return null;
  const v = obj(value, path);
  if (!Array.isArray(v.means)) throw new ConfigError(`${path}.means`, 'an array of [loss, l1] window means', v.means);
  const means = v.means.map((m, k): [number, number] => {
    if (!Array.isArray(m) || m.length !== 2) throw new ConfigError(`${path}.means[${k}]`, 'a [loss, l1] pair', m);
    return [finiteNumber(m[0], `${path}.means[${k}][0]`), finiteNumber(m[1], `${path}.means[${k}][1]`)];
  });
  return {
    count: nonNegativeInt(v.count, `${path}.count`),
    loss: finiteNumber(v.loss, `${path}.loss`),
    l1: finiteNumber(v.l1, `${path}.l1`),
    means,
  };
}

const REASONS: readonly DivergenceReason[] = ['non-finite-loss', 'non-finite-params', 'blow-up'];

function instanceState(value: unknown, path: string): InstanceState {
  const v = obj(value, path);
  if (v.status === 'training') {
    const m = obj(v.monitor, `${path}.monitor`);
    const reference = m.reference === null ? null : finiteNumber(m.reference, `${path}.monitor.reference`);
    return { status: 'training', monitor: { reference, plateau: plateauState(m.plateau ?? null, `${path}.monitor.plateau`) } };
  }
  if (v.status === 'converged') {
    return {
      status: 'converged',
      step: nonNegativeInt(v.step, `${path}.step`),
      finalLoss: lossRecord(v.finalLoss, `${path}.finalLoss`),
    };
  }
  if (v.status === 'diverged') {
    if (!REASONS.includes(v.reason as DivergenceReason)) {
      throw new ConfigError(`${path}.reason`, REASONS.map((r) => `"${r}"`).join(' | '), v.reason);
    }
    if (typeof v.message !== 'string') throw new ConfigError(`${path}.message`, 'a string', v.message);
    return {
      status: 'diverged',
      step: nonNegativeInt(v.step, `${path}.step`),
      reason: v.reason as DivergenceReason,
      message: v.message,
    };
  }
  throw new ConfigError(`${path}.status`, '"training" | "converged" | "diverged"', v.status);
}

/**
 * The states of a `/1` checkpoint (before convergence tracking): every instance training, with
 * its step-0 loss as the divergence reference when it was logged.
 */
function v1States(history: LossRecord[][]): InstanceState[] {
  return history.map((h) => ({
    status: 'training',
    monitor: { reference: h[0]?.step === 0 ? h[0].loss : null, plateau: null },
  }));
}

function params(value: unknown, path: string): ModelParams {
  const v = obj(value, path);
  const n = nonNegativeInt(v.n, `${path}.n`);
  const m = nonNegativeInt(v.m, `${path}.m`);
  if (v.kind === 'tied') {
    return { kind: 'tied', n, m, W: floats(v.W, m * n, `${path}.W`), b: floats(v.b, n, `${path}.b`) };
  }
  if (v.kind === 'untied') {
    return {
      kind: 'untied',
      n,
      m,
      E: floats(v.E, m * n, `${path}.E`),
      D: floats(v.D, n * m, `${path}.D`),
      b: floats(v.b, n, `${path}.b`),
    };
  }
  throw new ConfigError(`${path}.kind`, '"tied" | "untied"', v.kind);
}

/**
 * Validates a checkpoint's JSON form (e.g. `JSON.parse` of a checkpoint file) and decodes it.
 *
 * @throws PolytoyError if it is not a `polytoy.checkpoint/1`; ConfigError naming the first bad field.
 * @example
 * const cp = deserializeCheckpoint(JSON.parse(text));
 * await train(cp.config as TrainConfigInput, { resumeFrom: cp });
 */
export function deserializeCheckpoint(value: unknown): Checkpoint {
  const v = value as Obj | null;
  if (!v || typeof v !== 'object' || (v.format !== CHECKPOINT_FORMAT && v.format !== CHECKPOINT_FORMAT_V1)) {
    throw new PolytoyError(
      `not a polytoy checkpoint: expected format "${CHECKPOINT_FORMAT}" (or "${CHECKPOINT_FORMAT_V1}"), received ${JSON.stringify(v && typeof v === 'object' ? v.format : v)}`,
    );
  }
  const step = nonNegativeInt(v.step, 'checkpoint.step');
  if (!Array.isArray(v.params) || v.params.length === 0) {
    throw new ConfigError('checkpoint.params', 'a non-empty array', v.params);
  }
  const ps = v.params.map((p, i) => params(p, `checkpoint.params[${i}]`));
  const I = ps.length;
  const opt = obj(v.optimizer, 'checkpoint.optimizer');
  const kinds = registeredOptimizerKinds();
  if (typeof opt.kind !== 'string' || !kinds.includes(opt.kind)) {
    throw new ConfigError('checkpoint.optimizer.kind', kinds.map((k) => `"${k}"`).join(' | '), opt.kind);
  }
  const optStep = nonNegativeInt(opt.step, 'checkpoint.optimizer.step');
  if (optStep !== step) throw new ConfigError('checkpoint.optimizer.step', `${step} (checkpoint.step)`, optStep);
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(obj(opt.slots, 'checkpoint.optimizer.slots'))) {
    slots[slot] = {};
    for (const [name, t] of Object.entries(obj(byParam, `checkpoint.optimizer.slots.${slot}`))) {
      const path = `checkpoint.optimizer.slots.${slot}.${name}`;
      const tv = obj(t, path);
      const shape = tv.shape;
      if (!Array.isArray(shape) || shape.length < 1 || shape[0] !== I || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
        throw new ConfigError(`${path}.shape`, `positive dimensions starting with ${I} (instances)`, shape);
      }
      const size = (shape as number[]).reduce((a, b) => a * b, 1);
      slots[slot]![name] = { shape: [...(shape as number[])], data: floats(tv.data, size, `${path}.data`) };
    }
  }
  if (!Array.isArray(v.rngs) || v.rngs.length !== I) {
    throw new ConfigError('checkpoint.rngs', `one entry per instance (${I})`, v.rngs);
  }
  const rngs = v.rngs.map((r, i) => {
    const o = obj(r, `checkpoint.rngs[${i}]`);
    return {
      init: prngState(o.init, `checkpoint.rngs[${i}].init`),
      data: prngState(o.data, `checkpoint.rngs[${i}].data`),
      noise: prngState(o.noise, `checkpoint.rngs[${i}].noise`),
    };
  });
  if (!Array.isArray(v.history) || v.history.length !== I) {
    throw new ConfigError('checkpoint.history', `one array per instance (${I})`, v.history);
  }
  const history = v.history.map((h, i) => {
    if (!Array.isArray(h)) throw new ConfigError(`checkpoint.history[${i}]`, 'an array of loss records', h);
    return h.map((r, k) => lossRecord(r, `checkpoint.history[${i}][${k}]`));
  });
  let instanceStates: InstanceState[];
  if (v.format === CHECKPOINT_FORMAT_V1) instanceStates = v1States(history);
  else {
    if (!Array.isArray(v.instanceStates) || v.instanceStates.length !== I) {
      throw new ConfigError('checkpoint.instanceStates', `one entry per instance (${I})`, v.instanceStates);
    }
    instanceStates = v.instanceStates.map((s, i) => instanceState(s, `checkpoint.instanceStates[${i}]`));
  }
  const wallSeconds = v.wallSeconds;
  if (typeof wallSeconds !== 'number' || !(wallSeconds >= 0)) {
    throw new ConfigError('checkpoint.wallSeconds', 'a number >= 0', wallSeconds);
  }
  obj(v.config, 'checkpoint.config');
  return {
    format: CHECKPOINT_FORMAT,
    config: v.config,
    step,
    params: ps,
    optimizer: { kind: opt.kind, step: optStep, slots },
    rngs,
    history,
    instanceStates,
    wallSeconds,
  };
}

/**
 * Optimizer state with rows picked by instance: row r of every slot tensor is row `rows[r]` of
 * `data`, or zeros where `rows[r]` is null (frozen instances). `step` becomes `step`.
 *
 * @example
 * instanceRows(engineState, [0, null, 1], 120); // three instances; the middle one frozen
 */
export function instanceRows(data: OptimizerStateData, rows: readonly (number | null)[], step = data.step): OptimizerStateData {
  const slots: OptimizerStateData['slots'] = {};
  for (const [slot, byParam] of Object.entries(data.slots)) {
    slots[slot] = {};
    for (const [name, t] of Object.entries(byParam)) {
      const per = t.data.length / t.shape[0]!;
      const out = new Float32Array(rows.length * per);
      rows.forEach((r, k) => {
        if (r !== null) out.set(t.data.subarray(r * per, (r + 1) * per), k * per);
      });
      slots[slot]![name] = { shape: [rows.length, ...t.shape.slice(1)], data: out };
    }
  }
  return { kind: data.kind, step, slots };
}

/**
 * Where the trainer sends checkpoints: every `every` updates, at the end, and on abort.
 * `write` may be async; training waits for it, so a sink never sees two writes at once.
 */
export interface CheckpointSink {
  /** Write a checkpoint after every `every` updates (>= 1). */
  every: number;
  write(checkpoint: Checkpoint): void | Promise<void>;
}

/**
 * A sink that keeps checkpoints in memory (tests, the browser playground).
 *
 * @param every - interval in updates.
 * @example
 * const sink = memoryCheckpointSink(100);
 * await train(cfg, { checkpoint: sink });
 * sink.checkpoints.at(-1)?.step; // cfg.steps
 */
export function memoryCheckpointSink(every: number): CheckpointSink & { checkpoints: Checkpoint[] } {
  if (!Number.isSafeInteger(every) || every < 1) throw new ConfigError('every', 'a positive integer', every);
  const checkpoints: Checkpoint[] = [];
  return { every, checkpoints, write: (cp) => void checkpoints.push(cp) };
}
