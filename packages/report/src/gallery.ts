/**
 * A gallery of representative runs per family: for each family (and architecture) the run
 * nearest to its family (smallest distance when the analysis gives one, else the lowest loss),
 * drawn as the schematic — W (or E and Dᵀ) with b, and WᵀW (D E) beside it.
 */
import { compareNatural, SIGN_CONVENTION } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import { cellLabel, varyingCoordinates } from './cells.js';
import { weightHeatmapSpec } from './heatmap.js';
import { formatNumber } from './html.js';

/** One gallery entry. */
export interface GalleryItem {
  run: ReportRun;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const score = (r: ReportRun): number => r.familyDistance ?? r.loss ?? Number.POSITIVE_INFINITY;

/**
 * Representative runs: per (family, weights, hidden activation, start kind) the best-scoring
 * run with parameters, ordered by family, then n; at most `max`.
 *
 * @example
 * representativeRuns(runs, 8).map((r) => r.family);
 */
export function representativeRuns(runs: readonly ReportRun[], max: number): ReportRun[] {
  const best = new Map<string, ReportRun>();
  for (const r of runs) {
    if (!r.params || r.convergence === 'diverged' || r.family === null) continue;
    const key = [r.family, r.cell.weights, r.cell.hidden, r.start.kind].join('\u0000');
    const cur = best.get(key);
    if (!cur || score(r) < score(cur)) best.set(key, r);
  }
  return [...best.values()]
    .sort(
      (a, b) =>
        compareNatural(a.family!, b.family!) ||
        a.cell.n - b.cell.n ||
        compareNatural(cellLabel(a.cell, ['weights', 'hidden', 'start']), cellLabel(b.cell, ['weights', 'hidden', 'start'])),
    )
    .slice(0, Math.max(0, max));
}

/**
 * The gallery of one experiment's runs.
 *
 * @example
 * gallery(runs, 8).map((g) => g.title);
 */
export function gallery(runs: readonly ReportRun[], max: number): GalleryItem[] {
  const vary = varyingCoordinates(runs);
  const keys = vary.length ? vary : (['n', 'm'] as const);
  return representativeRuns(runs, max).map((r) => {
    const title = `${r.family} · ${cellLabel(r.cell, keys)} · seed ${r.seed}`;
    const loss =
      r.lossMethod === 'monte-carlo'
        ? `Monte-Carlo loss ${formatNumber(r.loss)} ± ${formatNumber(r.lossSE?.loss)} (reconstruction ${formatNumber(r.reconstruction)} ± ${formatNumber(r.lossSE?.reconstruction)})`
        : `${r.exact ? 'exact loss' : 'final loss'} ${formatNumber(r.loss)} (reconstruction ${formatNumber(r.reconstruction)})`;
    const eps = r.epsNeurons.length
      ? `±eps neuron${r.epsNeurons.length > 1 ? 's' : ''} ${r.epsNeurons.join(', ')} (◆)${r.c !== null ? `, c = ${formatNumber(r.c)}` : ''}`
      : 'no neuron-aligned ±eps neuron';
    const distance = r.familyDistance !== null ? `; distance to the family ${formatNumber(r.familyDistance)}` : '';
    return {
      run: r,
      title,
      caption: `${loss}; ${eps}${distance}; bias mean ${formatNumber(r.biasMean)}. Colours: ${SIGN_CONVENTION}; × beyond the colour range (clipped); rules split the halves A | B.`,
      spec: weightHeatmapSpec(r.params!, r.epsNeurons, { title }),
    };
  });
}
