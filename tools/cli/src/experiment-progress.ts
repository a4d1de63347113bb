/**
 * The run counts an experiment's progress bar shows. The bar's percentage is of this session's
 * work (runs already in the results file are not trained again), so the counts are too: runs
 * trained now out of runs to train now, and the resumed runs once, beside them.
 */

/** The counts of an experiment's progress (a subset of `ExperimentProgress`). */
export interface RunCounts {
  runsDone: number;
  runsTotal: number;
  runsSkipped: number;
}

/**
 * `runs 12/256 · 512 resumed`: done never exceeds total, resumed runs are not added to either.
 *
 * @example
 * runsLabel({ runsDone: 12, runsTotal: 256, runsSkipped: 512 }); // 'runs 12/256 · 512 resumed'
 */
export function runsLabel(p: RunCounts): string {
  const done = Math.min(Math.max(0, p.runsDone), p.runsTotal);
  return `runs ${done}/${p.runsTotal}${p.runsSkipped > 0 ? ` · ${p.runsSkipped} resumed` : ''}`;
}
