/**
 * Instance slices of a run: how a run's instances are divided among workers, and the slicing and
 * joining of checkpoints and results along that division (instance indices shifted each way).
 */
import type { LossRecord, TrainConfig, TrainResult } from '@polytoy/core';
import type { Checkpoint, InstanceState, OptimizerStateData, TensorData } from './checkpoint.js';
import { CHECKPOINT_FORMAT, jsonSafeConfig } from './checkpoint.js';

/** [start, end) of each of `parts` contiguous, balanced slices of `count` items. */
export function slices(count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, k) => [Math.floor((k * count) / parts), Math.floor(((k + 1) * count) / parts)]);
}

/** A record with its instance index shifted by `offset`. */
export const remap = (r: LossRecord, offset: number): LossRecord => ({ ...r, instance: r.instance + offset });

/** A divergence message ("instance 3 diverged …") with its instance index shifted. */
export const remapMessage = (message: string, offset: number): string =>
  message.replace(/^instance (\d+)/, (_m, i: string) => `instance ${Number(i) + offset}`);

/** An instance state with its records' instance index shifted. */
function remapState(st: InstanceState, offset: number): InstanceState {
  if (st.status === 'converged') return { ...st, finalLoss: remap(st.finalLoss, offset) };
  if (st.status === 'diverged') return { ...st, message: remapMessage(st.message, offset) };
  return st;
}

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

/**
 * A finished slice's last checkpoint at a later step: every instance in it is frozen (or it
 * reached the cap), so only the step changes.
 */
export const relabel = (cp: Checkpoint, step: number): Checkpoint => ({ ...cp, step, optimizer: { ...cp.optimizer, step } });

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
 * Joins the results of consecutive instance slices into the result of the whole run (`config`);
 * runtime facts come from the first slice, with `parallel` as given.
 */
export function mergeResults(
  parts: TrainResult[],
  offsets: number[],
  config: TrainConfig,
  parallel: NonNullable<TrainResult['runtime']['parallel']>,
  wallSeconds: number,
): TrainResult {
  return {
    config,
    instances: parts.flatMap((r, j) =>
      r.instances.map((inst) => ({
        ...inst,
        instance: inst.instance + offsets[j]!,
        finalLoss: remap(inst.finalLoss, offsets[j]!),
        history: inst.history.map((rec) => remap(rec, offsets[j]!)),
      })),
    ),
    diverged: parts.flatMap((r, j) =>
      r.diverged.map((d) => ({
        ...d,
        instance: d.instance + offsets[j]!,
        message: remapMessage(d.message, offsets[j]!),
        history: d.history.map((rec) => remap(rec, offsets[j]!)),
      })),
    ),
    stepsRun: Math.max(...parts.map((r) => r.stepsRun)),
    runtime: { ...parts[0]!.runtime, parallel },
    wallSeconds,
  };
}
