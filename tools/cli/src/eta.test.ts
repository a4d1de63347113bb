import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { createEtaEstimator } from './eta.js';

/**
 * Steady work at `rate` units/s reported at jittery times (intervals uniform in [0.02, 0.6] s,
 * from a seeded stream) and in lumps (done rounded down to multiples of `chunk`), as training
 * calls report it. Returns (true remaining, estimate) pairs after every observation.
 */
function steadyRun(rate: number, total: number, chunk: number, seed: number) {
  const rng = createPrng(seed);
  const eta = createEtaEstimator();
  const out: { t: number; truth: number; estimate: number }[] = [];
  let t = 0;
  eta.observe(0, 0);
  while (rate * t < total) {
    t += 0.02 + 0.58 * rng.nextFloat();
    const done = Math.min(total, Math.floor((rate * t) / chunk) * chunk);
    eta.observe(done, t);
    out.push({ t, truth: Math.max(0, total / rate - t), estimate: eta.remaining(total) });
  }
  return out;
}

describe('createEtaEstimator', () => {
  it('is exact on perfectly steady work: remaining units over the rate', () => {
    const eta = createEtaEstimator();
    for (let t = 0; t <= 10; t++) eta.observe(100 * t, t);
    expect(eta.remaining(5000)).toBeCloseTo(40, 10);
  });

  it('has no estimate before the warm-up (one second of observed work)', () => {
    const eta = createEtaEstimator();
    eta.observe(0, 0);
    expect(eta.remaining(100)).toBeNaN();
    eta.observe(10, 0.5);
    expect(eta.remaining(100)).toBeNaN();
    eta.observe(20, 1);
    expect(eta.remaining(100)).toBeCloseTo(4, 10);
  });

  it('moves smoothly under jittery, lumpy updates of steady work: within 5% of the truth, no swings', () => {
    for (const seed of [1, 2, 3]) {
      const points = steadyRun(1000, 600_000, 250, seed).filter((p) => p.t >= 10 && p.truth >= 10);
      expect(points.length).toBeGreaterThan(500);
      for (const p of points) expect(Math.abs(p.estimate - p.truth) / p.truth).toBeLessThan(0.05);
      for (let i = 1; i < points.length; i++) {
        const ratio = points[i]!.estimate / points[i - 1]!.estimate;
        expect(ratio).toBeGreaterThan(0.9);
        expect(ratio).toBeLessThan(1.05);
      }
    }
  });

  it('an estimate from the last update alone would swing by 2x on the same updates (what the window prevents)', () => {
    const rng = createPrng(1);
    let t = 0;
    let prev = 0;
    const rates: number[] = [];
    while (t < 60) {
      const dt = 0.02 + 0.58 * rng.nextFloat();
      t += dt;
      const done = Math.floor((1000 * t) / 2000) * 2000;
      if (done > prev) rates.push((done - prev) / dt);
      prev = done;
    }
    expect(Math.max(...rates) / Math.min(...rates)).toBeGreaterThan(2);
  });

  it('follows a real change of speed within a few time constants', () => {
    const eta = createEtaEstimator({ timeConstant: 10 });
    let t = 0;
    let done = 0;
    eta.observe(0, 0);
    for (let k = 0; k < 480; k++) {
      t += 0.25;
      done += k < 240 ? 25 : 12.5; // 100 units/s for 60 s, then 50 units/s for 60 s
      eta.observe(done, t);
    }
    const left = 100_000 - done;
    expect(eta.remaining(100_000)).toBeGreaterThan((left / 50) * 0.95);
    expect(eta.remaining(100_000)).toBeLessThan((left / 50) * 1.05);
  });

  it('takes the first observation as the baseline: resumed work does not count as speed', () => {
    const eta = createEtaEstimator();
    eta.observe(5000, 0); // resumed at step 5000 of 10000
    eta.observe(6000, 10); // 100 steps/s since
    expect(eta.remaining(10_000)).toBeCloseTo(40, 10);
  });
});
