/**
 * Per-instance data: an instance may override the sparse-uniform `density` and
 * `importanceDecay` of the shared data config (one batched call trains a whole
 * (sparsity, importance) grid, as in Toy Models of Superposition). This module resolves each
 * instance's data config and stacks the instances' importance weights for the engines.
 */
import type { DataConfig, InstanceSpec } from '@polytoy/core';

/**
 * The data config of one instance (the shared one, with its overrides applied).
 *
 * @example
 * instanceDataConfig({ kind: 'sparse-uniform', n: 20, density: 0.1, importanceDecay: 1 }, { seed: 0, lambda: 0, lr: 1e-3, density: 0.01 }).density; // 0.01
 */
export function instanceDataConfig(data: DataConfig, spec: InstanceSpec): DataConfig {
  if (data.kind !== 'sparse-uniform' || (spec.density === undefined && spec.importanceDecay === undefined)) return data;
  return {
    ...data,
    ...(spec.density !== undefined ? { density: spec.density } : {}),
    ...(spec.importanceDecay !== undefined ? { importanceDecay: spec.importanceDecay } : {}),
  };
}

/**
 * The importance the engines take: null when no instance weighs features, the shared `[n]`
 * weights when every instance has the same, else `[I, n]` row-major (all ones for instances
 * without weights).
 *
 * @example
 * stackImportance([null, Float32Array.of(1, 0.5)], 2); // Float32Array [1, 1, 1, 0.5]
 */
export function stackImportance(perInstance: readonly (Float32Array | null)[], n: number): Float32Array | null {
  if (perInstance.every((w) => w === null)) return null;
  const first = perInstance[0];
  if (first && perInstance.every((w) => w !== null && w.every((v, j) => v === first[j]))) return first;
  const out = new Float32Array(perInstance.length * n).fill(1);
  perInstance.forEach((w, i) => {
    if (w) out.set(w, i * n);
  });
  return out;
}

/**
 * The importance rows of the instances `which` (in that order): `importance` itself when it is
 * null or shared `[n]`, else the selected rows of the `[I, n]` stack. The engines of a run that
 * froze some instances hold only the others.
 *
 * @example
 * importanceRows(Float32Array.of(1, 1, 1, 0.5), [1], 2); // Float32Array [1, 0.5]
 */
export function importanceRows(importance: Float32Array | null, which: readonly number[], n: number): Float32Array | null {
  if (importance === null || importance.length === n) return importance;
  const out = new Float32Array(which.length * n);
  which.forEach((i, k) => out.set(importance.subarray(i * n, (i + 1) * n), k * n));
  return out;
}
