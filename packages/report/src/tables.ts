/**
 * The report's tables (in collapsed blocks after the pictures): per cell, the families found with
 * 95% Wilson intervals, capped and diverged runs apart, losses and the fitted c; the construction
 * starts against the analysis; the paper's count against n²/(4m).
 */
import { AMBIGUITY_SE, wilsonInterval, withinAmbiguity } from '@polytoy/experiments';
import { sortNatural } from '@polytoy/viz';
import type { ReportRun } from './adapter.js';
import { countsInRates } from './adapter.js';
import type { Coordinate } from './cells.js';
import { cellLabel, groupBy, varyingCoordinates } from './cells.js';
import { escapeHtml, formatNumber, formatPercent, htmlTable } from './html.js';
import type { TableCell } from './html.js';

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const sd = (xs: number[]): number | null => {
  const m = mean(xs);
  return m === null ? null : Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};
const interval = (k: number, n: number) => {
  const w = wilsonInterval(k, n);
  return `${formatPercent(w.estimate)} (${formatPercent(w.lower)}–${formatPercent(w.upper)})`;
};

/**
 * Per cell: runs, capped / diverged, each family with count and 95% interval, the share reaching
 * the reconstruction tolerance, mean loss and reconstruction, and the fitted c.
 *
 * @param tolerance - reconstruction per sample counted as reaching zero loss.
 */
export function cellTable(runs: readonly ReportRun[], tolerance: number): string {
  const keys: Coordinate[] = varyingCoordinates(runs);
  const shown = keys.length ? keys : (['n', 'm'] as Coordinate[]);
  const rows: TableCell[][] = [];
  const monteCarlo = runs.some((r) => r.lossMethod === 'monte-carlo');
  for (const [, cell] of groupBy(runs, (r) => cellLabel(r.cell, shown))) {
    const counted = cell.filter(countsInRates);
    const capped = cell.length - counted.length;
    const diverged = cell.filter((r) => r.convergence === 'diverged').length;
    const families = sortNatural(counted.map((r) => r.family ?? '—'));
    const found = counted.length
      ? families
          .map((f) => {
            const k = counted.filter((r) => (r.family ?? '—') === f).length;
            return `${escapeHtml(f)}: ${k} of ${counted.length}, ${escapeHtml(interval(k, counted.length))}`;
          })
          .join('<br>')
      : '—';
    // The one column allowed to wrap: with many coordinates the table must still fit the page.
    const foundCell = `<div class="wrap">${found}</div>`;
    const finished = counted.filter((r) => r.convergence !== 'diverged');
    const reached = counted.filter((r) => r.reconstruction !== null && r.reconstruction <= tolerance).length;
    const cs = finished.map((r) => r.c).filter((c): c is number => c !== null);
    const ses = finished.map((r) => r.lossSE?.reconstruction).filter((x): x is number => x != null && Number.isFinite(x));
    const ambiguous = counted.filter(
      (r) => r.lossSE && r.reconstruction !== null && withinAmbiguity(r.reconstruction, tolerance, r.lossSE.reconstruction),
    ).length;
    rows.push([
      ...shown.map((k) => String(cell[0]!.cell[k])),
      cell.length,
      capped,
      diverged,
      { html: foundCell },
      counted.length ? interval(reached, counted.length) : '—',
      ...(monteCarlo
        ? [
            ses.length
              ? `${formatNumber(mean(ses))} (${ambiguous} within ${AMBIGUITY_SE} SE)`
              : finished.some((r) => r.exact)
                ? 'exact'
                : '—',
          ]
        : []),
      formatNumber(mean(finished.map((r) => r.loss).filter((x): x is number => x !== null))),
      formatNumber(mean(finished.map((r) => r.reconstruction).filter((x): x is number => x !== null))),
      cs.length ? `${formatNumber(mean(cs))} ± ${formatNumber(sd(cs))} (${cs.length} run${cs.length === 1 ? '' : 's'})` : '—',
    ]);
  }
  const exact = runs.some((r) => r.exact);
  const lossHeader = monteCarlo
    ? exact
      ? 'loss (exact for n ≤ 32, Monte Carlo above; mean)'
      : 'loss (Monte Carlo, mean)'
    : exact
      ? 'loss (exact, mean)'
      : 'loss (final batch, mean)';
  return htmlTable(
    [
      ...shown.map((k) => (k === 'lambda' ? 'λ' : k)),
      'runs',
      'capped (not counted)',
      'diverged',
      'families found (runs, rate with 95% interval)',
      `reconstruction ≤ ${tolerance} (95% interval)`,
      ...(monteCarlo
        ? ['Monte-Carlo SE of the reconstruction (mean; runs within 2 SE of the tolerance, counted by the estimate)']
        : []),
      lossHeader,
      'reconstruction (mean)',
      'c of the ±eps neuron (mean ± sd)',
    ],
    rows,
  );
}

/** The construction starts per cell: exact loss and verdict at the start, c after vs the prediction. */
export function stabilityTable(runs: readonly ReportRun[]): string {
  const starts = runs.filter((r) => r.start.kind === 'construction');
  if (starts.length === 0) return '';
  const keys = varyingCoordinates(starts);
  const rows: TableCell[][] = [];
  for (const [, cell] of groupBy(starts, (r) => cellLabel(r.cell, keys))) {
    const counted = cell.filter((r) => countsInRates(r) && r.convergence !== 'diverged');
    const first = cell[0]!;
    const cs = counted.map((r) => r.c).filter((c): c is number => c !== null);
    const lost = counted.filter((r) => r.c === null).length;
    rows.push([
      ...keys.map((k) => String(first.cell[k])),
      cell.length,
      formatNumber(first.startAnalysis?.loss),
      first.startAnalysis?.verdict ?? '—',
      cs.length ? `${formatNumber(mean(cs))} ± ${formatNumber(sd(cs))}` : '—',
      counted.length ? `${lost} of ${counted.length}` : '—',
      formatNumber(first.predictedC),
    ]);
  }
  return htmlTable(
    [
      ...keys.map((k) => (k === 'lambda' ? 'λ' : k)),
      'runs',
      'loss at the start (exact)',
      'local verdict at the start',
      'c after (mean ± sd)',
      'no ±eps neuron left',
      'c predicted (symmetric flow)',
    ],
    rows,
  );
}

/** The paper's count per (n, m) against n²/(4m). */
export function collisionsTable(runs: readonly ReportRun[]): string {
  const basis = runs.filter((r) => r.data === 'basis' && r.polysemanticCount !== null && r.convergence !== 'diverged');
  if (basis.length === 0) return '';
  const rows: TableCell[][] = [];
  for (const [, cell] of groupBy(basis, (r) => cellLabel(r.cell, ['n', 'm']))) {
    const xs = cell.map((r) => r.polysemanticCount!);
    rows.push([
      cell[0]!.cell.n,
      cell[0]!.cell.m,
      cell.length,
      `${formatNumber(mean(xs))} ± ${formatNumber(sd(xs))}`,
      formatNumber(cell[0]!.expectedPolysemanticCount),
    ]);
  }
  return htmlTable(['n', 'm', 'instances', 'polysemantic neurons (mean ± sd)', 'n²/(4m)'], rows);
}
