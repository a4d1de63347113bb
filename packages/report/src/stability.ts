/**
 * Stability of the construction: where the fitted c ends against where it started, with the
 * analytic prediction (end of the symmetric gradient flow, `symmetricOptimum`) and the line
 * "no drift".
 */
import type { ResultLine } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';

/** One point: a run's start c and fitted final c (null when no disambiguation neuron survived). */
export interface DriftPoint {
  panel: string;
  startC: number;
  finalC: number | null;
  lambda: string;
  perturbation: string;
  kind: 'run' | 'predicted';
  label: string;
}

/** Drift data of the construction-start runs (others are ignored). */
export function driftData(lines: readonly ResultLine[]): DriftPoint[] {
  const out: DriftPoint[] = [];
  const predicted = new Map<string, DriftPoint>();
  for (const l of lines) {
    const start = l.spec.start;
    if (start.kind !== 'construction' || l.status !== 'ok') continue;
    const cell = l.spec.cell;
    const panel = `n=${cell.n} ${cell.weights} hidden=${cell.hiddenActivation}`;
    const lambda = `λ=${cell.lambda}`;
    out.push({
      panel,
      startC: start.c,
      finalC: l.analysis?.c ?? null,
      lambda,
      perturbation: `perturbation ${start.perturbation}`,
      kind: 'run',
      label: l.classification ?? 'unclassified',
    });
    const p = l.analysis?.start?.predicted;
    if (p) {
      predicted.set(`${panel}|${start.c}|${lambda}`, {
        panel,
        startC: start.c,
        finalC: p.c,
        lambda,
        perturbation: 'analytic',
        kind: 'predicted',
        label: 'predicted',
      });
    }
  }
  return [...out, ...predicted.values()];
}

/**
 * Scatter of final c against start c per panel (n × architecture): runs as points (colour =
 * lambda, shape = perturbation), analytic predictions as black ticks, and the diagonal.
 * Runs that lost their disambiguation neuron are drawn at c = 0.
 */
export function driftSpec(
  lines: readonly ResultLine[],
  title = 'Drift of c: fitted c after training vs c at the start',
): TopLevelSpec {
  const data = driftData(lines).map((d) => ({ ...d, finalC: d.finalC ?? 0 }));
  const cs = data.map((d) => d.startC).concat(data.map((d) => d.finalC));
  const hi = Math.max(1, ...cs) * 1.08;
  const panels = new Set(data.map((d) => d.panel)).size;
  const x = { field: 'startC', type: 'quantitative', title: 'c at start', scale: { domain: [0, hi], nice: false } };
  const y = { field: 'finalC', type: 'quantitative', title: 'fitted c after training', scale: { domain: [0, hi], nice: false } };
  const inner = {
    width: 220,
    height: 200,
    layer: [
      {
        data: { values: [{ a: 0, b: hi }] },
        mark: { type: 'rule', color: '#aaa', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'a', type: 'quantitative' },
          y: { field: 'a', type: 'quantitative' },
          x2: { field: 'b' },
          y2: { field: 'b' },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'run'" }],
        mark: { type: 'point', filled: true, opacity: 0.75, size: 40 },
        encoding: {
          x: { ...x, bandPosition: 0.5 },
          y,
          xOffset: { field: 'lambda', type: 'nominal' },
          color: { field: 'lambda', type: 'nominal', title: 'lambda' },
          shape: { field: 'perturbation', type: 'nominal', title: 'start' },
          tooltip: [{ field: 'startC' }, { field: 'finalC' }, { field: 'lambda' }, { field: 'perturbation' }, { field: 'label' }],
        },
      },
      {
        transform: [{ filter: "datum.kind === 'predicted'" }],
        mark: { type: 'tick', color: 'black', thickness: 2, size: 14 },
        encoding: { x, y, tooltip: [{ field: 'startC' }, { field: 'finalC' }, { field: 'lambda' }] },
      },
    ],
  };
  // Layers with their own data cannot be faceted by field; draw one panel per chart row instead.
  const panelNames = [...new Set(data.map((d) => d.panel))];
  const units = panelNames.map((p) => ({
    title: p,
    ...inner,
    layer: inner.layer.map((layer, k) => (k === 0 ? layer : { ...layer, data: { values: data.filter((d) => d.panel === p) } })),
  }));
  const spec = panels > 1 ? { title, hconcat: units } : { title, ...units[0] };
  return spec as TopLevelSpec;
}
