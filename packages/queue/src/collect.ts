/**
 * `polytoy sweep collect`: the stored result lines of one sweep, in the order a local run
 * writes them, ready for `writeResultLines` and `polytoy report`.
 */
import { PolytoyError } from '@polytoy/core';
import { parseResultLine } from '@polytoy/experiments';
import type { ResultLine } from '@polytoy/experiments';
import type { SweepConnectionOptions } from './connection.js';
import { asQueueError, openQueue } from './open.js';
import type { SweepMeta } from './plan.js';
import type { SweepFilter } from './status.js';
import { listSweeps, planOf } from './status.js';

/** What {@link collectSweep} found. */
export interface CollectResult {
  sweep: SweepMeta;
  /** Stored lines, one per run id, in plan order. */
  lines: ResultLine[];
  /** Planned run ids without a stored result (not run yet, running, or failed before training). */
  missing: string[];
}

/**
 * Reads one sweep's results. The filter must match exactly one sweep of the queue.
 *
 * @throws PolytoyError when no sweep or several sweeps match (listing them), or a stored line is
 *   malformed.
 * @example
 * const { lines, missing } = await collectSweep({ redis: url }, { experiment: 'collisions' });
 * if (missing.length === 0) await writeResultLines('collisions-small.jsonl', lines);
 */
export async function collectSweep(opts: SweepConnectionOptions, filter: SweepFilter = {}): Promise<CollectResult> {
  const q = await openQueue(opts);
  try {
    const sweeps = await listSweeps(q, filter);
    if (sweeps.length !== 1) {
      const known = (await listSweeps(q)).map((s) => s.key);
      const what =
        Object.entries(filter)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ') || 'any sweep';
      throw new PolytoyError(
        sweeps.length === 0
          ? `no sweep matches ${what} in this queue (sweeps: ${known.join(', ') || 'none'})`
          : `${sweeps.length} sweeps match ${what}: ${sweeps.map((s) => s.key).join(', ')}; name the experiment, --size or --version`,
      );
    }
    const sweep = sweeps[0]!;
    const plan = await planOf(q, sweep);
    const lines: ResultLine[] = [];
    const missing: string[] = [];
    for (let i = 0; i < plan.length; i += 500) {
      const ids = plan.slice(i, i + 500);
      const values = await q.client.hmget(q.keys.results, ...ids);
      values.forEach((text, k) => {
        const id = ids[k]!;
        if (text === null) missing.push(id);
        else lines.push(parseResultLine(text, `stored result ${id}`));
      });
    }
    return { sweep, lines, missing };
  } catch (e) {
    throw asQueueError(e, opts.redis);
  } finally {
    await q.close();
  }
}
