import type { TiedParams, UntiedParams } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { displayOrder, heatmapLayout, inputOutputMap, MARK } from './heatmap-layout.js';

/** The seed's construction for n = 4, m = 3 (c = 1/2, eps = 1): neuron 0 = (+1, +1, −1, −1), pairs (0, 2) and (1, 3). */
function construction(): TiedParams {
  const W = Float32Array.of(1, 1, -1, -1, 0, 1, 0, 1, 1, 0, 1, 0);
  return { kind: 'tied', n: 4, m: 3, W, b: Float32Array.of(-0.5, -0.5, -0.5, -0.5) };
}

describe('displayOrder', () => {
  it('puts the given neurons first, then by strongest feature, zero rows last', () => {
    const W = [0, 0, 0.2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0.5, 0.5, -0.5, -0.5];
    expect(displayOrder(W, 4, 4, [3])).toEqual([3, 2, 0, 1]);
    expect(displayOrder(W, 4, 4)).toEqual([2, 3, 0, 1]);
    // Out-of-range and repeated neurons are ignored.
    expect(displayOrder(W, 4, 4, [3, 3, 9, -1])).toEqual([3, 2, 0, 1]);
  });
});

describe('inputOutputMap', () => {
  it('is WᵀW for tied weights (hand computed)', () => {
    // Columns of W: f0 = (1, 0, 1), f1 = (1, 1, 0), f2 = (−1, 0, 1), f3 = (−1, 1, 0).
    expect(Array.from(inputOutputMap(construction()))).toEqual([2, 1, 0, -1, 1, 2, -1, 0, 0, -1, 2, 1, -1, 0, 1, 2]);
  });

  it('is D E for untied weights', () => {
    // n = 2, m = 1: E = [2, 3], D = [[5], [7]] → D E = [[10, 15], [14, 21]].
    const p: UntiedParams = {
      kind: 'untied',
      n: 2,
      m: 1,
      E: Float32Array.of(2, 3),
      D: Float32Array.of(5, 7),
      b: new Float32Array(2),
    };
    expect(Array.from(inputOutputMap(p))).toEqual([10, 15, 14, 21]);
  });
});

describe('heatmapLayout', () => {
  it('lays out the schematic: W with the ±eps neuron first and marked, b, and WᵀW split at n/2', () => {
    const layout = heatmapLayout(construction(), { marked: [0] });
    expect(layout.order).toEqual([0, 2, 1]);
    expect(layout.marked).toEqual([0]);
    const [W, b] = layout.panels;
    expect(layout.panels.map((p) => p.kind)).toEqual(['W', 'b']);
    expect(W!.rowLabels).toEqual([`0 ${MARK}`, '2', '1']);
    expect(W!.marked).toEqual([true, false, false]);
    expect(Array.from(W!.values.subarray(4, 8))).toEqual([1, 0, 1, 0]); // neuron 2 shown second
    expect(W!.colSplit).toBe(2);
    expect(Array.from(b!.values)).toEqual([-0.5, -0.5, -0.5, -0.5]);
    // One colour range for the parameters (W and b share it).
    expect(b!.range).toBe(W!.range);
    expect(W!.range).toMatchObject({ vmax: 1, clipped: 0 });
    const map = layout.map!;
    expect(map.title).toBe('WᵀW');
    expect([map.rows, map.cols, map.colSplit, map.rowSplit]).toEqual([4, 4, 2, 2]);
    expect(map.range.vmax).toBe(2);
  });

  it('untied: encoder E and decoder Dᵀ in the same row order; map and bias optional', () => {
    const p: UntiedParams = {
      kind: 'untied',
      n: 4,
      m: 2,
      E: Float32Array.of(0, 0, 1, 0, 1, 0, 0, 0),
      D: Float32Array.of(0, 1, 0, 0, 1, 0, 0, 0), // [n, m]: output 0 reads neuron 1, output 2 reads neuron 0
      b: new Float32Array(4),
    };
    const layout = heatmapLayout(p, { map: false, bias: false });
    expect(layout.map).toBeNull();
    expect(layout.panels.map((q) => q.title)).toEqual(['encoder E', 'decoder Dᵀ']);
    expect(layout.order).toEqual([1, 0]);
    // Dᵀ row of neuron 1 (shown first) has output 0's weight 1.
    expect(Array.from(layout.panels[1]!.values.subarray(0, 4))).toEqual([1, 0, 0, 0]);
  });

  it('marks an outlier as clipped instead of washing out the scale', () => {
    const W = new Float32Array(8 * 8).fill(0.5);
    W[3] = 18;
    const layout = heatmapLayout({ kind: 'tied', n: 8, m: 8, W, b: new Float32Array(8) });
    expect(layout.panels[0]!.range).toMatchObject({ vmax: 0.5, max: 18, clipped: 1 });
  });
});
