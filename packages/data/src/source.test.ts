import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { createDataSource } from './source.js';

describe('createDataSource', () => {
  it('basis data returns the identity every time', () => {
    const src = createDataSource({ kind: 'basis', n: 3 }, createPrng(0));
    expect(Array.from(src.next(3))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(() => src.next(2)).toThrow(/batch size must be n = 3/);
  });

  it('sparse-uniform data has the requested density and values in [0, 1)', () => {
    const src = createDataSource({ kind: 'sparse-uniform', n: 50, density: 0.1, importanceDecay: 0.9 }, createPrng(4));
    const x = src.next(2000);
    const nonzero = x.filter((v) => v !== 0);
    expect(Math.abs(nonzero.length / x.length - 0.1)).toBeLessThan(0.006);
    expect(nonzero.every((v) => v > 0 && v < 1)).toBe(true);
    expect(src.importance![0]).toBe(1);
    expect(src.importance![2]).toBeCloseTo(0.81, 6);
  });

  it('a source continues its stream across calls like one big draw', () => {
    const a = createDataSource({ kind: 'half-split', n: 8 }, createPrng(5));
    const b = createDataSource({ kind: 'half-split', n: 8 }, createPrng(5));
    const two = new Float32Array(16 * 8);
    two.set(a.next(8), 0);
    two.set(a.next(8), 64);
    expect(b.next(16)).toEqual(two);
  });
});
