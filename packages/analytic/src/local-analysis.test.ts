import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { sameSignConstructionF64 } from './construction.js';
import { symmetricEigen } from './jacobi.js';
import { localAnalysis } from './local-analysis.js';
import type { ModelOptions } from './population-loss.js';
import { exactPopulationLoss } from './population-loss.js';
import { flattenParams, unflattenParams } from './params64.js';
import type { TiedParamsF64 } from './params64.js';
import { oppositeSignFamilyParams, oppositeSignRelaxed, symmetricFamilyParams, symmetricOptimum } from './reduced.js';
import { naiveFrom, naiveLoss } from './test-utils/naive.js';

const naive = (p: TiedParamsF64, o: ModelOptions) => naiveLoss(naiveFrom(p, o)).loss;

describe('localAnalysis at the same-sign construction', () => {
  it.each([8, 16])(
    'n=%i lambda=0.01: not stationary; the smooth gradient is (lambda/4)·sqrt(2n); off-structure zeros held',
    (n) => {
      const lambda = 0.01;
      const o: ModelOptions = { hiddenActivation: 'none', lambda };
      const a = localAnalysis(sameSignConstructionF64({ n }), o);
      expect(a.verdict).toBe('not-stationary');
      // Pair weights and eps (2n coordinates) each get lambda·P(x_i = 1) = lambda/4; biases 0.
      expect(a.smoothGradientNorm).toBeCloseTo((lambda / 4) * Math.sqrt(2 * n), 14);
      expect(a.coordinates.smooth).toBe(3 * n);
      expect(a.coordinates.absKink).toBe((n / 2) * (n - 2));
      expect(a.coordinates.critical).toBe(0);
      expect(a.pinning.pinned).toBe(a.pinning.coordinates);
      // Least-norm multipliers: (n/4 - 1)/(n/4) on every pair row (hand derivation by symmetry).
      expect(a.certificate.maxMultiplier).toBeCloseTo((n / 4 - 1) / (n / 4), 12);
      // The true loss decreases along -gradient.
      expect(a.lossChangeAlongEvidence!.every((e) => e.change < 0)).toBe(true);
      // Inactive outputs sit exactly at the output ReLU's kink (C¹ kinks, handled by freezing).
      expect(a.coordinates.c1OutputKinks).toBeGreaterThan(0);
    },
  );

  it('lambda = 0: stationary, but with flat directions (the zero-loss family c >= 1/2): inconclusive', () => {
    const a = localAnalysis(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none' });
    expect(a.smoothGradientNorm).toBeLessThan(1e-15);
    expect(a.verdict).toBe('inconclusive');
    expect(a.hessian!.nearZero).toBeGreaterThan(0);
    expect(a.hessian!.negative).toBe(0);
  });
});

describe('localAnalysis at the relaxed points', () => {
  it.each([
    [8, 0.01],
    [8, 0.1],
    [16, 0.01],
  ])('same-sign relaxed point n=%i lambda=%f is a saddle; the descent is confirmed by an independent loss', (n, lambda) => {
    const o: ModelOptions = { hiddenActivation: 'none', lambda };
    const p = symmetricFamilyParams(n, symmetricOptimum(n, lambda));
    const a = localAnalysis(p, o);
    expect(a.smoothGradientNorm).toBeLessThan(1e-12);
    // Every off-structure coordinate is exactly critical: g = slack (derived in the README).
    expect(a.coordinates.critical).toBe(a.coordinates.absKink);
    expect(a.hessian!.smoothMin).toBeGreaterThan(0.2); // the smooth block alone is positive definite
    expect(a.verdict).toBe('saddle');
    const v = a.descentDirection!.vector;
    expect(a.descentDirection!.curvature).toBeLessThan(-0.05 * lambda);
    const theta = flattenParams(p);
    const base = naive(p, o);
    for (const t of [1e-2, 1e-3]) {
      const moved = unflattenParams(
        p,
        theta.map((x, q) => x + t * v[q]!),
      ) as TiedParamsF64;
      const drop = naive(moved, o) - base;
      expect(drop).toBeLessThan(0);
      // quadratic decrease with the reported curvature
      expect(drop / (0.5 * t * t * a.descentDirection!.curvature)).toBeCloseTo(1, 1);
    }
  });

  it.each([
    [8, 0.01],
    [8, 0.1],
    [16, 0.1],
  ])('opposite-sign relaxed point n=%i lambda=%f is a certified strict local minimum', (n, lambda) => {
    const o: ModelOptions = { hiddenActivation: 'none', lambda };
    const r = oppositeSignRelaxed(n, lambda);
    expect((8 / 3) * r.w * (1 - r.w * r.w)).toBeCloseTo(lambda, 14);
    const p = oppositeSignFamilyParams(n, r.w, r.b);
    expect(exactPopulationLoss(p, o).loss).toBeCloseTo(r.loss, 13);
    const a = localAnalysis(p, o);
    expect(a.verdict).toBe('strict-local-min');
    expect(a.hessian!.min).toBeGreaterThan(0.5);
    // Sanity check of the certificate: random small moves never lower the (independent) loss.
    const rng = createPrng(n);
    const theta = flattenParams(p);
    const base = naive(p, o);
    for (let t = 0; t < 100; t++) {
      const dir = theta.map(() => rng.normal());
      const norm = Math.hypot(...dir);
      const moved = unflattenParams(
        p,
        theta.map((x, q) => x + (1e-3 * dir[q]!) / norm),
      ) as TiedParamsF64;
      expect(naive(moved, o)).toBeGreaterThan(base);
    }
  });
});

describe('localAnalysis Hessian', () => {
  it('at a smooth random point equals the second differences of the exact loss', () => {
    const rng = createPrng(8);
    const n = 4,
      m = 3;
    const p: TiedParamsF64 = {
      kind: 'tied',
      n,
      m,
      W: Float64Array.from({ length: m * n }, () => 0.8 * rng.normal()),
      b: Float64Array.from({ length: n }, () => 0.2 * rng.normal()),
    };
    const o: ModelOptions = { hiddenActivation: 'none', outputActivation: 'none', lambda: 0.05 };
    const a = localAnalysis(p, o, { gradientTolerance: Infinity });
    expect(a.coordinates.smooth).toBe(16);
    const theta = flattenParams(p);
    const f = (t: Float64Array) => exactPopulationLoss(unflattenParams(p, t), o).loss;
    const d = theta.length,
      h = 1e-4;
    const H = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const at = (si: number, sj: number) => {
          const t = theta.slice();
          t[i] = t[i]! + si * h;
          t[j] = t[j]! + sj * h;
          return f(t);
        };
        H[i * d + j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
      }
    }
    const want = symmetricEigen(H, d).values;
    a.hessian!.eigenvalues.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });
});
