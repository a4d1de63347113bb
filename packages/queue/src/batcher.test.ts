import { expandGrid, groupKeyOf, runIdOf } from '@polytoy/experiments';
import type { RunSpec } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';
import type { RunOutcome } from './run-line.js';
import { tinyDef } from './test-utils/fixtures.js';

const outcomeOf = (s: RunSpec): RunOutcome => ({ line: { runId: runIdOf(s) } as RunOutcome['line'] });

describe('createBatcher', () => {
  const specs = expandGrid(tinyDef);
  const keys = [...new Set(specs.map(groupKeyOf))];

  it('trains compatible runs together, at most maxBatch per call, one call at a time, oldest group first', async () => {
    const batches: string[][] = [];
    let running = 0;
    let maxRunning = 0;
    const b = createBatcher({
      maxBatch: 4,
      // No gathering: a call starts as soon as the trainer is free, with what waits by then.
      gatherMs: 0,
      trainBatch: async (s) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        batches.push(s.map(groupKeyOf));
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return s.map(outcomeOf);
      },
    });
    const results = await Promise.all(specs.map((s) => b.run(s)));
    expect(results.map((o) => o.line.runId)).toEqual(specs.map((s) => runIdOf(s)));
    expect(maxRunning).toBe(1);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(4);
      expect(new Set(batch).size).toBe(1);
    }
    expect(batches.flat()).toHaveLength(specs.length);
    // Runs of the first group go first.
    expect(batches[0]![0]).toBe(keys[0]);
  });

  it('starts a batch as soon as maxBatch compatible runs wait, without waiting for the window', async () => {
    const sizes: number[] = [];
    const b = createBatcher({
      maxBatch: 3,
      gatherMs: 3_600_000,
      trainBatch: (s) => {
        sizes.push(s.length);
        return Promise.resolve(s.map(outcomeOf));
      },
    });
    const same = specs.filter((s) => groupKeyOf(s) === keys[0]).slice(0, 3);
    await Promise.all(same.map((s) => b.run(s)));
    expect(sizes).toEqual([3]);
  });

  it('rejects every run of a batch whose training fails, and keeps going with the next batch', async () => {
    let call = 0;
    const b = createBatcher({
      maxBatch: 2,
      gatherMs: 3_600_000,
      trainBatch: (s) => (++call === 1 ? Promise.reject(new Error('backend lost')) : Promise.resolve(s.map(outcomeOf))),
    });
    const same = specs.filter((s) => groupKeyOf(s) === keys[0]).slice(0, 4);
    const settled = await Promise.allSettled(same.map((s) => b.run(s)));
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
  });
});
