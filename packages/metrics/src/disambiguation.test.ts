import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { disambiguationStats, findDisambiguation, isDisambiguation } from './disambiguation.js';

const row = (a: number[], b: number[]): Float64Array => Float64Array.from([...a, ...b]);

describe('disambiguationStats', () => {
  it('fits eps, c = eps^2 n / 4 and zero spread on an exact ±eps row', () => {
    const s = disambiguationStats(row([0.5, 0.5, 0.5, 0.5], [-0.5, -0.5, -0.5, -0.5]), 8, 3)!;
    expect(s).toMatchObject({ neuron: 3, orientation: 1, eps: 0.5, spread: 0, cv: 0, signAgreement: 1, c: 0.5 });
    expect(disambiguationStats(row([-0.5, -0.5], [0.5, 0.5]), 4)!.orientation).toBe(-1);
  });

  it('computes spread and coefficient of variation by hand', () => {
    // Oriented weights 1 x6, 0.5, 1.5: mean 1, population std sqrt(0.5 / 8) = 0.25, range 1.
    const s = disambiguationStats(row([1, 1, 1, 0.5], [-1, -1, -1, -1.5]), 8)!;
    expect(s.eps).toBeCloseTo(1, 15);
    expect(s.cv).toBeCloseTo(0.25, 15);
    expect(s.spread).toBeCloseTo(1, 15);
    expect(isDisambiguation(s)).toBe(true);
  });

  it('has no orientation when the half medians do not have opposite signs', () => {
    expect(disambiguationStats(row([1, 1], [1, 1]), 4)).toBeNull();
    expect(disambiguationStats(row([1, 0], [-1, 0]), 4)).not.toBeNull(); // medians 0.5, −0.5
    expect(isDisambiguation(disambiguationStats(row([1, 0], [-1, 0]), 4))).toBe(false); // cv = 1
    expect(disambiguationStats(row([0, 0], [0, 0]), 4)).toBeNull();
  });

  it('rejects tiny rows by c, and random Gaussian rows by spread', () => {
    expect(isDisambiguation(disambiguationStats(row([0.01, 0.01], [-0.01, -0.01]), 4))).toBe(false);
    const rng = createPrng(1);
    let accepted = 0;
    for (let t = 0; t < 2000; t++) {
      const r = Float64Array.from({ length: 16 }, () => rng.normal());
      if (isDisambiguation(disambiguationStats(r, 16))) accepted++;
    }
    expect(accepted).toBe(0);
  });
});

describe('findDisambiguation', () => {
  const eps = Math.sqrt(0.5); // n = 4: c = eps^2 = 0.5
  const W = Float64Array.of(eps, eps, -eps, -eps, 1, 0, 1, 0, -eps, -eps, eps, eps);
  const b = Float64Array.of(-0.5, -0.5, -0.5, -0.5);

  it('adds the shifts of every neuron with a linear hidden layer', () => {
    const r = findDisambiguation(W, 3, 4, b, 'none');
    expect(r.neurons.map((s) => s.neuron)).toEqual([0, 2]);
    expect(r.mirrored).toMatchObject({ plus: 0, minus: 2 });
    expect(r.cA).toBeCloseTo(1, 12);
    expect(r.cB).toBeCloseTo(1, 12);
    expect(r.biasOverC).toBeCloseTo(0.5, 12);
  });

  it('counts a neuron only for its positive half with a ReLU hidden layer', () => {
    const r = findDisambiguation(W, 3, 4, b, 'relu');
    expect(r.cA).toBeCloseTo(0.5, 12);
    expect(r.cB).toBeCloseTo(0.5, 12);
    expect(r.biasOverC).toBeCloseTo(1, 12);
    const one = findDisambiguation(W.subarray(0, 8), 2, 4, b, 'relu');
    expect([one.cA, one.cB, one.c]).toEqual([expect.closeTo(0.5, 12), 0, expect.closeTo(0.25, 12)]);
    expect(one.mirrored).toBeNull();
  });

  it('pairs mirrors only within maxMirrorRatio', () => {
    const W2 = Float64Array.of(1, 1, -1, -1, -0.5, -0.5, 0.5, 0.5);
    expect(findDisambiguation(W2, 2, 4, b).mirrored).toBeNull(); // ratio 2 > 1.5
    expect(
      findDisambiguation(W2, 2, 4, b, 'none', { minSignAgreement: 0.85, maxCv: 0.35, minC: 0.1, maxMirrorRatio: 2 }).mirrored,
    ).toEqual({ plus: 0, minus: 1, epsRatio: 2 });
  });
});
