/**
 * Grid coordinates of report runs: which vary within a set of runs, and short labels built from
 * only those (a label never repeats what every run shares).
 */
import { compareNatural } from '@polytoy/viz';
import type { ReportCell, ReportRun } from './adapter.js';

/** A coordinate of a cell. */
export type Coordinate = keyof ReportCell;

/** Every coordinate, in grid order. */
export const COORDINATES: readonly Coordinate[] = ['n', 'm', 'hidden', 'weights', 'optimizer', 'start', 'lambda', 'lr'];

/** Coordinates taking more than one value among the runs, in grid order. */
export function varyingCoordinates(runs: readonly ReportRun[]): Coordinate[] {
  return COORDINATES.filter((k) => new Set(runs.map((r) => String(r.cell[k]))).size > 1);
}

const PREFIX: Record<Coordinate, string> = {
  n: 'n=',
  m: 'm=',
  hidden: 'hidden ',
  weights: '',
  optimizer: '',
  start: '',
  lambda: 'λ=',
  lr: 'lr=',
};

/**
 * `n=8`, `m=5`, `hidden relu`, `untied`, `adam`, `c=0.5 δ=0`, `λ=0.001`, `lr=0.01`.
 *
 * @example
 * coordinateText('lambda', 0.001); // 'λ=0.001'
 */
export function coordinateText(k: Coordinate, v: string | number): string {
  return `${PREFIX[k]}${String(v)}`;
}

/**
 * A label from the given coordinates of a cell, e.g. `n=8 m=5 untied λ=0.01`; `all runs` when
 * no coordinate is given.
 */
export function cellLabel(cell: ReportCell, keys: readonly Coordinate[]): string {
  return keys.length ? keys.map((k) => coordinateText(k, cell[k])).join(' ') : 'all runs';
}

/** Groups runs by a key, keys in natural order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return new Map([...groups.entries()].sort((a, b) => compareNatural(a[0], b[0])));
}

/**
 * Adds `<field>Rank` (natural order of the field's distinct values) to every row, so that charts
 * sort by a number. Vega-Lite compiles a sort *array* into an expression with the values inside;
 * values from a results file must never reach an expression.
 *
 * @example
 * withRanks([{ m: 'm=10' }, { m: 'm=4' }], ['m']); // [{ m: 'm=10', mRank: 1 }, { m: 'm=4', mRank: 0 }]
 */
export function withRanks<T extends object>(
  rows: readonly T[],
  fields: readonly (keyof T & string)[],
): (T & Record<string, unknown>)[] {
  const ranks = fields.map((f) => {
    const order = [...new Set(rows.map((r) => String(r[f])))].sort(compareNatural);
    return new Map(order.map((v, i) => [v, i]));
  });
  return rows.map((r) => {
    const out = { ...r } as Record<string, unknown>;
    fields.forEach((f, k) => {
      out[`${f}Rank`] = ranks[k]!.get(String(r[f]));
    });
    return out as T & Record<string, unknown>;
  });
}

/**
 * The Vega-Lite sort of a field by its rank (see {@link withRanks}).
 *
 * @example
 * const y = { field: 'row', type: 'nominal', sort: byRank('row') };
 */
export function byRank(field: string): { field: string; op: 'min' } {
  return { field: `${field}Rank`, op: 'min' };
}
