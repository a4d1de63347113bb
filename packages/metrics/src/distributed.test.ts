/**
 * The distributed mechanism and the `distributed` label on exact hand-built zero-loss solutions
 * outside the sparse families: each output's own half is passed exactly (M_ii = 1, own-half
 * off-diagonal 0, b = 0) and its other-half row is −1/2 on two other-half features, so no other-half
 * sample (q = n/4 ones) lifts it above zero and the output ReLU returns exactly x_i.
 */
import type { AnyParams, TiedParamsF64, UntiedParamsF64 } from '@polytoy/analytic';
import {
  exactPopulationLoss,
  mixedConstructionF64,
  oppositeSignConstructionF64,
  sameSignConstructionF64,
  symmetricEigen,
  untiedCounterpart,
} from '@polytoy/analytic';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { OUTPUT_CODES, OUTPUT_MECHANISM_DEFINITIONS, OUTPUT_MECHANISMS, SOLUTION_LABEL_DEFINITIONS } from './labels.js';
import { analyseModel, summariseAnalysis } from './analyse-model.js';
import { classifyFunction } from './taxonomy.js';
import { perturbed, randomOrthogonal, rotateHidden, untiedFromMap } from './test-utils/constructions.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

/**
 * The cross-half block C [h, h]: row k of the first `opposite` rows is −e_k (an opposite-sign
 * pair), each later row −1/2 (e_k + e_next) within the remaining block (cyclic). Every block
 * has spectral norm 1 (−(I + P)/2 with P a cyclic shift: |1 + ω|/2 <= 1), so ‖C‖ = 1.
 */
function crossBlock(h: number, opposite: number): Float64Array {
  const C = new Float64Array(h * h);
  for (let k = 0; k < opposite; k++) C[k * h + k] = -1;
  const s = h - opposite;
  for (let r = 0; r < s; r++) {
    const k = opposite + r;
    C[k * h + k] = -0.5;
    C[k * h + opposite + ((r + 1) % s)] = -0.5;
  }
  return C;
}

/** M = [[I, C], [Cᵀ, I]]: own halves exact, the other half read through C (symmetric). */
function distributedMap(n: number, opposite = 0): Float64Array {
  const h = n / 2;
  const C = crossBlock(h, opposite);
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) M[i * n + i] = 1;
  for (let a = 0; a < h; a++) {
    for (let b = 0; b < h; b++) {
      M[a * n + h + b] = C[a * h + b]!;
      M[(h + b) * n + a] = C[a * h + b]!;
    }
  }
  return M;
}

/** Tied W with WᵀW = M (M PSD: ‖C‖ <= 1), one row per positive eigenvalue (m = rank M). */
function tiedFromPsd(M: Float64Array, n: number): TiedParamsF64 {
  const { values, vectors } = symmetricEigen(M, n);
  const keep = Array.from(values.keys()).filter((c) => values[c]! > 1e-10);
  const m = keep.length;
  const W = new Float64Array(m * n);
  keep.forEach((c, r) => {
    const s = Math.sqrt(values[c]!);
    for (let i = 0; i < n; i++) W[r * n + i] = s * vectors[i * n + c]!;
  });
  return { kind: 'tied', n, m, W, b: new Float64Array(n) };
}

const loss = (p: AnyParams) => exactPopulationLoss(p, { hiddenActivation: 'none' }).reconstruction;

describe('the distributed mechanism on exact constructions', () => {
  for (const n of [8, 16]) {
    it(`untied E = I, D = M, n = ${n}: zero loss, every output distributed`, () => {
      const p = untiedFromMap(distributedMap(n), new Float64Array(n));
      expect(loss(p)).toBeLessThan(1e-20);
      const r = classifyFunction(p);
      expect(r.label).toBe('distributed');
      expect(r.name).toBe(`distributed (${n} distributed)`);
      expect(r.codes).toBe('d'.repeat(n));
      expect(r.structure.nearZeroLoss).toBe(true);
      // No sparse family fits: the distance is to the nearest one, beyond the tolerance.
      expect(r.distance).toBeGreaterThan(DEFAULT_THRESHOLDS.familyTolerance);
      expect(r.alignment).toBeNull();
      for (const o of r.outputs) {
        expect(o.gain).toBeCloseTo(1, 12);
        expect(o.loss).toBeLessThan(1e-20);
        expect(o.crossMargin).toBeCloseTo(0, 12); // two −1/2 entries, the rest 0: the top q sum to 0
        // c_i = −otherOffset / 2, the other-half level without the partner: q·(1/2)/(h − 1), halved.
        expect(o.shift).toBeCloseTo(n / 4 / (4 * (n / 2 - 1)), 12);
        expect(o.partnerWeight).toBeLessThan(0);
        expect(o.crossParticipation).toBeGreaterThan(1.5); // two features, not one partner
        expect(o.distance).toBeGreaterThan(DEFAULT_THRESHOLDS.outputTolerance);
      }
      expect(r.structure.distributed).toEqual({ sameSignRead: 0, inhibited: n, flat: 0 });
      expect(r.headline).toMatch(new RegExp(`^A zero-loss solution outside the sparse families .*: ${n} inhibited \\(`));
      expect(r.description).toContain(`distributed outputs: ${n} inhibited (strongest other-half weight < 0)`);
    });

    it(`tied PSD (WᵀW = M, m = rank M = n − 1), n = ${n}: the same, and under rotations (tied and untied)`, () => {
      const p = tiedFromPsd(distributedMap(n), n);
      expect(p.m).toBe(n - 1); // C has one singular value 1 (the all-ones direction)
      expect(loss(p)).toBeLessThan(1e-20);
      const base = classifyFunction(p);
      expect(base.label).toBe('distributed');
      expect(base.codes).toBe('d'.repeat(n));
      const rng = createPrng(n);
      const Q = randomOrthogonal(p.m, rng);
      for (const q of [rotateHidden(p, Q), rotateHidden(untiedCounterpart(p) as UntiedParamsF64, Q)]) {
        expect(loss(q)).toBeLessThan(1e-20);
        const r = classifyFunction(q);
        expect(r.label).toBe('distributed');
        expect(r.codes).toBe(base.codes);
        expect(Math.abs(r.distance - base.distance)).toBeLessThan(1e-9);
      }
    });
  }

  it('mixed: opposite-sign pairs and distributed outputs (tied PSD, untied, rotated)', () => {
    const n = 16;
    const M = distributedMap(n, 2);
    for (const p of [tiedFromPsd(M, n), untiedFromMap(M, new Float64Array(n))]) {
      expect(loss(p)).toBeLessThan(1e-20);
      for (const q of [p, rotateHidden(p, randomOrthogonal(p.m, createPrng(3)))]) {
        const r = classifyFunction(q);
        expect(r.label).toBe('distributed');
        expect(r.name).toBe('distributed (4 opposite-sign, 12 distributed)');
        // Pairs A0–B0 and A1–B1 are opposite-sign; every other output distributed.
        const expected = Array.from({ length: n }, (_, i) => (i % 8 < 2 ? 'o' : 'd')).join('');
        expect(r.codes).toBe(expected);
      }
    }
  });

  it('perturbed copies: distributed at small perturbations, unmatched once the loss is not near zero', () => {
    const n = 16;
    for (const p of [untiedFromMap(distributedMap(n), new Float64Array(n)), tiedFromPsd(distributedMap(n), n)]) {
      for (const delta of [1e-4, 1e-3]) {
        const r = classifyFunction(perturbed(p, 7, delta));
        expect(r.label, `δ = ${delta}`).toBe('distributed');
        expect(r.structure.nearZeroLoss).toBe(true);
      }
      const far = classifyFunction(perturbed(p, 7, 0.05));
      expect(far.structure.nearZeroLoss).toBe(false);
      expect(far.label).toBe('unmatched');
      expect(far.structure.counts.other).toBeGreaterThan(0);
    }
  });

  it('an output lifted by the other half is inexact (`other`), and the run unmatched', () => {
    const n = 16;
    const M = distributedMap(n);
    // Output 0 reads other-half feature 8 at +1/2 instead of −1/2: on samples with 8 on and 9 off it fires.
    M[0 * n + 8] = 0.5;
    const r = classifyFunction(untiedFromMap(M, new Float64Array(n)));
    expect(r.outputs[0]!.crossMargin).toBeCloseTo(0.5, 12);
    expect(r.outputs[0]!.loss).toBeGreaterThan(DEFAULT_THRESHOLDS.exactOutputLoss);
    expect(r.codes[0]).toBe(OUTPUT_CODES.other);
    expect(r.codes.slice(1)).toBe('d'.repeat(n - 1));
    expect(r.label).toBe('unmatched');
    expect(r.name).toBe('unmatched (15 distributed, 1 other)');
  });

  it('the exact-output threshold decides distributed vs other', () => {
    const p = perturbed(untiedFromMap(distributedMap(16), new Float64Array(16)), 7, 1e-3);
    const worst = Math.max(...classifyFunction(p).outputs.map((o) => o.loss));
    const strict = classifyFunction(p, { thresholds: { exactOutputLoss: worst / 2 } });
    expect(strict.structure.counts.other).toBeGreaterThan(0);
    expect(strict.label).toBe('unmatched');
  });
});

describe('the families keep their labels (no output of theirs is distributed)', () => {
  it.each([
    ['same-sign', sameSignConstructionF64({ n: 16 })],
    ['opposite-sign', oppositeSignConstructionF64({ n: 16 })],
    ['mixture', mixedConstructionF64({ n: 16, c: 0.6, oppositePairs: 3 })],
  ] as const)('%s', (label, p) => {
    const r = classifyFunction(p);
    expect(r.label).toBe(label);
    expect(r.structure.counts.distributed).toBe(0);
    expect(r.structure.distributed).toEqual({ sameSignRead: 0, inhibited: 0, flat: 0 });
  });
});

describe('the analysis summary', () => {
  it('carries the label, codes and the distributed structure', () => {
    const p = untiedFromMap(distributedMap(16, 2), new Float64Array(16));
    const model = { hiddenActivation: 'none', outputActivation: 'relu', l1: { target: 'activations', lambda: 0 } } as const;
    const s = summariseAnalysis(analyseModel(p, { data: { kind: 'half-split', n: 16 }, model }));
    expect(s.taxonomy!.label).toBe('distributed');
    expect(s.taxonomy!.outputs.counts.distributed).toBe(12);
    expect(s.taxonomy!.structure.distributed).toEqual({ sameSignRead: 0, inhibited: 12, flat: 0 });
    expect(s.exactLoss!.reconstruction).toBeLessThan(1e-20);
  });
});

describe('the vocabulary', () => {
  it('defines the distributed mechanism and label, with its code', () => {
    expect(OUTPUT_MECHANISMS).toContain('distributed');
    expect(OUTPUT_CODES.distributed).toBe('d');
    expect(new Set(Object.values(OUTPUT_CODES)).size).toBe(OUTPUT_MECHANISMS.length);
    expect(OUTPUT_MECHANISM_DEFINITIONS.other).toMatch(/^inexact: /);
    expect(SOLUTION_LABEL_DEFINITIONS.distributed).toMatch(/zero-loss/);
  });
});
