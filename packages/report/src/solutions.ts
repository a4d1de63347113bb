/**
 * Which solutions training found: label fractions per cell (stacked bars) and rate heat maps
 * (success, disambiguation) over m × (lambda, lr, …), one panel per architecture and n.
 */
import type { CellSummary, CoordinateName, ResultLine } from '@polytoy/experiments';
import { summarise } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';
import { cellLabel, modelPanel, varyingCoordinates } from './cells.js';
import { DISAMBIGUATION_LABELS, labelScale } from './labels.js';

/** Coordinates that get their own axis or panel in these charts. */
const LAYOUT: readonly CoordinateName[] = ['n', 'm', 'weights', 'hiddenActivation'];

/**
 * Stacked bars of label fractions, pooled over everything but n, m and the architecture
 * (every cell's seeds, lambdas, lrs… together), one bar per (n, m) and one panel per
 * architecture.
 */
export function labelBarsSpec(
  lines: readonly ResultLine[],
  title = 'Solutions found (fraction of runs)',
  field: 'labels' | 'mechanisms' = 'labels',
): TopLevelSpec {
  const pooled = summarise(lines, { by: LAYOUT });
  const data = pooled.flatMap((s) =>
    Object.entries(s[field]).map(([label, count]) => ({
      panel: modelPanel(s.coordinates as { weights: 'tied' | 'untied'; hiddenActivation: 'none' | 'relu' }),
      bar: `n=${s.coordinates.n} m=${s.coordinates.m}`,
      order: (s.coordinates.n ?? 0) * 1e6 + (s.coordinates.m ?? 0),
      label,
      count,
      fraction: count / s.runs,
      runs: s.runs,
      counted: Object.values(s[field]).reduce((a, b) => a + b, 0),
    })),
  );
  const panels = new Set(data.map((d) => d.panel)).size;
  const bars = [...new Map(data.map((d) => [d.bar, d.order])).entries()].sort((a, b) => a[1] - b[1]).map(([b]) => b);
  const scale = labelScale([...new Set(data.map((d) => d.label))]);
  const encoding: Record<string, unknown> = {
    y: { field: 'bar', type: 'ordinal', sort: bars, title: null },
    x: { field: 'fraction', type: 'quantitative', stack: 'normalize', title: 'fraction of runs', axis: { format: '%' } },
    color: { field: 'label', type: 'nominal', scale, title: field === 'labels' ? 'solution' : 'mechanism', sort: scale.domain },
    order: { field: 'label', sort: 'ascending' },
    tooltip: [{ field: 'bar' }, { field: 'label' }, { field: 'count' }, { field: 'runs' }],
  };
  if (panels > 1) encoding.column = { field: 'panel', type: 'nominal', title: null };
  return {
    title,
    data: { values: data },
    mark: 'bar',
    width: 190,
    height: { step: 16 },
    encoding,
  } as TopLevelSpec;
}

/** Fraction of runs labelled with one of the disambiguation solutions. */
export function disambiguationRate(s: CellSummary): number {
  return DISAMBIGUATION_LABELS.reduce((a, l) => a + (s.labels[l] ?? 0), 0) / s.runs;
}

/**
 * A heat map of a per-cell rate: x = m, y = the other varying coordinates (lambda, lr,
 * optimizer, start), panels by architecture (columns) and n (rows); the rate is printed in
 * each cell.
 *
 * @param rate - e.g. `(s) => s.successRate`.
 */
export function rateHeatmapSpec(
  lines: readonly ResultLine[],
  rate: (s: CellSummary) => number,
  title: string,
  legend: string,
): TopLevelSpec {
  const vary = varyingCoordinates(lines);
  const yKeys = vary.filter((k) => !LAYOUT.includes(k));
  const cells = summarise(lines);
  const data = cells.map((s) => ({
    panel: modelPanel(s.coordinates as { weights: 'tied' | 'untied'; hiddenActivation: 'none' | 'relu' }),
    n: `n=${s.coordinates.n}`,
    m: s.coordinates.m,
    y: cellLabel(s.coordinates, yKeys),
    rate: rate(s),
    runs: s.runs,
  }));
  const panels = new Set(data.map((d) => d.panel)).size;
  const ns = new Set(data.map((d) => d.n)).size;
  const ys = [...new Set(data.map((d) => d.y))];
  const facet: Record<string, unknown> = {};
  if (panels > 1) facet.column = { field: 'panel', type: 'nominal', title: null };
  if (ns > 1) facet.row = { field: 'n', type: 'nominal', title: null };
  const base = {
    x: { field: 'm', type: 'ordinal', title: 'm (hidden neurons)' },
    y: { field: 'y', type: 'ordinal', sort: ys, title: null },
  };
  const inner = {
    width: { step: 34 },
    height: { step: 20 },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...base,
          color: {
            field: 'rate',
            type: 'quantitative',
            title: legend,
            scale: { domain: [0, 1], scheme: 'viridis' },
            legend: { format: '%' },
          },
          tooltip: [{ field: 'y' }, { field: 'm' }, { field: 'rate', format: '.0%' }, { field: 'runs' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          ...base,
          text: { field: 'rate', type: 'quantitative', format: '.0%' },
          color: { condition: { test: 'datum.rate > 0.6', value: 'black' }, value: 'white' },
        },
      },
    ],
  };
  const spec = Object.keys(facet).length
    ? { title, data: { values: data }, facet, spec: inner, resolve: { scale: { x: 'independent' } } }
    : { title, data: { values: data }, ...inner };
  return spec as TopLevelSpec;
}
