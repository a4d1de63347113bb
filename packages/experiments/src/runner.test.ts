import type { TrainConfig, TrainResult } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import type { ExperimentDefinition } from './definition.js';
import { expandGrid, runIdOf } from './grid.js';
import type { ResultLine, RunAnalysis } from './result.js';
import type { ExperimentProgress, TrainFunction } from './runner.js';
import { groupConfig, runExperiment } from './runner.js';
import { memoryStore } from './store.js';
import type { ResultStore } from './store.js';

/** n = 8: 2 m × 2 weights = 4 training calls of 2 lambda × 3 seeds. */
const tiny: ExperimentDefinition = {
  name: 'tiny',
  version: 1,
  description: 'runner test grid',
  question: 'none',
  defaults: { data: { kind: 'half-split' }, logEvery: 10, model: { init: { kind: 'normal' } } },
  sizes: {
    small: {
      n: [8],
      m: [{ perHalf: 0 }, { perHalf: 1 }],
      lambda: [1e-3, 1e-2],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 3,
      steps: 40,
      batchSize: 32,
      params: 'all',
    },
    full: {
      n: [8],
      m: [5],
      lambda: [1e-3],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'construction', c: 0.5, perturbation: 0.01 }],
      seeds: 2,
      steps: 20,
      batchSize: 32,
      params: 'all',
    },
  },
};

/** A cheap stand-in for the metrics (the runner's bookkeeping is what these tests check). */
const stubAnalyse = (): RunAnalysis => ({
  exactLoss: null,
  classification: 'stub',
  evidence: null,
  details: { c: null, biasMean: 0, polysemanticCount: 0, expectedPolysemanticCount: null, disambiguationUse: null },
});

/**
 * A fake trainer: loss = seed + lambda, so every line is checkable without training; even seeds
 * converge at half the steps, odd ones are capped, and `diverge` picks instances that diverge at step 7.
 */
function fakeTrain(calls: TrainConfig[], diverge?: (config: TrainConfig) => number[]): TrainFunction {
  return (config) => {
    calls.push(config);
    const bad = new Set(diverge?.(config) ?? []);
    const { n, m } = config.model;
    const result: TrainResult = {
      config,
      runtime: { backend: 'fake', simd: false, threads: false, tfjsVersion: '0', platform: 'node' },
      wallSeconds: config.instances.length,
      stepsRun: config.steps,
      instances: config.instances.flatMap((s, i) => {
        if (bad.has(i)) return [];
        const converged = s.seed % 2 === 0;
        const step = converged ? config.steps / 2 : config.steps;
        const rec = { step, instance: i, loss: s.seed + s.lambda, reconstruction: s.seed, l1: 1 };
        return [
          {
            instance: i,
            seed: s.seed,
            lambda: s.lambda,
            lr: s.lr,
            status: converged ? ('converged' as const) : ('capped' as const),
            step,
            params: { kind: 'tied' as const, n, m, W: new Float32Array(n * m).fill(s.seed), b: new Float32Array(n) },
            finalLoss: rec,
            history: [{ ...rec, step: 0 }, rec],
          },
        ];
      }),
      diverged: config.instances.flatMap((s, i) =>
        bad.has(i)
          ? [
              {
                instance: i,
                seed: s.seed,
                lambda: s.lambda,
                lr: s.lr,
                status: 'diverged' as const,
                step: 7,
                reason: 'blow-up' as const,
                message: `instance ${i} diverged at step 7: loss 1e+9 > 100 × reference 2 (lr 0.01 may be too large)`,
                history: [{ step: 0, instance: i, loss: 2, reconstruction: 2, l1: 1 }],
              },
            ]
          : [],
      ),
    };
    return Promise.resolve(result);
  };
}

const byId = (lines: readonly ResultLine[]) => new Map(lines.map((l) => [l.runId, l]));

describe('runExperiment (fake trainer)', () => {
  it('trains every run once, in one call per compatible group, and writes one complete line per run', async () => {
    const calls: TrainConfig[] = [];
    const store = memoryStore();
    const report = await runExperiment(tiny, { store, train: fakeTrain(calls), analyse: stubAnalyse });
    const specs = expandGrid(tiny, 'small');
    expect(report).toMatchObject({ planned: 24, skipped: 0, ran: 24, converged: 16, capped: 8, diverged: 0, calls: 4 });
    expect(calls.map((c) => c.instances.length)).toEqual([6, 6, 6, 6]);
    expect(store.lines.map((l) => l.runId).sort()).toEqual(specs.map(runIdOf).sort());
    for (const line of store.lines) {
      const inst = line.spec.config.instances[0]!;
      expect(line.finalLoss).toBe(inst.seed + inst.lambda);
      expect(line.params).not.toBeNull();
      expect(line.groupSize).toBe(6);
      expect(line.wallSeconds).toBe(1);
      expect([line.status, line.step]).toEqual(inst.seed % 2 === 0 ? ['converged', 20] : ['capped', 40]);
      expect(line.history.step).toEqual([0, line.step]);
      expect(line.divergence).toBeNull();
      expect(JSON.parse(JSON.stringify(line))).toEqual(line);
    }
  });

  it('resumes: runs already in the store are skipped, partial groups train only what is missing', async () => {
    const first = memoryStore();
    await runExperiment(tiny, { store: first, train: fakeTrain([]), analyse: stubAnalyse });
    const kept = first.lines.filter((_, k) => k % 4 !== 0); // drop every fourth line
    const store = memoryStore(kept);
    const calls: TrainConfig[] = [];
    const report = await runExperiment(tiny, { store, train: fakeTrain(calls), analyse: stubAnalyse });
    expect(report.skipped).toBe(kept.length);
    expect(report.ran).toBe(24 - kept.length);
    expect(calls.reduce((a, c) => a + c.instances.length, 0)).toBe(24 - kept.length);
    expect(new Set(store.lines.map((l) => l.runId))).toEqual(new Set(first.lines.map((l) => l.runId)));
    // Nothing left: a third run trains nothing.
    const none: TrainConfig[] = [];
    expect((await runExperiment(tiny, { store, train: fakeTrain(none), analyse: stubAnalyse })).ran).toBe(0);
    expect(none).toHaveLength(0);
  });

  it('records a diverged instance from the same call as the others (no retraining)', async () => {
    const calls: TrainConfig[] = [];
    // In the first call, the instance with seed 1 and lambda 1e-2 diverges.
    const diverge = (c: TrainConfig) =>
      calls.length > 1 ? [] : [c.instances.findIndex((s) => s.seed === 1 && s.lambda === 1e-2)];
    const store = memoryStore();
    const report = await runExperiment(tiny, { store, train: fakeTrain(calls, diverge), analyse: stubAnalyse });
    expect(report).toMatchObject({ ran: 24, diverged: 1, calls: 4 });
    expect(calls.map((c) => c.instances.length)).toEqual([6, 6, 6, 6]);
    const bad = store.lines.filter((l) => l.status === 'diverged');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.spec.config.instances[0]).toMatchObject({ seed: 1, lambda: 1e-2 });
    expect(bad[0]!).toMatchObject({
      step: 7,
      divergence: {
        reason: 'blow-up',
        message: 'instance 4 diverged at step 7: loss 1e+9 > 100 × reference 2 (lr 0.01 may be too large)',
      },
      finalLoss: null,
      params: null,
      groupSize: 6,
      history: { step: [0], loss: [2], reconstruction: [2], l1: [1] },
    });
    // The call's lines keep grid order.
    const firstCall = store.lines.slice(0, 6).map((l) => l.spec.config.instances[0]!);
    expect(firstCall.map((s) => [s.lambda, s.seed])).toEqual([
      [1e-3, 0],
      [1e-3, 1],
      [1e-3, 2],
      [1e-2, 0],
      [1e-2, 1],
      [1e-2, 2],
    ]);
  });

  it('refuses a trainer result that does not cover every instance', async () => {
    const lossy: TrainFunction = async (config, o) => {
      const r = await fakeTrain([])(config, o);
      return { ...r, instances: r.instances.slice(1) };
    };
    await expect(runExperiment(tiny, { store: memoryStore(), train: lossy, analyse: stubAnalyse })).rejects.toThrow(
      'trainRunGroup: the trainer reported 5 of 6 instances',
    );
  });

  it('shards partition the work: the union of 1/3, 2/3, 3/3 is the whole grid, each run once', async () => {
    const store = memoryStore();
    for (const index of [1, 2, 3]) {
      await runExperiment(tiny, { store, train: fakeTrain([]), analyse: stubAnalyse, shard: { index, count: 3 } });
    }
    const ids = store.lines.map((l) => l.runId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(expandGrid(tiny, 'small').map(runIdOf).sort());
  });

  it('reports progress in work units up to the total, with run counts', async () => {
    const seen: ExperimentProgress[] = [];
    await runExperiment(tiny, {
      store: memoryStore(),
      train: fakeTrain([]),
      analyse: stubAnalyse,
      onProgress: (p) => seen.push(p),
    });
    const last = seen[seen.length - 1]!;
    expect(last.done).toBe(last.total);
    expect(last.runsDone).toBe(24);
    expect(last.callsDone).toBe(4);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!.done).toBeGreaterThanOrEqual(seen[k - 1]!.done);
    expect(seen[0]!.done).toBe(0);
  });

  it('stops between calls when the signal fires, keeping finished calls', async () => {
    const controller = new AbortController();
    const lines: ResultLine[] = [];
    const store: ResultStore = {
      completedRunIds: () => Promise.resolve(new Set()),
      append: (more) => {
        lines.push(...more);
        controller.abort(new Error('stop'));
        return Promise.resolve();
      },
    };
    await expect(
      runExperiment(tiny, { store, train: fakeTrain([]), analyse: stubAnalyse, signal: controller.signal }),
    ).rejects.toThrow('stop');
    expect(lines).toHaveLength(6);
  });

  it('starts construction runs from the given parameters with the start perturbation', () => {
    const specs = expandGrid(tiny, 'full');
    const config = groupConfig(specs);
    expect(config.instances.map((s) => s.seed)).toEqual([0, 1]);
    expect(config.model.init.kind).toBe('given');
    if (config.model.init.kind !== 'given') throw new Error('unreachable');
    expect(config.model.init.perturbation).toBe(0.01);
    const p = config.model.init.params;
    expect(p.kind).toBe('tied');
    // The seed's construction with c = 1/2: bias -1/2, eps = sqrt(2/n) on neuron 0.
    expect(Array.from(p.b)).toEqual(new Array(8).fill(-0.5));
    if (p.kind === 'tied') expect(p.W[0]).toBeCloseTo(Math.sqrt(2 / 8), 6);
  });
});

describe('runExperiment (real trainer)', () => {
  const small: ExperimentDefinition = {
    ...tiny,
    sizes: { ...tiny.sizes, small: { ...tiny.sizes.small, m: [{ perHalf: 1 }], steps: 30 } },
  };

  it('batching is invisible: one call per group gives the same lines as one call per run', async () => {
    const batched = memoryStore();
    const single = memoryStore();
    const r1 = await runExperiment(small, { store: batched, analyse: stubAnalyse });
    const r2 = await runExperiment(small, { store: single, analyse: stubAnalyse, maxInstancesPerCall: 1 });
    expect(r1.calls).toBe(2);
    expect(r2.calls).toBe(12);
    const a = byId(batched.lines);
    const b = byId(single.lines);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [id, la] of a) {
      const lb = b.get(id)!;
      expect(lb.finalLoss).toBe(la.finalLoss);
      expect(lb.params).toEqual(la.params);
      expect(lb.history).toEqual(la.history);
    }
  });

  it('trains until converged by default: lines record converged or capped with their step', async () => {
    const def: ExperimentDefinition = {
      ...small,
      defaults: { ...small.defaults, convergence: { kind: 'plateau', window: 20, tolerance: 0.2 } },
      sizes: { ...small.sizes, small: { ...small.sizes.small, steps: 400 } },
    };
    const store = memoryStore();
    const report = await runExperiment(def, { store, analyse: stubAnalyse });
    expect(expandGrid(def)[0]!.config.convergence).toEqual({ kind: 'plateau', window: 20, tolerance: 0.2, floor: 1e-3 });
    expect(expandGrid(small)[0]!.config.convergence).toEqual({ kind: 'plateau', window: 1000, tolerance: 1e-2, floor: 1e-3 });
    expect(report.converged + report.capped + report.diverged).toBe(12);
    expect(report.converged).toBeGreaterThan(0);
    for (const line of store.lines) {
      if (line.status === 'converged') {
        expect(line.step % 20).toBe(0);
        expect(line.step).toBeLessThan(400);
      } else expect(line).toMatchObject({ status: 'capped', step: 400 });
      expect(line.history.step.at(-1)).toBe(line.step);
    }
  });

  it('resume after an interruption: killed after one call, rerun, the union equals an uninterrupted run', async () => {
    const full = memoryStore();
    await runExperiment(small, { store: full, analyse: stubAnalyse });

    const controller = new AbortController();
    const interrupted = memoryStore();
    const store: ResultStore = {
      completedRunIds: () => interrupted.completedRunIds(),
      append: async (lines) => {
        await interrupted.append(lines);
        controller.abort(new Error('killed'));
      },
    };
    await expect(runExperiment(small, { store, analyse: stubAnalyse, signal: controller.signal })).rejects.toThrow('killed');
    expect(interrupted.lines).toHaveLength(6);
    const report = await runExperiment(small, { store: interrupted, analyse: stubAnalyse });
    expect(report).toMatchObject({ skipped: 6, ran: 6 });
    const a = byId(full.lines);
    const b = byId(interrupted.lines);
    expect(b.size).toBe(a.size);
    for (const [id, la] of a) {
      expect(b.get(id)!.finalLoss).toBe(la.finalLoss);
      expect(b.get(id)!.params).toEqual(la.params);
    }
  });
});
