/**
 * Question 4 (SPEC §3.4): with untied weights, does each output individually choose to use the
 * disambiguation mechanism? Per cell, how many of a run's n outputs are disambiguated (basis-free
 * reading of D E, b), as a histogram over runs: all runs at n means every output uses it, all at
 * 0 none does, and anything between means outputs choose individually. The per-output shift
 * from the neuron-aligned ±eps neurons is the detail chart.
 */
import { USE_THRESHOLD } from '@polytoy/experiments';
import { sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import { countsInRates } from './adapter.js';
import { byRank, cellLabel, coordinateText, groupBy, varyingCoordinates, withRanks } from './cells.js';

/** Runs that answer question 4: untied (unit-norm decoder or a weight penalty), half-split data, with per-output mechanisms. */
export function untiedRuns(runs: readonly ReportRun[]): ReportRun[] {
  return runs.filter((r) => r.cell.weights !== 'tied' && r.data === 'half-split' && r.outputs !== null && countsInRates(r));
}

/** Runs of a cell with `k` of `n` outputs disambiguated. */
export interface OutputChoice {
  /** `n=8`, … (one row of panels per n). */
  panel: string;
  /** The cell within the panel (its other varying coordinates, the experiment first when several contribute). */
  row: string;
  lambda: string;
  k: number;
  n: number;
  runs: number;
  of: number;
  share: number;
  /** Outputs pooled over the cell's runs, by mechanism. */
  disambiguated: number;
  inhibited: number;
  dead: number;
}

/**
 * Per cell and k: how many runs have exactly k of their n outputs disambiguated.
 *
 * @example
 * outputChoices(runs).filter((b) => b.k === b.n); // cells where some run disambiguates every output
 */
export function outputChoices(runs: readonly ReportRun[]): OutputChoice[] {
  const chosen = untiedRuns(runs);
  const keys = varyingCoordinates(chosen).filter((k) => k !== 'lambda' && k !== 'weights' && k !== 'n');
  const experiments = new Set(chosen.map((r) => r.experiment)).size > 1;
  const rowOf = (r: ReportRun) => [...(experiments ? [r.experiment] : []), cellLabel(r.cell, keys)].join(' · ');
  const out: OutputChoice[] = [];
  for (const [, cell] of groupBy(chosen, (r) => `${r.cell.n}\u0000${rowOf(r)}\u0000${r.cell.lambda}`)) {
    const first = cell[0]!;
    const n = first.cell.n;
    const sum = (key: 'disambiguated' | 'inhibited' | 'dead') => cell.reduce((a, r) => a + r.outputs![key], 0);
    const totals = { disambiguated: sum('disambiguated'), inhibited: sum('inhibited'), dead: sum('dead') };
    for (let k = 0; k <= n; k++) {
      const count = cell.filter((r) => r.outputs!.disambiguated === k).length;
      out.push({
        panel: coordinateText('n', n),
        row: rowOf(first),
        lambda: coordinateText('lambda', first.cell.lambda),
        k,
        n,
        runs: count,
        of: cell.length,
        share: count / cell.length,
        ...totals,
      });
    }
  }
  return out;
}

/**
 * The question-4 chart: per cell (row) a strip over k = 0 … n outputs disambiguated, shaded by
 * the share of the cell's runs with that k and labelled with the count; columns λ, one block per n.
 *
 * @example
 * await renderVegaLite(outputChoiceSpec(runs));
 */
export function outputChoiceSpec(runs: readonly ReportRun[]): TopLevelSpec {
  const data = withRanks(outputChoices(runs), ['row', 'lambda']).map((d) => ({
    ...d,
    label: d.runs > 0 ? String(d.runs) : '',
    pooled: `${d.disambiguated} disambiguated, ${d.inhibited} inhibited, ${d.dead} dead (all outputs of ${d.of} runs)`,
  }));
  const panels = sortNatural(data.map((d) => d.panel));
  const x = { field: 'k', type: 'ordinal', title: 'disambiguated outputs', axis: { labelAngle: 0 } };
  const y = { field: 'row', type: 'nominal', title: null };
  const tooltip = [
    { field: 'row', type: 'nominal', title: 'cell' },
    { field: 'panel', type: 'nominal', title: 'n' },
    { field: 'lambda', type: 'nominal', title: 'λ' },
    { field: 'k', type: 'quantitative', title: 'outputs disambiguated' },
    { field: 'runs', type: 'quantitative', title: 'runs' },
    { field: 'of', type: 'quantitative', title: 'runs in the cell' },
    { field: 'pooled', type: 'nominal', title: 'pooled' },
  ];
  const block = (panel: string) => {
    const values = data.filter((d) => d.panel === panel);
    return {
      title: { text: panel, fontSize: 12 },
      data: { values },
      facet: {
        column: { field: 'lambda', type: 'nominal', sort: byRank('lambda'), title: null, header: { labelFontWeight: 'bold' } },
      },
      spacing: 16,
      spec: {
        width: { step: 17 },
        height: { step: 17 },
        layer: [
          {
            // Counts of 0 stay empty (white), so that the runs' distribution stands out.
            transform: [{ filter: 'datum.runs > 0' }],
            mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 0.5 },
            encoding: {
              x,
              y: { ...y, sort: byRank('row') },
              color: {
                field: 'share',
                type: 'quantitative',
                scale: { domain: [0, 1], range: ['#d9f0d3', '#00441b'] },
                title: 'share of runs',
                legend: { format: '.0%' },
              },
              tooltip,
            },
          },
          {
            mark: { type: 'text', fontSize: 9 },
            encoding: {
              x,
              y: { ...y, sort: byRank('row') },
              text: { field: 'label' },
              color: { condition: { test: 'datum.share > 0.5', value: '#ffffff' }, value: '#222222' },
              tooltip,
            },
          },
        ],
      },
    };
  };
  return {
    title: {
      text: 'Q4 · Untied weights: how many of a run’s n outputs use disambiguation (basis-free); runs per count',
      subtitle: 'All runs at n: every output uses it; all at 0: none does; spread in between: outputs choose individually.',
    },
    vconcat: panels.map(block),
    spacing: 18,
  } as unknown as TopLevelSpec;
}

/**
 * Histogram of the per-output shift from the neuron-aligned ±eps neurons (untied runs), one
 * panel per start × hidden activation, wrapped to the page; the "reads it" threshold is marked.
 *
 * @example
 * await renderVegaLite(shiftHistogramSpec(runs));
 */
export function shiftHistogramSpec(runs: readonly ReportRun[]): TopLevelSpec {
  const data = runs
    .filter((r) => r.readsEps && countsInRates(r) && r.convergence !== 'diverged')
    .flatMap((r) =>
      r.readsEps!.shift.map((s) => ({
        panel: `${r.cell.start} · hidden ${r.cell.hidden}`,
        shift: Math.max(-1, Math.min(1.5, s)),
        exact: s,
      })),
    );
  return {
    title: {
      text: 'Per-output shift from the ±eps neurons (all outputs of all untied runs)',
      subtitle: `Red: the ${USE_THRESHOLD} threshold above which an output counts as reading them; values clipped to [−1, 1.5].`,
    },
    data: { values: withRanks(data, ['panel']) },
    facet: { field: 'panel', type: 'nominal', sort: byRank('panel'), title: null },
    columns: 4,
    spec: {
      width: 240,
      height: 110,
      layer: [
        {
          mark: { type: 'bar', color: '#4e79a7' },
          encoding: {
            x: { field: 'shift', type: 'quantitative', bin: { extent: [-1, 1.5], step: 0.05 }, title: 'shift' },
            y: { aggregate: 'count', type: 'quantitative', title: 'outputs' },
            tooltip: [
              { field: 'shift', type: 'quantitative', bin: { extent: [-1, 1.5], step: 0.05 }, title: 'shift' },
              { aggregate: 'count', type: 'quantitative', title: 'outputs' },
            ],
          },
        },
        {
          mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
          encoding: { x: { datum: USE_THRESHOLD, type: 'quantitative' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}
