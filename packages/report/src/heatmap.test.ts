import type { TiedParams } from '@polytoy/core';
import { divergingColor, rgbHex } from '@polytoy/viz';
import { describe, expect, it } from 'vitest';
import { cellSize, MIN_CELL, weightHeatmapSpec } from './heatmap.js';
import { renderVegaLite } from './vega.js';

/** n = 4, m = 3: neuron 0 = ±eps (0.5), then pairs, one outlier weight 18 among values of size ≤ 1. */
function params(outlier = false): TiedParams {
  const W = Float32Array.of(0.5, 0.5, -0.5, -0.5, 1, 0, 1, 0, 0, 1, 0, outlier ? 18 : 1);
  return { kind: 'tied', n: 4, m: 3, W, b: Float32Array.of(-0.25, -0.25, -0.25, -0.25) };
}

/** The fill colours of the heat-map cells in a rendered SVG, in document order, as `#rrggbb`. */
function cellFills(svg: string): string[] {
  return [...svg.matchAll(/aria-roledescription="rect mark"[^>]*fill="([^"]+)"/g)].map((m) => {
    const rgb = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(m[1]!);
    return rgb ? rgbHex([Number(rgb[1]), Number(rgb[2]), Number(rgb[3])]) : m[1]!;
  });
}

describe('weight heat map', () => {
  it('draws every cell in the shared diverging colours (blue positive), exactly as @polytoy/viz computes them', async () => {
    const svg = await renderVegaLite(weightHeatmapSpec(params(), [0], { map: false }));
    const fills = cellFills(svg);
    // W (3 × 4) then b (1 × 4); one colour range for both: vmax = 1.
    const expected = [0.5, 0.5, -0.5, -0.5, 1, 0, 1, 0, 0, 1, 0, 1, -0.25, -0.25, -0.25, -0.25].map((w) =>
      rgbHex(divergingColor(w, 1)),
    );
    expect(fills).toEqual(expected);
    expect(fills[4]).toBe('#2166ac'); // +1: full blue
  });

  it('keeps an outlier from washing out the scale: it is clipped and marked ×', async () => {
    const spec = weightHeatmapSpec(params(true), [0], { map: false });
    const svg = await renderVegaLite(spec);
    const fills = cellFills(svg);
    // The range stays at 1 (the 18 is beyond 1.25 × the 99th percentile), so +1 is still full blue.
    expect(fills[4]).toBe('#2166ac');
    expect(fills[11]).toBe('#2166ac');
    expect((svg.match(/>×</g) ?? []).length).toBe(1);
  });

  it('marks the ±eps neuron, splits the halves, puts WᵀW beside W, with cells of at least 12 px', async () => {
    const spec = weightHeatmapSpec(params(), [0]);
    const svg = await renderVegaLite(spec);
    expect(svg).toContain('0 ◆');
    expect(svg).toContain('>WᵀW<');
    expect(svg).toContain('>A<');
    expect(svg).toContain('>B<');
    expect(JSON.stringify(spec)).toContain('"hconcat"');
    for (const n of [4, 8, 16, 32, 64, 128]) expect(cellSize(n, n)).toBeGreaterThanOrEqual(MIN_CELL);
    expect(cellSize(8, 5)).toBe(24);
  });

  it('labels every row and every feature (Vega must not thin the ticks)', async () => {
    const W = Float32Array.from({ length: 8 * 5 }, (_, i) => Math.sin(i));
    const svg = await renderVegaLite(
      weightHeatmapSpec({ kind: 'tied', n: 8, m: 5, W, b: new Float32Array(8) }, [0], { map: false }),
    );
    const texts = [...svg.matchAll(/<text[^>]*transform="translate\((-?[\d.]+),(-?[\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map(
      (m) => ({
        x: Number(m[1]),
        y: Number(m[2]),
        text: m[3]!,
      }),
    );
    // Row labels sit left of the panel (x < 0); feature labels under it, one per feature at its cell's centre (24 px cells).
    const rows = texts.filter((t) => t.x < 0 && t.text !== 'b' && !t.text.startsWith('neuron'));
    expect(rows.map((t) => t.text).sort()).toEqual(['0 ◆', '1', '2', '3', '4']);
    const features = texts.filter((t) => /^\d$/.test(t.text) && t.x === 12 + 24 * Number(t.text));
    expect(features.map((t) => t.text)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('the tooltip carries each weight exactly as stored (6 significant digits)', () => {
    const p = params();
    p.W[1] = 0.1234567;
    const spec = weightHeatmapSpec(p, [0]) as unknown as { hconcat: { vconcat: { data: { values: { value: number }[] } }[] }[] };
    const values = spec.hconcat[0]!.vconcat[0]!.data.values.map((v) => v.value);
    expect(values[1]).toBe(0.123457);
  });
});
