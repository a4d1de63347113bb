import { groupRuns, expandGrid, memoryStore, runExperiment, runIdOf } from '@polytoy/experiments';
import type { ResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { mergeResults, resultDifference } from './merge.js';
import { runOrder } from './plan.js';
import { fakeTrain, stubAnalyse, tinyDef } from './test-utils/fixtures.js';

async function fakeRun(shard?: { index: number; count: number }): Promise<ResultLine[]> {
  const store = memoryStore();
  await runExperiment(tinyDef, { store, train: fakeTrain(), analyse: stubAnalyse, ...(shard ? { shard } : {}) });
  return store.lines;
}

describe('mergeResults', () => {
  it('keeps one line per run id, drops identical repeats, and orders by the plan when the definition is given', async () => {
    const all = await fakeRun();
    const a = all.slice(0, 15);
    const b = all.slice(10).reverse();
    const merged = mergeResults(
      [
        { name: 'a', lines: a },
        { name: 'b', lines: b },
      ],
      { definition: tinyDef },
    );
    expect(merged).toMatchObject({
      experiment: 'queue-tiny',
      version: 1,
      size: 'small',
      inputLines: 29,
      duplicates: 5,
      missing: [],
    });
    expect(merged.lines.map((l) => l.runId)).toEqual(runOrder(tinyDef).map((s) => runIdOf(s)));
    // Without the definition: first-seen order and no plan check.
    const loose = mergeResults([
      { name: 'b', lines: b },
      { name: 'a', lines: a },
    ]);
    expect(loose.missing).toBeNull();
    expect(loose.lines.map((l) => l.runId)).toEqual([...b, ...a.slice(0, 10)].map((l) => l.runId));
  });

  it('lists the planned runs no input has', async () => {
    const all = await fakeRun();
    const merged = mergeResults([{ name: 'a', lines: all.slice(3) }], { definition: tinyDef });
    expect(merged.missing).toEqual(all.slice(0, 3).map((l) => l.runId));
    // A definition of another version does not apply.
    expect(mergeResults([{ name: 'a', lines: all }], { definition: { ...tinyDef, version: 2 } }).missing).toBeNull();
  });

  it('ignores where and when a run was trained, but fails on a run id with different results', async () => {
    const all = await fakeRun();
    const line = all[4]!;
    const elsewhere = { ...line, createdAt: '2030-01-01T00:00:00.000Z', wallSeconds: 99, groupSize: 1, runtime: null };
    expect(resultDifference(line, elsewhere)).toBeNull();
    expect(
      mergeResults([
        { name: 'a', lines: all },
        { name: 'b', lines: [elsewhere] },
      ]).lines,
    ).toHaveLength(all.length);

    const changed = { ...line, finalLoss: line.finalLoss! + 1e-7 };
    expect(() =>
      mergeResults([
        { name: 'a.jsonl', lines: all },
        { name: 'b.jsonl', lines: [changed] },
      ]),
    ).toThrow(
      new RegExp(
        `run ${line.runId} \\(n=8 m=\\d seed=\\d\\) has different results in a.jsonl:5 and b.jsonl:1 \\(field finalLoss\\)`,
      ),
    );
    const params = { ...line, params: { ...line.params!, b: line.params!.b.map((x, i) => (i === 0 ? x + 1 : x)) } };
    expect(resultDifference(line, params)).toBe('params');
    // The exact loss is float64 analysis: equal within the relative tolerance, else a conflict.
    const exact = line.exactLoss!;
    expect(resultDifference(line, { ...line, exactLoss: { ...exact, loss: exact.loss * (1 + 1e-12) } })).toBeNull();
    expect(resultDifference(line, { ...line, exactLoss: { ...exact, loss: exact.loss * (1 + 1e-6) } })).toBe('exactLoss');
  });

  it('refuses to mix experiments, versions or sizes, and an empty input', async () => {
    const all = await fakeRun();
    const other = all.map((l) => ({ ...l, version: 2 }));
    expect(() =>
      mergeResults([
        { name: 'a', lines: all },
        { name: 'b', lines: other },
      ]),
    ).toThrow('b:1 is queue-tiny v2 (small) but a:1 is queue-tiny v1 (small): merge one experiment version and size at a time');
    const full = all.map((l) => ({ ...l, spec: { ...l.spec, size: 'full' as const } }));
    expect(() =>
      mergeResults([
        { name: 'a', lines: all },
        { name: 'b', lines: full },
      ]),
    ).toThrow(/queue-tiny v1 \(full\)/);
    expect(() => mergeResults([{ name: 'a', lines: [] }])).toThrow('nothing to merge');
  });
});

describe('shards', () => {
  it.each([1, 2, 3, 5])('the union of %i shards (real training) equals the unsharded run', async (count) => {
    const whole = memoryStore();
    await runExperiment(tinyDef, { store: whole });
    const sources = [];
    for (let index = 1; index <= count; index++) {
      const store = memoryStore();
      await runExperiment(tinyDef, { store, shard: { index, count } });
      sources.push({ name: `shard ${index}/${count}`, lines: store.lines });
    }
    // Shards are disjoint and (with 4 training calls in the grid) 5 shards leave one empty.
    const sizes = sources.map((s) => s.lines.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(whole.lines.length);
    expect(sizes.filter((n) => n === 0)).toHaveLength(Math.max(0, count - groupRuns(expandGrid(tinyDef)).length));
    const merged = mergeResults(sources, { definition: tinyDef });
    expect(merged.missing).toEqual([]);
    expect(merged.duplicates).toBe(0);
    expect(merged.lines.map((l) => l.runId)).toEqual(whole.lines.map((l) => l.runId));
    merged.lines.forEach((l, i) => {
      const ref = whole.lines[i]!;
      expect(resultDifference(l, ref, 0)).toBeNull();
      expect({ ...l, createdAt: '', wallSeconds: 0 }).toEqual({ ...ref, createdAt: '', wallSeconds: 0 });
    });
  });
});
