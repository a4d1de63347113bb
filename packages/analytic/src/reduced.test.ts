import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { sameSignConstructionF64 } from './construction.js';
import { goldenSection, nelderMead } from './minimize.js';
import { exactPopulationLoss, exactPopulationGradient } from './population-loss.js';
import {
  reducedLoss,
  reducedOptimum,
  sameSignFamilyLoss,
  symmetricFamilyGradient,
  symmetricFamilyLoss,
  symmetricFamilyParams,
  symmetricMinimum,
  symmetricOptimum,
} from './reduced.js';

describe('the one-parameter family (SPEC §2)', () => {
  it('reducedLoss is the exact enumerated loss of sameSignConstruction({ n, c }) for every c', () => {
    for (const n of [8, 16]) {
      for (const c of [0, 0.05, 0.2, 0.37, 0.49, 0.5, 0.6, 1.3]) {
        for (const lambda of [0, 1e-2, 0.5]) {
          expect(sameSignFamilyLoss(c, n, lambda)).toBeCloseTo(reducedLoss(c, n, lambda), 12);
        }
      }
    }
  });

  it('c* solves 1 - 2c = lambda / (4 sqrt(n c)) (the SPEC formula, exact)', () => {
    for (const n of [8, 16, 32, 256]) {
      for (const lambda of [1e-4, 1e-3, 1e-2, 0.1, 1]) {
        const r = reducedOptimum(n, lambda);
        expect(1 - 2 * r.c).toBeCloseTo(lambda / (4 * Math.sqrt(n * r.c)), 13);
        expect(r.gap).toBeGreaterThan(0);
        // leading order for small lambda
        if (lambda <= 1e-2) expect(Math.abs(r.gap - r.gapApprox) / r.gapApprox).toBeLessThan(0.01);
        expect(r.interiorIsGlobal).toBe(true);
      }
    }
    expect(reducedOptimum(16, 0).c).toBe(0.5);
    // No interior minimum once lambda >= 16 sqrt(n) 6^(-3/2) ≈ 1.089 sqrt(n).
    expect(reducedOptimum(16, 4.3).c).toBeGreaterThan(0);
    expect(Number.isNaN(reducedOptimum(16, 4.4).c)).toBe(true);
  });

  it.each([
    [8, 1e-3],
    [8, 1e-2],
    [8, 0.1],
    [8, 1],
    [16, 1e-3],
    [16, 1e-2],
    [16, 0.1],
    [16, 1],
  ])('n=%i lambda=%f: c* equals a numeric 1-D minimisation of the exact enumerated loss', (n, lambda) => {
    const r = reducedOptimum(n, lambda);
    const num = goldenSection((c) => sameSignFamilyLoss(c, n, lambda), 0.2, 0.7, 1e-9);
    expect(Math.abs(num.x - r.c)).toBeLessThan(1e-6);
    expect(num.value).toBeCloseTo(r.loss, 12);
  });
});

it('n=32: the exact enumerated loss is higher on both sides of c*', () => {
  const r = reducedOptimum(32, 0.05);
  const at = sameSignFamilyLoss(r.c, 32, 0.05);
  expect(at).toBeCloseTo(r.loss, 12);
  expect(sameSignFamilyLoss(r.c - 1e-4, 32, 0.05)).toBeGreaterThan(at);
  expect(sameSignFamilyLoss(r.c + 1e-4, 32, 0.05)).toBeGreaterThan(at);
});

describe('the symmetric three-parameter family', () => {
  it('the closed form equals exact enumeration at random points (both output activations)', () => {
    const rng = createPrng(4);
    for (const n of [8, 16]) {
      for (let t = 0; t < 20; t++) {
        const pt = { w: 0.5 + rng.nextDouble(), eps: 0.6 * rng.nextDouble() - 0.1, b: rng.nextDouble() - 0.8 };
        for (const outputActivation of ['relu', 'none'] as const) {
          const exact = exactPopulationLoss(symmetricFamilyParams(n, pt), {
            hiddenActivation: 'none',
            outputActivation,
            lambda: 0.03,
          });
          const closed = symmetricFamilyLoss(n, pt, 0.03, outputActivation);
          expect(closed.reconstruction).toBeCloseTo(exact.reconstruction, 12);
          expect(closed.l1).toBeCloseTo(exact.l1, 12);
        }
        // The ReLU two-neuron layout has the same value with a ReLU hidden layer.
        const relu = exactPopulationLoss(symmetricFamilyParams(n, pt, undefined, 'relu-two-neuron'), {
          hiddenActivation: 'relu',
          lambda: 0.03,
        });
        if (pt.eps >= 0) expect(relu.loss).toBeCloseTo(symmetricFamilyLoss(n, pt, 0.03).loss, 12);
      }
    }
  });

  it('its gradient is the sum of the full exact gradient over the family coordinates', () => {
    const n = 8,
      lambda = 0.05;
    const pt = { w: 0.9, eps: 0.45, b: -0.42 };
    const g3 = symmetricFamilyGradient(n, pt, lambda);
    const { grad } = exactPopulationGradient(symmetricFamilyParams(n, pt), { hiddenActivation: 'none', lambda });
    let gw = 0,
      ge = 0,
      gb = 0;
    for (let k = 0; k < n / 2; k++) gw += grad.W![(1 + k) * n + k]! + grad.W![(1 + k) * n + n / 2 + k]!;
    for (let i = 0; i < n; i++) ge += (i < n / 2 ? 1 : -1) * grad.W![i]!;
    for (let i = 0; i < n; i++) gb += grad.b[i]!;
    expect(g3[0]).toBeCloseTo(gw, 12);
    expect(g3[1]).toBeCloseTo(ge, 12);
    expect(g3[2]).toBeCloseTo(gb, 12);
  });

  it.each([8, 16, 32])(
    'n=%i: the relaxed point is stationary, below the one-parameter optimum, and a Nelder–Mead minimum',
    (n) => {
      for (const lambda of [1e-3, 1e-2, 0.1]) {
        const s = symmetricOptimum(n, lambda);
        expect(s.gradientNorm).toBeLessThan(1e-12);
        expect(s.loss).toBeLessThan(reducedOptimum(n, lambda).loss);
        expect(s.c).toBeLessThan(0.5);
        expect(s.w).toBeLessThan(1);
        // The inactive chosen-half outputs end slightly above their kink (z2 > 0): L1 pushes there.
        expect(s.z[1]).toBeGreaterThan(0);
        const nm = symmetricMinimum(n, lambda, s);
        expect(nm.loss).toBeGreaterThanOrEqual(s.loss - 1e-14);
      }
    },
  );

  it('lambda = 0 keeps the construction (zero loss) and a huge lambda kills the pair weights', () => {
    const z = symmetricOptimum(8, 0);
    expect(z.loss).toBeLessThan(1e-20);
    const big = symmetricOptimum(8, 2);
    expect(Math.abs(big.w)).toBeLessThan(1e-3);
  });
});

describe('minimisers', () => {
  it('golden section and Nelder–Mead find known minima', () => {
    expect(goldenSection((x) => (x - 0.3) ** 2, 0, 1).x).toBeCloseTo(0.3, 9);
    const r = nelderMead(([x, y]) => (x! - 1) ** 2 + 10 * (y! + 2) ** 2, [0, 0]);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(-2, 6);
    const rosen = nelderMead(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2, [-1, 1], 0.1);
    expect(rosen.x[0]).toBeCloseTo(1, 4);
  });
});

it('sameSignConstructionF64 with c < 1/2 is the reduced family point', () => {
  const p = sameSignConstructionF64({ n: 8, c: 0.3 });
  expect(p.b[0]).toBe(-0.3);
});

describe('the ReLU two-neuron symmetric family (w, eps, epsCross, b)', () => {
  it('closed form and gradient agree with the full model (ReLU hidden layer)', () => {
    const n = 8,
      lambda = 0.05;
    const pt = { w: 0.9, eps: 0.45, epsCross: 0.7, b: -0.42 };
    const p = symmetricFamilyParams(n, pt, undefined, 'relu-two-neuron');
    const o = { hiddenActivation: 'relu', lambda } as const;
    expect(symmetricFamilyLoss(n, pt, lambda, 'relu', 'relu-two-neuron').loss).toBeCloseTo(exactPopulationLoss(p, o).loss, 13);
    const g = symmetricFamilyGradient(n, pt, lambda, 'relu', 'relu-two-neuron');
    const { grad } = exactPopulationGradient(p, o);
    let ge = 0,
      gx = 0;
    for (let i = 0; i < n / 2; i++) {
      ge += grad.W![i]! + grad.W![n + n / 2 + i]!;
      gx -= grad.W![n / 2 + i]! + grad.W![n + i]!;
    }
    expect(g[1]).toBeCloseTo(ge, 12);
    expect(g[2]).toBeCloseTo(gx, 12);
  });

  it('has no relaxed point: the flow trades eps (costs L1) for epsCross (free) without end', () => {
    let s = symmetricOptimum(8, 0.01, undefined, 'relu-two-neuron');
    expect(s.gradientNorm).toBeGreaterThan(1e-5);
    const first = s;
    s = symmetricOptimum(8, 0.01, s, 'relu-two-neuron');
    expect(s.eps).toBeLessThan(first.eps);
    expect(s.epsCross!).toBeGreaterThan(first.epsCross!);
    expect(s.loss).toBeLessThan(first.loss);
    // the other half's shift c_B = eps·epsCross·n/4 stays put
    expect(s.eps * s.epsCross! * 2).toBeCloseTo(first.eps * first.epsCross! * 2, 1);
  });
});
