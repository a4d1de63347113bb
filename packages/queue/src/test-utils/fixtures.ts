/**
 * Shared test fixtures: a real redis-server per test file (installed with apt-get when the
 * tests run as root and it is missing, as in CI; otherwise a missing server fails the tests
 * with the message of `startRedisServer`), a tiny experiment definition and a fake trainer.
 */
import type { TrainConfig, TrainResult } from '@polytoy/core';
import type { ExperimentDefinition, RunAnalysis, TrainFunction } from '@polytoy/experiments';
import { startRedisServer } from '../redis-server.js';
import type { RedisServerHandle } from '../redis-server.js';

/** Starts a loopback redis-server, installing Debian's package first when root and missing. */
export function startTestRedis(): Promise<RedisServerHandle> {
  return startRedisServer({ installIfMissing: true });
}

/** n = 8: 2 m × 2 weights × 2 lambda × 3 seeds = 24 runs in 4 training calls (local run). */
export const tinyDef: ExperimentDefinition = {
  name: 'queue-tiny',
  version: 1,
  description: 'queue test grid',
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
      steps: 30,
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
      params: 'first-seed',
    },
  },
};

/** A cheap stand-in for the metrics (the bookkeeping is what these tests check). */
export const stubAnalyse = (): RunAnalysis => ({
  exactLoss: { loss: 1, reconstruction: 1, l1: 0, method: 'exact', standardError: { loss: 0, reconstruction: 0 } },
  classification: 'stub',
  evidence: null,
  details: { c: null, biasMean: 0, polysemanticCount: 0, expectedPolysemanticCount: null, disambiguationUse: null },
});

/**
 * A fake trainer: parameters filled with `seed + lambda`, loss = seed + lambda; records calls.
 * Every instance converges at half the steps, except those `before` returns (they diverge at
 * step 7 with a NaN loss); `before` may also throw.
 */
export function fakeTrain(
  calls: TrainConfig[] = [],
  /** May throw; returning an array of instance indices makes those diverge. */
  before?: (config: TrainConfig) => unknown,
): TrainFunction {
  return async (config) => {
    calls.push(config);
    const picked = await before?.(config);
    const bad = new Set(Array.isArray(picked) ? (picked as number[]) : []);
    const { n, m } = config.model;
    const step = Math.floor(config.steps / 2);
    const result: TrainResult = {
      config,
      runtime: { backend: 'fake', simd: false, threads: false, tfjsVersion: '0', platform: 'node' },
      wallSeconds: config.instances.length,
      stepsRun: step,
      instances: config.instances.flatMap((s, i) => {
        if (bad.has(i)) return [];
        const rec = { step, instance: i, loss: s.seed + s.lambda, reconstruction: s.seed, l1: s.lambda };
        return [
          {
            instance: i,
            seed: s.seed,
            lambda: s.lambda,
            lr: s.lr,
            status: 'converged' as const,
            step,
            params: { kind: 'tied' as const, n, m, W: new Float32Array(n * m).fill(s.seed + s.lambda), b: new Float32Array(n) },
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
                reason: 'non-finite-loss' as const,
                message: `instance ${i} diverged at step 7: loss is NaN (lr ${s.lr} may be too large)`,
                history: [{ step: 0, instance: i, loss: 1, reconstruction: 1, l1: 0 }],
              },
            ]
          : [],
      ),
    };
    return result;
  };
}
