/**
 * Question 2 (SPEC §3.2): is the seed's construction stable under the L1 pressure, and where
 * does training started at it go? Per start (c, perturbation δ), every run's end point — the
 * fitted c of its ±eps neuron, coloured by the family it ends in — against the analytic
 * prediction (the end of the symmetric gradient flow, black bar) and the start (grey bar: no
 * drift). Columns: λ; rows: settings.
 */
import { familyColours, sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import { countsInRates } from './adapter.js';
import { byRank, cellLabel, coordinateText, varyingCoordinates, withRanks } from './cells.js';

/** One run's end point, or a start's prediction. */
export interface EndPoint {
  row: string;
  lambda: string;
  start: string;
  kind: 'run' | 'predicted' | 'start';
  /** Fitted c after training (runs: 0 when no ±eps neuron is left), predicted c, or the start's c. */
  c: number;
  /** Runs: whether a ±eps neuron is left. */
  hasEps: boolean;
  family: string;
  seed: number;
  /** Deterministic horizontal jitter in [−1, 1] (from the seed). */
  jitter: number;
  loss: number | null;
}

/** Runs that answer question 2: construction starts that finished (capped runs are not shown). */
export function stabilityRuns(runs: readonly ReportRun[]): ReportRun[] {
  return runs.filter((r) => r.start.kind === 'construction');
}

/** Golden-ratio jitter: spreads seeds 0, 1, 2, … evenly over [−1, 1]. */
const jitter = (seed: number) => 2 * ((seed * 0.6180339887498949) % 1) - 1;

/**
 * End points of the construction starts, the analytic predictions and the starts themselves.
 *
 * @example
 * endPoints(runs).filter((p) => p.kind === 'predicted');
 */
export function endPoints(runs: readonly ReportRun[]): EndPoint[] {
  const chosen = stabilityRuns(runs).filter((r) => countsInRates(r) && r.convergence !== 'diverged');
  const keys = varyingCoordinates(chosen).filter((k) => k !== 'lambda' && k !== 'start' && k !== 'm');
  const experiments = new Set(chosen.map((r) => r.experiment)).size > 1;
  const out: EndPoint[] = [];
  const marks = new Map<string, EndPoint>();
  for (const r of chosen) {
    if (r.start.kind !== 'construction') continue;
    const base = {
      row: [...(experiments ? [r.experiment] : []), cellLabel(r.cell, keys)].join(' · '),
      lambda: coordinateText('lambda', r.cell.lambda),
      start: r.cell.start,
      family: r.family ?? '—',
      seed: r.seed,
      jitter: jitter(r.seed),
      loss: r.loss,
    };
    out.push({ ...base, kind: 'run', c: r.c ?? 0, hasEps: r.c !== null });
    const key = `${base.row}|${base.lambda}|${base.start}`;
    marks.set(`${key}|start`, { ...base, kind: 'start', c: r.start.c, hasEps: true, family: 'start', jitter: 0, loss: null });
    if (r.predictedC !== null) {
      marks.set(`${key}|predicted`, {
        ...base,
        kind: 'predicted',
        c: r.predictedC,
        hasEps: true,
        family: 'predicted',
        jitter: 0,
        loss: null,
      });
    }
  }
  return [...out, ...marks.values()];
}

/**
 * The end-point chart (see the module comment).
 *
 * @example
 * await renderVegaLite(stabilitySpec(runs));
 */
export function stabilitySpec(runs: readonly ReportRun[]): TopLevelSpec {
  const data = withRanks(endPoints(runs), ['row', 'lambda', 'start']).map((d) => ({
    ...d,
    eps: d.hasEps ? 'a ±eps neuron is left' : 'no ±eps neuron left (drawn at c = 0)',
  }));
  const families = sortNatural(data.filter((d) => d.kind === 'run').map((d) => d.family));
  const colours = familyColours(families);
  const lambdas = sortNatural(data.map((d) => d.lambda));
  const hi = Math.max(1, ...data.map((d) => d.c)) * 1.08;
  // Row labels sit above the panels: the width is the page's, less the legends.
  const width = Math.max(150, Math.min(360, Math.floor((1240 - 320) / Math.max(1, lambdas.length)) - 24));
  const x = {
    field: 'start',
    type: 'ordinal',
    sort: byRank('start'),
    title: 'start: c and perturbation δ',
    axis: { labelAngle: 0 },
    scale: { type: 'band', paddingInner: 0.3, paddingOuter: 0.15 },
  };
  const y = { field: 'c', type: 'quantitative', title: 'fitted c after training', scale: { domain: [0, hi], nice: false } };
  const runTooltip = [
    { field: 'row', type: 'nominal', title: 'setting' },
    { field: 'lambda', type: 'nominal', title: 'λ' },
    { field: 'start', type: 'nominal', title: 'start' },
    { field: 'seed', type: 'quantitative', title: 'seed' },
    { field: 'c', type: 'quantitative', title: 'c after', format: '.4~g' },
    { field: 'family', type: 'nominal', title: 'ends in family' },
    { field: 'eps', type: 'nominal', title: '±eps neuron' },
    { field: 'loss', type: 'quantitative', title: 'loss', format: '.4~g' },
  ];
  const markTooltip = [
    { field: 'start', type: 'nominal', title: 'start' },
    { field: 'kind', type: 'nominal', title: 'mark' },
    { field: 'c', type: 'quantitative', title: 'c', format: '.4~g' },
  ];
  return {
    title: {
      text: 'Q2 · Stability of the construction: where training started at it ends (fitted c), against the analytic prediction',
      subtitle:
        'Black bar: analytic end point of the symmetric gradient flow (tied, linear hidden); grey bar: the start (no drift).',
    },
    data: { values: data },
    facet: {
      row: {
        field: 'row',
        type: 'nominal',
        sort: byRank('row'),
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelAlign: 'left',
          labelFontWeight: 'bold',
          labelPadding: 4,
        },
      },
      column: { field: 'lambda', type: 'nominal', sort: byRank('lambda'), title: null, header: { labelFontWeight: 'bold' } },
    },
    spacing: { row: 14, column: 12 },
    spec: {
      width,
      height: 150,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'start'" }],
          mark: { type: 'tick', color: '#aaaaaa', thickness: 2, bandSize: 26 },
          encoding: { x, y, tooltip: markTooltip },
        },
        {
          transform: [{ filter: "datum.kind === 'predicted'" }],
          mark: { type: 'tick', color: '#000000', thickness: 2, bandSize: 26 },
          encoding: { x, y, tooltip: markTooltip },
        },
        {
          transform: [{ filter: "datum.kind === 'run'" }],
          mark: { type: 'point', filled: true, size: 34, opacity: 0.85 },
          encoding: {
            x,
            xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.6, 1.6] }, legend: null },
            y,
            color: {
              field: 'family',
              type: 'nominal',
              scale: { domain: families, range: families.map((f) => colours.get(f)!) },
              title: 'ends in family',
            },
            shape: {
              field: 'eps',
              type: 'nominal',
              scale: { domain: ['a ±eps neuron is left', 'no ±eps neuron left (drawn at c = 0)'], range: ['circle', 'cross'] },
              title: null,
            },
            tooltip: runTooltip,
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', xOffset: 'independent' } },
  } as unknown as TopLevelSpec;
}
