/**
 * What `polytoy export --format npz` puts in the archive, as {@link NpzMember}s:
 *
 * - a run record (`run.json` of `polytoy train --out`): per-instance arrays stacked on a leading
 *   instance axis — `W` [I, m, n] (untied: `E` [I, m, n], `D` [I, n, m]), `b` [I, n] (`<f4`, the
 *   trained float32 values), `seed`, `lambda`, `lr`, `final_loss`, `final_reconstruction`,
 *   `final_l1` [I], the history columns `history_step` [I, T] (`<i4`) and `history_loss`,
 *   `history_reconstruction`, `history_l1` [I, T] (`<f8`; NaN-padded when lengths differ), and
 *   `config.json`;
 * - a results file (JSON lines of an experiment): a table of per-run scalars `table/<column>`
 *   (one `[R]` array per column, NaN or -1 where a run has no value), `runs.json` (per row: run
 *   id, experiment, version, size, cell coordinates, seed, status, labels), and per run with
 *   stored weights `weights/<runId>/W` [m, n] (or `E`, `D`) and `b`, and per run its history
 *   `history/<runId>/step|loss|reconstruction|l1`.
 */
import type { RunRecord, SerializedParams } from '@polytoy/core';
import type { ResultLine } from '@polytoy/experiments';
import type { NpyArray, NpzMember } from './npz.js';

const f8 = (shape: number[], data: ArrayLike<number>): NpyArray => ({ dtype: '<f8', shape, data });
const f4 = (shape: number[], data: ArrayLike<number>): NpyArray => ({ dtype: '<f4', shape, data });
const i4 = (shape: number[], data: ArrayLike<number>): NpyArray => ({ dtype: '<i4', shape, data });
const json = (name: string, value: unknown): NpzMember => ({ name, bytes: new TextEncoder().encode(JSON.stringify(value)) });
const orNaN = (v: number | null | undefined): number => (typeof v === 'number' ? v : Number.NaN);

function weightArrays(p: SerializedParams): [string, number[], number[]][] {
  return p.kind === 'tied'
    ? [
        ['W', [p.m, p.n], p.W],
        ['b', [p.n], p.b],
      ]
    : [
        ['E', [p.m, p.n], p.E],
        ['D', [p.n, p.m], p.D],
        ['b', [p.n], p.b],
      ];
}

/**
 * The arrays of a run record.
 *
 * @example
 * writeFileSync('run.npz', npzBytes(runRecordMembers(JSON.parse(readFileSync('run.json', 'utf8')))));
 */
export function runRecordMembers(record: RunRecord): NpzMember[] {
  const inst = record.instances;
  const I = inst.length;
  const members: NpzMember[] = [];
  const first = inst[0]!.params;
  for (const [k, [name, shape]] of weightArrays(first).entries()) {
    const data = new Float32Array(I * shape.reduce((a, b) => a * b, 1));
    inst.forEach((r, i) => data.set(weightArrays(r.params)[k]![2], i * (data.length / I)));
    members.push({ name, array: f4([I, ...shape], data) });
  }
  members.push(
    {
      name: 'seed',
      array: i4(
        [I],
        inst.map((r) => r.seed),
      ),
    },
    {
      name: 'lambda',
      array: f8(
        [I],
        inst.map((r) => r.lambda),
      ),
    },
    {
      name: 'lr',
      array: f8(
        [I],
        inst.map((r) => r.lr),
      ),
    },
    {
      name: 'final_loss',
      array: f8(
        [I],
        inst.map((r) => r.finalLoss.loss),
      ),
    },
    {
      name: 'final_reconstruction',
      array: f8(
        [I],
        inst.map((r) => r.finalLoss.reconstruction),
      ),
    },
    {
      name: 'final_l1',
      array: f8(
        [I],
        inst.map((r) => r.finalLoss.l1),
      ),
    },
  );
  const T = Math.max(...inst.map((r) => r.history.length));
  const column = (pick: (h: RunRecord['instances'][number]['history'][number]) => number, pad: number) => {
    const out = new Array<number>(I * T).fill(pad);
    inst.forEach((r, i) => r.history.forEach((h, t) => (out[i * T + t] = pick(h))));
    return out;
  };
  members.push(
    {
      name: 'history_step',
      array: i4(
        [I, T],
        column((h) => h.step, -1),
      ),
    },
    {
      name: 'history_loss',
      array: f8(
        [I, T],
        column((h) => h.loss, Number.NaN),
      ),
    },
    {
      name: 'history_reconstruction',
      array: f8(
        [I, T],
        column((h) => h.reconstruction, Number.NaN),
      ),
    },
    {
      name: 'history_l1',
      array: f8(
        [I, T],
        column((h) => h.l1, Number.NaN),
      ),
    },
    json('config.json', record.config),
  );
  return members;
}

/** The per-run scalar columns of a results export, in the order they are written. */
export const RESULT_COLUMNS = [
  'n',
  'm',
  'seed',
  'lambda',
  'lr',
  'steps',
  'diverged',
  'converged',
  'step',
  'final_loss',
  'reconstruction',
  'l1',
  'exact_loss',
  'exact_reconstruction',
  'exact_l1',
  'exact_monte_carlo',
  'exact_se_reconstruction',
  'c',
  'bias_mean',
  'polysemantic_count',
  'wall_seconds',
  'has_params',
] as const;

const INT_COLUMNS = new Set(['n', 'm', 'seed', 'steps', 'converged', 'diverged', 'step', 'has_params', 'exact_monte_carlo']);

function scalars(l: ResultLine): Record<(typeof RESULT_COLUMNS)[number], number> {
  return {
    n: l.spec.cell.n,
    m: l.spec.cell.m,
    seed: l.spec.seed,
    lambda: l.spec.cell.lambda,
    lr: l.spec.cell.lr,
    steps: l.spec.config.steps,
    converged: l.status === 'converged' ? 1 : 0,
    diverged: l.status === 'diverged' ? 1 : 0,
    step: l.step,
    final_loss: orNaN(l.finalLoss),
    reconstruction: orNaN(l.reconstruction),
    l1: orNaN(l.l1),
    exact_loss: orNaN(l.exactLoss?.loss),
    exact_reconstruction: orNaN(l.exactLoss?.reconstruction),
    exact_l1: orNaN(l.exactLoss?.l1),
    // 1 when the exact_* columns hold a Monte-Carlo estimate (n > 32), 0 when exact, -1 without a population loss.
    exact_monte_carlo: l.exactLoss ? (l.exactLoss.method === 'monte-carlo' ? 1 : 0) : -1,
    exact_se_reconstruction: l.exactLoss ? (l.exactLoss.standardError?.reconstruction ?? 0) : Number.NaN,
    c: orNaN(l.analysis?.c),
    bias_mean: orNaN(l.analysis?.biasMean),
    polysemantic_count: orNaN(l.analysis?.polysemanticCount),
    wall_seconds: l.wallSeconds,
    has_params: l.params ? 1 : 0,
  };
}

/**
 * The arrays of a results file (rows in file order).
 *
 * @example
 * writeFileSync('results.npz', npzBytes(resultMembers(await readResultLines(['results.jsonl']))));
 */
export function resultMembers(lines: readonly ResultLine[]): NpzMember[] {
  const R = lines.length;
  const rows = lines.map(scalars);
  const members: NpzMember[] = RESULT_COLUMNS.map((c) => ({
    name: `table/${c}`,
    array: (INT_COLUMNS.has(c) ? i4 : f8)(
      [R],
      rows.map((r) => r[c]),
    ),
  }));
  members.push(
    json(
      'runs.json',
      lines.map((l, row) => ({
        row,
        runId: l.runId,
        experiment: l.experiment,
        version: l.version,
        size: l.spec.size,
        cellKey: l.spec.cellKey,
        ...l.spec.cell,
        seed: l.spec.seed,
        status: l.status,
        classification: l.classification,
        family: l.analysis?.taxonomy?.name ?? null,
        familyDistance: l.analysis?.taxonomy?.distance ?? null,
      })),
    ),
  );
  for (const l of lines) {
    if (l.params) {
      for (const [name, shape, data] of weightArrays(l.params))
        members.push({ name: `weights/${l.runId}/${name}`, array: f4(shape, data) });
    }
    const h = l.history;
    const T = h.step.length;
    members.push(
      { name: `history/${l.runId}/step`, array: i4([T], h.step) },
      { name: `history/${l.runId}/loss`, array: f8([T], h.loss) },
      { name: `history/${l.runId}/reconstruction`, array: f8([T], h.reconstruction) },
      { name: `history/${l.runId}/l1`, array: f8([T], h.l1) },
    );
  }
  return members;
}
