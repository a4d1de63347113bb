/**
 * Symmetric eigen-decomposition by the cyclic Jacobi method (pure TS, float64). Slow (O(d³) per
 * sweep) but simple and accurate to machine precision; the Hessians here have d <= a few hundred.
 */
import { ConfigError } from '@polytoy/core';

/** Eigenvalues ascending, eigenvectors as columns of a row-major [d, d] matrix in the same order. */
export interface SymmetricEigen {
  values: Float64Array;
  /** vectors[r * d + c] is component r of eigenvector c. */
  vectors: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations.
 *
 * @param a - row-major [d, d]; only symmetric input is meaningful (the lower triangle is taken
 *   as the mirror of the upper one by averaging first).
 * @param d - dimension.
 * @throws ConfigError when `a.length !== d²` or an entry is not finite.
 * @example
 * symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2).values; // [1, 3]
 */
export function symmetricEigen(a: ArrayLike<number>, d: number, maxSweeps = 100): SymmetricEigen {
  if (!Number.isSafeInteger(d) || d < 0 || a.length !== d * d) {
    throw new ConfigError('a', `a ${d}×${d} row-major matrix (length ${d * d})`, `length ${a.length}`);
  }
  const A = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      const v = 0.5 * (a[r * d + c]! + a[c * d + r]!);
      if (!Number.isFinite(v)) throw new ConfigError(`a[${r},${c}]`, 'a finite number', v);
      A[r * d + c] = v;
    }
  }
  const V = new Float64Array(d * d);
  for (let r = 0; r < d; r++) V[r * d + r] = 1;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0,
      total = 0;
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        const v = A[r * d + c]! ** 2;
        total += v;
        if (r !== c) off += v;
      }
    }
    if (off === 0 || off <= 1e-30 * total) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q]!;
        if (apq === 0) continue;
        const app = A[p * d + p]!,
          aqq = A[q * d + q]!;
        // Rotation angle that zeroes A[p, q] (Numerical Recipes' stable form).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < d; k++) {
          const akp = A[k * d + p]!,
            akq = A[k * d + q]!;
          A[k * d + p] = cs * akp - sn * akq;
          A[k * d + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p * d + k]!,
            aqk = A[q * d + k]!;
          A[p * d + k] = cs * apk - sn * aqk;
          A[q * d + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = V[k * d + p]!,
            vkq = V[k * d + q]!;
          V[k * d + p] = cs * vkp - sn * vkq;
          V[k * d + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => A[x * d + x]! - A[y * d + y]!);
  const values = Float64Array.from(order, (i) => A[i * d + i]!);
  const vectors = new Float64Array(d * d);
  order.forEach((src, col) => {
    for (let r = 0; r < d; r++) vectors[r * d + col] = V[r * d + src]!;
  });
  return { values, vectors, sweeps };
}
