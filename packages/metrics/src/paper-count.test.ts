import { describe, expect, it } from 'vitest';
import { paperPolysemanticCount, paperPolysemanticCountOf } from './paper-count.js';
import { rescaledUntied, tiedFromRows } from './test-utils/constructions.js';
import { createPrng } from '@polytoy/core';

describe('paperPolysemanticCount (Lecomte et al.)', () => {
  it('counts neurons with more than one weight in [0.8, 1.2], both edges inclusive', () => {
    const p = tiedFromRows([
      [0.8, 1.2, 0, 0], // both edges: polysemantic
      [1, 0, 0, 0], // one in band: monosemantic
      [0.79, 1.21, 1, 0], // only 1 in band (0.79 and 1.21 are just outside)
      [-0.9, 0, -1.1, 0.95], // absolute values: 3 in band
      [0, 0, 0, 0],
    ]);
    const r = paperPolysemanticCount(p);
    expect(r.inBand).toEqual([2, 1, 1, 3, 0]);
    expect(r.polysemantic).toBe(2);
    expect(r.monosemantic).toBe(2);
    expect(r.expected).toBeCloseTo(16 / 20, 12);
  });

  it('counts float64 edge values and float32-rounded edge values alike', () => {
    expect(paperPolysemanticCountOf(Float64Array.of(0.8, 1.2), 1, 2).polysemantic).toBe(1);
    expect(paperPolysemanticCountOf(Float32Array.of(0.8, 1.2), 1, 2).polysemantic).toBe(1);
    // The next float32 above 1.2 is outside.
    const above = Math.fround(1.2) + 2 ** -23;
    expect(paperPolysemanticCountOf(Float32Array.of(1, above), 1, 2).polysemantic).toBe(0);
  });

  it('takes the band edges as parameters', () => {
    const w = Float64Array.of(0.5, 0.6, 1, 1);
    expect(paperPolysemanticCountOf(w, 2, 2, { low: 0.5, high: 0.6 }).inBand).toEqual([2, 0]);
    expect(() => paperPolysemanticCountOf(w, 2, 2, { low: 1, high: 0.5 })).toThrow(/high: expected a finite number >= low/);
  });

  it('gives an untied model the count of the tied model it is a rescaling of', () => {
    const p = tiedFromRows([
      [1, 0.9, 0, 0],
      [0, 0, 1.1, 0.3],
      [0.85, 0, 0, 1],
    ]);
    expect(paperPolysemanticCount(rescaledUntied(p, createPrng(3))).inBand).toEqual([2, 1, 2]);
  });
});
