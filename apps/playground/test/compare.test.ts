import type { RunRecord } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { bitDifferences } from './compare.js';

function record(W: number[], loss: number): RunRecord {
  const rec = { step: 0, instance: 0, loss, reconstruction: loss, l1: 0 };
  return {
    format: 'polytoy.run/2',
    createdAt: '2025-01-01T00:00:00.000Z',
    config: {},
    runtime: { backend: 'wasm', simd: true, threads: false, tfjsVersion: '4.22.0', platform: 'node' },
    wallSeconds: 1,
    stepsRun: 0,
    diverged: [],
    instances: [
      {
        instance: 0,
        seed: 0,
        lambda: 0,
        lr: 0,
        status: 'capped',
        step: 0,
        params: { kind: 'tied', n: 2, m: 1, W, b: [0, 0] },
        finalLoss: rec,
        history: [rec],
      },
    ],
  };
}

describe('bitDifferences', () => {
  it('finds nothing between equal runs', () => {
    expect(bitDifferences(record([1, 0.5], 0.25), record([1, 0.5], 0.25))).toEqual([]);
  });

  it('finds a one-ulp difference in a parameter and in a loss', () => {
    const up = (x: number) => new Float32Array(new Uint32Array([new Uint32Array(Float32Array.of(x).buffer)[0]! + 1]).buffer)[0]!;
    expect(bitDifferences(record([1, 0.5], 0.25), record([1, up(0.5)], 0.25)).map((d) => d.path)).toEqual([
      'instances[0].params.W[1]',
    ]);
    expect(bitDifferences(record([1, 0.5], 0.25), record([1, 0.5], up(0.25))).map((d) => d.path)).toEqual([
      'instances[0].history[0].loss',
      'instances[0].history[0].reconstruction',
      'instances[0].finalLoss.loss',
      'instances[0].finalLoss.reconstruction',
    ]);
  });

  it('tells -0 from +0 and reports entries missing on either side', () => {
    expect(bitDifferences(record([0, 1], 0), record([-0, 1], 0)).map((d) => d.path)).toEqual(['instances[0].params.W[0]']);
    expect(bitDifferences(record([0, 1], 0), record([0, 1, 2], 0)).map((d) => d.path)).toEqual(['instances[0].params.W[2]']);
    expect(bitDifferences(record([0, 1, 2], 0), record([0, 1], 0)).map((d) => d.path)).toEqual(['instances[0].params.W[2]']);
  });
});
