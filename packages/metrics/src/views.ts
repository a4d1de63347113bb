/**
 * Scale-free views of a model's weights. Tied weights are read as they are. Untied weights have
 * a per-neuron gauge symmetry (`E_j → s E_j`, `D_:j → D_:j / s`, s > 0, leaves the function
 * unchanged), so metrics read them through quantities that do not depend on s.
 */
import type { AnyParams } from '@polytoy/analytic';

/** Half of a feature: A = `0 .. n/2-1`, B = `n/2 .. n-1` (for odd n, B has the extra feature). */
export type Half = 'A' | 'B';

/** Which half feature i belongs to. */
export function halfOf(i: number, n: number): Half {
  return i < Math.floor(n / 2) ? 'A' : 'B';
}

/**
 * Effective weights [m, n]: `W` itself for tied parameters; for untied ones
 * `sign(E[j,i]) * sqrt(max(0, E[j,i] * D[i,j]))`, the tied matrix with the same per-entry gain
 * `E·D` (an entry whose encoder and decoder signs disagree has no effective weight).
 * For the untied counterpart of a tied model (any positive per-neuron rescaling) this is `W`.
 *
 * @example
 * effectiveWeights({ kind: 'untied', n: 1, m: 1, E: Float32Array.of(2), D: Float32Array.of(0.5), b: Float32Array.of(0) }); // [1]
 */
export function effectiveWeights(p: AnyParams): Float64Array {
  if (p.kind === 'tied') return Float64Array.from(p.W);
  const out = new Float64Array(p.m * p.n);
  for (let j = 0; j < p.m; j++) {
    for (let i = 0; i < p.n; i++) {
      const e = p.E[j * p.n + i]!;
      const gain = e * p.D[i * p.m + j]!;
      out[j * p.n + i] = gain > 0 ? Math.sign(e) * Math.sqrt(gain) : 0;
    }
  }
  return out;
}

/**
 * The weight matrices as neuron rows [m, n] in a gauge where encoder and decoder rows of each
 * neuron have equal norm (tied: one view, W). A neuron whose encoder or decoder row is zero does
 * nothing and is returned as zero in both views.
 *
 * @example
 * balancedViews(params).length; // 1 for tied, 2 (encoder, decoder) for untied
 */
export function balancedViews(p: AnyParams): Float64Array[] {
  if (p.kind === 'tied') return [Float64Array.from(p.W)];
  const { n, m } = p;
  const enc = Float64Array.from(p.E);
  const dec = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dec[j * n + i] = p.D[i * m + j]!;
  for (let j = 0; j < m; j++) {
    let e2 = 0;
    let d2 = 0;
    for (let i = 0; i < n; i++) {
      e2 += enc[j * n + i]! ** 2;
      d2 += dec[j * n + i]! ** 2;
    }
    const s = e2 > 0 && d2 > 0 ? Math.sqrt(Math.sqrt(d2 / e2)) : 0;
    for (let i = 0; i < n; i++) {
      enc[j * n + i]! *= s;
      dec[j * n + i] = s > 0 ? dec[j * n + i]! / s : 0;
    }
  }
  return [enc, dec];
}
