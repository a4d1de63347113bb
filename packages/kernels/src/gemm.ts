/**
 * Batched matrix products on the tfjs wasm backend's heap with the polytoy GEMM kernel.
 *
 * Every output element is `c = +0; for k: c = fl(c + fl(a_ik · b_kj))` in float32, left to
 * right, whatever the layout, shape or blocking: results are bit-identical across layouts
 * (`matMul(a, b)` equals `matMul(aᵀ, b, transposeA)` bit for bit), across calls and across
 * CPUs (only IEEE single-precision mul and add, no FMA, no relaxed SIMD).
 */
import { PolytoyError } from '@polytoy/core';
import type { Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import { activeWasmContext, offsetOf, withScratch, type WasmContext } from './wasm-backend.js';

/** How one BatchMatMul call maps onto `gemmBatched`. */
export interface MatMulPlan {
  /** Output shape: broadcast batch dims, then [m, n]. */
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Elements between consecutive A (B) matrices; 0 broadcasts a single matrix. */
  strideA: number;
  strideB: number;
}

function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}

/**
 * Plans `op(a) · op(b)` for the shapes our kernel supports: rank >= 2, matching inner
 * dimensions, and batch dims that are equal (after broadcasting) or where one side has a
 * single matrix. Returns `null` for anything else (general broadcasting such as
 * [2,1,..]·[1,3,..], mismatched inner dims, rank < 2), which callers hand to the stock kernel.
 *
 * @example
 * planBatchMatMul([16, 256, 64], [16, 33, 64], false, true)?.outShape; // [16, 256, 33]
 */
export function planBatchMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const kb = transposeB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== kb) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const batchA = product(outerA);
  const batchB = product(outerB);
  // Numpy-style broadcast of the batch dims (right-aligned).
  const rank = Math.max(outerA.length, outerB.length);
  const outer: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = outerA[outerA.length - rank + i] ?? 1;
    const db = outerB[outerB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    outer.push(da === 1 ? db : da);
  }
  const batch = product(outer);
  const aligned = batchA === batch && batchB === batch;
  if (!aligned && batchA !== 1 && batchB !== 1) return null;
  return {
    outShape: [...outer, m, n],
    batch,
    m,
    n,
    k,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
  };
}

/** Runs a planned product into a new output of `ctx`'s backend. */
export function runPlannedMatMul(
  ctx: WasmContext,
  a: TensorInfo,
  b: TensorInfo,
  plan: MatMulPlan,
  transposeA: boolean,
  transposeB: boolean,
  caller: string,
): TensorInfo {
  const pa = offsetOf(ctx, a, 'a', caller);
  const pb = offsetOf(ctx, b, 'b', caller);
  const out = ctx.backend.makeOutput(plan.outShape, 'float32');
  const pc = offsetOf(ctx, out, 'out', caller);
  const { batch, m, n, k } = plan;
  if (batch === 0 || m === 0 || n === 0) return out;
  const k_ = ctx.kernels;
  withScratch(ctx, k_.gemmScratchBytes(m, n, k), (scratch) => {
    k_.gemmBatched(pa, pb, pc, batch, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0, plan.strideA, plan.strideB, scratch);
  });
  return out;
}

/** Options of {@link gemmMatMul}. */
export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/**
 * `op(a) · op(b)` with the polytoy kernel directly (no kernel registration needed), on tensors
 * of the active wasm backend. Batch dims must be equal or one side unbatched.
 *
 * @param a - float32 [..., m, k] (or [..., k, m] with `transposeA`).
 * @param b - float32 [..., k, n] (or [..., n, k] with `transposeB`).
 * @returns a new float32 tensor [...batch, m, n], tracked by `tf.tidy`. Not differentiable.
 * @throws BackendError when the active backend is not wasm; PolytoyError for unsupported shapes.
 * @example
 * const h = gemmMatMul(x, W, { transposeB: true }); // [B, n] · [m, n]ᵀ = [B, m]
 */
export function gemmMatMul(a: Tensor, b: Tensor, options: GemmOptions = {}): Tensor {
  const caller = 'gemmMatMul';
  const ctx = activeWasmContext(caller);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const plan = planBatchMatMul(a.shape, b.shape, transposeA, transposeB);
  if (!plan) {
    throw new PolytoyError(
      `${caller}: expected [..., m, k] · [..., k, n] with equal or single batches (transposeA=${transposeA}, transposeB=${transposeB}), received shapes [${a.shape}] and [${b.shape}]`,
    );
  }
  return engine().makeTensorFromTensorInfo(runPlannedMatMul(ctx, a, b, plan, transposeA, transposeB, caller));
}
