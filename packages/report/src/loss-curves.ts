/**
 * Loss curves: the median over seeds of each cell's logged loss against the step, log axis; one
 * panel per n × architecture, one line per remaining cell. Every line of a panel has its own
 * style (colour, then dash: `@polytoy/viz`'s `seriesStyles`), legends in numeric order.
 */
import { MAX_DISTINCT_SERIES, seriesStyles, sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import type { Coordinate } from './cells.js';
import { byRank, cellLabel, groupBy, varyingCoordinates, withRanks } from './cells.js';

function median(xs: number[]): number | null {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** A row of the loss-curve data: one cell's median at one step. */
export interface CurvePoint {
  panel: string;
  series: string;
  step: number;
  loss: number;
  seeds: number;
}

const PANEL_KEYS: readonly Coordinate[] = ['n', 'weights', 'hidden'];

/**
 * Median loss per cell and step (steps missing in some runs use the runs that have them).
 * Diverged runs and non-positive values are left out.
 *
 * @example
 * lossCurveData(runs).filter((p) => p.step === 0);
 */
export function lossCurveData(runs: readonly ReportRun[]): CurvePoint[] {
  const live = runs.filter((r) => r.convergence !== 'diverged' && r.history.step.length > 0);
  const vary = varyingCoordinates(live);
  const panelKeys = PANEL_KEYS.filter((k) => vary.includes(k));
  // A coordinate fixed within every panel (m when it follows from n and the architecture) names
  // the panel, not the lines: shorter legends, and each line's label says only what differs.
  const panelsOf = groupBy(live, (r) => cellLabel(r.cell, panelKeys));
  for (const k of vary) {
    if (panelKeys.includes(k)) continue;
    if ([...panelsOf.values()].every((g) => new Set(g.map((r) => String(r.cell[k]))).size === 1)) panelKeys.push(k);
  }
  const seriesKeys = vary.filter((k) => !panelKeys.includes(k));
  const out: CurvePoint[] = [];
  for (const [, cell] of groupBy(live, (r) => cellLabel(r.cell, vary))) {
    const c = cell[0]!.cell;
    const values = new Map<number, number[]>();
    for (const r of cell) {
      r.history.step.forEach((s, k) => {
        const list = values.get(s);
        if (list) list.push(r.history.loss[k]!);
        else values.set(s, [r.history.loss[k]!]);
      });
    }
    for (const [step, vs] of [...values.entries()].sort((a, b) => a[0] - b[0])) {
      const loss = median(vs);
      if (loss === null || !(loss > 0)) continue;
      out.push({ panel: cellLabel(c, panelKeys), series: cellLabel(c, seriesKeys), step, loss, seeds: vs.length });
    }
  }
  return out;
}

/**
 * The loss-curve chart of a set of runs (one experiment). Panels wrap at three or four per row.
 *
 * @example
 * await renderVegaLite(lossCurvesSpec(runs));
 */
export function lossCurvesSpec(
  runs: readonly ReportRun[],
  title = 'Loss during training (median over seeds, log scale)',
): TopLevelSpec {
  const data = withRanks(lossCurveData(runs), ['panel']);
  const series = sortNatural(data.map((d) => d.series));
  const panels = sortNatural(data.map((d) => d.panel));
  // More series than styles: each series' lines stay distinct within a panel only if they fit.
  const styles = seriesStyles(Math.min(series.length, MAX_DISTINCT_SERIES));
  const style = (k: number) => styles[k % styles.length]!;
  const encoding = {
    x: { field: 'step', type: 'quantitative', title: 'step' },
    y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (log)' },
    color: {
      field: 'series',
      type: 'nominal',
      title: 'cell',
      scale: { domain: series, range: series.map((_, k) => style(k).colour) },
      // Many cells: the legend goes below the panels in three columns (beside them it would
      // push the chart past the page's width).
      legend: series.length > 16 ? { orient: 'bottom', columns: 3 } : { columns: 1 },
    },
    strokeDash: {
      field: 'series',
      type: 'nominal',
      title: 'cell',
      scale: { domain: series, range: series.map((_, k) => [...style(k).dash]) },
    },
    tooltip: [
      { field: 'panel', type: 'nominal', title: 'panel' },
      { field: 'series', type: 'nominal', title: 'cell' },
      { field: 'step', type: 'quantitative', title: 'step' },
      { field: 'loss', type: 'quantitative', title: 'median loss', format: '.5~g' },
      { field: 'seeds', type: 'quantitative', title: 'seeds' },
    ],
  };
  const unit = { mark: { type: 'line', strokeWidth: 1.5, clip: true, point: false }, encoding };
  return (panels.length > 1
    ? {
        title,
        data: { values: data },
        facet: { field: 'panel', type: 'nominal', sort: byRank('panel'), title: null },
        // Full rows where possible: 4 per row (or 3 when that fills them).
        columns: series.length > 16 || (panels.length % 4 !== 0 && panels.length % 3 === 0) ? 3 : Math.min(4, panels.length),
        spec: { width: 210, height: 140, ...unit },
        resolve: { scale: { y: 'independent' } },
      }
    : { title, data: { values: data }, width: 420, height: 200, ...unit }) as unknown as TopLevelSpec;
}
