/**
 * Lecomte et al.'s count: polysemantic neurons against m on log axes, per instance and mean,
 * with the paper's prediction n²/(4m) as a line.
 */
import type { ResultLine } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';
import { expectedPolysemanticCount as expectedCount } from '@polytoy/analytic';

/** Runs with basis data (the paper's setting). */
export function collisionRuns(lines: readonly ResultLine[]): ResultLine[] {
  return lines.filter((l) => l.status === 'ok' && l.spec.config.data.kind === 'basis' && l.analysis);
}

/** Per-instance counts, per-(n, m) means and the prediction curve. */
export function collisionData(lines: readonly ResultLine[]): {
  runs: { n: string; m: number; count: number }[];
  means: { n: string; m: number; mean: number; std: number; instances: number; expected: number }[];
  curve: { n: string; m: number; expected: number }[];
  zeros: number;
} {
  const runs = collisionRuns(lines).map((l) => ({
    n: `n=${l.spec.cell.n}`,
    nv: l.spec.cell.n,
    m: l.spec.cell.m,
    count: l.analysis!.polysemanticCount,
  }));
  const groups = new Map<string, typeof runs>();
  for (const r of runs) {
    const key = `${r.nv}|${r.m}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const means = [...groups.values()].map((g) => {
    const xs = g.map((r) => r.count);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return { n: g[0]!.n, m: g[0]!.m, mean, std, instances: xs.length, expected: expectedCount(g[0]!.nv, g[0]!.m) };
  });
  const curve: { n: string; m: number; expected: number }[] = [];
  for (const nv of [...new Set(runs.map((r) => r.nv))]) {
    const ms = runs.filter((r) => r.nv === nv).map((r) => r.m);
    const lo = Math.min(...ms) / 1.25;
    const hi = Math.max(...ms) * 1.25;
    for (let k = 0; k <= 40; k++) {
      const m = lo * (hi / lo) ** (k / 40);
      curve.push({ n: `n=${nv}`, m, expected: expectedCount(nv, m) });
    }
  }
  return {
    runs: runs.filter((r) => r.count > 0).map(({ n, m, count }) => ({ n, m, count })),
    means,
    curve,
    zeros: runs.filter((r) => r.count === 0).length,
  };
}

/**
 * Log-log plot: count per instance (small points), mean per (n, m) (large points), and the
 * line n²/(4m), coloured by n. Counts of 0 cannot be drawn on a log axis and are reported in
 * the caption instead.
 */
export function collisionsSpec(
  lines: readonly ResultLine[],
  title = 'Polysemantic neurons vs m (log-log), line: n²/(4m)',
): TopLevelSpec {
  const d = collisionData(lines);
  const means = d.means.filter((r) => r.mean > 0);
  const ms = d.curve.map((r) => r.m);
  const ys = [...d.curve.map((r) => r.expected), ...d.runs.map((r) => r.count), ...means.map((r) => r.mean)];
  const x = {
    field: 'm',
    type: 'quantitative',
    title: 'm (hidden neurons, log)',
    scale: { type: 'log', domain: [Math.min(...ms), Math.max(...ms)], nice: false },
  };
  const yScale = { type: 'log', domain: [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5], nice: false };
  const yTitle = 'polysemantic neurons (log)';
  const color = { field: 'n', type: 'nominal', title: 'n' };
  return {
    title,
    width: 420,
    height: 300,
    layer: [
      {
        data: { values: d.curve },
        mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 1.5 },
        encoding: { x, y: { field: 'expected', type: 'quantitative', scale: yScale, title: yTitle }, color },
      },
      {
        data: { values: d.runs },
        mark: { type: 'point', opacity: 0.35, size: 18 },
        encoding: { x, y: { field: 'count', type: 'quantitative', scale: yScale, title: yTitle }, color },
      },
      {
        data: { values: means },
        mark: { type: 'point', filled: true, size: 80, stroke: 'black', strokeWidth: 0.6 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', scale: yScale, title: yTitle },
          color,
          tooltip: [
            { field: 'n' },
            { field: 'm' },
            { field: 'mean', format: '.2f' },
            { field: 'std', format: '.2f' },
            { field: 'expected', format: '.2f' },
            { field: 'instances' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
