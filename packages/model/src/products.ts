/**
 * The one batched matrix product the model uses. Call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `op(a) · op(b)` per instance, for [I, ·, ·] operands.
 *
 * Why not plain `tf.matMul` when neither operand is transposed: the stock tfjs-backend-wasm
 * (4.22) sends an untransposed product with batch 1 to XNNPACK and everything else (any
 * transpose flag, or batch > 1) to a blocked scalar loop. The two round differently once the
 * shared dimension exceeds the loop's block of 48, so instance i of an I-instance call would not
 * equal a 1-instance call bit for bit. Rewriting `a · b` as `a · (bᵀ)ᵀ` (an explicit, exact
 * transpose of b, O(size of b), then the transposeB flag) keeps every call on one code path
 * whatever I is. With `@polytoy/kernels` registered, every layout runs the same deterministic
 * GEMM anyway, and the extra transpose costs ~1/B of the product.
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!transposeA && !transposeB) return tf.matMul(a, tf.transpose(b, [0, 2, 1]), false, true);
  return tf.matMul(a, b, transposeA, transposeB);
}
