/**
 * Prints per-cell summaries of result files as Markdown tables (the numbers in docs/FINDINGS.md):
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/summarise.ts <results.jsonl…> [--by n,m,weights,hiddenActivation] [--tolerance 0.05] [--names]
 *
 * The tables and their columns are `summaryTables` (src/summary-table.ts): labels with 95%
 * Wilson intervals, success rate (reconstruction ≤ tolerance: exact for n ≤ 32, the Monte-Carlo
 * estimate above, then with `loss SE` and `ambiguous (±2 SE)` columns), losses, c, counts.
 * `--names`: after each table, the runs of each cell per taxonomy name (label with its
 * per-output counts), so no label pools structures. `--where n=16,optimizer=adam`: only the runs
 * whose cell has every given coordinate (values compared as text), for a table of one slice.
 */
import { parseArgs } from 'node:util';
import type { CoordinateName } from '@polytoy/experiments';
import { COORDINATES, summaryTables } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';

const { values, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    by: { type: 'string' },
    where: { type: 'string' },
    tolerance: { type: 'string', default: '0.05' },
    names: { type: 'boolean', default: false },
  },
});
const coordinate = (k: string, flag: string): CoordinateName => {
  if (!COORDINATES.includes(k as CoordinateName))
    throw new Error(`--${flag}: unknown coordinate ${k} (one of ${COORDINATES.join(', ')})`);
  return k as CoordinateName;
};
const by = values.by?.split(',').map((k) => coordinate(k, 'by'));
const where = (values.where?.split(',') ?? []).map((kv) => {
  const [k, v] = kv.split('=');
  if (!k || v === undefined) throw new Error(`--where: expected coordinate=value pairs, received ${kv}`);
  return [coordinate(k, 'where'), v] as const;
});
const tolerance = Number(values.tolerance);

const lines = (await readResultLines(files)).filter((l) => where.every(([k, v]) => String(l.spec.cell[k]) === v));
console.log(summaryTables(lines, { ...(by ? { by } : {}), tolerance, names: values.names }));
