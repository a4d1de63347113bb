/**
 * The polysemantic-neuron count of Lecomte et al. (arXiv 2312.03096, SPEC §4): a neuron is
 * polysemantic when more than one of its weights lies in [low, high] in absolute value.
 */
import type { AnyParams } from '@polytoy/analytic';
import { ConfigError } from '@polytoy/core';
import { effectiveWeights } from './views.js';

export interface PaperCountOptions {
  /** Lower edge, inclusive (default 0.8). */
  low?: number;
  /** Upper edge, inclusive (default 1.2). */
  high?: number;
}

export interface PaperCount {
  /** Number of polysemantic neurons. */
  polysemantic: number;
  /** Per neuron: how many of its weights lie in [low, high] in absolute value. */
  inBand: number[];
  /** Neurons with exactly one weight in the band. */
  monosemantic: number;
  low: number;
  high: number;
  /** The paper's comparison curve `n^2 / (4m)`. */
  expected: number;
}

/**
 * Counts polysemantic neurons of an [m, n] matrix (neuron j's weights are row j). Both edges
 * are inclusive and compared in float32: `fround(|w|) >= fround(low)` and
 * `fround(|w|) <= fround(high)`, so a weight stored as float32 `0.8` or `1.2` counts even though
 * `fround(1.2) > 1.2`.
 *
 * @example
 * paperPolysemanticCountOf(Float32Array.of(1, 0.9, 0.5, 0.8), 2, 2).polysemantic; // 1
 */
export function paperPolysemanticCountOf(
  w: ArrayLike<number>,
  m: number,
  n: number,
  options: PaperCountOptions = {},
): PaperCount {
  const low = options.low ?? 0.8;
  const high = options.high ?? 1.2;
  if (!Number.isFinite(low) || low < 0) throw new ConfigError('low', 'a finite number >= 0', low);
  if (!Number.isFinite(high) || high < low) throw new ConfigError('high', `a finite number >= low (${low})`, high);
  const lo = Math.fround(low);
  const hi = Math.fround(high);
  const inBand: number[] = [];
  for (let j = 0; j < m; j++) {
    let k = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.fround(Math.abs(w[j * n + i]!));
      if (a >= lo && a <= hi) k++;
    }
    inBand.push(k);
  }
  return {
    polysemantic: inBand.filter((k) => k > 1).length,
    monosemantic: inBand.filter((k) => k === 1).length,
    inBand,
    low,
    high,
    expected: (n * n) / (4 * m),
  };
}

/**
 * The paper's count on a model: W for tied parameters, effective weights for untied ones.
 *
 * @example
 * paperPolysemanticCount(trainedParams).polysemantic; // compare with n^2 / (4m)
 */
export function paperPolysemanticCount(params: AnyParams, options: PaperCountOptions = {}): PaperCount {
  return paperPolysemanticCountOf(effectiveWeights(params), params.m, params.n, options);
}
