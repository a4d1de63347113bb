/**
 * Per-cell summaries of result lines as Markdown tables (the numbers in docs/FINDINGS.md;
 * `scripts/summarise.ts` prints them). Columns: runs, solution labels (the taxonomy), outputs
 * per mechanism (`out:`: the mean share of a converged run's outputs with it and its 95%
 * interval over runs, `shareInterval`), mean distance to the labelled family, runs with
 * a ±eps neuron, success rate (reconstruction per sample ≤ tolerance: exact for n ≤ 32, the
 * Monte-Carlo estimate above), L1 of the successful runs (min / mean), mean loss, mean fitted c,
 * untied outputs reading a disambiguation neuron, outputs whose mechanism is disambiguation,
 * for construction starts the start's loss and the analytic prediction, polysemantic count vs
 * n²/(4m).
 *
 * Every label count of runs that ended (converged or diverged) is printed with its 95% Wilson
 * interval over those runs, `k (lo–hi%)`; capped runs are a column of their own and in no rate.
 * The success rate's interval is the column after it. When any run of a table has a Monte-Carlo
 * loss, two columns follow: `loss SE` (mean standard error of the cell's Monte-Carlo
 * reconstruction estimates) and `ambiguous (±2 SE)` (ended runs whose estimate is within 2 SE
 * of the tolerance: counted by the estimate, reported here), and a note under the table says so.
 */
import { OUTPUT_MECHANISMS } from '@polytoy/metrics';
import type { ResultLine } from './result.js';
import { wilsonInterval } from './stats.js';
import type { ShareInterval } from './stats.js';
import type { CellSummary, CoordinateName } from './summary.js';
import { AMBIGUITY_SE, COORDINATES, labelsOf, lossMethodOf, summarise } from './summary.js';

/** Options of {@link summaryTables}. */
export interface SummaryTableOptions {
  /** Group by these coordinates (default: those that vary within each experiment). */
  by?: readonly CoordinateName[];
  /** Success tolerance on the reconstruction per sample (default 0.05). */
  tolerance?: number;
  /** After each table, the runs of each cell per taxonomy name. */
  names?: boolean;
}

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

/** Mean Monte-Carlo SE of a cell's converged runs; `exact` when they were enumerated; `—` without converged runs. */
const seCell = (c: CellSummary): string =>
  c.reconstructionSE ? fmt(c.reconstructionSE.mean, 2) : c.lossMethods.exact > 0 ? 'exact' : '—';

/**
 * The Markdown tables of result lines, one per experiment and version.
 *
 * @example
 * console.log(summaryTables(await readResultLines(['results.jsonl']), { tolerance: 1e-3 }));
 */
export function summaryTables(lines: readonly ResultLine[], opts: SummaryTableOptions = {}): string {
  const tolerance = opts.tolerance ?? 0.05;
  const by = opts.by;
  const out: string[] = [];
  const experiments = [...new Set(lines.map((l) => `${l.experiment} v${l.version}`))];
  for (const exp of experiments) {
    const group = lines.filter((l) => `${l.experiment} v${l.version}` === exp);
    const keys = by ?? COORDINATES.filter((k) => new Set(group.map((l) => String(l.spec.cell[k]))).size > 1);
    const cells = summarise(group, { by: keys, successTolerance: tolerance });
    const linesOf = (c: CellSummary) => group.filter((l) => keys.every((k) => l.spec.cell[k] === c.coordinates[k]));
    const l1Succ = (c: CellSummary): string => {
      const xs = linesOf(c)
        .filter((l) => l.status !== 'capped' && l.exactLoss && l.exactLoss.reconstruction <= tolerance)
        .map((l) => l.exactLoss!.l1);
      return xs.length ? `${fmt(Math.min(...xs))} / ${fmt(xs.reduce((a, b) => a + b, 0) / xs.length)}` : '—';
    };
    const anyExact = group.some((l) => l.exactLoss);
    const anyMonteCarlo = group.some((l) => lossMethodOf(l) === 'monte-carlo');
    const labels = labelsOf(cells);
    const mechanisms = OUTPUT_MECHANISMS.filter((k) => cells.some((c) => c.outputs[k] > 0));
    const anyTaxonomy = cells.some((c) => c.familyDistance);
    const basis = cells.some((c) => c.expectedPolysemanticCount != null);
    const anyC = cells.some((c) => c.c);
    const anyUse = cells.some((c) => c.disambiguationUse);
    const anyMech = cells.some((c) => c.disambiguatedOutputs);
    // Construction starts: the start's exact loss and the analytic end point (same for a cell).
    const startOf = (c: CellSummary) =>
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
      ...(anyMonteCarlo ? ['loss SE', `ambiguous (±${AMBIGUITY_SE} SE)`] : []),
      ...(anyExact ? ['L1 of successes (min / mean)'] : []),
      'loss',
      ...(anyC ? ['c'] : []),
      ...(anyUse ? ['reads neuron'] : []),
      ...(anyMech ? ['disamb. outputs'] : []),
      ...(anyStart ? ['loss at start', 'predicted c', 'predicted loss'] : []),
      ...(basis ? ['polysemantic', 'sd', 'n²/4m'] : []),
    ];
    out.push(`\n### ${exp} (${group.length} runs)\n`);
    out.push(`| ${head.join(' | ')} |`);
    out.push(`|${head.map(() => ' --- ').join('|')}|`);
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
        ...(anyMonteCarlo ? [seCell(c), String(c.ambiguous)] : []),
        ...(anyExact ? [l1Succ(c)] : []),
        fmt(c.loss?.mean),
        ...(anyC ? [c.c ? `${fmt(c.c.mean)} ± ${fmt(c.c.std, 2)} (${c.c.count})` : '—'] : []),
        ...(anyUse ? [pct(c.disambiguationUse?.mean)] : []),
        ...(anyMech ? [pct(c.disambiguatedOutputs?.mean)] : []),
        ...(anyStart
          ? [fmt(startOf(c)?.exactLoss.loss), fmt(startOf(c)?.predicted?.c, 4), fmt(startOf(c)?.predicted?.loss)]
          : []),
        ...(basis ? [fmt(c.polysemanticCount?.mean), fmt(c.polysemanticCount?.std, 2), fmt(c.expectedPolysemanticCount)] : []),
      ];
      out.push(`| ${row.join(' | ')} |`);
    }
    if (anyMonteCarlo) {
      const samples = [
        ...new Set(group.filter((l) => lossMethodOf(l) === 'monte-carlo').map((l) => l.exactLoss?.samples ?? Number.NaN)),
      ].filter(Number.isFinite);
      out.push(
        `\nLoss and success of n > 32 runs: Monte-Carlo estimates of the population loss (seeded${samples.length ? `; ${samples.join(', ')} samples` : ''}), not exact values; \`loss SE\` is the mean standard error of a cell's reconstruction estimates (\`exact\`: enumerated). Runs within ${AMBIGUITY_SE} SE of the tolerance count by their estimate and are the \`ambiguous\` column.`,
      );
    }
    if (opts.names) {
      out.push(`\n| ${[...keys, 'name', 'runs'].join(' | ')} |`);
      out.push(`|${[...keys, 'name', 'runs'].map(() => ' --- ').join('|')}|`);
      for (const c of cells) {
        const ended = c.status.converged + c.status.diverged;
        const names = Object.entries(c.names).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
        for (const [name, k] of names) {
          const runs = name === 'capped' ? String(k) : rate(k, ended);
          out.push(`| ${[...keys.map((key) => String(c.coordinates[key])), name, runs].join(' | ')} |`);
        }
      }
    }
  }
  return out.join('\n');
}
