/**
 * The untied degeneracy of SPEC §1 and the decoder-norm constraint that removes it.
 *
 * With `h = act(E x)`, `y = R(D h + b)` and act ∈ {identity, ReLU} (both positively
 * homogeneous), the map (E, D) → (s·E, D/s), s > 0, leaves every output unchanged while the
 * activation L1 scales by s. So inf over s of the loss is the reconstruction loss alone, not
 * attained: gradient descent can shrink E and grow D forever, and the activation L1 no longer
 * regularises anything. The derivative along the orbit at s = 1 is exactly lambda·l1 > 0, so no
 * point with l1 > 0 is stationary. Per-neuron scalings s_j do the same.
 *
 * Fixing every decoder column D[:, j] to unit norm (as sparse autoencoders do, and as
 * `@polytoy/core`'s `decoderNorm: 'unit-columns'` does) picks one point on every orbit: after
 * {@link normalizeDecoderColumns} the L1 is the same for every s. Note that normalising D alone
 * (without multiplying E by the old norms) changes the function; the version here keeps it.
 */
import { ConfigError } from '@polytoy/core';
import type { AnyParams, UntiedParamsF64 } from './params64.js';
import { toFloat64Params } from './params64.js';
import type { ModelOptions } from './population-loss.js';
import { exactPopulationLoss } from './population-loss.js';

function asUntied(p: AnyParams): UntiedParamsF64 {
  const q = toFloat64Params(p);
  if (q.kind === 'untied') return q;
  const { n, m } = q;
  const D = new Float64Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = q.W[j * n + i]!;
  return { kind: 'untied', n, m, E: q.W.slice(), D, b: q.b.slice() };
}

/**
 * The same function with the encoder scaled by `s` and the decoder by `1/s` (tied input is
 * untied first: E = W, D = Wᵀ).
 *
 * @param s - one positive scale for every neuron, or one per neuron.
 * @example
 * const u = rescaleUntied(sameSignConstructionF64({ n: 8 }), 0.1); // E/10, D·10: same outputs, L1/10
 */
export function rescaleUntied(p: AnyParams, s: number | ArrayLike<number>): UntiedParamsF64 {
  const u = asUntied(p);
  const { n, m } = u;
  for (let j = 0; j < m; j++) {
    const sj = typeof s === 'number' ? s : s[j]!;
    if (!(sj > 0) || !Number.isFinite(sj)) throw new ConfigError(`s[${j}]`, 'a finite scale > 0', sj);
    for (let i = 0; i < n; i++) {
      u.E[j * n + i] = u.E[j * n + i]! * sj;
      u.D[i * m + j] = u.D[i * m + j]! / sj;
    }
  }
  return u;
}

/**
 * Scales every decoder column to unit norm and the matching encoder row by the old norm, so
 * the function is unchanged (all-zero columns are left alone).
 *
 * @example
 * const u = normalizeDecoderColumns(sameSignConstructionF64({ n: 8 }));
 * // pair neuron columns (1, 1) → (1/√2, 1/√2), their encoder rows × √2
 */
export function normalizeDecoderColumns(p: AnyParams): UntiedParamsF64 {
  const u = asUntied(p);
  const { n, m } = u;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += u.D[i * m + j]! ** 2;
    const norm = Math.sqrt(s);
    if (norm < 1e-300) continue;
    for (let i = 0; i < n; i++) {
      u.D[i * m + j] = u.D[i * m + j]! / norm;
      u.E[j * n + i] = u.E[j * n + i]! * norm;
    }
  }
  return u;
}

/** One row of {@link untiedDegeneracy}. */
export interface DegeneracyRow {
  scale: number;
  reconstruction: number;
  l1: number;
  loss: number;
  /** L1 after {@link normalizeDecoderColumns}: the same for every scale. */
  l1Normalized: number;
  lossNormalized: number;
}

/**
 * The degeneracy shown numerically: exact losses of `rescaleUntied(p, s)` for each scale, with
 * and without the decoder-norm constraint, plus the derivative of the loss along the orbit at
 * s = 1 (lambda·l1, never 0 when l1 > 0).
 *
 * @example
 * const d = untiedDegeneracy(sameSignConstructionF64({ n: 16 }), { hiddenActivation: 'none', lambda: 1e-2 }, [1, 0.1, 0.01]);
 * d.rows.map((r) => r.l1); // [5.41…, 0.541…, 0.0541…]; reconstruction 0 throughout
 */
export function untiedDegeneracy(
  p: AnyParams,
  o: ModelOptions,
  scales: number[],
): { rows: DegeneracyRow[]; orbitDerivative: number } {
  if ((o.l1Target ?? 'activations') !== 'activations') {
    throw new ConfigError('l1Target', '"activations" (the degeneracy is specific to activation L1)', o.l1Target);
  }
  const rows = scales.map((s) => {
    const q = rescaleUntied(p, s);
    const L = exactPopulationLoss(q, o);
    const N = exactPopulationLoss(normalizeDecoderColumns(q), o);
    return { scale: s, reconstruction: L.reconstruction, l1: L.l1, loss: L.loss, l1Normalized: N.l1, lossNormalized: N.loss };
  });
  const base = exactPopulationLoss(asUntied(p), o);
  return { rows, orbitDerivative: (o.lambda ?? 0) * base.l1 };
}
