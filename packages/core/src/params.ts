/**
 * Model parameters as plain typed arrays (row-major), shared by every package: the analytic
 * constructions produce them, the trainer returns them, metrics read them.
 */
import { ConfigError } from './errors.js';

/** Tied weights: `h = W x`, `y = act(Wᵀ h + b)`. */
export interface TiedParams {
  kind: 'tied';
  n: number;
  m: number;
  /** [m, n] row-major: W[j * n + i] is feature i's weight on neuron j. */
  W: Float32Array;
  /** [n] output bias. */
  b: Float32Array;
}

/** Untied weights: `h = E x`, `y = act(D h + b)`. */
export interface UntiedParams {
  kind: 'untied';
  n: number;
  m: number;
  /** [m, n] encoder. */
  E: Float32Array;
  /** [n, m] decoder. */
  D: Float32Array;
  /** [n] output bias. */
  b: Float32Array;
}

export type ModelParams = TiedParams | UntiedParams;

/** JSON form of {@link ModelParams}: arrays of numbers instead of Float32Array. */
export type SerializedParams =
  | { kind: 'tied'; n: number; m: number; W: number[]; b: number[] }
  | { kind: 'untied'; n: number; m: number; E: number[]; D: number[]; b: number[] };

/**
 * Encoder matrix [m, n] of either kind (for tied parameters, W itself).
 *
 * @example
 * encoderOf(params)[j * params.n + i]; // feature i's weight on neuron j
 */
export function encoderOf(p: ModelParams): Float32Array {
  return p.kind === 'tied' ? p.W : p.E;
}

/** Decoder as an [m, n] matrix (neuron j's write to output i at [j * n + i]); tied: W itself. */
export function decoderRowsOf(p: ModelParams): Float32Array {
  if (p.kind === 'tied') return p.W;
  const out = new Float32Array(p.m * p.n);
  for (let i = 0; i < p.n; i++) for (let j = 0; j < p.m; j++) out[j * p.n + i] = p.D[i * p.m + j]!;
  return out;
}

/** Converts parameters to a JSON-safe object (float32 values survive a JSON round trip exactly). */
export function serializeParams(p: ModelParams): SerializedParams {
  return p.kind === 'tied'
    ? { kind: 'tied', n: p.n, m: p.m, W: Array.from(p.W), b: Array.from(p.b) }
    : { kind: 'untied', n: p.n, m: p.m, E: Array.from(p.E), D: Array.from(p.D), b: Array.from(p.b) };
}

function floatArray(value: unknown, length: number, path: string): Float32Array {
  if (!Array.isArray(value) && !(value instanceof Float32Array)) {
    throw new ConfigError(path, `an array of ${length} numbers`, value);
  }
  if (value.length !== length) throw new ConfigError(path, `an array of length ${length}`, `length ${value.length}`);
  const items = value as ArrayLike<unknown>;
  for (let i = 0; i < length; i++) {
    const x = items[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ConfigError(`${path}[${i}]`, 'a finite number', x);
  }
  return Float32Array.from(items as ArrayLike<number>);
}

/**
 * Validates and converts serialized parameters back to {@link ModelParams}.
 *
 * @throws ConfigError for wrong shapes, non-finite values or unknown kinds.
 */
export function deserializeParams(value: unknown, path = 'params'): ModelParams {
  if (value == null || typeof value !== 'object') throw new ConfigError(path, 'a parameters object', value);
  const v = value as Record<string, unknown>;
  const n = v.n,
    m = v.m;
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new ConfigError(`${path}.n`, 'a positive integer', n);
  if (!Number.isSafeInteger(m) || (m as number) < 1) throw new ConfigError(`${path}.m`, 'a positive integer', m);
  const nn = n as number,
    mm = m as number;
  if (v.kind === 'tied') {
    return { kind: 'tied', n: nn, m: mm, W: floatArray(v.W, mm * nn, `${path}.W`), b: floatArray(v.b, nn, `${path}.b`) };
  }
  if (v.kind === 'untied') {
    return {
      kind: 'untied',
      n: nn,
      m: mm,
      E: floatArray(v.E, mm * nn, `${path}.E`),
      D: floatArray(v.D, nn * mm, `${path}.D`),
      b: floatArray(v.b, nn, `${path}.b`),
    };
  }
  throw new ConfigError(`${path}.kind`, '"tied" | "untied"', v.kind);
}

/** Deep copy. */
export function cloneParams(p: ModelParams): ModelParams {
  return p.kind === 'tied' ? { ...p, W: p.W.slice(), b: p.b.slice() } : { ...p, E: p.E.slice(), D: p.D.slice(), b: p.b.slice() };
}
