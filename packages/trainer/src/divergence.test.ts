import { createPrng } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { describe, expect, it } from 'vitest';
import { allFinite, lossDivergence, referenceLoss } from './divergence.js';

describe('divergence detection', () => {
  it('references the larger of the first loss and the loss of predicting 0', () => {
    const x = createDataSource({ kind: 'half-split', n: 16 }, createPrng(3)).next(64);
    // Every half-split sample has n/4 ones: predicting 0 costs n/4 = 4 per sample.
    expect(referenceLoss(0.5, x, null, 64, 16)).toBe(4);
    expect(referenceLoss(7, x, null, 64, 16)).toBe(7);
    const importance = new Float32Array(16).fill(0.5);
    expect(referenceLoss(0, x, importance, 64, 16)).toBe(2);
  });

  it('flags NaN/Inf and losses above blowUp × reference, nothing else', () => {
    expect(lossDivergence(Number.NaN, 4, 100)).toBe('non-finite-loss');
    expect(lossDivergence(Number.POSITIVE_INFINITY, null, 100)).toBe('non-finite-loss');
    expect(lossDivergence(400.0001, 4, 100)).toBe('blow-up');
    expect(lossDivergence(400, 4, 100)).toBeNull();
    expect(lossDivergence(1e30, null, 100)).toBeNull(); // no reference yet: only NaN/Inf
    expect(lossDivergence(0, 4, 100)).toBeNull();
  });

  it('checks arrays for NaN and Infinity', () => {
    expect(allFinite(new Float32Array([0, -0, 1e-40]), new Float32Array(0))).toBe(true);
    expect(allFinite(new Float32Array([0]), new Float32Array([1, Number.NEGATIVE_INFINITY]))).toBe(false);
    expect(allFinite(new Float32Array([Number.NaN]))).toBe(false);
  });
});
