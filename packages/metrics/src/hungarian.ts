/**
 * The Hungarian algorithm (Kuhn–Munkres with potentials, O(rows² · cols)): a minimum-cost
 * assignment of every row to a distinct column. Metrics use it to match a trained model's
 * neurons to a construction's canonical rows, and half A's features to half B's.
 */
import { ConfigError } from '@polytoy/core';

/** An optimal assignment: `rowToCol[r]` is the column given to row r. */
export interface Assignment {
  rowToCol: Int32Array;
  /** Sum of the chosen costs. */
  cost: number;
}

/**
 * Solves the rectangular assignment problem exactly (rows <= cols; transpose otherwise).
 *
 * @param cost - [rows, cols] row-major finite costs (minimised; negate to maximise).
 * @param rows - number of rows.
 * @param cols - number of columns, >= rows.
 * @returns the assignment of each row to a distinct column with the least total cost.
 * @throws ConfigError if rows > cols, the length does not match or a cost is not finite.
 * @example
 * hungarian(Float64Array.of(4, 1, 2, 3), 2, 2); // { rowToCol: [1, 0], cost: 3 }
 */
export function hungarian(cost: ArrayLike<number>, rows: number, cols: number): Assignment {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new ConfigError('rows', 'an integer >= 0', rows);
  if (!Number.isSafeInteger(cols) || cols < rows) throw new ConfigError('cols', `an integer >= rows (${rows})`, cols);
  if (cost.length !== rows * cols) throw new ConfigError('cost', `an array of length ${rows * cols}`, `length ${cost.length}`);
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k])) throw new ConfigError(`cost[${k}]`, 'a finite number', cost[k]);
  }
  // 1-based arrays; column 0 is a virtual column holding the row being inserted.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const colOwner = new Int32Array(cols + 1); // row (1-based) assigned to column j, 0 = none
  const way = new Int32Array(cols + 1);
  const minv = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    colOwner[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = colOwner[j0]!;
      let delta = Infinity;
      let j1 = 0;
      const base = (i0 - 1) * cols - 1;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const cur = cost[base + j]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[colOwner[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minv[j]! -= delta;
        }
      }
      j0 = j1;
    } while (colOwner[j0] !== 0);
    do {
      const j1 = way[j0]!;
      colOwner[j0] = colOwner[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(rows);
  for (let j = 1; j <= cols; j++) if (colOwner[j]! > 0) rowToCol[colOwner[j]! - 1] = j - 1;
  let total = 0;
  for (let r = 0; r < rows; r++) total += cost[r * cols + rowToCol[r]!]!;
  return { rowToCol, cost: total };
}

/**
 * Maximum-weight perfect matching of a square matrix (convenience over {@link hungarian}).
 *
 * @example
 * maxAssignment(Float64Array.of(1, 5, 2, 3), 2).rowToCol; // [1, 0]
 */
export function maxAssignment(score: ArrayLike<number>, size: number): Assignment {
  const neg = new Float64Array(size * size);
  for (let k = 0; k < neg.length; k++) neg[k] = -score[k]!;
  const a = hungarian(neg, size, size);
  return { rowToCol: a.rowToCol, cost: -a.cost };
}
