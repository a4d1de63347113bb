import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import {
  absenceCodedConstructionF64,
  constructionLayout,
  mixedConstructionF64,
  NEURON_BOUND_EXPLANATION,
  oppositeSignConstruction,
  oppositeSignConstructionF64,
  reluTwoNeuronConstructionF64,
  rotatedConstructionF64,
  sameSignConstruction,
  sameSignConstructionF64,
  untiedCounterpart,
} from './construction.js';
import { exactPopulationLoss } from './population-loss.js';
import { naiveFrom, naiveLoss } from './test-utils/naive.js';

// Independent numpy values, a fixture of the conformance suite inside this repository.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const referencePath = resolve(repoRoot, 'tools/conformance/fixtures/reference/constructions.json');

interface RefRow {
  n: number;
  m: number;
  construction: string;
  hiddenActivation: 'none' | 'relu';
  supportSize: number;
  reconstructionLoss: number;
  activationL1: number;
}

const none = { hiddenActivation: 'none' } as const;

describe('reference values (tools/conformance/fixtures/reference, numpy float64)', () => {
  const rows = (JSON.parse(readFileSync(referencePath, 'utf8')) as { rows: RefRow[] }).rows;

  it('covers every construction kind for n = 4, 8, 16, 32', () => {
    expect(rows.length).toBe(20);
    expect(new Set(rows.map((r) => r.n))).toEqual(new Set([4, 8, 16, 32]));
  });

  it.each(rows.map((r) => [`n=${r.n} ${r.construction}`, r] as const))('%s agrees to 1e-9', (_, r) => {
    const c = r.construction.includes('c=') ? Number(r.construction.split('c=')[1]) : 0.5;
    const p = r.construction.startsWith('same-sign')
      ? sameSignConstructionF64({ n: r.n, c })
      : r.construction.startsWith('opposite-sign')
        ? oppositeSignConstructionF64({ n: r.n })
        : reluTwoNeuronConstructionF64({ n: r.n, c });
    expect(p.m).toBe(r.m);
    const L = exactPopulationLoss(p, { hiddenActivation: r.hiddenActivation });
    expect(L.supportSize).toBe(r.supportSize);
    expect(Math.abs(L.reconstruction - r.reconstructionLoss)).toBeLessThan(1e-9);
    expect(Math.abs(L.l1 - r.activationL1)).toBeLessThan(1e-9);
  });
});

describe('sameSignConstruction: the seed family', () => {
  const rng = createPrng(7);
  const cases: [number, number][] = [];
  for (const n of [4, 8, 16]) for (const c of [0.5, 0.6, 0.75, 1, 2.5]) cases.push([n, c]);
  cases.push([32, 0.5], [32, 0.9]);

  it.each(cases)('n=%i c=%f: zero reconstruction loss for a random pairing, neuron order and extra neurons', (n, c) => {
    const extra = n <= 16 ? 2 : 0;
    const m = n / 2 + 1 + extra;
    const pairing = rng.permutation(n / 2);
    const neuronOrder = rng.permutation(m);
    const p = sameSignConstructionF64({ n, m, c, pairing, neuronOrder });
    const L = exactPopulationLoss(p, none);
    expect(L.reconstruction).toBeLessThan(1e-28);
    // Activation L1 per sample: n/4 (feature neurons) + sqrt(c·n)/2 (disambiguation neuron).
    expect(L.l1).toBeCloseTo(n / 4 + Math.sqrt(c * n) / 2, 10);
  });

  it.each([
    [4, 0],
    [4, 0.25],
    [8, 0.1],
    [8, 0.4],
    [16, 0.3],
    [16, 0.49],
    [32, 0.45],
  ])('n=%i c=%f < 1/2: reconstruction loss exactly (n/4)(1 - 2c)² > 0, for random pairings', (n, c) => {
    const p = sameSignConstructionF64({ n, c, pairing: rng.permutation(n / 2), neuronOrder: rng.permutation(n / 2 + 1) });
    const L = exactPopulationLoss(p, none);
    expect(L.reconstruction).toBeGreaterThan(0);
    expect(L.reconstruction).toBeCloseTo((n / 4) * (1 - 2 * c) ** 2, 12);
  });

  it('the seed instance: eps = sqrt(2/n), every bias -1/2, pairs +1/+1 (checked against the naive model)', () => {
    const n = 8;
    const p = sameSignConstructionF64({ n });
    expect(p.m).toBe(5);
    expect(Array.from(p.W.subarray(0, n))).toEqual([0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5]);
    expect(Array.from(p.W.subarray(n, 2 * n))).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(p.b)).toEqual(new Array(n).fill(-0.5));
    expect(naiveLoss(naiveFrom(p, none))).toEqual({ reconstruction: 0, l1: 3, loss: 3 - 3 });
  });

  it('pairing and neuronOrder move rows and B partners as documented', () => {
    const n = 8;
    const p = sameSignConstructionF64({ n, pairing: [2, 0, 3, 1], neuronOrder: [4, 0, 1, 2, 3] });
    // row 0 = canonical row 4 = pair 3 (A feature 3 with B feature 4 + 1 = 5)
    expect(Array.from(p.W.subarray(0, n))).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    // row 1 = canonical row 0 = the disambiguation neuron
    expect(p.W[n]).toBeCloseTo(0.5, 15);
    const layout = constructionLayout('same-sign', { n, pairing: [2, 0, 3, 1], neuronOrder: [4, 0, 1, 2, 3] });
    expect(layout.disambiguation).toEqual([1]);
    expect(layout.pairs[3]).toEqual({ neuron: 0, a: 3, b: 5, sign: 1 });
    expect(layout.pairs[0]).toEqual({ neuron: 2, a: 0, b: 6, sign: 1 });
  });

  it('float32 storage: still (numerically) zero loss, L1 within float32 rounding', () => {
    for (const n of [8, 16, 32]) {
      const p = sameSignConstruction({ n });
      expect(p.W).toBeInstanceOf(Float32Array);
      const L = exactPopulationLoss(p, none);
      expect(L.reconstruction).toBeLessThan(1e-12);
      expect(Math.abs(L.l1 - (n / 4 + Math.sqrt(n / 2) / 2))).toBeLessThan(1e-6);
    }
  });

  it('errors: n not a multiple of 4, too few neurons (with the reason), bad c, bad permutations', () => {
    expect(() => sameSignConstructionF64({ n: 10 })).toThrow(ConfigError);
    expect(() => sameSignConstructionF64({ n: 10 })).toThrow(/n: expected a positive multiple of 4.*received 10/);
    expect(() => sameSignConstructionF64({ n: 0 })).toThrow(ConfigError);
    expect(() => sameSignConstructionF64({ n: 16, m: 8 })).toThrow(
      /m: expected m >= 9 for n = 16 \(two features of the same half cannot share a neuron/,
    );
    expect(() => sameSignConstructionF64({ n: 16, m: 8 })).toThrow(/disambiguation neuron must be a separate neuron/);
    expect(NEURON_BOUND_EXPLANATION).toMatch(/n\/2 pair neurons/);
    expect(() => sameSignConstructionF64({ n: 8, c: -0.1 })).toThrow(/c: expected a finite c >= 0/);
    expect(() => sameSignConstructionF64({ n: 8, pairing: [0, 0, 1, 2] })).toThrow(/pairing: expected a permutation of 0..3/);
    expect(() => sameSignConstructionF64({ n: 8, pairing: [0, 1, 2] })).toThrow(ConfigError);
    expect(() => sameSignConstructionF64({ n: 8, neuronOrder: [0, 1, 2, 3, 5] })).toThrow(/neuronOrder/);
    expect(() => reluTwoNeuronConstructionF64({ n: 8, m: 5 })).toThrow(/m >= 6/);
    expect(() => oppositeSignConstructionF64({ n: 8, m: 3 })).toThrow(/m >= 4/);
  });
});

describe('the competitors (SPEC §2b–2c)', () => {
  const rng = createPrng(11);

  it.each([4, 8, 16, 32])('n=%i opposite-sign pairs: zero loss with m = n/2, L1 = n/4; fails under a hidden ReLU', (n) => {
    const p = oppositeSignConstructionF64({ n, pairing: rng.permutation(n / 2), neuronOrder: rng.permutation(n / 2) });
    expect(p.m).toBe(n / 2);
    expect(Array.from(p.b)).toEqual(new Array(n).fill(0));
    const L = exactPopulationLoss(p, none);
    expect(L.reconstruction).toBe(0);
    expect(L.l1).toBe(n / 4);
    // Under a hidden ReLU the negative activation is cut: the B outputs of B samples vanish.
    expect(exactPopulationLoss(p, { hiddenActivation: 'relu' }).reconstruction).toBeCloseTo(n / 8, 12);
  });

  it('opposite-sign in float32 is exact', () => {
    expect(exactPopulationLoss(oppositeSignConstruction({ n: 16 }), none).reconstruction).toBe(0);
  });

  it.each([8, 16])('n=%i mixtures: zero loss for every number of opposite-sign pairs; L1 = n/4 + sqrt(cn)/2', (n) => {
    for (let k = 0; k <= n / 2; k++) {
      const p = mixedConstructionF64({ n, oppositePairs: k, c: 0.6, pairing: rng.permutation(n / 2) });
      const L = exactPopulationLoss(p, none);
      expect(L.reconstruction).toBeLessThan(1e-28);
      expect(L.l1).toBeCloseTo(n / 4 + Math.sqrt(0.6 * n) / 2, 12);
    }
    // c < 1/2: only the same-sign pairs leak, (s/2)(1 - 2c)² with s same-sign pairs.
    const s = n / 2 - 2;
    const L = exactPopulationLoss(mixedConstructionF64({ n, oppositePairs: 2, c: 0.3 }), none);
    expect(L.reconstruction).toBeCloseTo((s / 2) * 0.4 ** 2, 12);
    expect(() => mixedConstructionF64({ n, oppositePairs: n / 2 + 1 })).toThrow(/oppositePairs/);
  });

  it.each([4, 8, 16])('n=%i ReLU hidden layer: two disambiguation neurons give zero loss; one gives n/16', (n) => {
    const two = reluTwoNeuronConstructionF64({
      n,
      c: 0.5,
      pairing: rng.permutation(n / 2),
      neuronOrder: rng.permutation(n / 2 + 2),
    });
    expect(two.m).toBe(n / 2 + 2);
    const L = exactPopulationLoss(two, { hiddenActivation: 'relu' });
    expect(L.reconstruction).toBeLessThan(1e-28);
    expect(L.l1).toBeCloseTo(n / 4 + Math.sqrt(n / 2) / 2, 12);
    // SPEC §2c: the single disambiguation neuron's negative activation is cut on B samples.
    const one = exactPopulationLoss(sameSignConstructionF64({ n }), { hiddenActivation: 'relu' });
    expect(one.reconstruction).toBeCloseTo(n / 16, 12);
  });

  it.each([
    [4, 'hadamard'],
    [8, 'hadamard'],
    [16, 'hadamard'],
    [32, 'hadamard'],
    [8, 'helmert'],
    [12, 'helmert'],
    [24, 'helmert'],
  ] as const)('n=%i rotated (%s): zero loss with m = n/2 for c >= 1/2, (n/4)(1-2c)² below', (n, basis) => {
    for (const c of [0.5, 0.8]) {
      const p = rotatedConstructionF64({ n, c, basis, pairing: rng.permutation(n / 2) });
      expect(p.m).toBe(n / 2);
      expect(exactPopulationLoss(p, none).reconstruction).toBeLessThan(1e-28);
    }
    const L = exactPopulationLoss(rotatedConstructionF64({ n, c: 0.35, basis }), none);
    expect(L.reconstruction).toBeCloseTo((n / 4) * 0.3 ** 2, 12);
  });

  it('rotated Hadamard L1: n/4 at n = 8 (ties opposite-sign), below n/4 at n = 16 and 32', () => {
    const l1 = (n: number) => exactPopulationLoss(rotatedConstructionF64({ n }), none).l1;
    expect(l1(8)).toBeCloseTo(2, 12);
    // n = 16: sqrt(8)/2 + 7·E|Σ of 4 of (±1 ×4, ∓1 ×4)|/sqrt(8) = sqrt(2) + 7·(72/70)/sqrt(8)
    expect(l1(16)).toBeCloseTo(Math.SQRT2 + (7 * 72) / 70 / Math.sqrt(8), 12);
    expect(l1(16)).toBeLessThan(4);
    expect(l1(32)).toBeLessThan(8);
    expect(() => rotatedConstructionF64({ n: 12, basis: 'hadamard' })).toThrow(/not a power of 2/);
  });

  it.each([4, 8, 16, 32])(
    'n=%i absence-coded same-sign pairs: zero loss with m = n/2 and no disambiguation neuron, L1 = n/4',
    (n) => {
      const p = absenceCodedConstructionF64({ n, pairing: rng.permutation(n / 2), neuronOrder: rng.permutation(n / 2) });
      expect(p.m).toBe(n / 2);
      const L = exactPopulationLoss(p, none);
      expect(L.reconstruction).toBeLessThan(1e-28);
      expect(L.l1).toBeCloseTo(n / 4, 10);
    },
  );

  it('untied counterparts compute the same function (every construction, float32 and float64)', () => {
    const ps = [
      sameSignConstructionF64({ n: 8, c: 0.4 }),
      oppositeSignConstructionF64({ n: 8 }),
      mixedConstructionF64({ n: 8, oppositePairs: 1 }),
      reluTwoNeuronConstructionF64({ n: 8 }),
      rotatedConstructionF64({ n: 8 }),
    ];
    for (const p of ps) {
      for (const hiddenActivation of ['none', 'relu'] as const) {
        const tied = exactPopulationLoss(p, { hiddenActivation, lambda: 0.1 });
        const u = untiedCounterpart(p);
        expect(u.kind).toBe('untied');
        expect(u.D[1 * u.m + 0]).toBe(p.W[0 * p.n + 1]); // D[i, j] = W[j, i]
        expect(exactPopulationLoss(u, { hiddenActivation, lambda: 0.1 })).toEqual(tied);
      }
    }
    const u32 = untiedCounterpart(sameSignConstruction({ n: 8 }));
    expect(u32.E).toBeInstanceOf(Float32Array);
  });
});
