import {
  oppositeSignConstructionF64,
  reluTwoNeuronConstructionF64,
  rotatedConstructionF64,
  sameSignConstructionF64,
  untiedCounterpart,
} from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import { classifyFunction } from './taxonomy.js';
import { rotateHidden } from './test-utils/constructions.js';

/** Sylvester–Hadamard [d, d] / √d (d a power of 2): orthogonal, first row (1, …, 1)/√d. */
function hadamard(d: number): Float64Array {
  const H = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      let bits = r & c;
      let parity = 0;
      while (bits) {
        parity ^= bits & 1;
        bits >>>= 1;
      }
      H[r * d + c] = (parity ? -1 : 1) / Math.sqrt(d);
    }
  }
  return H;
}

describe('the ±eps-neuron report', () => {
  it("the seed's construction: neuron 0 disambiguates, its bias cancels it (b + c = 0)", () => {
    for (const n of [8, 16, 32]) {
      const r = classifyFunction(sameSignConstructionF64({ n, c: 0.6 }));
      expect(r.eps.exists).toBe(true);
      expect(r.eps.neurons).toHaveLength(1);
      const e = r.eps.neurons[0]!;
      expect(e.neuron).toBe(0);
      expect(e.orientation).toBe(1);
      expect(e.epsRow).toBe(true);
      expect(e.halfDetector).toBeNull();
      expect(e.cosine).toBeCloseTo(1, 12);
      expect(e.eps).toBeCloseTo(Math.sqrt((4 * 0.6) / n), 12);
      expect(e.c).toBeCloseTo(0.6, 12);
      expect(e.readers).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(e.bias).toBeCloseTo(-0.6, 12);
      expect(e.biasPlusC).toBeCloseTo(0, 12);
      expect(e.netShift).toBeCloseTo(0.6, 12);
      expect(e.role).toBe('disambiguates');
      expect(e.readerMechanisms['same-sign']).toBe(n);
    }
  });

  it('the rotated m = n/2 construction keeps row 0 = ±eps, paired with bias 1/2 − c', () => {
    const r = classifyFunction(rotatedConstructionF64({ n: 16, c: 0.5 }));
    expect(r.label).toBe('same-sign-m-half');
    const e = r.eps.neurons[0]!;
    expect(e.neuron).toBe(0);
    expect(e.c).toBeCloseTo(0.5, 12);
    expect(e.bias).toBeCloseTo(0, 12);
    expect(e.biasPlusC).toBeCloseTo(0.5, 12);
    expect(e.role).toBe('disambiguates');
  });

  it('opposite-sign pairs rotated by a Hadamard basis have an exact ±eps neuron (c = 1/2, b = 0) whose shift the other neurons cancel', () => {
    for (const n of [8, 16, 32]) {
      const p = rotateHidden(oppositeSignConstructionF64({ n }), hadamard(n / 2));
      const r = classifyFunction(p);
      expect(r.label).toBe('opposite-sign');
      expect(r.distance).toBeLessThan(1e-9);
      const e = r.eps.neurons.find((x) => x.cosine > 0.999)!;
      expect(e.neuron).toBe(0);
      expect(e.c).toBeCloseTo(0.5, 12);
      expect(e.bias).toBeCloseTo(0, 12);
      expect(e.readers).toHaveLength(n);
      expect(e.netShift).toBeCloseTo(0, 9);
      expect(e.role).toBe('cancelled');
      expect(e.readerMechanisms['opposite-sign']).toBe(n);
    }
  });

  it('untied: which outputs read it, and a neuron nothing reads is not reported', () => {
    const p = untiedCounterpart(sameSignConstructionF64({ n: 16 }));
    for (let i = 8; i < 16; i++) p.D[i * p.m + 0] = 0; // half B's outputs stop reading neuron 0
    const e = classifyFunction(p).eps.neurons[0]!;
    expect(e.readers).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(e.c).toBeCloseTo(0.25, 12); // the mean over all outputs
    const q = untiedCounterpart(sameSignConstructionF64({ n: 16 }));
    for (let i = 0; i < 16; i++) q.D[i * q.m + 0] = 0;
    expect(classifyFunction(q).eps.exists).toBe(false);
  });

  it('ReLU hidden layer: the two mirrored neurons, each a half detector carrying half the shift', () => {
    const r = classifyFunction(reluTwoNeuronConstructionF64({ n: 16, c: 0.5 }), { hiddenActivation: 'relu' });
    expect(r.label).toBe('relu-two-neuron');
    expect(r.eps.neurons.map((e) => [e.neuron, e.orientation, e.halfDetector])).toEqual([
      [0, 1, 'A'],
      [1, -1, 'B'],
    ]);
    for (const e of r.eps.neurons) {
      expect(e.c).toBeCloseTo(0.25, 12);
      expect(e.readers).toHaveLength(16);
      expect(e.role).toBe('disambiguates');
    }
  });

  it('ReLU: a half detector whose off-half weights grew (not a ±eps row) is still found by its activations', () => {
    const p = reluTwoNeuronConstructionF64({ n: 16, c: 0.5 });
    const eps = Math.sqrt(0.5 / 4);
    // D_A: a smaller eps on A, large negative weights on B (silent there either way).
    for (let i = 0; i < 16; i++) p.W[i] = i < 8 ? eps / 2 : -4 * eps;
    const e = classifyFunction(p, { hiddenActivation: 'relu' }).eps.neurons.find((x) => x.neuron === 0)!;
    expect(e.epsRow).toBe(false);
    expect(e.cosine).toBeLessThan(0.9);
    expect(e.halfDetector).toBe('A');
  });

  it('no ±eps neuron in aligned opposite-sign pairs', () => {
    const r = classifyFunction(oppositeSignConstructionF64({ n: 16 }));
    expect(r.eps.exists).toBe(false);
    expect(r.description).toContain('No neuron-aligned ±eps neuron');
  });
});
