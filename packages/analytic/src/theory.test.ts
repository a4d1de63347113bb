import { describe, expect, it } from 'vitest';
import { expectedPolysemanticCount, sparsificationFixedPoint, sparsificationOde } from './theory.js';

describe('expectedPolysemanticCount', () => {
  it('is n²/(4m)', () => {
    expect(expectedPolysemanticCount(256, 1024)).toBe(16);
    expect(expectedPolysemanticCount(256, 256)).toBe(64);
    expect(() => expectedPolysemanticCount(0, 4)).toThrow(/n/);
    expect(() => expectedPolysemanticCount(4, -1)).toThrow(/m/);
  });
});

describe('sparsificationOde', () => {
  it('lambda = 0, one weight: matches the closed form w(t)² = 1/(1 + (1/w0² − 1)e^(−2t))', () => {
    const dt = 0.01,
      steps = 300;
    const traj = sparsificationOde([0.2], 0, dt, steps, { recordEvery: 100 });
    expect(traj.length).toBe(4);
    traj.forEach((w, r) => {
      const t = r * 100 * dt;
      expect(w[0]).toBeCloseTo(1 / Math.sqrt(1 + (1 / 0.04 - 1) * Math.exp(-2 * t)), 9);
    });
  });

  it('winner takes all: every weight but the largest drops out and stays at 0; the survivor settles at the k = 1 fixed point', () => {
    const lambda = 0.05;
    const traj = sparsificationOde([0.5, -0.45, 0.05], lambda, 0.01, 20000, { recordEvery: 1000 });
    const end = traj.at(-1)!;
    expect(end[1]).toBe(0);
    expect(end[2]).toBe(0);
    const w1 = sparsificationFixedPoint(1, lambda);
    expect(end[0]).toBeCloseTo(w1, 8);
    expect((1 - w1 * w1) * w1).toBeCloseTo(lambda, 12);
    // The small weight drops out first; once out, always out.
    const out2 = traj.findIndex((v) => v[2] === 0);
    const out1 = traj.findIndex((v) => v[1] === 0);
    expect(out2).toBeGreaterThan(0);
    expect(out2).toBeLessThanOrEqual(out1);
    for (const v of traj.slice(out2)) expect(v[2]).toBe(0);
  });

  it('k equal weights at the k-fixed point are an equilibrium; negative weights mirror positive ones', () => {
    const lambda = 0.05;
    const w = sparsificationFixedPoint(3, lambda);
    const end = sparsificationOde([w, w, -w], lambda, 0.01, 100).at(-1)!;
    expect(end[0]).toBeCloseTo(w, 10);
    expect(end[2]).toBeCloseTo(-w, 10);
    expect((1 - 3 * w * w) * w).toBeCloseTo(lambda, 12);
  });

  it('fixed points: 1/sqrt(k) at lambda = 0, NaN beyond 2/(3 sqrt(3k))', () => {
    expect(sparsificationFixedPoint(4, 0)).toBeCloseTo(0.5, 12);
    expect(Number.isNaN(sparsificationFixedPoint(1, 0.4))).toBe(true);
    expect(sparsificationFixedPoint(1, 0.38)).toBeGreaterThan(1 / Math.sqrt(3));
  });

  it('rejects bad arguments', () => {
    expect(() => sparsificationOde([1], -1, 0.1, 1)).toThrow(/lambda/);
    expect(() => sparsificationOde([1], 0, 0, 1)).toThrow(/dt/);
    expect(() => sparsificationOde([1], 0, 0.1, 1.5)).toThrow(/steps/);
  });
});
