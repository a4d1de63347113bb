/**
 * Prints per-cell summaries of result files as Markdown tables (the numbers in docs/FINDINGS.md):
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/summarise.ts <results.jsonl…> [--by n,m,weights,hiddenActivation] [--tolerance 0.05] [--names]
 *
 * Columns: runs, solution labels (the taxonomy), outputs per mechanism (`out:`: the mean share of
 * a converged run's outputs with it and its 95% interval over runs, `shareInterval`), mean distance to the labelled family, runs with a ±eps neuron, success rate (reconstruction per sample ≤ tolerance, exact when n ≤ 32), exact L1 of
 * the successful runs (min / mean), mean loss, mean fitted c, untied outputs reading a
 * disambiguation neuron, outputs whose mechanism is disambiguation, for construction starts the
 * start's loss and the analytic prediction, polysemantic count vs n²/(4m).
 *
 * Every label count of runs that ended (converged or diverged) is printed with its 95% Wilson
 * interval over those runs, `k (lo–hi%)`; capped runs are a column of their own and in no rate.
 * The success rate's interval is the column after it.
 */
import type { CoordinateName, ShareInterval } from '@polytoy/experiments';
import { OUTPUT_MECHANISMS } from '@polytoy/metrics';
import { COORDINATES, labelsOf, summarise, wilsonInterval } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';

const args = process.argv.slice(2);
const byIndex = args.indexOf('--by');
const by = (byIndex >= 0 ? args[byIndex + 1]!.split(',') : undefined) as CoordinateName[] | undefined;
const tolIndex = args.indexOf('--tolerance');
// --names: after each table, the runs of each cell per taxonomy name (label with its per-output
// counts, e.g. `distributed (2 opposite-sign, 14 distributed)`), so no label pools structures.
const withNames = args.includes('--names');
const tolerance = tolIndex >= 0 ? Number(args[tolIndex + 1]) : 0.05;
const files = args.filter(
  (a, k) => !a.startsWith('--') && (byIndex < 0 || k !== byIndex + 1) && (tolIndex < 0 || k !== tolIndex + 1),
);
for (const k of by ?? [])
  if (!COORDINATES.includes(k)) throw new Error(`--by: unknown coordinate ${k} (one of ${COORDINATES.join(', ')})`);

const fmt = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined || Number.isNaN(x)
    ? '—'
    : Math.abs(x) >= 1e-3 || x === 0
      ? String(Number(x.toPrecision(d)))
      : x.toExponential(d - 1);
const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`;
/** `k (lo–hi%)`: a count of ended runs with its 95% Wilson interval. */
const rate = (k: number, ended: number): string => {
  if (ended === 0) return String(k);
  const w = wilsonInterval(k, ended);
  return `${k} (${Math.round(w.lower * 100)}–${Math.round(w.upper * 100)}%)`;
};
const interval = (p: number, ended: number): string => {
  if (ended === 0 || Number.isNaN(p)) return '—';
  const w = wilsonInterval(Math.round(p * ended), ended);
  return `${Math.round(w.lower * 100)}–${Math.round(w.upper * 100)}%`;
};

/** `mean% (lo–hi%)`: the mean per-run share of outputs with a mechanism and its 95% interval over runs. */
const share = (s: ShareInterval | null): string =>
  s ? `${Math.round(s.mean * 100)}% (${Math.round(s.lower * 100)}–${Math.round(s.upper * 100)}%)` : '—';

const lines = await readResultLines(files);
const experiments = [...new Set(lines.map((l) => `${l.experiment} v${l.version}`))];
for (const exp of experiments) {
  const group = lines.filter((l) => `${l.experiment} v${l.version}` === exp);
  const keys = by ?? COORDINATES.filter((k) => new Set(group.map((l) => String(l.spec.cell[k]))).size > 1);
  const cells = summarise(group, { by: keys, successTolerance: tolerance });
  const linesOf = (c: (typeof cells)[number]) => group.filter((l) => keys.every((k) => l.spec.cell[k] === c.coordinates[k]));
  const l1Succ = (c: (typeof cells)[number]): string => {
    const xs = linesOf(c)
      .filter((l) => l.status !== 'capped' && l.exactLoss && l.exactLoss.reconstruction <= tolerance)
      .map((l) => l.exactLoss!.l1);
    return xs.length ? `${fmt(Math.min(...xs))} / ${fmt(xs.reduce((a, b) => a + b, 0) / xs.length)}` : '—';
  };
  const anyExact = group.some((l) => l.exactLoss);
  const labels = labelsOf(cells);
  const mechanisms = OUTPUT_MECHANISMS.filter((k) => cells.some((c) => c.outputs[k] > 0));
  const anyTaxonomy = cells.some((c) => c.familyDistance);
  const basis = cells.some((c) => c.expectedPolysemanticCount != null);
  const anyC = cells.some((c) => c.c);
  const anyUse = cells.some((c) => c.disambiguationUse);
  const anyMech = cells.some((c) => c.disambiguatedOutputs);
  // Construction starts: the start's exact loss and the analytic end point (same for a cell).
  const startOf = (c: (typeof cells)[number]) =>
    group.find((l) => l.analysis?.start && keys.every((k) => l.spec.cell[k] === c.coordinates[k]))?.analysis?.start ?? null;
  // Only meaningful per lambda: shown when lambda is a key or takes one value.
  const oneLambda = keys.includes('lambda') || new Set(group.map((l) => l.spec.cell.lambda)).size === 1;
  const anyStart = oneLambda && cells.some((c) => startOf(c));
  const head = [
    ...keys,
    'runs',
    ...(basis ? [] : labels),
    ...mechanisms.map((m) => `out:${m}`),
    ...(anyTaxonomy ? ['distance', '±eps runs'] : []),
    `success (≤ ${tolerance})`,
    '95% interval of success',
    ...(anyExact ? ['L1 of successes (min / mean)'] : []),
    'loss',
    ...(anyC ? ['c'] : []),
    ...(anyUse ? ['reads neuron'] : []),
    ...(anyMech ? ['disamb. outputs'] : []),
    ...(anyStart ? ['loss at start', 'predicted c', 'predicted loss'] : []),
    ...(basis ? ['polysemantic', 'sd', 'n²/4m'] : []),
  ];
  console.log(`\n### ${exp} (${group.length} runs)\n`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => ' --- ').join('|')}|`);
  for (const c of cells) {
    const ended = c.status.converged + c.status.diverged;
    const row = [
      ...keys.map((k) => String(c.coordinates[k])),
      String(c.runs),
      ...(basis ? [] : labels.map((l) => (l === 'capped' ? String(c.labels[l] ?? 0) : rate(c.labels[l] ?? 0, ended)))),
      ...mechanisms.map((m) => share(c.outputShares[m])),
      ...(anyTaxonomy ? [fmt(c.familyDistance?.mean), String(c.epsNeurons.runs)] : []),
      pct(c.successRate),
      interval(c.successRate, ended),
      ...(anyExact ? [l1Succ(c)] : []),
      fmt(c.loss?.mean),
      ...(anyC ? [c.c ? `${fmt(c.c.mean)} ± ${fmt(c.c.std, 2)} (${c.c.count})` : '—'] : []),
      ...(anyUse ? [pct(c.disambiguationUse?.mean)] : []),
      ...(anyMech ? [pct(c.disambiguatedOutputs?.mean)] : []),
      ...(anyStart ? [fmt(startOf(c)?.exactLoss.loss), fmt(startOf(c)?.predicted?.c, 4), fmt(startOf(c)?.predicted?.loss)] : []),
      ...(basis ? [fmt(c.polysemanticCount?.mean), fmt(c.polysemanticCount?.std, 2), fmt(c.expectedPolysemanticCount)] : []),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
  if (withNames) {
    console.log(`\n| ${[...keys, 'name', 'runs'].join(' | ')} |`);
    console.log(`|${[...keys, 'name', 'runs'].map(() => ' --- ').join('|')}|`);
    for (const c of cells) {
      const ended = c.status.converged + c.status.diverged;
      const names = Object.entries(c.names).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
      for (const [name, k] of names) {
        const runs = name === 'capped' ? String(k) : rate(k, ended);
        console.log(`| ${[...keys.map((key) => String(c.coordinates[key])), name, runs].join(' | ')} |`);
      }
    }
  }
}
