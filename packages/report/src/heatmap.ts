/**
 * Weight heat maps from `@polytoy/viz`'s layout (the seed's schematic: neurons × features,
 * halves A | B, ±eps neurons first and marked ◆, bias strip, and the input→output map WᵀW / D E
 * beside W), as Vega-Lite specs with the shared diverging scale (blue positive) and a tooltip
 * with each cell's exact stored value. Cells are at least 12 px; values beyond the robust colour
 * range are drawn in the end colour and marked ×.
 */
import type { ModelParams } from '@polytoy/core';
import type { HeatmapLayout, HeatmapPanel } from '@polytoy/viz';
import { divergingScale, heatmapLayout, isClipped } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';

/** Smallest heat-map cell in pixels. */
export const MIN_CELL = 12;

/** Width available to one figure (the page's content width, less the axis and legend margins). */
export const FIGURE_WIDTH = 1240;

/** Cell size for an n-feature model: 24 px for small n, never below {@link MIN_CELL}. */
export function cellSize(n: number, m: number): number {
  return Math.max(MIN_CELL, Math.min(24, Math.floor(380 / n), Math.floor(420 / Math.max(1, m))));
}

/** Six significant digits: the precision result lines store parameters with. */
const stored = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);

function panelSpec(panel: HeatmapPanel, cell: number, legendTitle: string | null): object {
  const values: Record<string, number | string | boolean>[] = [];
  for (let r = 0; r < panel.rows; r++) {
    for (let c = 0; c < panel.cols; c++) {
      const w = panel.values[r * panel.cols + c]!;
      values.push({
        r,
        r1: r + 1,
        f: c,
        f1: c + 1,
        fc: c + 0.5,
        rc: r + 0.5,
        row: panel.rowLabels[r]!,
        // Non-finite values are drawn at the end of the scale (and marked), never as NaN.
        w: Number.isFinite(w) ? stored(w) : 0,
        value: Number.isFinite(w) ? stored(w) : String(w),
        clipped: isClipped(w, panel.range),
      });
    }
  }
  const rowAxisTitle =
    panel.rowAxis === 'neuron' ? 'neuron (◆ ±eps)' : panel.rowAxis === 'output' ? 'output feature (A | B)' : null;
  const labels = JSON.stringify(panel.rowLabels);
  const x = {
    field: 'f',
    type: 'quantitative',
    scale: { domain: [0, panel.cols], nice: false, zero: false },
    axis:
      panel.rowAxis === 'bias'
        ? null
        : {
            title: panel.rowAxis === 'output' ? 'input feature (A | B)' : 'feature (A | B)',
            values: tickValues(panel.cols),
            // Vega thins explicit tick values down to tickCount: ask for all of them.
            tickCount: tickValues(panel.cols).length,
            labelExpr: 'floor(datum.value)',
            grid: false,
            labelOverlap: false,
            labelFlush: false,
          },
  };
  const y = {
    field: 'r',
    type: 'quantitative',
    scale: { domain: [0, panel.rows], nice: false, zero: false, reverse: true },
    axis: {
      title: rowAxisTitle,
      values: Array.from({ length: panel.rows }, (_, r) => r + 0.5),
      tickCount: panel.rows,
      // Row labels are integers and ◆ (built from indices), safe inside an expression.
      labelExpr: `${labels}[floor(datum.value)]`,
      grid: false,
      labelOverlap: false,
      labelFlush: false,
      labelFontSize: panel.rows > 40 ? 8 : 10,
    },
  };
  const tooltip =
    panel.rowAxis === 'neuron'
      ? [
          { field: 'row', type: 'nominal', title: 'neuron' },
          { field: 'f', type: 'quantitative', title: 'feature' },
          { field: 'value', type: 'nominal', title: 'weight' },
        ]
      : panel.rowAxis === 'output'
        ? [
            { field: 'row', type: 'nominal', title: 'output' },
            { field: 'f', type: 'quantitative', title: 'input' },
            { field: 'value', type: 'nominal', title: panel.title },
          ]
        : [
            { field: 'f', type: 'quantitative', title: 'feature' },
            { field: 'value', type: 'nominal', title: 'b' },
          ];
  const layers: object[] = [
    {
      mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 0.5 },
      encoding: {
        x,
        x2: { field: 'f1' },
        y,
        y2: { field: 'r1' },
        color: {
          field: 'w',
          type: 'quantitative',
          scale: divergingScale(panel.range.vmax),
          legend:
            legendTitle === null ? null : { title: legendTitle, gradientLength: Math.max(80, Math.min(200, panel.rows * cell)) },
        },
        tooltip,
      },
    },
    {
      transform: [{ filter: 'datum.clipped' }],
      mark: { type: 'text', text: '×', fontSize: Math.round(cell * 0.8), color: '#000000', align: 'center', baseline: 'middle' },
      encoding: { x: { field: 'fc', type: 'quantitative' }, y: { field: 'rc', type: 'quantitative' }, tooltip },
    },
    {
      data: { values: [{ x: panel.colSplit }] },
      mark: { type: 'rule', color: '#111111', strokeWidth: 1.5 },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    },
  ];
  if (panel.rowSplit !== null) {
    layers.push({
      data: { values: [{ y: panel.rowSplit }] },
      mark: { type: 'rule', color: '#111111', strokeWidth: 1.5 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  if (panel.rowAxis !== 'bias') {
    layers.push({
      data: {
        values: [
          { x: panel.cols / 4, t: 'A' },
          { x: (3 * panel.cols) / 4, t: 'B' },
        ],
      },
      mark: { type: 'text', baseline: 'bottom', dy: -3, fontWeight: 'bold', fontSize: 12, y: 0 },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 't' } },
    });
  }
  return {
    title: { text: panel.title, anchor: 'middle', fontSize: 12, offset: panel.rowAxis === 'bias' ? 4 : 16 },
    width: panel.cols * cell,
    height: panel.rows * cell,
    data: { values },
    layer: layers,
  };
}

/** Feature ticks at the centres of the cells, at most ~16 of them. */
function tickValues(n: number): number[] {
  const step = Math.max(1, Math.ceil(n / 16));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i + 0.5);
  return out;
}

/** Rough pixel width of a panel with its row axis (for the layout decision). */
const panelWidth = (p: HeatmapPanel, cell: number) => p.cols * cell + 70;

/**
 * The Vega-Lite spec of a model's heat map: W (or E and Dᵀ) with the bias strip under it, and
 * the input→output map beside it (below it when side by side would be wider than the page).
 *
 * @param marked - ±eps neurons to put first and mark (from the analysis).
 * @example
 * const spec = weightHeatmapSpec(params, [0]);
 */
export function weightHeatmapSpec(
  params: ModelParams,
  marked: readonly number[] = [],
  opts: { title?: string; map?: boolean } = {},
): TopLevelSpec {
  const layout: HeatmapLayout = heatmapLayout(params, { marked, map: opts.map !== false });
  const cell = cellSize(layout.n, layout.m);
  const paramPanels = layout.panels.filter((p) => p.kind !== 'b');
  const bias = layout.panels.find((p) => p.kind === 'b');
  const short = (x: number) => Number(x.toPrecision(3));
  const legend = `weight (±${short(layout.panels[0]!.range.vmax)})`;
  const columns: object[] = paramPanels.map((p, k) => {
    const unit = panelSpec(p, cell, k === 0 ? legend : null);
    return k === 0 && bias ? { vconcat: [unit, panelSpec(bias, cell, null)], spacing: 6 } : unit;
  });
  const map = layout.map ? panelSpec(layout.map, cell, `${layout.map.title} (±${short(layout.map.range.vmax)})`) : null;
  const wide = [...paramPanels, ...(layout.map ? [layout.map] : [])].reduce((a, p) => a + panelWidth(p, cell) + 110, 0);
  const body =
    map === null
      ? { hconcat: columns }
      : wide <= FIGURE_WIDTH
        ? { hconcat: [...columns, map] }
        : { vconcat: [{ hconcat: columns }, map] };
  return {
    ...(opts.title ? { title: opts.title } : {}),
    ...body,
    spacing: 28,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}
