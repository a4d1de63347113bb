/**
 * Float64 parameters. `@polytoy/core` stores weights as Float32Array (what tfjs trains), but the
 * constructions are only exact in float64: `eps = sqrt(2/n)` is irrational for most n, and the
 * reference values need 1e-9. Every analytic function therefore accepts both precisions
 * ({@link AnyParams}) and computes in float64; the `*F64` constructions return float64 weights.
 */
import type { ModelParams, TiedParams, UntiedParams } from '@polytoy/core';

/** {@link TiedParams} with float64 storage: `h = W x`, `y = act(Wᵀ h + b)`. */
export interface TiedParamsF64 {
  kind: 'tied';
  n: number;
  m: number;
  /** [m, n] row-major: W[j * n + i] is feature i's weight on neuron j. */
  W: Float64Array;
  /** [n] output bias. */
  b: Float64Array;
}

/** {@link UntiedParams} with float64 storage: `h = E x`, `y = act(D h + b)`. */
export interface UntiedParamsF64 {
  kind: 'untied';
  n: number;
  m: number;
  /** [m, n] encoder. */
  E: Float64Array;
  /** [n, m] decoder. */
  D: Float64Array;
  /** [n] output bias. */
  b: Float64Array;
}

/** Float64 model parameters. */
export type ParamsF64 = TiedParamsF64 | UntiedParamsF64;

/** Parameters in either precision; analytic functions read both and compute in float64. */
export type AnyParams = ModelParams | ParamsF64;

/**
 * Copies parameters into float64 storage (float32 values convert exactly).
 *
 * @example
 * const p64 = toFloat64Params(sameSignConstruction({ n: 8 }));
 * p64.W instanceof Float64Array; // true
 */
export function toFloat64Params(p: AnyParams): ParamsF64 {
  return p.kind === 'tied'
    ? { kind: 'tied', n: p.n, m: p.m, W: Float64Array.from(p.W), b: Float64Array.from(p.b) }
    : { kind: 'untied', n: p.n, m: p.m, E: Float64Array.from(p.E), D: Float64Array.from(p.D), b: Float64Array.from(p.b) };
}

/**
 * Rounds parameters to the float32 storage of `@polytoy/core` (what the trainer and metrics use).
 *
 * @example
 * const p32 = toFloat32Params(sameSignConstructionF64({ n: 8 }));
 * p32.W instanceof Float32Array; // true
 */
export function toFloat32Params(p: TiedParamsF64): TiedParams;
export function toFloat32Params(p: UntiedParamsF64): UntiedParams;
export function toFloat32Params(p: AnyParams): ModelParams;
export function toFloat32Params(p: AnyParams): ModelParams {
  return p.kind === 'tied'
    ? { kind: 'tied', n: p.n, m: p.m, W: Float32Array.from(p.W), b: Float32Array.from(p.b) }
    : { kind: 'untied', n: p.n, m: p.m, E: Float32Array.from(p.E), D: Float32Array.from(p.D), b: Float32Array.from(p.b) };
}

/** Deep copy in float64. */
export function cloneParamsF64<P extends ParamsF64>(p: P): P {
  return toFloat64Params(p) as P;
}

/** Number of trainable scalars: tied `m·n + n`, untied `2·m·n + n`. */
export function parameterCount(p: AnyParams): number {
  return p.kind === 'tied' ? p.m * p.n + p.n : 2 * p.m * p.n + p.n;
}

/**
 * Flattens parameters into one float64 vector: tied `[W, b]`, untied `[E, D, b]`
 * (each row-major, in that order). Used by the Hessian and gradient-flow code.
 *
 * @example
 * flattenParams(sameSignConstructionF64({ n: 8 })).length; // 5·8 + 8 = 48
 */
export function flattenParams(p: AnyParams): Float64Array {
  const out = new Float64Array(parameterCount(p));
  if (p.kind === 'tied') {
    out.set(p.W, 0);
    out.set(p.b, p.W.length);
  } else {
    out.set(p.E, 0);
    out.set(p.D, p.E.length);
    out.set(p.b, p.E.length + p.D.length);
  }
  return out;
}

/**
 * Inverse of {@link flattenParams}: parameters shaped like `like`, values from `theta`.
 *
 * @example
 * const p = sameSignConstructionF64({ n: 8 });
 * unflattenParams(p, flattenParams(p)); // equal to p
 */
export function unflattenParams(like: { kind: 'tied' | 'untied'; n: number; m: number }, theta: ArrayLike<number>): ParamsF64 {
  const { n, m } = like;
  const mn = m * n;
  if (like.kind === 'tied') {
    return {
      kind: 'tied',
      n,
      m,
      W: Float64Array.from({ length: mn }, (_, k) => theta[k]!),
      b: Float64Array.from({ length: n }, (_, k) => theta[mn + k]!),
    };
  }
  return {
    kind: 'untied',
    n,
    m,
    E: Float64Array.from({ length: mn }, (_, k) => theta[k]!),
    D: Float64Array.from({ length: mn }, (_, k) => theta[mn + k]!),
    b: Float64Array.from({ length: n }, (_, k) => theta[2 * mn + k]!),
  };
}

/** Human-readable name of flat coordinate `k` (`W[3,5]`, `E[0,1]`, `D[2,0]`, `b[4]`). */
export function parameterName(like: { kind: 'tied' | 'untied'; n: number; m: number }, k: number): string {
  const { n, m } = like;
  const mn = m * n;
  if (like.kind === 'tied') return k < mn ? `W[${Math.floor(k / n)},${k % n}]` : `b[${k - mn}]`;
  if (k < mn) return `E[${Math.floor(k / n)},${k % n}]`;
  if (k < 2 * mn) return `D[${Math.floor((k - mn) / m)},${(k - mn) % m}]`;
  return `b[${k - 2 * mn}]`;
}
