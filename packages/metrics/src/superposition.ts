/**
 * The views of Elhage et al., "Toy Models of Superposition" (2022), for sparse-uniform data:
 * the Gram matrix WᵀW, each feature's embedding norm ‖W_i‖, and its feature dimensionality
 * `D_i = ‖W_i‖² / Σ_j (Ŵ_i · W_j)²` (1 for a feature with a dimension of its own, 1/2 for an
 * antipodal pair, 0 for a feature that is not represented), with `m / ‖W‖_F²` dimensions per
 * feature. W_i is column i (feature i's direction in the hidden space); untied models are read
 * through their encoder columns E_i, their Gram through D·E.
 */
import type { AnyParams } from '@polytoy/analytic';
import { functionalMatrix } from './support-map.js';

/** The superposition view of one model. */
export interface SuperpositionView {
  n: number;
  m: number;
  /** [n, n] row-major `WᵀW` (untied: `D·E`). */
  gram: Float64Array;
  /** Per feature: ‖W_i‖ (untied: ‖E_i‖). */
  featureNorms: number[];
  /** Per feature: D_i (0 for a zero column). */
  dimensionality: number[];
  /** `m / ‖W‖_F²`: hidden dimensions per represented unit of feature norm. */
  dimensionsPerFeature: number;
  /** Features with ‖W_i‖ >= 1/2 (represented: at least a quarter of the norm a dedicated neuron gives). */
  represented: number;
}

/**
 * Elhage et al.'s superposition view of a model.
 *
 * @example
 * const v = superpositionView(identityLikeParams); // W = [I; 0]
 * v.dimensionality; // [1, 1, …]: every feature has a dimension of its own
 */
export function superpositionView(p: AnyParams): SuperpositionView {
  const { n, m } = p;
  const E = p.kind === 'tied' ? p.W : p.E;
  const norms2 = new Float64Array(n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) norms2[i]! += E[j * n + i]! ** 2;
  // Column dot products G[i, k] = W_i · W_k (the tied Gram; for untied, of the encoder).
  const G = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const a = E[j * n + i]!;
      if (a === 0) continue;
      for (let k = 0; k < n; k++) G[i * n + k]! += a * E[j * n + k]!;
    }
  }
  const dimensionality: number[] = [];
  let frob = 0;
  for (let i = 0; i < n; i++) {
    frob += norms2[i]!;
    const ni = norms2[i]!;
    if (ni === 0) {
      dimensionality.push(0);
      continue;
    }
    let denom = 0;
    for (let k = 0; k < n; k++) denom += G[i * n + k]! ** 2 / ni;
    dimensionality.push(ni / denom);
  }
  const featureNorms = Array.from(norms2, Math.sqrt);
  return {
    n,
    m,
    gram: functionalMatrix(p),
    featureNorms,
    dimensionality,
    dimensionsPerFeature: frob > 0 ? m / frob : Number.POSITIVE_INFINITY,
    represented: featureNorms.filter((v) => v >= 0.5).length,
  };
}
