import {
  mixedConstruction,
  oppositeSignConstruction,
  reluTwoNeuronConstruction,
  sameSignConstruction,
  untiedCounterpart,
} from '@polytoy/analytic';
import type { TiedParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import type { NeuronLevelLabel } from './classify.js';
import { analyzeWeights, classifyNeurons } from './classify.js';
import { identityModel, rescaledUntied, tiedFromRows, withNoise } from './test-utils/constructions.js';

interface Case {
  name: string;
  label: NeuronLevelLabel;
  act: 'none' | 'relu';
  make: (o: { n: number; pairing?: number[]; neuronOrder?: number[] }) => TiedParams;
}

const cases: Case[] = [
  {
    name: 'same-sign c=0.5',
    label: 'same-sign+disambiguation',
    act: 'none',
    make: (o) => sameSignConstruction({ ...o, c: 0.5 }),
  },
  {
    name: 'same-sign c=0.8',
    label: 'same-sign+disambiguation',
    act: 'none',
    make: (o) => sameSignConstruction({ ...o, c: 0.8 }),
  },
  { name: 'opposite-sign', label: 'opposite-sign', act: 'none', make: (o) => oppositeSignConstruction(o) },
  { name: 'mixed (1 opposite pair)', label: 'mixture', act: 'none', make: (o) => mixedConstruction({ ...o, oppositePairs: 1 }) },
  {
    name: 'mixed (half opposite)',
    label: 'mixture',
    act: 'none',
    make: (o) => mixedConstruction({ ...o, c: 0.6, oppositePairs: o.n / 4 }),
  },
  {
    name: 'relu two-neuron',
    label: 'relu-two-neuron-disambiguation',
    act: 'relu',
    make: (o) => reluTwoNeuronConstruction({ ...o, c: 0.5 }),
  },
];

function randomLayout(rng: ReturnType<typeof createPrng>, n: number, m: number): { pairing: number[]; neuronOrder: number[] } {
  return { pairing: rng.permutation(n / 2), neuronOrder: rng.permutation(m) };
}

describe('classifyNeurons on the SPEC constructions', () => {
  for (const cs of cases) {
    it(`labels ${cs.name} as ${cs.label} for n = 8, 16, 32, 64`, () => {
      for (const n of [8, 16, 32, 64]) {
        const r = classifyNeurons(cs.make({ n }), { hiddenActivation: cs.act });
        expect(r.label, `n=${n}`).toBe(cs.label);
        expect(r.liveLabel).toBe(cs.label);
        expect(r.evidence.deadFeatures).toEqual([]);
        expect(r.evidence.sameSignPairs + r.evidence.oppositeSignPairs).toBe(n / 2);
      }
    });
  }

  it('labels the n = 4 constructions too (eps = sqrt(c) is as large as the pair weights)', () => {
    for (const cs of cases) {
      if (cs.name.startsWith('mixed (half')) continue;
      expect(classifyNeurons(cs.make({ n: 4 }), { hiddenActivation: cs.act }).label, cs.name).toBe(cs.label);
    }
  });

  it('reports the disambiguation neuron, its eps and c, and the bias -c', () => {
    for (const c of [0.5, 0.8]) {
      const n = 16;
      const r = classifyNeurons(sameSignConstruction({ n, c }));
      const [d] = r.evidence.disambiguationNeurons;
      expect(r.evidence.disambiguationNeurons).toHaveLength(1);
      expect(d!.neuron).toBe(0);
      expect(d!.orientation).toBe(1);
      expect(d!.eps).toBeCloseTo(Math.sqrt((4 * c) / n), 6);
      expect(d!.c).toBeCloseTo(c, 6);
      expect(d!.cv).toBeLessThan(1e-6);
      expect(d!.spread).toBeLessThan(1e-6);
      expect(r.evidence.c).toBeCloseTo(c, 6);
      expect(r.evidence.biasMean).toBeCloseTo(-c, 6);
      expect(r.evidence.biasOverC).toBeCloseTo(1, 6);
      expect(r.evidence.sameSignPairs).toBe(n / 2);
      expect(r.reason).toMatch(/8 same-sign pair\(s\), with disambiguation neuron 0 \(\+A\/-B, eps 0\.\d+\), c 0\.[58]/);
    }
  });

  it('finds the mirrored pair of SPEC §2c and its c per half (ReLU: each neuron acts for its own half)', () => {
    const r = classifyNeurons(reluTwoNeuronConstruction({ n: 16, c: 0.5 }), { hiddenActivation: 'relu' });
    expect(r.evidence.mirroredPair).toMatchObject({ plus: 0, minus: 1 });
    expect(r.evidence.mirroredPair!.epsRatio).toBeCloseTo(1, 6);
    expect(r.evidence.cA).toBeCloseTo(0.5, 6);
    expect(r.evidence.cB).toBeCloseTo(0.5, 6);
    expect(r.evidence.biasOverC).toBeCloseTo(1, 6);
    // With a linear hidden layer both neurons act on every sample: the shifts add up.
    const lin = classifyNeurons(reluTwoNeuronConstruction({ n: 16, c: 0.5 }));
    expect(lin.label).toBe('relu-two-neuron-disambiguation');
    expect(lin.evidence.c).toBeCloseTo(1, 6);
  });

  it('adds the functional note for a ReLU hidden layer', () => {
    const r = classifyNeurons(oppositeSignConstruction({ n: 8 }), { hiddenActivation: 'relu' });
    expect(r.label).toBe('opposite-sign');
    expect(r.reason).toMatch(/ReLU hidden layer opposite-sign pairs lose their negative activations/);
  });

  it('counts the pairs of a mixture', () => {
    const r = classifyNeurons(mixedConstruction({ n: 16, c: 0.5, oppositePairs: 3 }));
    expect(r.evidence.oppositeSignPairs).toBe(3);
    expect(r.evidence.sameSignPairs).toBe(5);
    expect(r.reason).toMatch(/^5 same-sign and 3 opposite-sign pair/);
  });

  it('gives randomly permuted copies (neuron order, pairing) the same label and evidence', () => {
    const rng = createPrng(2024);
    for (const cs of cases) {
      for (const n of [8, 16, 32]) {
        const base = cs.make({ n });
        for (let t = 0; t < 3; t++) {
          const p = cs.make({ n, ...randomLayout(rng, n, base.m) });
          const r = classifyNeurons(p, { hiddenActivation: cs.act });
          const r0 = classifyNeurons(base, { hiddenActivation: cs.act });
          expect(r.label, `${cs.name} n=${n}`).toBe(cs.label);
          expect(r.evidence.sameSignPairs).toBe(r0.evidence.sameSignPairs);
          expect(r.evidence.oppositeSignPairs).toBe(r0.evidence.oppositeSignPairs);
          expect(r.evidence.c).toBeCloseTo(r0.evidence.c ?? 0, 9);
        }
      }
    }
  });

  it('still classifies with ±0.02 uniform noise on every weight and bias', () => {
    const rng = createPrng(7);
    for (const cs of cases) {
      for (const n of [8, 16, 32]) {
        for (let t = 0; t < 4; t++) {
          const base = cs.make({ n });
          const p = withNoise(cs.make({ n, ...randomLayout(rng, n, base.m) }), rng, 0.02);
          const r = classifyNeurons(p, { hiddenActivation: cs.act });
          expect(r.label, `${cs.name} n=${n} trial ${t}: ${r.reason}`).toBe(cs.label);
        }
      }
    }
  });

  it('classifies untied counterparts (plain and rescaled per neuron) like the tied versions', () => {
    const rng = createPrng(5);
    for (const cs of cases) {
      for (const n of [8, 16]) {
        const tied = cs.make({ n, ...randomLayout(rng, n, cs.make({ n }).m) });
        const rt = classifyNeurons(tied, { hiddenActivation: cs.act });
        for (const u of [untiedCounterpart(tied), rescaledUntied(tied, rng)]) {
          const ru = classifyNeurons(u, { hiddenActivation: cs.act });
          expect(ru.label).toBe(cs.label);
          expect(ru.evidence.sameSignPairs).toBe(rt.evidence.sameSignPairs);
          expect(ru.evidence.c ?? 0).toBeCloseTo(rt.evidence.c ?? 0, 5);
        }
      }
    }
  });
});

describe('classifyNeurons on other solutions', () => {
  it('labels identity-like models (m >= n) monosemantic', () => {
    expect(classifyNeurons(identityModel(8, 8)).label).toBe('monosemantic');
    const r = classifyNeurons(identityModel(16, 24, 0.95));
    expect(r.label).toBe('monosemantic');
    expect(r.evidence.monosemanticNeurons).toBe(16);
    expect(r.evidence.deadNeurons).toBe(8);
    expect(classifyNeurons(withNoise(identityModel(16, 20), createPrng(1), 0.02)).label).toBe('monosemantic');
  });

  it('labels a model with a dead feature, keeping what the live features implement', () => {
    const p = sameSignConstruction({ n: 16, c: 0.5 });
    // Feature 3 is held by neuron 4 (with B feature 11); leave only a tiny leak there (its
    // disambiguation weight stays: the feature still cannot be reconstructed).
    p.W[4 * 16 + 3] = 0.05;
    const r = classifyNeurons(p);
    expect(r.label).toBe('dead-features');
    expect(r.liveLabel).toBe('same-sign+disambiguation');
    expect(r.evidence.deadFeatures).toEqual([3]);
    expect(r.evidence.sameSignPairs).toBe(7);
    expect(r.evidence.monosemanticNeurons).toBe(1);
    expect(r.reason).toMatch(/^1 dead feature \(3: gain/);

    const q = oppositeSignConstruction({ n: 8 });
    q.W.fill(0, 0, 8); // neuron 0 held features 0 and 4
    const rq = classifyNeurons(q);
    expect(rq.label).toBe('dead-features');
    expect(rq.evidence.deadFeatures).toEqual([0, 4]);
    expect(rq.liveLabel).toBe('opposite-sign');
  });

  it('tolerates one wrong-signed disambiguation weight per half for n = 16 (minSignAgreement 0.85)', () => {
    const p = sameSignConstruction({ n: 16, c: 0.5 });
    p.W[3] = 0; // the dead feature lost its disambiguation weight too
    p.W[4 * 16 + 3] = 0;
    const r = classifyNeurons(p);
    expect(r.evidence.disambiguationNeurons[0]!.signAgreement).toBe(7 / 8);
    expect(r.liveLabel).toBe('same-sign+disambiguation');
    p.W[5] = 0; // a second one in half A is too many
    expect(classifyNeurons(p).evidence.disambiguationNeurons).toEqual([]);
  });

  it('labels a feature represented only on the disambiguation neuron as dead', () => {
    const p = sameSignConstruction({ n: 8, c: 0.5 });
    for (let j = 1; j < p.m; j++) p.W[j * 8 + 5] = 0;
    expect(classifyNeurons(p).evidence.deadFeatures).toEqual([5]);
  });

  it('says other for same-sign pairs without a disambiguation neuron', () => {
    const p = sameSignConstruction({ n: 8, c: 0.5 });
    p.W.fill(0, 0, 8);
    const r = classifyNeurons(p);
    expect(r.label).toBe('other');
    expect(r.reason).toMatch(/no disambiguation neuron/);
  });

  it('says other for a neuron holding three features, a split feature, or a random matrix', () => {
    const three = sameSignConstruction({ n: 8, c: 0.5 });
    three.W[1 * 8 + 1] = 1; // neuron 1 now holds A features 0, 1 and B feature 4
    three.W[2 * 8 + 1] = 0;
    const r3 = classifyNeurons(three);
    expect(r3.label).toBe('other');
    expect(r3.evidence.polysemanticNeurons).toBe(1); // neuron 1; neuron 2 keeps only B feature 5
    const split = sameSignConstruction({ n: 8, c: 0.5 });
    split.W[3 * 8 + 0] = 0.7; // feature 0 also on neuron 3
    const rs = classifyNeurons(split);
    expect(rs.label).toBe('other');
    expect(rs.evidence.splitFeatures).toEqual([0]);
    const rng = createPrng(9);
    const W = Float32Array.from({ length: 9 * 16 }, () => rng.normal() / 3);
    expect(classifyNeurons({ kind: 'tied', n: 16, m: 9, W, b: new Float32Array(16) }).label).toBe('other');
  });

  it('respects custom thresholds', () => {
    // Pair weights 1 and 0.4: below the default relative threshold 0.5, the B feature is not held.
    const p = tiedFromRows([
      [1, 0, 0.4, 0],
      [0, 1, 0, 1],
    ]);
    const a = analyzeWeights(p.W, 2, 4, p.b);
    expect(a.neurons[0]!.features.map((f) => f.feature)).toEqual([0, 2]); // feature 2's max is 0.4 itself
    expect(a.neurons[0]!.kind).toBe('same-sign-pair');
    expect(a.deadFeatures).toEqual([]);
    expect(analyzeWeights(p.W, 2, 4, p.b, { thresholds: { deadGain: 0.2 } }).deadFeatures).toEqual([2]);
  });
});
