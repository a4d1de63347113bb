/**
 * Diverging colour map for weights: blue for negative, near-white for 0, red for positive
 * (the end points of ColorBrewer's RdBu), linear in between, symmetric around 0.
 */

/** An sRGB colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

/** Colour of -vmax and below. */
export const NEGATIVE: Rgb = [33, 102, 172];
/** Colour of 0. */
export const ZERO: Rgb = [247, 247, 247];
/** Colour of +vmax and above. */
export const POSITIVE: Rgb = [178, 24, 43];

/**
 * Colour of `value` on a symmetric scale `[-vmax, vmax]` (clamped outside). NaN maps to black,
 * so a diverged weight stands out.
 *
 * @param value - the weight.
 * @param vmax - half-width of the scale; must be > 0.
 * @example
 * divergingColor(0, 1);   // [247, 247, 247]
 * divergingColor(-2, 1);  // [33, 102, 172]
 */
export function divergingColor(value: number, vmax: number): Rgb {
  if (Number.isNaN(value)) return [0, 0, 0];
  const t = Math.max(-1, Math.min(1, value / vmax));
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return [0, 1, 2].map((k) => Math.round(ZERO[k]! + (end[k]! - ZERO[k]!) * a)) as unknown as Rgb;
}

/**
 * Largest absolute finite value (the heat map's symmetric scale), at least `floor`.
 *
 * @example
 * symmetricScale(Float32Array.of(0.5, -2, 1)); // 2
 */
export function symmetricScale(values: ArrayLike<number>, floor = 1e-6): number {
  let max = floor;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (Number.isFinite(a) && a > max) max = a;
  }
  return max;
}

/**
 * RGBA pixels of a row-major `[rows, cols]` matrix, one pixel per entry (for `ImageData`).
 *
 * @example
 * matrixPixels(Float32Array.of(1, -1), 1, 2, 1); // red pixel, then blue pixel
 */
export function matrixPixels(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  vmax: number,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = divergingColor(matrix[i]!, vmax);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}
