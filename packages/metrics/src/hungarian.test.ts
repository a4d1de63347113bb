import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { hungarian, maxAssignment } from './hungarian.js';
import { allInjections } from './test-utils/permutations.js';

function bruteForce(cost: Float64Array, rows: number, cols: number): number {
  let best = Infinity;
  for (const map of allInjections(rows, cols)) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += cost[r * cols + map[r]!]!;
    best = Math.min(best, s);
  }
  return best;
}

function isInjective(a: Int32Array, cols: number): boolean {
  const seen = new Set<number>();
  for (const c of a) {
    if (c < 0 || c >= cols || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

describe('hungarian', () => {
  it('solves a hand-checked 3x3 case', () => {
    // Row minima alone would pick column 0 twice; the optimum is 1 + 2 + 2 = 5 (rows -> 1, 0, 2).
    const cost = Float64Array.of(4, 1, 3, 2, 0, 5, 3, 2, 2);
    const a = hungarian(cost, 3, 3);
    expect(Array.from(a.rowToCol)).toEqual([1, 0, 2]);
    expect(a.cost).toBe(5);
  });

  it('matches brute force over all permutations on random square and rectangular matrices', () => {
    const rng = createPrng(11);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + rng.nextInt(6);
      const cols = rows + rng.nextInt(3);
      const cost = new Float64Array(rows * cols);
      // Mix continuous costs, integer costs with many ties, and negative values.
      const ints = trial % 3 === 0;
      for (let k = 0; k < cost.length; k++) cost[k] = ints ? rng.nextInt(4) - 1 : rng.normal() * 3;
      const a = hungarian(cost, rows, cols);
      expect(isInjective(a.rowToCol, cols)).toBe(true);
      expect(a.cost).toBeCloseTo(bruteForce(cost, rows, cols), 10);
    }
  });

  it('handles the empty and 1x1 problems', () => {
    expect(hungarian(new Float64Array(0), 0, 3).cost).toBe(0);
    expect(Array.from(hungarian(Float64Array.of(-2), 1, 1).rowToCol)).toEqual([0]);
  });

  it('maximises with maxAssignment', () => {
    const a = maxAssignment(Float64Array.of(1, 5, 0, 2, 3, 9, 4, 4, 4), 3);
    expect(a.cost).toBe(5 + 9 + 4);
  });

  it('rejects bad shapes and non-finite costs with the argument named', () => {
    expect(() => hungarian(new Float64Array(6), 3, 2)).toThrow(/cols: expected an integer >= rows/);
    expect(() => hungarian(new Float64Array(3), 2, 2)).toThrow(/cost: expected an array of length 4/);
    expect(() => hungarian(Float64Array.of(1, NaN, 0, 0), 2, 2)).toThrow(/cost\[1\]/);
  });
});
