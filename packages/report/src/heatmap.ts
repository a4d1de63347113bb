/**
 * Weight-matrix heat maps in the style of the seed's schematic: neurons × features, a
 * diverging colour scale centred at 0 (blue positive, red negative), the two halves A and B
 * separated by a rule and labelled. Rows are reordered so the disambiguation neurons come
 * first and each other neuron sits at its strongest feature (the pairs form a diagonal).
 */
import type { ModelParams } from '@polytoy/core';
import type { TopLevelSpec } from 'vega-lite';

/** One matrix to draw: `rows` × `n` values, row-major. */
export interface MatrixView {
  title: string;
  values: ArrayLike<number>;
  rows: number;
  n: number;
}

/**
 * Row order for display: the given disambiguation neurons first, then the rest sorted by the
 * feature of their largest |weight| (ties by neuron index), all-zero rows last.
 *
 * @example
 * displayOrder(W, m, n, [0]); // [0, then neurons by strongest feature…]
 */
export function displayOrder(values: ArrayLike<number>, rows: number, n: number, first: readonly number[] = []): number[] {
  const firstSet = new Set(first.filter((j) => j >= 0 && j < rows));
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
  return [...firstSet, ...rest.map((r) => r.j)];
}

/** The matrices of a model: W (tied), or E and the decoder as neuron rows Dᵀ (untied). */
export function matricesOf(p: ModelParams): MatrixView[] {
  if (p.kind === 'tied') return [{ title: 'W', values: p.W, rows: p.m, n: p.n }];
  const dT = new Float32Array(p.m * p.n);
  for (let i = 0; i < p.n; i++) for (let j = 0; j < p.m; j++) dT[j * p.n + i] = p.D[i * p.m + j]!;
  return [
    { title: 'encoder E', values: p.E, rows: p.m, n: p.n },
    { title: 'decoder Dᵀ', values: dT, rows: p.m, n: p.n },
  ];
}

/** Feature ticks at the centres of the cells, at most ~16 of them. */
function tickValues(n: number): number[] {
  const step = Math.max(1, Math.ceil(n / 16));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i + 0.5);
  return out;
}

function unitSpec(view: MatrixView, order: readonly number[], first: ReadonlySet<number>, cell: number): object {
  const { n, values } = view;
  const data: { f: number; f1: number; row: string; w: number }[] = [];
  let maxAbs = 0;
  for (const j of order) {
    const row = first.has(j) ? `${j} ◆` : String(j);
    for (let i = 0; i < n; i++) {
      const w = values[j * n + i]!;
      maxAbs = Math.max(maxAbs, Math.abs(w));
      data.push({ f: i, f1: i + 1, row, w: Number(w.toPrecision(4)) });
    }
  }
  const domainMax = maxAbs > 0 ? Number(maxAbs.toPrecision(3)) : 1;
  const rowOrder = order.map((j) => (first.has(j) ? `${j} ◆` : String(j)));
  return {
    title: view.title,
    width: n * cell,
    height: order.length * cell,
    layer: [
      {
        data: { values: data },
        mark: { type: 'rect', stroke: '#fff', strokeWidth: cell >= 8 ? 0.5 : 0 },
        encoding: {
          x: {
            field: 'f',
            type: 'quantitative',
            scale: { domain: [0, n], nice: false, zero: true },
            axis: { title: 'feature (A | B)', values: tickValues(n), labelExpr: 'floor(datum.value)', grid: false },
          },
          x2: { field: 'f1' },
          y: { field: 'row', type: 'ordinal', sort: rowOrder, axis: { title: 'neuron (◆ disambiguation)', grid: false } },
          color: {
            field: 'w',
            type: 'quantitative',
            title: 'weight',
            scale: { scheme: 'redblue', domain: [-domainMax, domainMax], domainMid: 0 },
          },
          tooltip: [{ field: 'row' }, { field: 'f' }, { field: 'w' }],
        },
      },
      {
        data: { values: [{ x: n / 2 }] },
        mark: { type: 'rule', color: '#111', strokeWidth: 1.5 },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: {
          values: [
            { x: n / 4, t: 'A' },
            { x: (3 * n) / 4, t: 'B' },
          ],
        },
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontWeight: 'bold', fontSize: 12, y: 0 },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 't' } },
      },
    ],
  };
}

/**
 * The Vega-Lite spec of a model's heat map(s): one panel for tied weights, encoder and decoder
 * side by side for untied ones (each with its own symmetric colour scale).
 *
 * @param disambiguation - neurons to put first and mark with ◆ (e.g. from the classifier).
 * @example
 * await renderVegaLite(weightHeatmapSpec(params, 'seed 0', [0]));
 */
export function weightHeatmapSpec(p: ModelParams, title: string, disambiguation: readonly number[] = []): TopLevelSpec {
  const views = matricesOf(p);
  const cell = Math.max(5, Math.min(24, Math.floor(320 / p.n), Math.floor(360 / p.m)));
  const order = displayOrder(views[0]!.values, p.m, p.n, disambiguation);
  const first = new Set(disambiguation);
  const units = views.map((v) => unitSpec(v, order, first, cell));
  const spec =
    units.length === 1
      ? { ...units[0]!, title: `${title} — ${views[0]!.title}` }
      : { title, hconcat: units, resolve: { scale: { color: 'independent' } } };
  return spec as TopLevelSpec;
}
