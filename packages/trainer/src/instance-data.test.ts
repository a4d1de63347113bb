import { resolveTrainConfig } from '@polytoy/core';
import type { TrainConfigInput } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { instanceDataConfig, stackImportance } from './instance-data.js';
import { initNodeBackend } from './node.js';
import { runTraining } from './train.js';

beforeAll(async () => {
  await initNodeBackend();
});

describe('instanceDataConfig', () => {
  const data = { kind: 'sparse-uniform' as const, n: 4, density: 0.1, importanceDecay: 1 };
  it('applies an instance’s overrides and leaves the shared config otherwise', () => {
    expect(instanceDataConfig(data, { seed: 0, lambda: 0, lr: 1, density: 0.5 })).toEqual({ ...data, density: 0.5 });
    expect(instanceDataConfig(data, { seed: 0, lambda: 0, lr: 1, importanceDecay: 0.5 })).toEqual({
      ...data,
      importanceDecay: 0.5,
    });
    expect(instanceDataConfig(data, { seed: 0, lambda: 0, lr: 1 })).toBe(data);
  });
});

describe('stackImportance', () => {
  it('is null without weights, the shared row when all agree, else [I, n] with ones for the unweighted', () => {
    expect(stackImportance([null, null], 2)).toBeNull();
    const w = Float32Array.of(1, 0.5);
    expect(stackImportance([w, Float32Array.of(1, 0.5)], 2)).toBe(w);
    expect(Array.from(stackImportance([null, w], 2)!)).toEqual([1, 1, 1, 0.5]);
    expect(Array.from(stackImportance([Float32Array.of(1, 0.25), w], 2)!)).toEqual([1, 0.25, 1, 0.5]);
  });
});

describe('per-instance density and importance (one batched call = separate runs)', () => {
  const base = {
    data: { kind: 'sparse-uniform', n: 6, density: 0.2, importanceDecay: 1 },
    model: { m: 3, outputActivation: 'relu', l1: { lambda: 0 } },
    steps: 60,
    batchSize: 32,
    logEvery: 20,
    optimizer: { kind: 'adam', lr: 1e-2 },
  } satisfies TrainConfigInput;
  const overrides = [
    { seed: 3, density: 0.05, importanceDecay: 0.9 },
    { seed: 4 },
    { seed: 5, density: 0.6, importanceDecay: 0.5 },
  ];

  it.each(['fused', 'tfjs'] as const)('%s engine: every instance bit-identical to its own single run', async (engine) => {
    const batched = await runTraining(resolveTrainConfig({ ...base, instances: overrides }), {}, { engine });
    for (const [i, o] of overrides.entries()) {
      const alone = await runTraining(
        resolveTrainConfig({
          ...base,
          data: { ...base.data, ...(o.density ? { density: o.density, importanceDecay: o.importanceDecay } : {}) },
          instances: [{ seed: o.seed }],
        }),
        {},
        { engine },
      );
      const a = batched.instances[i]!;
      const b = alone.instances[0]!;
      expect(a.finalLoss.loss).toBe(b.finalLoss.loss);
      expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
      expect(a.params.kind === 'tied' && b.params.kind === 'tied' && Array.from(a.params.W)).toEqual(
        b.params.kind === 'tied' && Array.from(b.params.W),
      );
    }
    // The overrides matter: instances differ from what the shared data config gives.
    const shared = await runTraining(resolveTrainConfig({ ...base, instances: [{ seed: 3 }] }), {}, { engine });
    expect(shared.instances[0]!.finalLoss.loss).not.toBe(batched.instances[0]!.finalLoss.loss);
  });

  it('are rejected for data without them, naming the instance', () => {
    expect(() => resolveTrainConfig({ data: { kind: 'half-split' }, instances: [{}, { density: 0.5 }] })).toThrow(
      'instances.1.density: expected no per-instance data fields unless data.kind is "sparse-uniform", received 0.5',
    );
    expect(() => resolveTrainConfig({ ...base, instances: [{ density: 0 }] })).toThrow(
      /instances\.0\.density: expected a density in \(0, 1\]/,
    );
  });
});
