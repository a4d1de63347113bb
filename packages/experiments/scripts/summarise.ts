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
import type { CoordinateName } from '@polytoy/experiments';
import { COORDINATES, summaryTables } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';

const args = process.argv.slice(2);
const byIndex = args.indexOf('--by');
const by = (byIndex >= 0 ? args[byIndex + 1]!.split(',') : undefined) as CoordinateName[] | undefined;
const tolIndex = args.indexOf('--tolerance');
const names = args.includes('--names');
const whereIndex = args.indexOf('--where');
const where = (whereIndex >= 0 ? args[whereIndex + 1]!.split(',') : []).map((kv) => {
  const [k, v] = kv.split('=');
  if (!k || v === undefined || !COORDINATES.includes(k as CoordinateName))
    throw new Error(`--where: expected coordinate=value pairs (coordinates: ${COORDINATES.join(', ')}), received ${kv}`);
  return [k as CoordinateName, v] as const;
});
const tolerance = tolIndex >= 0 ? Number(args[tolIndex + 1]) : 0.05;
const files = args.filter(
  (a, k) =>
    !a.startsWith('--') &&
    (byIndex < 0 || k !== byIndex + 1) &&
    (tolIndex < 0 || k !== tolIndex + 1) &&
    (whereIndex < 0 || k !== whereIndex + 1),
);
for (const k of by ?? [])
  if (!COORDINATES.includes(k)) throw new Error(`--by: unknown coordinate ${k} (one of ${COORDINATES.join(', ')})`);

const lines = (await readResultLines(files)).filter((l) => where.every(([k, v]) => String(l.spec.cell[k]) === v));
console.log(summaryTables(lines, { ...(by ? { by } : {}), tolerance, names }));
