import { mixedConstructionF64, sameSignConstructionF64 } from '@polytoy/analytic';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, fitFamily, OutputCosts } from './families.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const MIN_PARTNER_WEIGHT = DEFAULT_THRESHOLDS.minPartnerWeight;
import { supportMap } from './support-map.js';
import { allPermutations } from './test-utils/permutations.js';
import { perturbed, untiedFromMap } from './test-utils/constructions.js';

/** The template's cost by brute force: E_x (z_i − z*_i)² over the enumerated support, / E[x_i²]. */
function bruteCost(n: number, L: Float64Array, i: number, alpha: number, s: number, beta: number, partner: number): number {
  const h = n / 2;
  const q = n / 4;
  const own = i < h ? 0 : h;
  let total = 0;
  let count = 0;
  // Enumerate subsets of size q of each half.
  const subsets = (k: number, from: number): number[][] =>
    k === 0 ? [[]] : from >= h ? [] : [...subsets(k - 1, from + 1).map((r) => [from, ...r]), ...subsets(k, from + 1)];
  for (const half of [0, h]) {
    for (const sub of subsets(q, 0)) {
      const on = sub.map((k) => half + k);
      let z = 0;
      let zs = 0;
      for (const k of on) {
        z += L[i * n + k]!;
        if (half === own) zs += (k === i ? 1 - q * alpha : 0) + alpha;
        else zs += (k === partner ? s : 0) + beta;
      }
      total += (z - zs) ** 2;
      count++;
    }
  }
  return total / count / 0.25;
}

describe('OutputCosts', () => {
  it('its closed-form cost is the template error over the enumerated support', () => {
    const rng = createPrng(4);
    for (const n of [8, 12, 16]) {
      const M = Float64Array.from({ length: n * n }, () => rng.normal());
      const costs = new OutputCosts(supportMap(untiedFromMap(M, new Float64Array(n)), 'none'));
      for (const i of [0, n - 1]) {
        for (const pi of [1, -1, 0]) {
          const p = costs.bestPartner(i, pi);
          const f = costs.fit(i, pi, p);
          const partner = (i < n / 2 ? n / 2 : 0) + p;
          expect(f.cost).toBeCloseTo(bruteCost(n, costs.map.L, i, f.alpha, pi === 0 ? 0 : f.partnerWeight, f.beta, partner), 9);
        }
      }
    }
  });

  it('finds the constrained optimum: no feasible grid point does better', () => {
    const rng = createPrng(7);
    const n = 8;
    const q = n / 4;
    for (let trial = 0; trial < 20; trial++) {
      const M = Float64Array.from({ length: n * n }, () => rng.normal() * 0.7);
      const map = supportMap(untiedFromMap(M, new Float64Array(n)), 'none');
      const costs = new OutputCosts(map);
      const i = trial % n;
      const partner = (i < n / 2 ? n / 2 : 0) + (trial % (n / 2));
      for (const pi of [1, -1, 0]) {
        const f = costs.fit(i, pi, trial % (n / 2));
        expect(f.alpha).toBeLessThanOrEqual(1e-12);
        if (pi > 0) expect(f.partnerWeight + q * f.beta).toBeLessThanOrEqual(1e-9);
        if (pi !== 0) expect(pi * f.partnerWeight).toBeGreaterThanOrEqual(MIN_PARTNER_WEIGHT - 1e-9);
        if (pi <= 0) expect(f.beta).toBeLessThanOrEqual(1e-12);
        let best = Number.POSITIVE_INFINITY;
        for (let a = -1.5; a <= 0; a += 0.1) {
          for (let s = -2; s <= 2; s += 0.1) {
            for (let b = -1.5; b <= 1; b += 0.1) {
              const sv = pi === 0 ? 0 : s;
              const ok =
                pi > 0 ? sv >= MIN_PARTNER_WEIGHT && sv + q * b <= 0 : pi < 0 ? sv <= -MIN_PARTNER_WEIGHT && b <= 0 : b <= 0;
              if (ok) best = Math.min(best, bruteCost(n, map.L, i, a, sv, b, partner));
            }
          }
        }
        expect(f.cost).toBeLessThanOrEqual(best + 1e-9);
      }
    }
  });
});

describe('OutputCosts.measure', () => {
  it('crossMargin is the largest other-half pre-activation over the support (closed form = enumeration)', () => {
    const rng = createPrng(12);
    const n = 16;
    const M = Float64Array.from({ length: n * n }, () => rng.normal());
    const map = supportMap(
      untiedFromMap(
        M,
        Float64Array.from({ length: n }, () => rng.normal()),
      ),
      'none',
    );
    const costs = new OutputCosts(map);
    for (let i = 0; i < n; i++) expect(costs.measure(i).crossMargin).toBeCloseTo(map.crossMax[i]!, 12);
  });
});

describe('fitFamily', () => {
  it('finds the optimal pairing (checked against every pairing at n = 8 and 12)', () => {
    for (const n of [8, 12]) {
      const p = perturbed(mixedConstructionF64({ n, oppositePairs: 2, pairing: allPermutations(n / 2)[17] }), 1, 0.2);
      const costs = new OutputCosts(supportMap(p, 'none'));
      for (const family of FAMILY_NAMES.filter((f) => f !== 'monosemantic')) {
        const fit = fitFamily(costs, family);
        let best = Number.POSITIVE_INFINITY;
        const signs = family === 'same-sign' ? [1] : family === 'opposite-sign' ? [-1] : [1, -1, 0];
        for (const perm of allPermutations(n / 2)) {
          let total = 0;
          perm.forEach((pq, k) => {
            total += Math.min(...signs.map((pi) => costs.cost(k, pi, pq) + costs.cost(n / 2 + pq, pi, k)));
          });
          best = Math.min(best, Math.sqrt(total / n));
        }
        expect(fit.distance).toBeCloseTo(best, 12);
      }
    }
  });

  it('recovers the pairing, signs and shift of a permuted mixture', () => {
    const pairing = [2, 0, 3, 1];
    const p = mixedConstructionF64({ n: 8, c: 0.7, oppositePairs: 1, pairing });
    const fit = fitFamily(new OutputCosts(supportMap(p, 'none')), 'mixture');
    expect(fit.distance).toBeLessThan(1e-12);
    expect(fit.pairing).toEqual(pairing.map((q) => 4 + q));
    expect(fit.pairSigns).toEqual([-1, 1, 1, 1]);
    for (const c of fit.shift) expect(c).toBeCloseTo(0.7, 12);
  });

  it('the pure families contain the construction they are named after, and not the others', () => {
    const costs = new OutputCosts(supportMap(sameSignConstructionF64({ n: 16 }), 'none'));
    const d = Object.fromEntries(FAMILY_NAMES.map((f) => [f, fitFamily(costs, f).distance]));
    expect(d['same-sign']).toBeLessThan(1e-12);
    expect(d.mixture).toBeLessThan(1e-12);
    expect(d['opposite-sign']).toBeGreaterThan(0.5);
    expect(d.monosemantic).toBeGreaterThan(0.5);
  });
});
