import { ConfigError, createPrng } from '@polytoy/core';
import type { Prng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { sameSignConstructionF64 } from './construction.js';
import type { ModelOptions } from './population-loss.js';
import { evaluatePopulation, exactPopulationGradient, exactPopulationLoss, monteCarloPopulationLoss } from './population-loss.js';
import type { ParamsF64 } from './params64.js';
import { flattenParams, toFloat32Params, toFloat64Params, unflattenParams } from './params64.js';
import { naiveFrom, naiveLoss } from './test-utils/naive.js';

function randomParams(rng: Prng, kind: 'tied' | 'untied', n: number, m: number, scale = 0.6): ParamsF64 {
  const draw = (len: number) => Float64Array.from({ length: len }, () => scale * rng.normal());
  const b = Float64Array.from({ length: n }, () => 0.3 * rng.normal());
  return kind === 'tied' ? { kind, n, m, W: draw(m * n), b } : { kind, n, m, E: draw(m * n), D: draw(n * m), b };
}

const optionGrid: ModelOptions[] = [];
for (const hiddenActivation of ['none', 'relu'] as const) {
  for (const outputActivation of ['relu', 'none'] as const) {
    for (const l1Target of ['activations', 'weights'] as const) {
      optionGrid.push({ hiddenActivation, outputActivation, l1Target, lambda: 0.05 });
    }
  }
}
const label = (o: ModelOptions) => `hidden ${o.hiddenActivation}, output ${o.outputActivation}, L1 on ${o.l1Target}`;

describe('exactPopulationLoss vs an independent naive computation', () => {
  const rng = createPrng(3);
  it.each(optionGrid.map((o) => [label(o), o] as const))('%s (tied and untied, n = 8 and 12)', (_, o) => {
    for (const kind of ['tied', 'untied'] as const) {
      for (const [n, m] of [
        [8, 5],
        [12, 4],
      ] as const) {
        const p = randomParams(rng, kind, n, m);
        const got = exactPopulationLoss(p, o);
        const want = naiveLoss(naiveFrom(p, o));
        expect(got.reconstruction).toBeCloseTo(want.reconstruction, 12);
        expect(got.l1).toBeCloseTo(want.l1, 12);
        expect(got.loss).toBeCloseTo(want.loss, 12);
      }
    }
  });

  it('reads float32 parameters exactly as their float64 values', () => {
    const p32 = toFloat32Params(randomParams(rng, 'tied', 8, 5));
    const o: ModelOptions = { hiddenActivation: 'none', lambda: 0.1 };
    expect(exactPopulationLoss(p32, o)).toEqual(exactPopulationLoss(toFloat64Params(p32), o));
  });

  it('lambda defaults to 0 but l1 is still reported; defaults: output ReLU, activation L1', () => {
    const p = sameSignConstructionF64({ n: 8, c: 0.4 });
    const L = exactPopulationLoss(p, { hiddenActivation: 'none' });
    expect(L.loss).toBe(L.reconstruction);
    expect(L.l1).toBeGreaterThan(0);
    expect(exactPopulationLoss(p, { hiddenActivation: 'none', outputActivation: 'relu', l1Target: 'activations' })).toEqual(L);
  });

  it('rejects n > 32, bad shapes and bad options', () => {
    const big = { kind: 'tied' as const, n: 36, m: 2, W: new Float64Array(72), b: new Float64Array(36) };
    expect(() => exactPopulationLoss(big, { hiddenActivation: 'none' })).toThrow(/n <= 32 for exact enumeration/);
    const bad = { kind: 'tied' as const, n: 8, m: 2, W: new Float64Array(15), b: new Float64Array(8) };
    expect(() => exactPopulationLoss(bad, { hiddenActivation: 'none' })).toThrow(/params.W: expected length m·n = 16/);
    const p = sameSignConstructionF64({ n: 8 });
    expect(() => exactPopulationLoss(p, { hiddenActivation: 'tanh' as 'none' })).toThrow(ConfigError);
    expect(() => exactPopulationLoss(p, { hiddenActivation: 'none', lambda: -1 })).toThrow(/lambda/);
  });
});

describe('exactPopulationGradient vs finite differences of the exact loss', () => {
  const rng = createPrng(5);
  it.each(optionGrid.map((o) => [label(o), o] as const))('%s', (_, o) => {
    for (const kind of ['tied', 'untied'] as const) {
      const p = randomParams(rng, kind, 8, 5);
      const { grad } = exactPopulationGradient(p, o);
      const flat = evaluatePopulation(p, o, { gradient: true }).grad!;
      const theta = flattenParams(p);
      const f = (t: Float64Array) => exactPopulationLoss(unflattenParams(p, t), o).loss;
      const h = 1e-6;
      let maxErr = 0,
        maxG = 0;
      for (let q = 0; q < theta.length; q++) {
        const tp = theta.slice(),
          tm = theta.slice();
        tp[q] = tp[q]! + h;
        tm[q] = tm[q]! - h;
        const fd = (f(tp) - f(tm)) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - flat[q]!));
        maxG = Math.max(maxG, Math.abs(fd));
      }
      // Random Gaussian parameters keep every pre-activation away from its kink.
      expect(maxErr).toBeLessThan(1e-7 * Math.max(1, maxG));
      // The shaped gradient is the flat one split up.
      if (kind === 'tied') {
        expect(grad.W!.length).toBe(40);
        expect(Array.from(grad.W!)).toEqual(Array.from(flat.subarray(0, 40)));
      } else {
        expect(Array.from(grad.D!)).toEqual(Array.from(flat.subarray(40, 80)));
      }
      expect(Array.from(grad.b)).toEqual(Array.from(flat.subarray(flat.length - 8)));
    }
  });

  it('n = 32 (25,740 points) works and matches finite differences on a few coordinates', () => {
    const p = randomParams(createPrng(9), 'tied', 32, 17, 0.3);
    const o: ModelOptions = { hiddenActivation: 'none', lambda: 0.01 };
    const { loss, grad } = exactPopulationGradient(p, o);
    expect(loss.supportSize).toBe(25740);
    const theta = flattenParams(p);
    for (const q of [0, 100, 543, 560]) {
      const h = 1e-6;
      const tp = theta.slice(),
        tm = theta.slice();
      tp[q] = tp[q]! + h;
      tm[q] = tm[q]! - h;
      const fd =
        (exactPopulationLoss(unflattenParams(p, tp), o).loss - exactPopulationLoss(unflattenParams(p, tm), o).loss) / (2 * h);
      const g = q < 544 ? grad.W![q]! : grad.b[q - 544]!;
      expect(Math.abs(fd - g)).toBeLessThan(1e-6);
    }
  });

  it('at the construction: the subgradient with sign(0) = 0 matches a hand derivation', () => {
    // Reconstruction is exactly 0, so only L1 contributes: d/dW[j,k] of lambda·E|h_j| =
    // lambda·E[sign(h_j)·x_k], sign(0) = 0.
    const n = 16,
      lambda = 0.01;
    const { grad } = exactPopulationGradient(sameSignConstructionF64({ n }), { hiddenActivation: 'none', lambda });
    const N = 140;
    // Disambiguation row: sign(h_0) = +1 on A samples, x_k = 1 w.p. 1/4 overall.
    expect(grad.W![0]).toBeCloseTo(lambda / 4, 15);
    expect(grad.W![n - 1]).toBeCloseTo(-lambda / 4, 15);
    // Pair weight W[1, 0] (feature 0 on neuron 1): h_1 = 1 whenever x_0 = 1.
    expect(grad.W![n + 0]).toBeCloseTo(lambda / 4, 15);
    // Off-structure W[1, 1]: h_1 != 0 and x_1 = 1 needs x_0 = 1 too: C(6, 2) = 15 of the 140 samples.
    expect(grad.W![n + 1]).toBeCloseTo((lambda * 15) / N, 15);
    // Off-structure W[1, 9] (B feature 9 with B partner 8 of neuron 1): also 15 samples.
    expect(grad.W![n + 9]).toBeCloseTo((lambda * 15) / N, 15);
    // eps = sqrt(1/8) is not exact in float64: the reconstruction residue is ~1e-32, its gradient ~1e-16.
    expect(Math.max(...Array.from(grad.b, Math.abs))).toBeLessThan(1e-14);
  });
});

describe('monteCarloPopulationLoss', () => {
  it.each([16, 24])('n=%i: within 4 standard errors of the exact value', (n) => {
    const rng = createPrng(n);
    const base = sameSignConstructionF64({ n, c: 0.35 });
    for (let t = 0; t < base.W.length; t++) base.W[t] = base.W[t]! + 0.2 * rng.normal();
    for (const o of [
      { hiddenActivation: 'none', lambda: 0.05 },
      { hiddenActivation: 'relu', lambda: 0.2 },
    ] as ModelOptions[]) {
      const exact = exactPopulationLoss(base, o);
      const mc = monteCarloPopulationLoss(base, o, 20000, 123);
      expect(mc.supportSize).toBe(20000);
      expect(mc.standardError).toBeGreaterThan(0);
      expect(Math.abs(mc.loss - exact.loss)).toBeLessThan(4 * mc.standardError);
      expect(mc.reconstructionStandardError).toBeGreaterThan(0);
      expect(Math.abs(mc.reconstruction - exact.reconstruction)).toBeLessThan(4 * mc.reconstructionStandardError);
      // The standard error is of the right size: not absurdly large compared to the spread.
      expect(mc.standardError).toBeLessThan(0.05 * exact.loss);
    }
  });

  it('is deterministic in the seed and works beyond the enumerable range', () => {
    const p = sameSignConstructionF64({ n: 64, c: 0.4 });
    const o: ModelOptions = { hiddenActivation: 'none' };
    // Every sample leaks exactly n/4 outputs of (1 - 2c)²: zero variance, exact mean.
    const a = monteCarloPopulationLoss(p, o, 5000, 1);
    expect(a.reconstruction).toBeCloseTo(16 * 0.2 ** 2, 12);
    expect(a.standardError).toBeLessThan(1e-12);
    const q = sameSignConstructionF64({ n: 64, c: 0.4 });
    q.W[3] = 0.7;
    const b = monteCarloPopulationLoss(q, o, 5000, 1);
    expect(monteCarloPopulationLoss(q, o, 5000, 1)).toEqual(b);
    expect(monteCarloPopulationLoss(q, o, 5000, 2).loss).not.toBe(b.loss);
    expect(() => monteCarloPopulationLoss(p, o, 1, 0)).toThrow(/samples/);
  });

  it('the reconstruction standard error is that of the per-sample reconstruction alone', () => {
    // Same-sign construction at c = 0.5: every sample reconstructs exactly (variance 0), while
    // the activation L1 varies only through lambda; a perturbed copy has a positive spread.
    const p = sameSignConstructionF64({ n: 64, c: 0.5 });
    const zero = monteCarloPopulationLoss(p, { hiddenActivation: 'none', lambda: 0.01 }, 4096, 3);
    expect(zero.reconstruction).toBeLessThan(1e-20);
    expect(zero.reconstructionStandardError).toBeLessThan(1e-12);
    p.W[5] = p.W[5]! + 0.3;
    const o: ModelOptions = { hiddenActivation: 'none', lambda: 0 };
    const a = monteCarloPopulationLoss(p, o, 4096, 3);
    // lambda = 0: the loss is the reconstruction, so both standard errors agree.
    expect(a.reconstructionStandardError).toBeGreaterThan(0);
    expect(a.reconstructionStandardError).toBeCloseTo(a.standardError, 14);
  });
});
