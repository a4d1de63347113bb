import { ConfigError } from '@polytoy/core';
import { initNodeBackend } from '@polytoy/trainer/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureThroughput } from './throughput.js';

beforeAll(async () => {
  await initNodeBackend();
});

describe('measureThroughput', () => {
  it('times the updates after the warm-up on wasm + SIMD and reports steps/s consistently', async () => {
    const r = await measureThroughput({ data: { n: 8 }, model: { m: 5 }, batchSize: 16, steps: 30 }, 10);
    expect(r.steps).toBe(30);
    expect(r.warmupSteps).toBe(10);
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.stepsPerSecond * r.seconds).toBeCloseTo(20, 9);
    expect(r.runtime).toMatchObject({ backend: 'wasm', simd: true, platform: 'node' });
  });

  it('rejects a warm-up that is not a positive integer or not shorter than the run', async () => {
    await expect(measureThroughput({ steps: 10 }, 0)).rejects.toThrow(ConfigError);
    await expect(measureThroughput({ steps: 10 }, 10)).rejects.toThrow(/steps: expected more than warmupSteps \(10\)/);
    await expect(measureThroughput({}, 5)).rejects.toThrow(/steps/);
  });
});
