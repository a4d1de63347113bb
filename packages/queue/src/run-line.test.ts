import type { TrainConfig } from '@polytoy/core';
import { groupRuns, expandGrid, memoryStore, runExperiment, runIdOf } from '@polytoy/experiments';
import type { ExperimentSize, ResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { resultDifference } from './merge.js';
import { trainRuns } from './run-line.js';
import { fakeTrain, stubAnalyse, tinyDef } from './test-utils/fixtures.js';

/** A line without where/when it was trained (wall time, call size, runtime, timestamp). */
const resultOf = (l: ResultLine) => ({ ...l, createdAt: '', wallSeconds: 0, groupSize: 0, runtime: null });

async function localLines(size: ExperimentSize): Promise<Map<string, ResultLine>> {
  const store = memoryStore();
  await runExperiment(tinyDef, { size, store });
  return new Map(store.lines.map((l) => [l.runId, l]));
}

describe('trainRuns (real training)', () => {
  it.each(['small', 'full'] as const)(
    "gives the local runner's lines for every run of the %s grid, trained alone or in other batches",
    async (size) => {
      const local = await localLines(size);
      const groups = groupRuns(expandGrid(tinyDef, size));
      // Each run alone, and each group split unevenly (first run alone, the rest together).
      const alone = (await Promise.all(groups.flatMap((g) => g.specs.map((s) => trainRuns([s]))))).flat();
      const split = [];
      for (const g of groups) {
        split.push(...(await trainRuns(g.specs.slice(0, 1))), ...(await trainRuns(g.specs.slice(1))));
      }
      expect(alone).toHaveLength(local.size);
      for (const outcomes of [alone, split]) {
        for (const { line } of outcomes) {
          const ref = local.get(line.runId)!;
          expect(resultDifference(line, ref, 0)).toBeNull();
          expect(resultOf(line)).toEqual(resultOf(ref));
        }
      }
      expect(alone.every((o) => o.line.groupSize === 1)).toBe(true);
      // Parameters are really there (first-seed storage keeps seed 0 only in the full grid).
      expect(alone.some((o) => o.line.params !== null)).toBe(true);
    },
  );
});

describe('trainRuns (fake trainer)', () => {
  it('records an instance that diverges as the local runner does, from the same call as the others', async () => {
    // The instances with seed 1 diverge in every call they are part of.
    const diverge = (config: TrainConfig) => config.instances.flatMap((s, i) => (s.seed === 1 ? [i] : []));
    const calls: TrainConfig[] = [];
    const now = () => new Date('2024-01-01T00:00:00Z');
    const store = memoryStore();
    await runExperiment(tinyDef, { store, train: fakeTrain([], diverge), analyse: stubAnalyse, now });
    const specs = groupRuns(expandGrid(tinyDef)).flatMap((g) => g.specs);
    const group = specs.slice(0, 6);
    const outcomes = await trainRuns(group, { train: fakeTrain(calls, diverge), analyse: stubAnalyse, now });
    // One call: a diverged instance no longer makes the trainer throw, so nothing is retrained.
    expect(calls.map((c) => c.instances.length)).toEqual([6]);
    expect(outcomes.map((o) => o.line.runId)).toEqual(group.map((s) => runIdOf(s)));
    for (const o of outcomes) {
      const ref = store.lines.find((l) => l.runId === o.line.runId)!;
      expect(o.line).toEqual(ref);
      expect(o.line.status).toBe(o.line.spec.seed === 1 ? 'diverged' : 'converged');
    }
    expect(outcomes.filter((o) => o.line.status === 'diverged').map((o) => [o.line.step, o.line.divergence?.reason])).toEqual([
      [7, 'non-finite-loss'],
      [7, 'non-finite-loss'],
    ]);
  });

  it('refuses runs that cannot share a training call', async () => {
    const specs = expandGrid(tinyDef);
    const other = specs.find((s) => s.config.model.m !== specs[0]!.config.model.m)!;
    await expect(trainRuns([specs[0]!, other], { train: fakeTrain() })).rejects.toThrow(
      /differ in more than seed, lambda and lr/,
    );
  });
});
