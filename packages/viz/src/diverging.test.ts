import { describe, expect, it } from 'vitest';
import { colourAt, DIVERGING_STOPS, divergingColor, divergingScale, NEGATIVE, POSITIVE, rgbHex, ZERO } from './diverging.js';

describe('the diverging scale', () => {
  it('is blue for positive, red for negative, near-white at 0, clamped beyond ±vmax', () => {
    expect(divergingColor(0, 1)).toEqual(ZERO);
    expect(divergingColor(-0, 1)).toEqual(ZERO);
    expect(divergingColor(2, 2)).toEqual(POSITIVE);
    expect(divergingColor(-2, 2)).toEqual(NEGATIVE);
    expect(divergingColor(18, 1)).toEqual(POSITIVE);
    expect(divergingColor(Number.NEGATIVE_INFINITY, 1)).toEqual(NEGATIVE);
    // Blue channel dominates on the positive side, red on the negative side.
    const [r, , b] = divergingColor(0.6, 1);
    expect(b).toBeGreaterThan(r);
    const [r2, , b2] = divergingColor(-0.6, 1);
    expect(r2).toBeGreaterThan(b2);
  });

  it('hits every stop exactly and interpolates linearly between neighbours (rounded)', () => {
    DIVERGING_STOPS.forEach((stop, i) => expect(colourAt(-1 + i / 4)).toEqual(stop));
    // Half-way between #f7f7f7 (t = 0) and #d1e5f0 (t = 0.25): (247+209)/2 = 228, (247+229)/2 = 238, (247+240)/2 = 243.5 → 244.
    expect(colourAt(0.125)).toEqual([228, 238, 244]);
    // A quarter of the way from #b2182b to #d6604d: 178 + 36/4 = 187, 24 + 72/4 = 42, 43 + 34/4 = 51.5 → 52.
    expect(divergingColor(-0.9375 * 2, 2)).toEqual([187, 42, 52]);
  });

  it('shows NaN as black', () => {
    expect(divergingColor(Number.NaN, 1)).toEqual([0, 0, 0]);
  });

  it('as a Vega scale: one domain value per stop on [−vmax, vmax], the same colours, sRGB interpolation, clamped', () => {
    const s = divergingScale(2);
    expect(s.domain).toEqual([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]);
    expect(s.range).toEqual(DIVERGING_STOPS.map(rgbHex));
    expect(s.range[0]).toBe('#b2182b');
    expect(s.range[8]).toBe('#2166ac');
    expect(s).toMatchObject({ interpolate: 'rgb', clamp: true });
  });
});
