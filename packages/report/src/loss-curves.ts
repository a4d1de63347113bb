/**
 * Loss curves: the median over seeds of each cell's logged loss against the step, on a log
 * axis, one panel per (architecture × n), one line per remaining cell.
 */
import type { ResultLine } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';
import { cellLabel, modelPanel, varyingCoordinates } from './cells.js';

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** A row of the loss-curve data: one cell's median at one step. */
export interface CurvePoint {
  panel: string;
  n: string;
  series: string;
  step: number;
  loss: number;
}

/**
 * Median loss per cell and step (runs of a cell log the same steps; steps missing in some
 * runs use the runs that have them). Diverged runs and non-positive values are left out.
 */
export function lossCurveData(lines: readonly ResultLine[]): CurvePoint[] {
  const vary = varyingCoordinates(lines);
  const seriesKeys = vary.filter((k) => k !== 'n' && k !== 'weights' && k !== 'hiddenActivation');
  const byCell = new Map<string, ResultLine[]>();
  for (const l of lines) {
    if (l.status !== 'ok' || l.history.step.length === 0) continue;
    const list = byCell.get(l.spec.cellKey);
    if (list) list.push(l);
    else byCell.set(l.spec.cellKey, [l]);
  }
  const out: CurvePoint[] = [];
  for (const runs of byCell.values()) {
    const cell = runs[0]!.spec.cell;
    const values = new Map<number, number[]>();
    for (const r of runs) {
      r.history.step.forEach((s, k) => {
        const v = r.history.loss[k]!;
        const list = values.get(s);
        if (list) list.push(v);
        else values.set(s, [v]);
      });
    }
    for (const [step, vs] of [...values.entries()].sort((a, b) => a[0] - b[0])) {
      const loss = median(vs);
      if (!(loss > 0)) continue;
      out.push({ panel: modelPanel(cell), n: `n=${cell.n}`, series: cellLabel(cell, seriesKeys), step, loss });
    }
  }
  return out;
}

/**
 * The loss-curve chart of a set of results (one experiment).
 *
 * @example
 * await renderVegaLite(lossCurvesSpec(lines));
 */
export function lossCurvesSpec(lines: readonly ResultLine[], title = 'Loss during training (median over seeds)'): TopLevelSpec {
  const data = lossCurveData(lines);
  const panels = new Set(data.map((d) => d.panel)).size;
  const ns = new Set(data.map((d) => d.n)).size;
  const series = new Set(data.map((d) => d.series)).size;
  const encoding: Record<string, unknown> = {
    x: { field: 'step', type: 'quantitative', title: 'step' },
    y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (log)' },
    color: {
      field: 'series',
      type: 'nominal',
      title: 'cell',
      legend: series > 40 ? null : { columns: series > 14 ? 2 : 1, symbolLimit: 60 },
    },
    detail: { field: 'series' },
  };
  if (panels > 1) encoding.column = { field: 'panel', type: 'nominal', title: null };
  if (ns > 1) encoding.row = { field: 'n', type: 'nominal', title: null };
  return {
    title,
    data: { values: data },
    mark: { type: 'line', strokeWidth: 1.3, clip: true },
    width: 200,
    height: 130,
    encoding,
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}
