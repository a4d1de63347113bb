import { describe, expect, it } from 'vitest';
import { divergingColor, matrixPixels, NEGATIVE, POSITIVE, symmetricScale, ZERO } from './colormap.js';

describe('divergingColor', () => {
  it('maps 0 to near-white and ±vmax to the end colours, clamping beyond', () => {
    expect(divergingColor(0, 1)).toEqual(ZERO);
    expect(divergingColor(-0, 1)).toEqual(ZERO);
    expect(divergingColor(2, 2)).toEqual(POSITIVE);
    expect(divergingColor(-2, 2)).toEqual(NEGATIVE);
    expect(divergingColor(5, 2)).toEqual(POSITIVE);
    expect(divergingColor(-Infinity, 2)).toEqual(NEGATIVE);
  });

  it('interpolates linearly: half-way is the rounded mean of white and the end colour', () => {
    // (247 + 178) / 2 = 212.5 → 213; (247 + 24) / 2 = 135.5 → 136; (247 + 43) / 2 = 145
    expect(divergingColor(0.5, 1)).toEqual([213, 136, 145]);
    // (247 + 33) / 2 = 140; (247 + 102) / 2 = 174.5 → 175; (247 + 172) / 2 = 209.5 → 210
    expect(divergingColor(-0.25, 0.5)).toEqual([140, 175, 210]);
  });

  it('shows NaN as black', () => {
    expect(divergingColor(Number.NaN, 1)).toEqual([0, 0, 0]);
  });
});

describe('symmetricScale', () => {
  it('is the largest finite |value|, at least the floor', () => {
    expect(symmetricScale(Float32Array.of(0.5, -2, 1))).toBe(2);
    expect(symmetricScale([Number.NaN, Infinity, -3])).toBe(3);
    expect(symmetricScale([])).toBe(1e-6);
    expect(symmetricScale([0, 0], 0.25)).toBe(0.25);
  });
});

describe('matrixPixels', () => {
  it('writes one opaque RGBA pixel per entry, row-major', () => {
    const px = matrixPixels(Float32Array.of(1, -1, 0, 0.5), 2, 2, 1);
    expect(Array.from(px)).toEqual([...POSITIVE, 255, ...NEGATIVE, 255, ...ZERO, 255, 213, 136, 145, 255]);
  });
});
