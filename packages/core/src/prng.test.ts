import { describe, expect, it } from 'vitest';
import { createPrng, Prng } from './prng.js';

describe('Prng (xoshiro128**)', () => {
  it('reproduces the reference output sequence for state [1, 2, 3, 4]', () => {
    // Reference values from the published C implementation (recomputed independently in Python).
    const rng = Prng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 10 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = createPrng(seed);
      return Array.from({ length: 5 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(-1)).not.toEqual(draw(2 ** 32 - 1));
  });

  it('restores a stream from its state', () => {
    const a = createPrng(5);
    a.nextUint32();
    const b = Prng.fromState(a.state());
    expect(Array.from({ length: 4 }, () => a.nextFloat())).toEqual(Array.from({ length: 4 }, () => b.nextFloat()));
  });

  it('forks independent, reproducible child streams without advancing the parent', () => {
    const parent = createPrng(9);
    const before = parent.state();
    const c1 = parent.fork(1).nextUint32();
    expect(parent.state()).toEqual(before);
    expect(parent.fork(1).nextUint32()).toBe(c1);
    expect(parent.fork(2).nextUint32()).not.toBe(c1);
  });

  it('draws floats in [0, 1) exactly representable in float32', () => {
    const rng = createPrng(1);
    for (let i = 0; i < 1000; i++) {
      const f = rng.nextFloat();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      expect(Math.fround(f)).toBe(f);
    }
  });

  it('has roughly uniform nextInt and standard-normal moments', () => {
    const rng = createPrng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[rng.nextInt(6)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400); // ~4.4 sigma
    let s = 0,
      s2 = 0;
    const N = 50000;
    for (let i = 0; i < N; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.02);
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.03);
  });

  it('samples k distinct sorted indices and permutations', () => {
    const rng = createPrng(11);
    const s = rng.sampleWithoutReplacement(10, 4);
    expect(s).toHaveLength(4);
    expect(new Set(s).size).toBe(4);
    expect([...s].sort((a, b) => a - b)).toEqual(s);
    expect(rng.permutation(7).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => rng.sampleWithoutReplacement(3, 4)).toThrow(/k <= n/);
  });

  it('rejects bad seeds and an all-zero state', () => {
    expect(() => createPrng(1.5)).toThrow(/safe integer/);
    expect(() => createPrng(Number.NaN)).toThrow(/safe integer/);
    expect(() => Prng.fromState([0, 0, 0, 0])).toThrow(/all zero/);
  });
});
