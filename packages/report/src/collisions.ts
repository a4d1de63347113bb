/**
 * Lecomte et al.'s count: polysemantic neurons against m on log axes, per instance and mean,
 * with the paper's prediction n²/(4m) as a line.
 */
import { expectedPolysemanticCount as expectedCount } from '@polytoy/analytic';
import { sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';

/** Runs with basis data (the paper's setting) and a count. */
export function collisionRuns(runs: readonly ReportRun[]): ReportRun[] {
  return runs.filter((r) => r.data === 'basis' && r.convergence !== 'diverged' && r.polysemanticCount !== null);
}

/**
 * Per-instance counts, per-(n, m) means and the prediction curve.
 *
 * @example
 * collisionData(runs).means; // [{ n: 'n=64', m: 64, mean: 13.2, … }]
 */
export function collisionData(runs: readonly ReportRun[]): {
  runs: { n: string; m: number; count: number }[];
  means: { n: string; m: number; mean: number; std: number; instances: number; expected: number }[];
  curve: { n: string; m: number; expected: number }[];
  zeros: number;
} {
  const points = collisionRuns(runs).map((r) => ({ n: `n=${r.cell.n}`, nv: r.cell.n, m: r.cell.m, count: r.polysemanticCount! }));
  const groups = new Map<string, typeof points>();
  for (const p of points) {
    const key = `${p.nv}|${p.m}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const means = [...groups.values()].map((g) => {
    const xs = g.map((r) => r.count);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return { n: g[0]!.n, m: g[0]!.m, mean, std, instances: xs.length, expected: expectedCount(g[0]!.nv, g[0]!.m) };
  });
  const curve: { n: string; m: number; expected: number }[] = [];
  for (const nv of [...new Set(points.map((r) => r.nv))]) {
    const ms = points.filter((r) => r.nv === nv).map((r) => r.m);
    const lo = Math.min(...ms) / 1.25;
    const hi = Math.max(...ms) * 1.25;
    for (let k = 0; k <= 40; k++) {
      const m = lo * (hi / lo) ** (k / 40);
      curve.push({ n: `n=${nv}`, m, expected: expectedCount(nv, m) });
    }
  }
  return {
    runs: points.filter((r) => r.count > 0).map(({ n, m, count }) => ({ n, m, count })),
    means,
    curve,
    zeros: points.filter((r) => r.count === 0).length,
  };
}

/**
 * Log-log plot: count per instance (small points), mean per (n, m) (large points), and the line
 * n²/(4m), coloured by n. Counts of 0 cannot be drawn on a log axis (the caption says how many).
 *
 * @example
 * await renderVegaLite(collisionsSpec(runs));
 */
export function collisionsSpec(
  runs: readonly ReportRun[],
  title = 'Polysemantic neurons vs m (log-log); dashed: n²/(4m)',
): TopLevelSpec {
  const d = collisionData(runs);
  const means = d.means.filter((r) => r.mean > 0);
  const ms = d.curve.map((r) => r.m);
  const ys = [...d.curve.map((r) => r.expected), ...d.runs.map((r) => r.count), ...means.map((r) => r.mean)];
  const ns = sortNatural(d.curve.map((r) => r.n));
  const x = {
    field: 'm',
    type: 'quantitative',
    title: 'm (hidden neurons, log)',
    scale: { type: 'log', domain: [Math.min(...ms), Math.max(...ms)], nice: false },
  };
  const yScale = { type: 'log', domain: [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5], nice: false };
  const yTitle = 'polysemantic neurons (log)';
  const color = { field: 'n', type: 'nominal', title: 'n', scale: { domain: ns } };
  return {
    title,
    width: 440,
    height: 300,
    layer: [
      {
        data: { values: d.curve },
        mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 1.5 },
        encoding: { x, y: { field: 'expected', type: 'quantitative', scale: yScale, title: yTitle }, color },
      },
      {
        data: { values: d.runs },
        mark: { type: 'point', opacity: 0.4, size: 18 },
        encoding: {
          x,
          y: { field: 'count', type: 'quantitative', scale: yScale, title: yTitle },
          color,
          tooltip: [
            { field: 'n', type: 'nominal' },
            { field: 'm', type: 'quantitative' },
            { field: 'count', type: 'quantitative', title: 'polysemantic neurons' },
          ],
        },
      },
      {
        data: { values: means },
        mark: { type: 'point', filled: true, size: 80, stroke: 'black', strokeWidth: 0.6 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', scale: yScale, title: yTitle },
          color,
          tooltip: [
            { field: 'n', type: 'nominal' },
            { field: 'm', type: 'quantitative' },
            { field: 'mean', type: 'quantitative', format: '.3~g', title: 'mean' },
            { field: 'std', type: 'quantitative', format: '.3~g', title: 'std' },
            { field: 'expected', type: 'quantitative', format: '.3~g', title: 'n²/(4m)' },
            { field: 'instances', type: 'quantitative', title: 'instances' },
          ],
        },
      },
    ],
  } as unknown as TopLevelSpec;
}
