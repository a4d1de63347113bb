/** The n basis vectors (Lecomte et al.): the whole dataset is the identity matrix. */

/**
 * The [n, n] identity: sample i is the i-th basis vector.
 *
 * @example
 * basisBatch(3); // Float32Array [1,0,0, 0,1,0, 0,0,1]
 */
export function basisBatch(n: number): Float32Array {
  const x = new Float32Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  return x;
}
