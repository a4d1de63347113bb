/**
 * Prints per-cell summaries of result files as Markdown tables (the numbers in docs/FINDINGS.md):
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/summarise.ts <results.jsonl…> [--by n,m,weights,hiddenActivation]
 *
 * Columns: runs, solution labels (metrics classifier), mechanisms (rotation-invariant, linear
 * hidden only), success rate (reconstruction ≤ 0.05), mean exact loss, mean fitted c, untied
 * outputs using the disambiguation neuron, polysemantic count vs n²/(4m).
 */
import type { CoordinateName } from '@polytoy/experiments';
import { COORDINATES, labelsOf, summarise } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';

const args = process.argv.slice(2);
const byIndex = args.indexOf('--by');
const by = (byIndex >= 0 ? args[byIndex + 1]!.split(',') : undefined) as CoordinateName[] | undefined;
const files = args.filter((a, k) => !a.startsWith('--') && (byIndex < 0 || k !== byIndex + 1));
for (const k of by ?? []) if (!COORDINATES.includes(k)) throw new Error(`--by: unknown coordinate ${k} (one of ${COORDINATES.join(', ')})`);

const fmt = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : Math.abs(x) >= 1e-3 || x === 0 ? String(Number(x.toPrecision(d))) : x.toExponential(d - 1);
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

const lines = await readResultLines(files);
const experiments = [...new Set(lines.map((l) => `${l.experiment} v${l.version}`))];
for (const exp of experiments) {
  const group = lines.filter((l) => `${l.experiment} v${l.version}` === exp);
  const keys = by ?? COORDINATES.filter((k) => new Set(group.map((l) => String(l.spec.cell[k]))).size > 1);
  const cells = summarise(group, { by: keys });
  const labels = labelsOf(cells);
  const mechanisms = [...new Set(cells.flatMap((c) => Object.keys(c.mechanisms)))].sort();
  const basis = cells.some((c) => c.expectedPolysemanticCount != null);
  const anyC = cells.some((c) => c.c);
  const anyUse = cells.some((c) => c.disambiguationUse);
  const anyMech = cells.some((c) => c.disambiguatedOutputs);
  const head = [
    ...keys, 'runs',
    ...(basis ? [] : labels),
    ...mechanisms.map((m) => `M:${m}`),
    'success', 'loss', ...(anyC ? ['c'] : []), ...(anyUse ? ['reads neuron'] : []), ...(anyMech ? ['disamb. outputs'] : []),
    ...(basis ? ['polysemantic', 'sd', 'n²/4m'] : []),
  ];
  console.log(`\n### ${exp} (${group.length} runs)\n`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => ' --- ').join('|')}|`);
  for (const c of cells) {
    const row = [
      ...keys.map((k) => String(c.coordinates[k])), String(c.runs),
      ...(basis ? [] : labels.map((l) => String(c.labels[l] ?? 0))),
      ...mechanisms.map((m) => String(c.mechanisms[m] ?? 0)),
      pct(c.successRate), fmt(c.loss?.mean), ...(anyC ? [c.c ? `${fmt(c.c.mean)} ± ${fmt(c.c.std, 2)} (${c.c.count})` : '—'] : []),
      ...(anyUse ? [pct(c.disambiguationUse?.mean)] : []),
      ...(anyMech ? [pct(c.disambiguatedOutputs?.mean)] : []),
      ...(basis ? [fmt(c.polysemanticCount?.mean), fmt(c.polysemanticCount?.std, 2), fmt(c.expectedPolysemanticCount)] : []),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
}
