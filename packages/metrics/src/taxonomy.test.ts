import type { AnyParams } from '@polytoy/analytic';
import {
  absenceCodedConstructionF64,
  exactPopulationLoss,
  mixedConstructionF64,
  oppositeSignConstructionF64,
  reluTwoNeuronConstructionF64,
  rotatedConstructionF64,
  sameSignConstructionF64,
  toFloat32Params,
  untiedCounterpart,
} from '@polytoy/analytic';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import type { SolutionLabel } from './labels.js';
import { SOLUTION_LABEL_DEFINITIONS, SOLUTION_LABELS } from './labels.js';
import { supportMap } from './support-map.js';
import { classifyFunction } from './taxonomy.js';
import {
  identityModel,
  permuteFeatures,
  perturbed,
  randomOrthogonal,
  reflectionSolution,
  rotateHidden,
  supportGauge,
  untiedFromMap,
} from './test-utils/constructions.js';

interface Case {
  name: string;
  label: SolutionLabel;
  hidden: 'none' | 'relu';
  /** Fitted shift of every output. */
  c: number;
  make: (n: number) => AnyParams;
}

const CASES: Case[] = [
  { name: 'seed c=1/2', label: 'same-sign', hidden: 'none', c: 0.5, make: (n) => sameSignConstructionF64({ n }) },
  { name: 'seed c=0.8', label: 'same-sign', hidden: 'none', c: 0.8, make: (n) => sameSignConstructionF64({ n, c: 0.8 }) },
  { name: 'opposite-sign', label: 'opposite-sign', hidden: 'none', c: 0, make: (n) => oppositeSignConstructionF64({ n }) },
  {
    name: 'rotated m = n/2',
    label: 'same-sign-m-half',
    hidden: 'none',
    c: 0.5,
    make: (n) => rotatedConstructionF64({ n, basis: 'helmert' }),
  },
  {
    name: 'rotated m = n/2, c = 0.7',
    label: 'same-sign-m-half',
    hidden: 'none',
    c: 0.7,
    make: (n) => rotatedConstructionF64({ n, c: 0.7, basis: 'helmert' }),
  },
  { name: 'absence-coded', label: 'same-sign-m-half', hidden: 'none', c: 0.5, make: (n) => absenceCodedConstructionF64({ n }) },
  { name: 'ReLU two-neuron', label: 'relu-two-neuron', hidden: 'relu', c: 0.5, make: (n) => reluTwoNeuronConstructionF64({ n }) },
  {
    name: 'ReLU two-neuron c=0.75',
    label: 'relu-two-neuron',
    hidden: 'relu',
    c: 0.75,
    make: (n) => reluTwoNeuronConstructionF64({ n, c: 0.75 }),
  },
];

const NS = [8, 16, 32];

describe('classifyFunction on exact constructions', () => {
  it.each(CASES.flatMap((cs) => NS.map((n) => [`${cs.name}, n = ${n}`, cs, n] as const)))('%s', (_, cs, n) => {
    for (const p of [cs.make(n), toFloat32Params(cs.make(n))]) {
      const r = classifyFunction(p, { hiddenActivation: cs.hidden });
      // float64: exact up to rounding (ReLU: the non-affine residual is a difference of two sums, so
      // its square root is ~1e-8); float32 storage: up to its rounding.
      const f64 = p.kind === 'tied' ? p.W instanceof Float64Array : p.E instanceof Float64Array;
      const tol = f64 ? (cs.hidden === 'relu' ? 1e-7 : 1e-9) : 1e-5;
      expect(r.label).toBe(cs.label);
      expect(r.name).toBe(cs.label);
      expect(r.distance).toBeLessThan(tol);
      expect(r.structure.reconstruction).toBeLessThan(1e-9);
      expect(r.structure.nearZeroLoss).toBe(true);
      const same = cs.label !== 'opposite-sign';
      expect(r.codes).toBe((same ? 's' : 'o').repeat(n));
      for (const o of r.outputs) {
        expect(o.gain).toBeCloseTo(1, 5);
        expect(o.partnerWeight).toBeCloseTo(same ? 1 : -1, 5);
        expect(o.shift).toBeCloseTo(cs.c, 5);
        expect(o.ownOffset).toBeCloseTo(0, 5);
      }
    }
  });

  it('tells the seed form (bias −c) from the m = n/2 form (bias 1/2 − c) by the all-ones component', () => {
    for (const n of NS) {
      const seed = classifyFunction(sameSignConstructionF64({ n, c: 0.6 }));
      expect(seed.form!.allOnesRemoved).toBeCloseTo(0, 9);
      expect(seed.form!.bias).toBeCloseTo(-0.6, 9);
      expect(seed.structure.rank).toBe(n / 2 + 1);
      const half = classifyFunction(rotatedConstructionF64({ n, c: 0.6, basis: 'helmert' }));
      expect(half.form!.allOnesRemoved).toBeCloseTo(1, 9);
      expect(half.form!.bias).toBeCloseTo(-0.1, 9);
      expect(half.structure.rank).toBe(n / 2);
    }
  });

  it('reads the reflection solution and the absence-coded one as the m = n/2 construction (same M)', () => {
    for (const n of NS) {
      const refl = classifyFunction(reflectionSolution(n));
      expect(refl.label).toBe('same-sign-m-half');
      expect(refl.distance).toBeLessThan(1e-5);
      const a = supportMap(absenceCodedConstructionF64({ n }), 'none').M!;
      const b = supportMap(rotatedConstructionF64({ n, basis: 'helmert' }), 'none').M!;
      a.forEach((v, k) => expect(v).toBeCloseTo(b[k]!, 12));
    }
  });

  it('gives mixtures their per-output counts', () => {
    for (const n of NS) {
      for (const k of [1, n / 4, n / 2 - 1]) {
        const r = classifyFunction(mixedConstructionF64({ n, c: 0.6, oppositePairs: k }));
        expect(r.label).toBe('mixture');
        expect(r.distance).toBeLessThan(1e-9);
        expect(r.structure.counts['opposite-sign']).toBe(2 * k);
        expect(r.structure.counts['same-sign']).toBe(n - 2 * k);
        expect(r.name).toBe(`mixture (${n - 2 * k} same-sign, ${2 * k} opposite-sign)`);
        const fit = r.families.find((f) => f.family === 'mixture')!;
        expect(fit.pairs).toEqual({ same: n / 2 - k, opposite: k, unpaired: 0 });
      }
      // All pairs opposite, with the (unneeded) disambiguation neuron: opposite-sign with c = 0.6.
      const allOpp = classifyFunction(mixedConstructionF64({ n, c: 0.6, oppositePairs: n / 2 }));
      expect(allOpp.label).toBe('opposite-sign');
      expect(allOpp.outputs.every((o) => Math.abs(o.shift - 0.6) < 1e-9)).toBe(true);
    }
  });

  it('an untied mixture where only the same-sign outputs read the shift: per-output shifts', () => {
    const n = 16;
    const p = untiedCounterpart(mixedConstructionF64({ n, c: 0.5, oppositePairs: 3 }));
    // The opposite-sign outputs (A 0..2 and their partners) stop reading the disambiguation neuron (row 0).
    const opp = [0, 1, 2, 8, 9, 10];
    for (const i of opp) {
      p.D[i * p.m + 0] = 0;
      p.b[i] = 0;
    }
    const r = classifyFunction(p);
    expect(r.label).toBe('mixture');
    expect(r.distance).toBeLessThan(1e-9);
    for (const o of r.outputs) expect(o.shift).toBeCloseTo(opp.includes(o.output) ? 0 : 0.5, 9);
    expect(r.eps.neurons[0]!.readers).toEqual(r.outputs.map((o) => o.output).filter((i) => !opp.includes(i)));
  });

  it('monosemantic (M = I, m >= n)', () => {
    for (const n of NS) {
      const r = classifyFunction(identityModel(n, n + 3));
      expect(r.label).toBe('monosemantic');
      expect(r.codes).toBe('m'.repeat(n));
      expect(r.distance).toBe(0);
    }
  });

  it('dead features: counts, and the live outputs described', () => {
    const p = sameSignConstructionF64({ n: 16 });
    for (const j of [1, 2]) p.W.fill(0, j * 16, (j + 1) * 16); // pair neurons of A 0, 1 (and B 8, 9)
    const r = classifyFunction(p);
    expect(r.label).toBe('dead-features');
    expect(r.structure.counts.dead).toBe(4);
    expect(r.codes[0]).toBe('0');
    expect(r.codes[8]).toBe('0');
    expect(r.name).toBe('dead-features (4 dead; live: 12 same-sign)');
    // The dead outputs' loss: x_i is on in a quarter of the samples and never reproduced.
    expect(r.outputs[0]!.loss).toBeCloseTo(0.25, 12);
  });

  it('a random matrix is in no family and is described by its structure', () => {
    const rng = createPrng(5);
    for (const n of NS) {
      const M = Float64Array.from({ length: n * n }, () => rng.normal() * 0.5);
      const r = classifyFunction(untiedFromMap(M, new Float64Array(n)));
      expect(SOLUTION_LABELS).toContain(r.label);
      expect(['unmatched', 'dead-features']).toContain(r.label);
      expect(r.distance).toBeGreaterThan(0.25);
      expect(r.name.startsWith(`${r.label} (`)).toBe(true);
      const top = r.structure.singularValues[0]!;
      expect(r.structure.rank).toBe(r.structure.singularValues.filter((v) => v > 0.05 * top).length);
      expect(r.structure.rank).toBeGreaterThan(n / 2);
      expect(r.description).toMatch(/rank\(M\) \d+; gain/);
      expect(Number.isFinite(r.structure.partnerWeight.mean)).toBe(true);
    }
  });

  it('the single-neuron construction under a ReLU hidden layer: partners read but only half disambiguated', () => {
    const r = classifyFunction(sameSignConstructionF64({ n: 16 }), { hiddenActivation: 'relu' });
    expect(r.label).not.toBe('same-sign');
    expect(r.label).not.toBe('relu-two-neuron');
    for (const o of r.outputs) expect(o.shift).toBeCloseTo(0.25, 9); // the ReLU cuts the negative half of the shift
    // SPEC §2c: reconstruction loss 1 per sample.
    expect(r.structure.reconstruction).toBeCloseTo(1, 9);
  });

  it('its per-output losses add up to the exact reconstruction loss (analytic enumeration)', () => {
    const models: [AnyParams, 'none' | 'relu'][] = [
      [sameSignConstructionF64({ n: 16, c: 0.4 }), 'none'],
      [sameSignConstructionF64({ n: 8, c: 0.3 }), 'relu'],
      [perturbed(oppositeSignConstructionF64({ n: 16 }), 1, 0.1), 'none'],
      [perturbed(reluTwoNeuronConstructionF64({ n: 16 }), 2, 0.1), 'relu'],
    ];
    for (const [p, hidden] of models) {
      const r = classifyFunction(p, { hiddenActivation: hidden });
      expect(r.structure.reconstruction).toBeCloseTo(exactPopulationLoss(p, { hiddenActivation: hidden }).reconstruction, 12);
    }
  });

  it('defines every label in one place', () => {
    for (const l of SOLUTION_LABELS) expect(SOLUTION_LABEL_DEFINITIONS[l].length).toBeGreaterThan(20);
  });
});

interface ReferenceRow {
  n: number;
  m: number;
  construction: string;
  hiddenActivation: 'none' | 'relu';
  reconstructionLoss: number;
}
// Independent numpy values (float64, full enumeration), a fixture of the conformance suite.
const referenceUrl = new URL('../../../tools/conformance/fixtures/reference/constructions.json', import.meta.url);
const reference = JSON.parse(readFileSync(fileURLToPath(referenceUrl), 'utf8')) as { rows: ReferenceRow[] };

describe('classifyFunction against the reference constructions (constructions.json)', () => {
  it.each(reference.rows.filter((r) => r.n >= 8).map((r) => [`${r.construction}, n = ${r.n}`, r] as const))('%s', (_, row) => {
    const c = Number(/c=([\d.]+)/.exec(row.construction)?.[1] ?? 0.5);
    const p = row.construction.startsWith('opposite')
      ? oppositeSignConstructionF64({ n: row.n })
      : row.construction.startsWith('relu')
        ? reluTwoNeuronConstructionF64({ n: row.n, c })
        : sameSignConstructionF64({ n: row.n, c });
    expect(p.m).toBe(row.m);
    const r = classifyFunction(p, { hiddenActivation: row.hiddenActivation });
    // The per-output losses add up to the independently computed reconstruction loss.
    expect(r.structure.reconstruction).toBeCloseTo(row.reconstructionLoss, 9);
    const family = row.construction.startsWith('opposite') ? 'opposite-sign' : 'same-sign';
    expect(r.family).toBe(family);
    if (row.reconstructionLoss === 0) expect(r.distance).toBeLessThan(1e-7);
    else {
      // c < 1/2 leaves the partner 1 − 2c above zero: distance to the nearest zero-loss member.
      expect(r.distance).toBeGreaterThan(0);
      expect(r.outputs.every((o) => Math.abs(o.crossMargin - (1 - 2 * c)) < 1e-9)).toBe(true);
    }
  });
});

describe('classifyFunction is blind to what does not change the function', () => {
  const rng = createPrng(11);

  it.each(CASES.filter((cs) => cs.hidden === 'none').map((cs) => [cs.name, cs] as const))(
    'random rotations of the hidden space (tied and untied): %s',
    (_, cs) => {
      for (const n of [8, 16]) {
        const p = cs.make(n);
        const base = classifyFunction(p);
        const Q = randomOrthogonal(p.m, rng);
        for (const q of [rotateHidden(p, Q), rotateHidden(untiedCounterpart(p as never), Q)]) {
          const r = classifyFunction(q);
          expect(r.label).toBe(base.label);
          expect(Math.abs(r.distance - base.distance)).toBeLessThan(1e-6);
          expect(r.codes).toBe(base.codes);
        }
        // A perturbed model keeps its distance under rotation too.
        const noisy = perturbed(p, 3, 0.01);
        const d0 = classifyFunction(noisy).distance;
        expect(Math.abs(classifyFunction(rotateHidden(noisy, Q)).distance - d0)).toBeLessThan(1e-6);
      }
    },
  );

  it('rotations make a neuron-aligned construction unaligned, without changing its label', () => {
    const p = sameSignConstructionF64({ n: 16 });
    expect(classifyFunction(p).alignment).toBe('aligned');
    const r = classifyFunction(rotateHidden(p, randomOrthogonal(p.m, rng)));
    expect(r.label).toBe('same-sign');
    expect(r.alignment).toBe('unaligned');
    expect(r.neuronDistance!).toBeGreaterThan(0.25);
  });

  it('permutations of the features within each half and swapping the halves', () => {
    for (const cs of CASES) {
      const n = 16;
      const p = cs.make(n);
      const base = classifyFunction(p, { hiddenActivation: cs.hidden });
      const within = [...[3, 0, 7, 1, 6, 2, 5, 4], ...[13, 8, 15, 10, 9, 14, 11, 12]];
      const swap = Array.from({ length: n }, (_, i) => (i + n / 2) % n);
      for (const perm of [within, swap]) {
        const r = classifyFunction(permuteFeatures(p, perm), { hiddenActivation: cs.hidden });
        expect(r.label, `${cs.name} ${perm.join(',')}`).toBe(base.label);
        expect(Math.abs(r.distance - base.distance)).toBeLessThan(1e-7);
        for (let i = 0; i < n; i++) expect(r.codes[perm[i]!]).toBe(base.codes[i]);
      }
    }
  });

  it('the support gauge (M + v1ᵀ, b − (n/4) v) changes nothing on the data', () => {
    const rng2 = createPrng(2);
    for (const cs of CASES.filter((c) => c.hidden === 'none')) {
      const p = cs.make(16);
      const map = supportMap(p, 'none');
      const base = classifyFunction(p);
      const v = Array.from({ length: 16 }, () => rng2.normal());
      const r = classifyFunction(supportGauge(map.M!, map.b, v));
      expect(r.family).toBe(base.family);
      expect(Math.abs(r.distance - base.distance)).toBeLessThan(1e-9);
      expect(r.codes).toBe(base.codes);
      r.outputs.forEach((o, i) => expect(o.shift).toBeCloseTo(base.outputs[i]!.shift, 9));
    }
  });
});

describe('classifyFunction under perturbations', () => {
  it.each(CASES.map((cs) => [cs.name, cs] as const))('keeps the label, distance ∝ perturbation: %s', (_, cs) => {
    for (const n of NS) {
      const p = cs.make(n);
      const ratios: number[] = [];
      for (const delta of [1e-4, 1e-3, 1e-2]) {
        const r = classifyFunction(perturbed(p, n, delta), { hiddenActivation: cs.hidden });
        expect(r.label, `n=${n} δ=${delta}`).toBe(cs.label);
        ratios.push(r.distance / delta);
      }
      // The fit is smooth at an exact member: distance = δ × (a constant of the direction).
      expect(ratios[0]!).toBeGreaterThan(0.1);
      for (const q of ratios) expect(Math.abs(q / ratios[0]! - 1)).toBeLessThan(0.15);
    }
  });
});

describe('the measured rank', () => {
  it('the singular values of M through the m×m problem equal those of the n×n one (tied and untied)', () => {
    for (const p of [
      perturbed(sameSignConstructionF64({ n: 16 }), 4, 0.3),
      perturbed(untiedCounterpart(sameSignConstructionF64({ n: 16 })), 5, 0.3),
    ]) {
      const M = supportMap(p, 'none').M!;
      // Through an untied copy with m = n (E = I, D = M): the n×n path.
      const full = classifyFunction(untiedFromMap(M, new Float64Array(16))).structure.singularValues;
      const fast = classifyFunction(p).structure.singularValues;
      expect(fast).toHaveLength(16);
      // (sqrt of an eigenvalue: a zero singular value comes out as ~1e-8 on the n×n path)
      fast.forEach((v, k) => expect(Math.abs(v - full[k]!)).toBeLessThan(1e-6));
    }
  });
});
