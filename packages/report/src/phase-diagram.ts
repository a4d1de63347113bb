/**
 * Question 1 (SPEC §3.1): what training from random init finds, as a phase diagram — for every
 * cell, the rate of each solution family with its 95% Wilson interval, against m (x) and λ
 * (columns), one row of panels per setting (n, weights, hidden activation, optimizer, lr, …).
 * Nothing is pooled over λ or the optimizer. Capped (unconverged) runs are not counted; the
 * panels say how many there were.
 */
import { wilsonInterval } from '@polytoy/experiments';
import { familyColours, sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import { countsInRates } from './adapter.js';
import type { Coordinate } from './cells.js';
import { byRank, cellLabel, coordinateText, groupBy, varyingCoordinates, withRanks } from './cells.js';

/** One family's rate in one cell. */
export interface FamilyRate {
  row: string;
  lambda: string;
  m: number;
  family: string;
  /** Runs of the family. */
  count: number;
  /** Runs counted (finished: converged, diverged or unrecorded); 0 (and NaN rates) when all were capped. */
  runs: number;
  rate: number;
  lower: number;
  upper: number;
  /** Capped runs of the cell (not counted). */
  capped: number;
}

/** Runs that answer question 1: random starts on the seed's half-split data, with a family. */
export function phaseRuns(runs: readonly ReportRun[]): ReportRun[] {
  return runs.filter((r) => r.start.kind === 'random' && r.data === 'half-split' && r.family !== null);
}

/** The coordinates that name a row of panels (everything that varies, except m and λ). */
function rowKeys(runs: readonly ReportRun[]): Coordinate[] {
  return varyingCoordinates(runs).filter((k) => k !== 'm' && k !== 'lambda' && k !== 'start');
}

/** The row label of a run (its experiment first when several experiments contribute). */
function rowOf(runs: readonly ReportRun[]): (r: ReportRun) => string {
  const keys = rowKeys(runs);
  const experiments = new Set(runs.map((r) => r.experiment)).size > 1;
  return (r) => [...(experiments ? [r.experiment] : []), cellLabel(r.cell, keys)].join(' · ');
}

/**
 * Per cell (row × λ × m) and family: count, counted runs, rate and its 95% Wilson interval.
 * Every family seen anywhere gets a rate in every cell (0 with its upper bound when never found).
 *
 * @example
 * familyRates(runs).filter((r) => r.family === 'disambiguation');
 */
export function familyRates(runs: readonly ReportRun[]): FamilyRate[] {
  const chosen = phaseRuns(runs);
  const row = rowOf(chosen);
  const families = sortNatural(chosen.filter(countsInRates).map((r) => r.family!));
  const out: FamilyRate[] = [];
  for (const [, cell] of groupBy(chosen, (r) => `${row(r)}\u0000${r.cell.lambda}\u0000${r.cell.m}`)) {
    const first = cell[0]!;
    const counted = cell.filter(countsInRates);
    const capped = cell.length - counted.length;
    if (counted.length === 0) {
      // Every run capped: no rate, but the cell keeps its place on the m axis and its
      // "k capped" note (it must not vanish from the figure). NaN rates draw no point.
      if (families[0] !== undefined)
        out.push({
          row: row(first),
          lambda: coordinateText('lambda', first.cell.lambda),
          m: first.cell.m,
          family: families[0],
          count: 0,
          runs: 0,
          rate: Number.NaN,
          lower: Number.NaN,
          upper: Number.NaN,
          capped,
        });
      continue;
    }
    for (const family of families) {
      const count = counted.filter((r) => r.family === family).length;
      const w = wilsonInterval(count, counted.length);
      out.push({
        row: row(first),
        lambda: coordinateText('lambda', first.cell.lambda),
        m: first.cell.m,
        family,
        count,
        runs: counted.length,
        rate: w.estimate,
        lower: w.lower,
        upper: w.upper,
        capped,
      });
    }
  }
  return out;
}

/**
 * The phase-diagram chart: points (rate) with 95% Wilson intervals per family, x = m, columns =
 * λ, rows = settings; colours fixed per family.
 *
 * @example
 * await renderVegaLite(phaseDiagramSpec(runs));
 */
export function phaseDiagramSpec(runs: readonly ReportRun[]): TopLevelSpec {
  const data = familyRates(runs);
  const families = sortNatural(data.map((d) => d.family));
  const colours = familyColours(families);
  const lambdas = sortNatural(data.map((d) => d.lambda));
  const rows = sortNatural(data.map((d) => d.row));
  const ms = [...new Set(data.map((d) => d.m))].sort((a, b) => a - b);
  // Row labels sit above the panels: the width is the page's, less the legend.
  const width = Math.max(150, Math.min(380, Math.floor((1240 - 260) / Math.max(1, lambdas.length)) - 24));
  const cappedMarks = data.filter((d) => d.capped > 0 && d.family === families[0]);
  const x = {
    field: 'm',
    type: 'ordinal',
    title: 'm (hidden neurons)',
    sort: ms,
    axis: { labelAngle: 0 },
    scale: { type: 'band', paddingInner: 0.3, paddingOuter: 0.15 },
  };
  const tooltip = [
    { field: 'family', type: 'nominal', title: 'family' },
    { field: 'row', type: 'nominal', title: 'setting' },
    { field: 'lambda', type: 'nominal', title: 'λ' },
    { field: 'm', type: 'ordinal', title: 'm' },
    { field: 'found', type: 'nominal', title: 'runs' },
    { field: 'interval', type: 'nominal', title: 'rate (95% interval)' },
    { field: 'cappedText', type: 'nominal', title: 'capped (not counted)' },
  ];
  const values = withRanks(data, ['row', 'lambda', 'family']).map((d) => ({
    ...d,
    found: `${d.count} of ${d.runs}`,
    interval: `${pct(d.rate)} (${pct(d.lower)}–${pct(d.upper)})`,
    cappedText: String(d.capped),
    // One label per cell (on its first family's row), so that the note is drawn once.
    cappedNote: d.capped > 0 && d.family === families[0] ? `${d.capped} capped` : '',
  }));
  return {
    title: {
      text: 'Q1 · What training finds from random init: rate of each family per cell, with 95% intervals',
      subtitle: `Columns: λ; rows: ${rows.length > 1 ? 'settings' : rows[0]}; capped (unconverged) runs are not counted.`,
    },
    data: { values },
    // One block per setting (its label as the block's title, above its panels), each a facet
    // over λ: a row × column facet with top-oriented row labels misplaces the labels in Vega-Lite.
    vconcat: rows.map((rowLabel) => ({
      title: { text: rowLabel, anchor: 'start', fontSize: 12, fontWeight: 'bold' },
      transform: [{ filter: { field: 'row', equal: rowLabel } }],
      facet: {
        column: { field: 'lambda', type: 'nominal', sort: byRank('lambda'), title: null, header: { labelFontWeight: 'bold' } },
      },
      spacing: { column: 12 },
      spec: {
        width,
        height: 120,
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, opacity: 0.8 },
            encoding: {
              x,
              xOffset: { field: 'family', type: 'nominal', sort: byRank('family') },
              y: {
                field: 'lower',
                type: 'quantitative',
                scale: { domain: [0, 1] },
                title: 'rate',
                axis: { format: '.0%', tickCount: 3 },
              },
              y2: { field: 'upper' },
              color: {
                field: 'family',
                type: 'nominal',
                scale: { domain: families, range: families.map((f) => colours.get(f)!) },
                title: 'family',
              },
              tooltip,
            },
          },
          {
            mark: { type: 'point', filled: true, size: 42, opacity: 1 },
            encoding: {
              x,
              xOffset: { field: 'family', type: 'nominal', sort: byRank('family') },
              y: { field: 'rate', type: 'quantitative' },
              color: { field: 'family', type: 'nominal' },
              tooltip,
            },
          },
          ...(cappedMarks.length
            ? [
                {
                  transform: [{ filter: "datum.cappedNote !== ''" }],
                  mark: { type: 'text', baseline: 'top', dy: 2, fontSize: 9, color: '#555555', y: 0 },
                  encoding: { x, text: { field: 'cappedNote' }, tooltip },
                },
              ]
            : []),
        ],
      },
      resolve: { scale: { x: 'independent', xOffset: 'independent' } },
    })),
    spacing: 18,
  } as unknown as TopLevelSpec;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
