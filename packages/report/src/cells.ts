/**
 * Which grid coordinates vary within a set of results, and short labels for cells and panels
 * built from only those (a label never repeats what every run shares).
 */
import type { CellCoordinates, CoordinateName, ResultLine } from '@polytoy/experiments';
import { COORDINATES } from '@polytoy/experiments';

/** Coordinates taking more than one value among the lines, in grid order. */
export function varyingCoordinates(lines: readonly ResultLine[]): CoordinateName[] {
  return COORDINATES.filter((k) => new Set(lines.map((l) => String(l.spec.cell[k]))).size > 1);
}

const SHORT: Record<CoordinateName, string> = {
  n: 'n',
  m: 'm',
  hiddenActivation: 'hidden',
  weights: '',
  optimizer: '',
  start: '',
  lambda: 'λ',
  lr: 'lr',
};

/** `name=value` (or the bare value for weights, optimizer, start), e.g. `λ=0.001`, `untied`. */
export function coordinateText(k: CoordinateName, v: unknown): string {
  const value = typeof v === 'number' ? String(v) : String(v);
  return SHORT[k] ? `${SHORT[k]}=${value}` : value;
}

/** A label from the given coordinates of a cell, e.g. `n=8 m=5 untied λ=0.01`. */
export function cellLabel(cell: Partial<CellCoordinates>, keys: readonly CoordinateName[]): string {
  const parts = keys.filter((k) => cell[k] !== undefined).map((k) => coordinateText(k, cell[k]));
  return parts.length ? parts.join(' ') : 'all runs';
}

/** The architecture panel of a cell: `tied / hidden=none`. */
export function modelPanel(cell: Pick<CellCoordinates, 'weights' | 'hiddenActivation'>): string {
  return `${cell.weights} / hidden=${cell.hiddenActivation}`;
}
