import type { LossRecord, ModelParams, TrainConfigInput, TrainResult } from '@polytoy/core';
import { ConfigError, PolytoyError, resolveTrainConfig } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint.js';
import { memoryCheckpointSink } from './checkpoint.js';
import { TrainingAbortedError } from './errors.js';
import { initNodeBackend, isTrainerWorker, runTrainerWorker, trainParallel } from './node.js';
import { mergeCheckpoints, sliceCheckpoint } from './parallel.js';
import { splitRows } from './split-replica.js';
import { train } from './train.js';

beforeAll(async () => {
  await initNodeBackend();
});

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const paramBits = (p: ModelParams): Record<string, number[]> =>
  p.kind === 'tied' ? { W: bits(p.W), b: bits(p.b) } : { E: bits(p.E), D: bits(p.D), b: bits(p.b) };

function expectSameRun(a: TrainResult, b: TrainResult): void {
  expect(a.instances.length).toBe(b.instances.length);
  a.instances.forEach((r, i) => {
    const s = b.instances[i]!;
    expect(r.instance).toBe(s.instance);
    expect(paramBits(r.params)).toEqual(paramBits(s.params));
    expect(r.history).toEqual(s.history);
    expect(r.finalLoss).toEqual(s.finalLoss);
  });
}

/** A checkpoint without its wall time, typed arrays as bit patterns. */
function comparable(cp: Checkpoint): unknown {
  return JSON.parse(JSON.stringify({ ...cp, wallSeconds: 0 }, (_k, v: unknown) => (v instanceof Float32Array ? bits(v) : v)));
}

const byStep = (a: LossRecord, b: LossRecord): number => a.step - b.step || a.instance - b.instance;

const sweep: TrainConfigInput = {
  data: { n: 16 },
  model: { m: 9 },
  batchSize: 48,
  steps: 40,
  logEvery: 10,
  instances: [{ seed: 1 }, { seed: 2, lr: 3e-3 }, { seed: 3, lambda: 0.01 }],
  optimizer: { kind: 'adam', lr: 1e-2 },
};

// Slice 0 (instances 0, 1) converges by step ~600; slice 1 (a capped and a diverged one) runs on.
const converging: TrainConfigInput = {
  ...sweep,
  model: { m: 9, l1: { lambda: 1e-2 } },
  batchSize: 32,
  steps: 2000,
  logEvery: 100,
  convergence: { kind: 'plateau', window: 100, tolerance: 0.05 },
  instances: [{ seed: 3, lr: 3e-2 }, { seed: 0 }, { seed: 2, lr: 1e-3 }, { seed: 4, lr: 1e3 }],
};

describe("trainParallel, split: 'instances'", () => {
  it('equals the single-thread run bit for bit: parameters, histories, log records and checkpoints', async () => {
    const logA: LossRecord[] = [];
    const logB: LossRecord[] = [];
    const sinkA = memoryCheckpointSink(15);
    const sinkB = memoryCheckpointSink(15);
    const a = await train(sweep, { onLog: (r) => logA.push(r), checkpoint: sinkA });
    const progress: number[] = [];
    const b = await trainParallel(sweep, {
      workers: 2,
      onLog: (r) => logB.push(r),
      checkpoint: sinkB,
      onProgress: (p) => progress.push(p.done),
    });
    expectSameRun(a, b);
    expect(logB.sort(byStep)).toEqual(logA.sort(byStep));
    expect(sinkB.checkpoints.map((c) => c.step)).toEqual([15, 30, 40]);
    expect(sinkB.checkpoints.map(comparable)).toEqual(sinkA.checkpoints.map(comparable));
    expect(b.runtime.parallel).toEqual({ workers: 2, split: 'instances' });
    expect(b.runtime.kernels).toBe('polytoy');
    expect(progress[progress.length - 1]).toBe(40);
  });

  it('resumes a checkpoint written by the single-thread trainer', async () => {
    const straight = await train(sweep);
    // Resume a checkpoint written by train() in parallel.
    const sink = memoryCheckpointSink(20);
    await train({ ...sweep, steps: 20 }, { checkpoint: sink });
    const resumed = await trainParallel(sweep, { workers: 2, resumeFrom: sink.checkpoints[0]! });
    expectSameRun(straight, resumed);
  });

  it('on abort, all workers stop at one step and the joined checkpoint resumes bit-identically', async () => {
    // Long enough that the workers are still training when the abort reaches them.
    const long = { ...sweep, steps: 1500, logEvery: 100 };
    const controller = new AbortController();
    const error = await trainParallel(long, {
      workers: 3,
      signal: controller.signal,
      onLog: (r) => r.step === 100 && controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingAbortedError);
    const { checkpoint, step } = error as TrainingAbortedError;
    expect(checkpoint.step).toBe(step);
    expect(step).toBeGreaterThan(100);
    expect(step).toBeLessThan(1500);
    expect(checkpoint.params).toHaveLength(3);
    expect(checkpoint.history.map((h) => h.map((r) => r.instance))).toEqual(
      [0, 1, 2].map((i) => Array.from({ length: Math.ceil(step / 100) }, () => i)),
    );
    expectSameRun(await train(long), await train(long, { resumeFrom: checkpoint }));
  });

  it('an abort before the start stops every worker at step 0', async () => {
    const controller = new AbortController();
    controller.abort();
    const sink = memoryCheckpointSink(10);
    const error = await trainParallel(sweep, { workers: 2, signal: controller.signal, checkpoint: sink }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrainingAbortedError);
    expect((error as TrainingAbortedError).step).toBe(0);
    expect((error as TrainingAbortedError).written).toBe(true);
    expect(sink.checkpoints.map((c) => c.step)).toEqual([0]);
  });

  it('reports a diverging instance by its index in the whole run and returns the others', async () => {
    const cfg = { ...sweep, instances: [{ seed: 1 }, { seed: 2 }, { seed: 3, lr: 1e30 }] };
    const result = await trainParallel(cfg, { workers: 2 });
    expect(result.diverged.map((d) => d.instance)).toEqual([2]);
    expect(result.diverged[0]!.message).toMatch(/^instance 2 diverged at step \d+/);
    expectSameRun(result, await train(cfg));
    expect(result.diverged).toEqual((await train(cfg)).diverged);
  });

  it('with convergence: equals the single-thread run, checkpoints included, when a slice finishes early', async () => {
    const sinkA = memoryCheckpointSink(300);
    const sinkB = memoryCheckpointSink(300);
    const a = await train(converging, { checkpoint: sinkA });
    const b = await trainParallel(converging, { workers: 2, checkpoint: sinkB });
    expect(a.instances.map((r) => r.status)).toEqual(['converged', 'converged', 'capped']);
    expect(Math.max(a.instances[0]!.step, a.instances[1]!.step)).toBeLessThan(900);
    expectSameRun(a, b);
    expect(b.diverged).toEqual(a.diverged);
    expect(b.stepsRun).toBe(a.stepsRun);
    expect(sinkB.checkpoints.map((c) => c.step)).toEqual([300, 600, 900, 1200, 1500, 1800, 2000]);
    expect(sinkB.checkpoints.map(comparable)).toEqual(sinkA.checkpoints.map(comparable));
  });

  it('on abort after a slice has finished, the joined checkpoint still resumes bit-identically', async () => {
    // Slice 1's training instance (lr 3e-4) is capped at 20 000 steps, long after slice 0's
    // instances converge (steps 400 and 600).
    const long = {
      ...converging,
      steps: 20_000,
      instances: [{ seed: 3, lr: 3e-2 }, { seed: 0 }, { seed: 2, lr: 3e-4 }, { seed: 4, lr: 1e3 }],
    };
    const straight = await train(long);
    expect(straight.instances.map((r) => r.status)).toEqual(['converged', 'converged', 'capped']);
    // Abort once slice 0 has converged, whatever the threads' relative speed: both of its final
    // records (logged when its instances converge, after which it trains no more) have arrived.
    // Its result may or may not have arrived by then; both orders must stop (stop-agreement.test.ts).
    const convergedAt = straight.instances.slice(0, 2).map((r) => r.step);
    const seen = new Set<number>();
    const controller = new AbortController();
    const error = await trainParallel(long, {
      workers: 2,
      signal: controller.signal,
      onLog: (r) => {
        if (r.instance < 2 && r.step === convergedAt[r.instance]) seen.add(r.instance);
        if (seen.size === 2) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingAbortedError);
    const { checkpoint } = error as TrainingAbortedError;
    expect(checkpoint.step).toBeGreaterThanOrEqual(Math.max(...convergedAt));
    expect(checkpoint.step).toBeLessThan(20_000);
    expect(checkpoint.instanceStates.map((s) => s.status)).toEqual(['converged', 'converged', 'training', 'diverged']);
    const resumed = await train(long, { resumeFrom: checkpoint });
    expectSameRun(straight, resumed);
    expect(resumed.diverged).toEqual(straight.diverged);
  });

  it('slices and joins checkpoints losslessly', async () => {
    const sink = memoryCheckpointSink(10);
    await train({ ...sweep, steps: 10 }, { checkpoint: sink });
    const cp = sink.checkpoints[0]!;
    const config = resolveTrainConfig({ ...sweep, steps: 10 });
    const parts = [sliceCheckpoint(cp, 0, 1, config), sliceCheckpoint(cp, 1, 3, config)];
    expect(parts[1]!.history[0]![0]!.instance).toBe(0);
    expect(parts[1]!.optimizer.slots.m!.W!.shape).toEqual([2, 9, 16]);
    expect(comparable(mergeCheckpoints(parts, [0, 1], config, cp.wallSeconds))).toEqual(comparable(cp));
  });
});

describe("trainParallel, split: 'batch'", () => {
  const single: TrainConfigInput = { ...sweep, instances: [{ seed: 4 }], batchSize: 96 };

  it('is deterministic, equals the unsplit run up to reassociation, and resumes bit-identically', async () => {
    const whole = await train(single);
    const sink = memoryCheckpointSink(25);
    const a = await trainParallel(single, { workers: 2, split: 'batch', checkpoint: sink });
    const b = await trainParallel(single, { workers: 2, split: 'batch' });
    expectSameRun(a, b);
    expect(a.runtime.parallel).toEqual({ workers: 2, split: 'batch' });
    // The one-step gradients agree within the reassociation bound (fused-step.test.ts); over 40
    // Adam steps the difference stays at the level of float32 rounding of the parameters.
    const wa = a.instances[0]!.params;
    const ww = whole.instances[0]!.params;
    if (wa.kind !== 'tied' || ww.kind !== 'tied') throw new Error('tied expected');
    const maxDiff = Math.max(...Array.from(wa.W, (v, k) => Math.abs(v - ww.W[k]!)));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(maxDiff).toBeGreaterThan(0); // it is a different summation order
    const la = a.instances[0]!.finalLoss.loss;
    expect(Math.abs(la - whole.instances[0]!.finalLoss.loss)).toBeLessThan(1e-5 * la);
    // Three threads (the main thread and two workers): another summation order, as close.
    const three = await trainParallel(single, { workers: 3, split: 'batch' });
    const w3 = three.instances[0]!.params;
    if (w3.kind !== 'tied') throw new Error('tied expected');
    expect(Math.max(...Array.from(w3.W, (v, k) => Math.abs(v - ww.W[k]!)))).toBeLessThan(1e-5);
    expect(three.runtime.parallel).toEqual({ workers: 3, split: 'batch' });
    // Resume the split run from its checkpoint at 25: identical to the uninterrupted split run.
    const resumed = await trainParallel(single, { workers: 2, split: 'batch', resumeFrom: sink.checkpoints[0]! });
    expectSameRun(a, resumed);
    expect(sink.checkpoints.map((c) => c.step)).toEqual([25, 40]);
  });

  it('freezes converged instances too: an instance ends as it does alone in a split run', async () => {
    const cfg: TrainConfigInput = {
      ...converging,
      batchSize: 64,
      steps: 1200,
      instances: [
        { seed: 3, lr: 3e-2 },
        { seed: 2, lr: 1e-3 },
      ],
    };
    const both = await trainParallel(cfg, { workers: 2, split: 'batch' });
    expect(both.instances.map((r) => r.status)).toEqual(['converged', 'capped']);
    const fast = await trainParallel({ ...cfg, instances: [{ seed: 3, lr: 3e-2 }] }, { workers: 2, split: 'batch' });
    const slow = await trainParallel({ ...cfg, instances: [{ seed: 2, lr: 1e-3 }] }, { workers: 2, split: 'batch' });
    expectSameRun({ ...both, instances: [both.instances[0]!] }, fast);
    expectSameRun(
      {
        ...both,
        instances: [
          {
            ...both.instances[1]!,
            instance: 0,
            finalLoss: { ...both.instances[1]!.finalLoss, instance: 0 },
            history: both.instances[1]!.history.map((r) => ({ ...r, instance: 0 })),
          },
        ],
      },
      slow,
    );
    expect(both.instances[0]!.step).toBe(fast.instances[0]!.step);
  });

  it('gives the main thread (which also draws the batches) fewer rows, by a fixed cost model', () => {
    const seed64 = resolveTrainConfig({ data: { n: 64 }, model: { m: 33 }, batchSize: 1024 });
    expect(splitRows(seed64, 2)).toEqual([
      [0, 398],
      [398, 1024],
    ]);
    for (const [config, threads] of [
      [seed64, 3],
      [resolveTrainConfig({ data: { kind: 'basis', n: 20 }, batchSize: 20 }), 2],
      [resolveTrainConfig({ data: { n: 16 }, batchSize: 5 }), 4],
    ] as const) {
      const rows = splitRows(config, threads);
      expect(rows).toHaveLength(threads);
      expect(rows[0]![0]).toBe(0);
      expect(rows[threads - 1]![1]).toBe(config.batchSize);
      rows.forEach(([a, b], k) => {
        expect(b).toBeGreaterThan(a);
        if (k > 0) expect(a).toBe(rows[k - 1]![1]);
      });
      expect(rows[0]![1]).toBeLessThanOrEqual(Math.floor(config.batchSize / threads));
    }
    // Basis data draws nothing: an even split.
    expect(splitRows(resolveTrainConfig({ data: { kind: 'basis', n: 20 }, batchSize: 20 }), 2)).toEqual([
      [0, 10],
      [10, 20],
    ]);
  });

  it('refuses hidden noise (untied weights: batch-split.test.ts)', async () => {
    const noisy = { ...single, model: { m: 9, hiddenNoise: { kind: 'bernoulli' as const, p: 0.1 } } };
    await expect(trainParallel(noisy, { split: 'batch' })).rejects.toThrow(ConfigError);
    await expect(trainParallel(single, { workers: 0 })).rejects.toThrow(ConfigError);
  });
});

describe('worker entry', () => {
  it('is not a trainer worker on the main thread', async () => {
    expect(isTrainerWorker()).toBe(false);
    await expect(runTrainerWorker()).rejects.toThrow(PolytoyError);
  });
});
