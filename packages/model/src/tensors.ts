/**
 * Parameters of I independent instances stacked into tfjs tensors with a leading instance
 * dimension, and back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelParams } from '@polytoy/core';
import { checkParamsShape, ConfigError } from '@polytoy/core';

/** Stacked parameters of I instances (same kind and sizes). */
export type ParamTensors =
  | { kind: 'tied' /** [I, m, n] */; W: tf.Tensor3D /** [I, n] */; b: tf.Tensor2D }
  | {
      kind: 'untied';
      /** [I, m, n] encoder */
      E: tf.Tensor3D;
      /** [I, n, m] decoder */
      D: tf.Tensor3D;
      /** [I, n] */
      b: tf.Tensor2D;
    };

function stack(arrays: Float32Array[], rows: number, cols: number): tf.Tensor3D {
  const out = new Float32Array(arrays.length * rows * cols);
  arrays.forEach((a, i) => out.set(a, i * rows * cols));
  return tf.tensor3d(out, [arrays.length, rows, cols]);
}

/**
 * Stacks one {@link ModelParams} per instance into tensors (float32 copies).
 *
 * @param list - at least one instance; all of the same kind, `n` and `m`.
 * @throws ConfigError for an empty list or mismatched instances.
 * @example
 * const t = paramsToTensors([initParams(model, createPrng(0)), initParams(model, createPrng(1))]);
 * // t.kind === 'tied'; t.W.shape = [2, m, n]
 */
export function paramsToTensors(list: ModelParams[]): ParamTensors {
  const first = list[0];
  if (!first) throw new ConfigError('params', 'at least one instance', 'an empty list');
  const { n, m, kind } = first;
  list.forEach((p, i) => {
    if (p.kind !== kind) throw new ConfigError(`params[${i}].kind`, `"${kind}" (as params[0])`, p.kind);
    checkParamsShape(p, first, `params[${i}]`);
  });
  const I = list.length;
  const bs = new Float32Array(I * n);
  list.forEach((p, i) => bs.set(p.b, i * n));
  const b = tf.tensor2d(bs, [I, n]);
  if (kind === 'tied') {
    return {
      kind,
      W: stack(
        list.map((p) => (p as Extract<ModelParams, { kind: 'tied' }>).W),
        m,
        n,
      ),
      b,
    };
  }
  const untied = list as Extract<ModelParams, { kind: 'untied' }>[];
  return {
    kind,
    E: stack(
      untied.map((p) => p.E),
      m,
      n,
    ),
    D: stack(
      untied.map((p) => p.D),
      n,
      m,
    ),
    b,
  };
}

function slices(t: tf.Tensor, I: number): Float32Array[] {
  const data = t.dataSync() as Float32Array;
  const size = data.length / I;
  return Array.from({ length: I }, (_, i) => data.slice(i * size, (i + 1) * size));
}

/**
 * Copies stacked tensors back to one {@link ModelParams} per instance (synchronous download).
 *
 * @example
 * const [p0] = tensorsToParams(t); // p0.W is a Float32Array copy
 */
export function tensorsToParams(t: ParamTensors): ModelParams[] {
  const [I, n] = t.b.shape;
  const bs = slices(t.b, I);
  if (t.kind === 'tied') {
    const m = t.W.shape[1];
    const Ws = slices(t.W, I);
    return bs.map((b, i) => ({ kind: 'tied', n, m, W: Ws[i]!, b }));
  }
  const m = t.E.shape[1];
  const Es = slices(t.E, I);
  const Ds = slices(t.D, I);
  return bs.map((b, i) => ({ kind: 'untied', n, m, E: Es[i]!, D: Ds[i]!, b }));
}

/**
 * Disposes every tensor of `t`.
 *
 * @example
 * disposeParams(t);
 */
export function disposeParams(t: ParamTensors): void {
  if (t.kind === 'tied') tf.dispose([t.W, t.b]);
  else tf.dispose([t.E, t.D, t.b]);
}
