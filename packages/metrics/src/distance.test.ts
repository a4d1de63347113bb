import {
  constructionLayout,
  mixedConstruction,
  oppositeSignConstruction,
  reluTwoNeuronConstruction,
  sameSignConstruction,
  untiedCounterpart,
} from '@polytoy/analytic';
import type { ModelParams, TiedParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import type { ConstructionFamily } from './distance.js';
import { constructionDistances, distanceToFamily } from './distance.js';
import { rescaledUntied, tiedFromRows, withNoise } from './test-utils/constructions.js';
import { allPermutations } from './test-utils/permutations.js';

const FLOAT32 = 1e-6;

interface Case {
  family: ConstructionFamily;
  act: 'none' | 'relu';
  c: number | null;
  /** Families that contain this construction as a special case (distance 0 too). */
  alsoZero: ConstructionFamily[];
  make: (o: { n: number; pairing?: number[]; neuronOrder?: number[] }) => TiedParams;
}

const cases: Case[] = [
  { family: 'same-sign', act: 'none', c: 0.5, alsoZero: ['mixed'], make: (o) => sameSignConstruction({ ...o, c: 0.5 }) },
  { family: 'same-sign', act: 'none', c: 0.8, alsoZero: ['mixed'], make: (o) => sameSignConstruction({ ...o, c: 0.8 }) },
  { family: 'opposite-sign', act: 'none', c: null, alsoZero: ['mixed'], make: (o) => oppositeSignConstruction(o) },
  { family: 'mixed', act: 'none', c: 0.6, alsoZero: [], make: (o) => mixedConstruction({ ...o, c: 0.6, oppositePairs: 1 }) },
  { family: 'relu-two-neuron', act: 'relu', c: 0.5, alsoZero: [], make: (o) => reluTwoNeuronConstruction({ ...o, c: 0.5 }) },
];

function expectOwnFamily(cs: Case, p: ModelParams, label: string): void {
  const d = constructionDistances(p, { hiddenActivation: cs.act });
  for (const f of d.families) {
    if (f.family === cs.family || cs.alsoZero.includes(f.family)) {
      expect(f.distance, `${label}: ${f.family}`).toBeLessThan(FLOAT32);
    } else {
      expect(f.distance, `${label}: ${f.family}`).toBeGreaterThan(0.05);
    }
  }
  expect(d.nearest, label).toBe(cs.family);
  const own = d.families.find((f) => f.family === cs.family)!;
  if (cs.c !== null) expect(own.c!, label).toBeCloseTo(cs.c, 6);
}

describe('constructionDistances', () => {
  it('puts every construction at distance 0 (float32) from its own family and > 0 from the others (n = 4 .. 64)', () => {
    for (const cs of cases)
      for (const n of [4, 8, 16, 32, 64]) expectOwnFamily(cs, cs.make({ n }), `${cs.family} c=${cs.c} n=${n}`);
  });

  it('recovers random neuron orders and pairings (exhaustive n = 8, alternating n = 16, 32)', () => {
    const rng = createPrng(31);
    for (const cs of cases) {
      for (const n of [8, 16, 32]) {
        const m = cs.make({ n }).m;
        const layout = { pairing: rng.permutation(n / 2), neuronOrder: rng.permutation(m) };
        const p = cs.make({ n, ...layout });
        expectOwnFamily(cs, p, `${cs.family} n=${n} permuted`);
        const fit = distanceToFamily(p, cs.family, { hiddenActivation: cs.act });
        expect(fit.pairingSearch).toBe(n === 8 ? 'exhaustive' : 'alternating');
        expect(fit.pairing).toEqual(layout.pairing);
        const kind = cs.family;
        const where = constructionLayout(kind, { n, ...layout, ...(kind === 'mixed' ? { oppositePairs: 1 } : {}) });
        const K = where.disambiguation.length;
        expect(fit.rowOfSlot.slice(0, K + n / 2)).toEqual([...where.disambiguation, ...where.pairs.map((s) => s.neuron)]);
      }
    }
  });

  it('reports the pair types of a mixture', () => {
    const fit = distanceToFamily(mixedConstruction({ n: 16, c: 0.5, oppositePairs: 3 }), 'mixed');
    expect(fit.pairTypes).toEqual(['opposite', 'opposite', 'opposite', 'same', 'same', 'same', 'same', 'same']);
  });

  it('gives untied counterparts (plain and rescaled per neuron) the distances of the tied model', () => {
    const rng = createPrng(4);
    for (const cs of cases) {
      const tied = withNoise(cs.make({ n: 8 }), rng, 0.05);
      const dt = constructionDistances(tied, { hiddenActivation: cs.act });
      for (const u of [untiedCounterpart(tied), rescaledUntied(tied, rng)]) {
        const du = constructionDistances(u, { hiddenActivation: cs.act });
        expect(du.nearest).toBe(dt.nearest);
        du.families.forEach((f, k) => expect(f.distance).toBeCloseTo(dt.families[k]!.distance, 5));
      }
    }
  });

  it('matches a hand derivation: same-sign n = 8, c = 1/2 against the opposite-sign family is sqrt(1.5)', () => {
    // Opposite family: 4 slots (+1 at a, −1 at B partner) and 1 zero slot, b* = 0. A same-sign row
    // e_k + e_(4+k) against the slot (k, partner ≠ 4+k) differs by e_(4+k) + e_partner: cost 2,
    // which a derangement pairing gives all four pair rows; the disambiguation row (±0.5) takes the
    // zero slot: cost 8 · 0.25 = 2 (or a pair slot, <d, s> = 1: cost 2 + 2 − 2 = 2, the same);
    // bias 8 · 0.25 = 2. Total 12, construction norm^2 8: distance sqrt(12 / 8).
    const fit = distanceToFamily(sameSignConstruction({ n: 8, c: 0.5 }), 'opposite-sign');
    expect(fit.residual ** 2).toBeCloseTo(12, 9);
    expect(fit.distance).toBeCloseTo(Math.sqrt(1.5), 9);
  });

  it('agrees with brute force over all neuron permutations, pairings, flips and c (n = 4)', () => {
    const rng = createPrng(77);
    for (let trial = 0; trial < 5; trial++) {
      for (const family of ['same-sign', 'opposite-sign', 'relu-two-neuron', 'mixed'] as const) {
        for (const act of ['none', 'relu'] as const) {
          const m = 2 + rng.nextInt(3);
          const W = Float32Array.from({ length: m * 4 }, () => (rng.nextDouble() < 0.3 ? 0 : rng.normal()));
          const b = Float32Array.from({ length: 4 }, () => rng.normal() * 0.5 - 0.3);
          const p: TiedParams = { kind: 'tied', n: 4, m, W, b };
          const fit = distanceToFamily(p, family, { hiddenActivation: act });
          expect(fit.residual ** 2, `${family} ${act} trial ${trial}`).toBeCloseTo(bruteForce(p, family, act === 'none'), 5);
        }
      }
    }
  });

  it('never does better with the alternating pairing search than exhaustive enumeration, and matches it near a construction', () => {
    const rng = createPrng(12);
    for (const family of ['same-sign', 'opposite-sign', 'relu-two-neuron', 'mixed'] as const) {
      for (let trial = 0; trial < 4; trial++) {
        const W = Float32Array.from({ length: 6 * 8 }, () => rng.normal() * 0.6);
        const random: TiedParams = { kind: 'tied', n: 8, m: 6, W, b: new Float32Array(8).fill(-0.4) };
        const ex = distanceToFamily(random, family).residual;
        const alt = distanceToFamily(random, family, { exhaustiveLimit: 1 }).residual;
        expect(alt).toBeGreaterThanOrEqual(ex - 1e-9);
        const near = withNoise(cases.find((c) => c.family === family)!.make({ n: 8, pairing: rng.permutation(4) }), rng, 0.1);
        const act = family === 'relu-two-neuron' ? 'relu' : 'none';
        expect(distanceToFamily(near, family, { exhaustiveLimit: 1, hiddenActivation: act }).residual).toBeCloseTo(
          distanceToFamily(near, family, { hiddenActivation: act }).residual,
          9,
        );
      }
    }
  });

  it('fits c by least squares on the disambiguation row and the bias', () => {
    // Row eps = 0.5 (c = 0.5 alone) but bias −0.3: the fit lands in between, at the brute-force optimum.
    const p = sameSignConstruction({ n: 8, c: 0.5 });
    p.b.fill(-0.3);
    const fit = distanceToFamily(p, 'same-sign');
    expect(fit.c!).toBeGreaterThan(0.3);
    expect(fit.c!).toBeLessThan(0.5);
    let best = Infinity;
    let bestC = 0;
    for (let e = 0; e <= 1; e += 1e-5) {
      const c = 2 * e * e; // n e^2 / 4 with n = 8
      const cost = 8 * (0.5 - e) ** 2 + 8 * (c - 0.3) ** 2;
      if (cost < best) [best, bestC] = [cost, c];
    }
    expect(fit.residual ** 2).toBeLessThanOrEqual(best + 1e-12);
    expect(fit.residual ** 2).toBeCloseTo(best, 6);
    expect(fit.c!).toBeCloseTo(bestC, 4);
  });

  it('grows with noise and keeps the nearest family', () => {
    const rng = createPrng(8);
    const base = sameSignConstruction({ n: 16, c: 0.5 });
    const small = constructionDistances(withNoise(base, rng, 0.02));
    const large = constructionDistances(withNoise(base, rng, 0.1));
    expect(small.nearest).toBe('same-sign');
    expect(large.nearest).toBe('same-sign');
    expect(small.distance).toBeGreaterThan(0);
    expect(small.distance).toBeLessThan(large.distance);
  });

  it('counts missing neurons fully and rejects odd n', () => {
    const p = tiedFromRows([[1, 0, 1, 0]], [-0.5, -0.5, -0.5, -0.5]); // one pair only, nothing else
    const fit = distanceToFamily(p, 'opposite-sign');
    expect(fit.rowOfSlot).toContain(-1);
    expect(() => constructionDistances(tiedFromRows([[1, 0, 0]]))).toThrow(/params\.n: expected an even number/);
  });
});

/** Independent brute force: every row permutation, flip, pairing, pair type and a 1-D c search. */
function bruteForce(p: TiedParams, family: ConstructionFamily, flips: boolean): number {
  const { n, m } = p;
  const h = n / 2;
  const K = family === 'opposite-sign' ? 0 : family === 'relu-two-neuron' ? 2 : 1;
  const N = Math.max(m, K + h);
  const row = (r: number): number[] => (r < m ? Array.from(p.W.subarray(r * n, r * n + n)) : new Array<number>(n).fill(0));
  let best = Infinity;
  for (const pairing of allPermutations(h)) {
    for (const perm of allPermutations(N)) {
      // Pair slots: choose per slot the best sign pattern (independent of c).
      let pairCost = 0;
      for (let k = 0; k < h; k++) {
        const r = row(perm[K + k]!);
        const patterns: Array<[number, number]> = [];
        if (family !== 'opposite-sign') patterns.push([1, 1]);
        if (family !== 'opposite-sign' && flips) patterns.push([-1, -1]);
        if (family === 'opposite-sign' || family === 'mixed') patterns.push([1, -1], [-1, 1]);
        let bestPattern = Infinity;
        for (const [sa, sb] of patterns) {
          const target = new Array<number>(n).fill(0);
          target[k] = sa;
          target[h + pairing[k]!] = sb;
          bestPattern = Math.min(
            bestPattern,
            r.reduce((s, x, i) => s + (x - target[i]!) ** 2, 0),
          );
        }
        pairCost += bestPattern;
      }
      for (let s = K + h; s < N; s++) pairCost += row(perm[s]!).reduce((a, x) => a + x * x, 0);
      // Disambiguation slots and bias: grid over eps, each orientation combination.
      const orientations: number[][] =
        K === 0
          ? [[]]
          : K === 1
            ? flips
              ? [[1], [-1]]
              : [[1]]
            : flips
              ? [
                  [1, -1],
                  [1, 1],
                  [-1, -1],
                  [-1, 1],
                ]
              : [[1, -1]];
      let disBest = Infinity;
      for (const o of orientations) {
        const cost = (e: number): number => {
          let s = 0;
          for (let d = 0; d < K; d++) {
            const r = row(perm[d]!);
            for (let i = 0; i < n; i++) s += (r[i]! - o[d]! * (i < h ? e : -e)) ** 2;
          }
          const c = K > 0 ? (n * e * e) / 4 : 0;
          for (let i = 0; i < n; i++) s += (p.b[i]! + c) ** 2;
          return s;
        };
        if (K === 0) {
          disBest = Math.min(disBest, cost(0));
          continue;
        }
        let e0 = 0;
        let c0 = cost(0);
        for (let e = 0; e <= 3; e += 1e-2) if (cost(e) < c0) [e0, c0] = [e, cost(e)];
        let lo = Math.max(0, e0 - 1e-2);
        let hi = e0 + 1e-2;
        for (let it = 0; it < 60; it++) {
          const a = lo + (hi - lo) / 3;
          const b2 = hi - (hi - lo) / 3;
          if (cost(a) < cost(b2)) hi = b2;
          else lo = a;
        }
        disBest = Math.min(disBest, c0, cost((lo + hi) / 2));
      }
      best = Math.min(best, pairCost + disBest);
    }
  }
  return best;
}
