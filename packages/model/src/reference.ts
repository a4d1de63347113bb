/**
 * A plain-TypeScript float64 implementation of the same model, loss and gradients, written as
 * direct loops over the formulas: the cross-check for the tfjs code (and for finite
 * differences, which need float64). One instance, x: [B, n] row-major.
 */
import type { ModelConfig } from '@polytoy/core';

/**
 * Parameters the reference accepts: `ModelParams` (of `@polytoy/core`) or the same shape with any numeric
 * arrays (e.g. Float64Array, to evaluate constructions or finite differences exactly).
 */
export type ReferenceParams =
  | { kind: 'tied'; n: number; m: number; W: ArrayLike<number>; b: ArrayLike<number> }
  | { kind: 'untied'; n: number; m: number; E: ArrayLike<number>; D: ArrayLike<number>; b: ArrayLike<number> };

/** Forward intermediates of {@link referenceForward} (same names as {@link ForwardTrace}). */
export interface ReferenceTrace {
  /** [B, m] */
  hiddenPre: Float64Array;
  /** [B, m] clean */
  hidden: Float64Array;
  /** [B, m] with noise applied (a copy of `hidden` without noise) */
  hiddenNoisy: Float64Array;
  /** [B, n] */
  outputPre: Float64Array;
  /** [B, n] */
  output: Float64Array;
}

/** Gradients of {@link referenceLossAndGradients}: `W` for tied, `E` and `D` for untied. */
export interface ReferenceGradients {
  W?: Float64Array;
  E?: Float64Array;
  D?: Float64Array;
  b: Float64Array;
}

/** Result of {@link referenceLossAndGradients}. */
export interface ReferenceLossAndGradients {
  loss: number;
  reconstruction: number;
  l1: number;
  grads: ReferenceGradients;
}

const relu = (v: number): number => (v > 0 ? v : 0);
const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** Encoder weight of feature i on neuron j, and neuron j's decoder weight to output i. */
function accessors(p: ReferenceParams): { enc: (j: number, i: number) => number; dec: (j: number, i: number) => number } {
  const { n, m } = p;
  if (p.kind === 'tied') {
    const W = p.W;
    const w = (j: number, i: number): number => W[j * n + i]!;
    return { enc: w, dec: w };
  }
  const E = p.E,
    D = p.D;
  return { enc: (j, i) => E[j * n + i]!, dec: (j, i) => D[i * m + j]! };
}

/**
 * Forward pass of one instance in float64.
 *
 * @param model - resolved model config (architecture options).
 * @param p - one instance's parameters.
 * @param x - [B, n] row-major inputs.
 * @param batchSize - B.
 * @param noise - [B, m] hidden noise of kind `model.hiddenNoise.kind` (additive values or 0/1 mask).
 * @example
 * const { output } = referenceForward(model, params, x, B); // [B, n] Float64Array
 */
export function referenceForward(
  model: ModelConfig,
  p: ReferenceParams,
  x: ArrayLike<number>,
  batchSize: number,
  noise?: ArrayLike<number> | null,
): ReferenceTrace {
  const { n, m } = p;
  const B = batchSize;
  const { enc, dec } = accessors(p);
  const hiddenPre = new Float64Array(B * m);
  const hidden = new Float64Array(B * m);
  const hiddenNoisy = new Float64Array(B * m);
  const outputPre = new Float64Array(B * n);
  const output = new Float64Array(B * n);
  const noiseKind = model.hiddenNoise.kind;
  for (let s = 0; s < B; s++) {
    for (let j = 0; j < m; j++) {
      let a = 0;
      for (let i = 0; i < n; i++) a += enc(j, i) * x[s * n + i]!;
      const h = model.hiddenActivation === 'relu' ? relu(a) : a;
      hiddenPre[s * m + j] = a;
      hidden[s * m + j] = h;
      let hn = h;
      if (noise) hn = noiseKind === 'gaussian' ? h + noise[s * m + j]! : noiseKind === 'bernoulli' ? h * noise[s * m + j]! : h;
      hiddenNoisy[s * m + j] = hn;
    }
    for (let i = 0; i < n; i++) {
      let a = model.outputBias ? p.b[i]! : 0;
      for (let j = 0; j < m; j++) a += dec(j, i) * hiddenNoisy[s * m + j]!;
      outputPre[s * n + i] = a;
      output[s * n + i] = model.outputActivation === 'relu' ? relu(a) : a;
    }
  }
  return { hiddenPre, hidden, hiddenNoisy, outputPre, output };
}

/**
 * Loss and gradients of one instance in float64, by the chain rule written out element by
 * element (same conventions as {@link lossAndGradients}: ReLU'(0) = 0, sign(0) = 0, L1 on the
 * clean hidden activation, bias gradient 0 when `outputBias` is false).
 *
 * @example
 * const r = referenceLossAndGradients(model, params, x, B, 1e-3);
 * r.loss === r.reconstruction + 1e-3 * r.l1;
 */
export function referenceLossAndGradients(
  model: ModelConfig,
  p: ReferenceParams,
  x: ArrayLike<number>,
  batchSize: number,
  lambda: number,
  importance?: ArrayLike<number> | null,
  noise?: ArrayLike<number> | null,
): ReferenceLossAndGradients {
  const { n, m } = p;
  const B = batchSize;
  const t = referenceForward(model, p, x, B, noise);
  const { dec } = accessors(p);
  const dEnc = new Float64Array(m * n); // [m, n]
  const dDec = new Float64Array(m * n); // [m, n] indexed (j, i) like enc
  const db = new Float64Array(n);
  const weightsL1 = model.l1.target === 'weights';
  let reconstruction = 0;
  let l1 = 0;
  const dz = new Float64Array(n);
  const dh = new Float64Array(m);
  for (let s = 0; s < B; s++) {
    for (let i = 0; i < n; i++) {
      const w = importance ? importance[i]! : 1;
      const d = t.output[s * n + i]! - x[s * n + i]!;
      reconstruction += (w * d * d) / B;
      let g = (2 * w * d) / B;
      if (model.outputActivation === 'relu' && !(t.outputPre[s * n + i]! > 0)) g = 0;
      dz[i] = g;
      if (model.outputBias) db[i] = db[i]! + g;
    }
    for (let j = 0; j < m; j++) {
      const hn = t.hiddenNoisy[s * m + j]!;
      let g = 0;
      for (let i = 0; i < n; i++) {
        g += dec(j, i) * dz[i]!;
        dDec[j * n + i] = dDec[j * n + i]! + hn * dz[i]!;
      }
      if (noise && model.hiddenNoise.kind === 'bernoulli') g *= noise[s * m + j]!;
      const h = t.hidden[s * m + j]!;
      if (!weightsL1) {
        l1 += Math.abs(h) / B;
        g += (lambda * sign(h)) / B;
      }
      if (model.hiddenActivation === 'relu' && !(t.hiddenPre[s * m + j]! > 0)) g = 0;
      dh[j] = g;
    }
    for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) dEnc[j * n + i] = dEnc[j * n + i]! + dh[j]! * x[s * n + i]!;
  }
  if (weightsL1) {
    if (p.kind === 'tied') {
      for (let k = 0; k < m * n; k++) l1 += Math.abs(p.W[k]!);
    } else {
      for (let k = 0; k < m * n; k++) l1 += Math.abs(p.E[k]!) + Math.abs(p.D[k]!);
    }
  }
  const loss = reconstruction + lambda * l1;
  if (p.kind === 'tied') {
    const W = new Float64Array(m * n);
    for (let k = 0; k < m * n; k++) W[k] = dEnc[k]! + dDec[k]! + (weightsL1 ? lambda * sign(p.W[k]!) : 0);
    return { loss, reconstruction, l1, grads: { W, b: db } };
  }
  const E = new Float64Array(m * n);
  const D = new Float64Array(n * m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      E[j * n + i] = dEnc[j * n + i]! + (weightsL1 ? lambda * sign(p.E[j * n + i]!) : 0);
      D[i * m + j] = dDec[j * n + i]! + (weightsL1 ? lambda * sign(p.D[i * m + j]!) : 0);
    }
  }
  return { loss, reconstruction, l1, grads: { E, D, b: db } };
}
