import { describe, expect, it } from 'vitest';
import { createPrng } from '@polytoy/core';
import { sampleHiddenNoise } from './noise.js';
import { modelConfig } from './test-utils/random.js';

describe('sampleHiddenNoise', () => {
  const B = 64,
    m = 33;

  it('returns null (and draws nothing) without hidden noise', () => {
    const rng = createPrng(1);
    const before = rng.state();
    expect(sampleHiddenNoise(modelConfig(64, m), [rng], B)).toBeNull();
    expect(rng.state()).toEqual(before);
  });

  it('is deterministic from the seeds, and instance i depends only on its own stream', () => {
    const model = modelConfig(64, m, { noise: { kind: 'gaussian', std: 0.5 } });
    const a = sampleHiddenNoise(model, [createPrng(1), createPrng(2)], B)!;
    const b = sampleHiddenNoise(model, [createPrng(1), createPrng(2)], B)!;
    const single = sampleHiddenNoise(model, [createPrng(2)], B)!;
    expect(a.kind).toBe('gaussian');
    expect(a.values.length).toBe(2 * B * m);
    expect(a.values).toEqual(b.values);
    expect(a.values.subarray(B * m)).toEqual(single.values);
    expect(a.values.subarray(0, B * m)).not.toEqual(single.values);
  });

  it('gaussian: values are std·z with the right moments', () => {
    const std = 0.5;
    const v = sampleHiddenNoise(
      modelConfig(64, m, { noise: { kind: 'gaussian', std } }),
      [createPrng(3), createPrng(4)],
      B,
    )!.values;
    let s = 0,
      s2 = 0;
    for (const x of v) {
      s += x;
      s2 += x * x;
    }
    const N = v.length; // 4224: standard errors 0.0077 (mean), 2.2% (variance)
    expect(Math.abs(s / N)).toBeLessThan((5 * std) / Math.sqrt(N));
    expect(s2 / N / (std * std)).toBeGreaterThan(0.9);
    expect(s2 / N / (std * std)).toBeLessThan(1.1);
  });

  it('bernoulli: a 0/1 keep-mask whose drop rate ≈ p', () => {
    for (const p of [0, 0.1, 0.5]) {
      const v = sampleHiddenNoise(
        modelConfig(64, m, { noise: { kind: 'bernoulli', p } }),
        [createPrng(5), createPrng(6)],
        B,
      )!.values;
      expect(v.every((x) => x === 0 || x === 1)).toBe(true);
      const rate = v.filter((x) => x === 0).length / v.length;
      // N = 4224: binomial standard error sqrt(p(1-p)/N) <= 0.0077; 5 standard errors.
      expect(Math.abs(rate - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / v.length));
    }
  });
});
