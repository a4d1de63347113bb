/**
 * The heat-map layout of the seed's schematic, as data both the report (Vega-Lite) and the
 * playground (canvas) draw: neurons (rows) × features (columns), halves A | B split at n/2, the
 * ±eps (disambiguation) neurons first and marked, every other neuron at its strongest feature
 * (pairs form a diagonal), the output bias b as a strip, and beside it the model's
 * input→output map (WᵀW tied, D E untied), features × features with both halves split.
 */
import type { ModelParams } from '@polytoy/core';
import { decoderRowsOf, encoderOf } from '@polytoy/core';
import type { ColourRange } from './robust-range.js';
import { robustRange } from './robust-range.js';

/** The marker of a ±eps (disambiguation) neuron in row labels. */
export const MARK = '◆';

/** What a panel shows. */
export type PanelKind = 'W' | 'E' | 'Dt' | 'b' | 'map';

/** One matrix of a heat map, rows in display order. */
export interface HeatmapPanel {
  kind: PanelKind;
  /** e.g. `W`, `encoder E`, `decoder Dᵀ`, `b`, `WᵀW`, `D E`. */
  title: string;
  /** What a row is: a neuron (W, E, Dᵀ), the bias (b) or an output feature (the map). */
  rowAxis: 'neuron' | 'bias' | 'output';
  rows: number;
  cols: number;
  /** Row-major `[rows, cols]` values, rows in display order. */
  values: Float64Array;
  /** Original index of each display row (neuron j, or output feature i). */
  rowIndex: number[];
  /** Row labels: the index, with {@link MARK} for marked neurons. */
  rowLabels: string[];
  /** Per display row: a marked ±eps neuron. */
  marked: boolean[];
  /** Columns before the A | B split (n/2). */
  colSplit: number;
  /** Rows before the A | B split (the map: n/2), else null. */
  rowSplit: number | null;
  /** The colour range (shared by W / E / Dᵀ / b; the map has its own). */
  range: ColourRange;
}

/** Everything a heat map of one model draws. */
export interface HeatmapLayout {
  kind: 'tied' | 'untied';
  n: number;
  m: number;
  /** Neuron display order (original indices). */
  order: number[];
  /** The marked ±eps neurons (original indices, in display order). */
  marked: number[];
  /** The parameter panels (W, or E and Dᵀ), then b (when asked for). */
  panels: HeatmapPanel[];
  /** The input→output map (when asked for), or null. */
  map: HeatmapPanel | null;
}

/** Options of {@link heatmapLayout}. */
export interface HeatmapLayoutOptions {
  /** Neurons to put first and mark (the ±eps neurons a classifier found). */
  marked?: readonly number[];
  /** Include the bias strip (default true). */
  bias?: boolean;
  /** Include the input→output map WᵀW / D E (default true). */
  map?: boolean;
}

/**
 * Row order for display: the given neurons first (in the order given), then the rest sorted by
 * the feature of their largest |weight| (ties by neuron index), all-zero rows last.
 *
 * @example
 * displayOrder([0, 0, 0.2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0.5, 0.5, -0.5, -0.5], 4, 4, [3]); // [3, 2, 0, 1]
 */
export function displayOrder(values: ArrayLike<number>, rows: number, n: number, first: readonly number[] = []): number[] {
  const firstList = [...new Set(first.filter((j) => Number.isInteger(j) && j >= 0 && j < rows))];
  const firstSet = new Set(firstList);
  const rest: { j: number; key: number }[] = [];
  for (let j = 0; j < rows; j++) {
    if (firstSet.has(j)) continue;
    let best = -1;
    let bestAbs = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(values[j * n + i]!);
      if (a > bestAbs) {
        bestAbs = a;
        best = i;
      }
    }
    rest.push({ j, key: best < 0 ? Number.POSITIVE_INFINITY : best });
  }
  rest.sort((a, b) => a.key - b.key || a.j - b.j);
  return [...firstList, ...rest.map((r) => r.j)];
}

/**
 * The model's input→output map before the output bias and ReLU, `[n, n]` row-major (row i:
 * output i): `WᵀW` for tied weights, `D E` for untied ones. With a linear hidden layer this is
 * what the model computes, whatever rotation of the hidden space its weights are in.
 *
 * @example
 * inputOutputMap({ kind: 'tied', n: 2, m: 1, W: Float32Array.of(1, -1), b: new Float32Array(2) }); // [1, -1, -1, 1]
 */
export function inputOutputMap(p: ModelParams): Float64Array {
  const { n, m } = p;
  const E = encoderOf(p); // [m, n]
  const Dt = decoderRowsOf(p); // [m, n]: row j = the decoder weights from neuron j
  const M = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const d = Dt[j * n + i]!;
      if (d === 0) continue;
      for (let k = 0; k < n; k++) M[i * n + k]! += d * E[j * n + k]!;
    }
  }
  return M;
}

function reorder(values: ArrayLike<number>, order: readonly number[], cols: number): Float64Array {
  const out = new Float64Array(order.length * cols);
  order.forEach((j, r) => {
    for (let i = 0; i < cols; i++) out[r * cols + i] = values[j * cols + i]!;
  });
  return out;
}

/**
 * The heat-map layout of a model (see the module comment).
 *
 * @example
 * const layout = heatmapLayout(sameSignConstruction({ n: 8, m: 5 }), { marked: [0] });
 * layout.panels.map((p) => p.title); // ['W', 'b']
 * layout.panels[0].rowLabels[0];     // '0 ◆'
 * layout.map?.title;                 // 'WᵀW'
 */
export function heatmapLayout(params: ModelParams, opts: HeatmapLayoutOptions = {}): HeatmapLayout {
  const { n, m } = params;
  const E = encoderOf(params);
  const order = displayOrder(E, m, n, opts.marked ?? []);
  const markedSet = new Set((opts.marked ?? []).filter((j) => order.includes(j)));
  const marked = order.filter((j) => markedSet.has(j));
  const sources: { kind: PanelKind; title: string; values: ArrayLike<number> }[] =
    params.kind === 'tied'
      ? [{ kind: 'W', title: 'W', values: params.W }]
      : [
          { kind: 'E', title: 'encoder E', values: params.E },
          { kind: 'Dt', title: 'decoder Dᵀ', values: decoderRowsOf(params) },
        ];
  const withBias = opts.bias !== false;
  const all: number[] = [];
  for (const s of sources) for (let i = 0; i < s.values.length; i++) all.push(s.values[i]!);
  if (withBias) for (const v of params.b) all.push(v);
  const range = robustRange(all);
  const rowLabels = order.map((j) => (markedSet.has(j) ? `${j} ${MARK}` : String(j)));
  const panels: HeatmapPanel[] = sources.map((s) => ({
    kind: s.kind,
    title: s.title,
    rowAxis: 'neuron',
    rows: m,
    cols: n,
    values: reorder(s.values, order, n),
    rowIndex: order.slice(),
    rowLabels: rowLabels.slice(),
    marked: order.map((j) => markedSet.has(j)),
    colSplit: n / 2,
    rowSplit: null,
    range,
  }));
  if (withBias) {
    panels.push({
      kind: 'b',
      title: 'b',
      rowAxis: 'bias',
      rows: 1,
      cols: n,
      values: Float64Array.from(params.b),
      rowIndex: [0],
      rowLabels: ['b'],
      marked: [false],
      colSplit: n / 2,
      rowSplit: null,
      range,
    });
  }
  let map: HeatmapPanel | null = null;
  if (opts.map !== false) {
    const values = inputOutputMap(params);
    map = {
      kind: 'map',
      title: params.kind === 'tied' ? 'WᵀW' : 'D E',
      rowAxis: 'output',
      rows: n,
      cols: n,
      values,
      rowIndex: Array.from({ length: n }, (_, i) => i),
      rowLabels: Array.from({ length: n }, (_, i) => String(i)),
      marked: Array.from({ length: n }, () => false),
      colSplit: n / 2,
      rowSplit: n / 2,
      range: robustRange(values),
    };
  }
  return { kind: params.kind, n, m, order, marked, panels, map };
}
