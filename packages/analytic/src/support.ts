/**
 * Half-split samples in sparse form: every sample has exactly n/4 ones, so a sample is the list
 * of its n/4 active feature indices. The exact support comes from `@polytoy/data`'s enumeration
 * (cached per n); Monte-Carlo batches from its sampler.
 */
import type { Prng } from '@polytoy/core';
import { enumerateHalfSplitSupport, halfSplitBatch } from '@polytoy/data';

/** Samples as active-index lists. */
export interface SampleSet {
  n: number;
  count: number;
  /** Ones per sample (n/4). */
  k: number;
  /** [count, k] active feature indices, ascending within a sample. */
  idx: Int32Array;
}

function fromDense(x: Float32Array, n: number, count: number): SampleSet {
  const k = n / 4;
  const idx = new Int32Array(count * k);
  for (let s = 0; s < count; s++) {
    let q = 0;
    for (let i = 0; i < n; i++) {
      if (x[s * n + i] !== 0) {
        if (q === k) throw new Error(`sample ${s} has more than n/4 ones`);
        idx[s * k + q++] = i;
      }
    }
    if (q !== k) throw new Error(`sample ${s} has ${q} ones, expected n/4 = ${k}`);
  }
  return { n, count, k, idx };
}

const cache = new Map<number, SampleSet>();

/** The full support of the half-split distribution (n <= 32), all points equally likely. */
export function exactSupport(n: number): SampleSet {
  let s = cache.get(n);
  if (!s) {
    const sup = enumerateHalfSplitSupport(n);
    s = fromDense(sup.x, n, sup.count);
    cache.set(n, s);
  }
  return s;
}

/** `count` i.i.d. half-split samples drawn from `rng` with `@polytoy/data`'s sampler. */
export function sampleSupport(rng: Prng, n: number, count: number): SampleSet {
  return fromDense(halfSplitBatch(rng, n, count), n, count);
}
