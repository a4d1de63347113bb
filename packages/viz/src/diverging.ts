/**
 * The one diverging colour scale for weights, shared by the report and the playground:
 * **positive = blue, negative = red**, near-white at 0, symmetric around 0 (ColorBrewer RdBu,
 * nine classes, interpolated linearly in sRGB between them). Everything that draws a weight
 * (Vega-Lite in the report, a canvas in the playground) takes its colours from here, so a sign
 * reads the same everywhere.
 */

/** An sRGB colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

/**
 * The colour stops from −1 (full negative) to +1 (full positive), evenly spaced
 * (t = −1, −0.75, …, 1): ColorBrewer RdBu-9, red end negative, blue end positive.
 */
export const DIVERGING_STOPS: readonly Rgb[] = Object.freeze([
  [178, 24, 43], // #b2182b
  [214, 96, 77], // #d6604d
  [244, 165, 130], // #f4a582
  [253, 219, 199], // #fddbc7
  [247, 247, 247], // #f7f7f7
  [209, 229, 240], // #d1e5f0
  [146, 197, 222], // #92c5de
  [67, 147, 195], // #4393c3
  [33, 102, 172], // #2166ac
] as const);

/** Colour of −vmax and below. */
export const NEGATIVE: Rgb = DIVERGING_STOPS[0]!;
/** Colour of 0. */
export const ZERO: Rgb = DIVERGING_STOPS[4]!;
/** Colour of +vmax and above. */
export const POSITIVE: Rgb = DIVERGING_STOPS[8]!;
/** Colour of NaN (a diverged weight): black, outside the scale. */
export const NOT_A_NUMBER: Rgb = [0, 0, 0];

/** The sign convention in words, for captions and legends. */
export const SIGN_CONVENTION = 'blue positive, red negative';

/**
 * Colour of `t` in [−1, 1] (clamped outside): linear in sRGB between the two neighbouring
 * stops, each channel rounded to the nearest integer (what d3's `interpolateRgb` does, so Vega
 * draws the very same colours).
 *
 * @example
 * colourAt(0);  // [247, 247, 247]
 * colourAt(1);  // [33, 102, 172]
 */
export function colourAt(t: number): Rgb {
  if (Number.isNaN(t)) return NOT_A_NUMBER;
  const u = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (DIVERGING_STOPS.length - 1);
  const k = Math.min(DIVERGING_STOPS.length - 2, Math.floor(u));
  const f = u - k;
  const a = DIVERGING_STOPS[k]!;
  const b = DIVERGING_STOPS[k + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as unknown as Rgb;
}

/**
 * Colour of a weight on the symmetric scale `[−vmax, vmax]` (clamped outside; NaN black).
 *
 * @param vmax - half-width of the scale, > 0 (see `robustRange`).
 * @example
 * divergingColor(0.5, 1);  // [146, 197, 222] (a light blue: positive)
 * divergingColor(-2, 1);   // [178, 24, 43]  (clamped: full red)
 */
export function divergingColor(value: number, vmax: number): Rgb {
  if (Number.isNaN(value)) return NOT_A_NUMBER;
  return colourAt(value / vmax);
}

/**
 * `#rrggbb` of a colour.
 *
 * @example
 * rgbHex([33, 102, 172]); // '#2166ac'
 */
export function rgbHex(rgb: Rgb): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** A Vega / Vega-Lite scale object (plain data, no Vega types needed). */
export interface DivergingScale {
  type: 'linear';
  domain: number[];
  range: string[];
  interpolate: 'rgb';
  clamp: true;
  nice: false;
  zero: false;
}

/**
 * The diverging scale as a piecewise-linear Vega(-Lite) colour scale on `[−vmax, vmax]`: one
 * domain value per stop, interpolated in sRGB, clamped — the same colours as
 * {@link divergingColor}.
 *
 * @example
 * const color = { field: 'w', type: 'quantitative', scale: divergingScale(1.5) };
 */
export function divergingScale(vmax: number): DivergingScale {
  const k = DIVERGING_STOPS.length - 1;
  return {
    type: 'linear',
    domain: DIVERGING_STOPS.map((_, i) => ((2 * i) / k - 1) * vmax),
    range: DIVERGING_STOPS.map(rgbHex),
    interpolate: 'rgb',
    clamp: true,
    nice: false,
    zero: false,
  };
}
