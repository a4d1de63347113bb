import { describe, expect, it } from 'vitest';
import { compareNatural, sortNatural } from './natural-sort.js';

describe('natural sorting of labels', () => {
  it('compares embedded numbers as numbers', () => {
    expect(['m=10', 'm=4', 'm=9'].sort(compareNatural)).toEqual(['m=4', 'm=9', 'm=10']);
    expect(['n=16 m=4', 'n=8 m=10', 'n=8 m=9'].sort(compareNatural)).toEqual(['n=8 m=9', 'n=8 m=10', 'n=16 m=4']);
    expect(['λ=0.01', 'λ=0.001', 'λ=1e-4', 'λ=0'].sort(compareNatural)).toEqual(['λ=0', 'λ=1e-4', 'λ=0.001', 'λ=0.01']);
    expect(['m=10 λ=0.001', 'm=9 λ=0.01', 'm=9 λ=0.001'].sort(compareNatural)).toEqual([
      'm=9 λ=0.001',
      'm=9 λ=0.01',
      'm=10 λ=0.001',
    ]);
  });

  it('reads signs after "=", "(" and "," but not hyphens inside words', () => {
    expect(['c=0.5', 'c=-1', 'c=0'].sort(compareNatural)).toEqual(['c=-1', 'c=0', 'c=0.5']);
    expect(compareNatural('construction(c=0.5,perturbation=0)', 'construction(c=1,perturbation=0)')).toBeLessThan(0);
    expect(compareNatural('relu-2', 'relu-10')).toBeLessThan(0);
  });

  it('puts text after numbers, then orders by length and code point', () => {
    expect(sortNatural(['b', 'a', '2', '10', 'a'])).toEqual(['2', '10', 'a', 'b']);
    expect(compareNatural('m=4', 'm=4')).toBe(0);
    expect(compareNatural('m=4', 'm=4 x')).toBeLessThan(0);
  });
});
