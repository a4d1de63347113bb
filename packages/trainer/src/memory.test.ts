/**
 * No growth over a long run: the tfjs tensor count and the wasm heap stay constant while training
 * (the fused step updates in place and allocates nothing per step; the tfjs engine disposes every
 * temporary), and everything is released at the end. The benchmark (`npm run bench`) runs the
 * same check over 10 000 updates of seed-64.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfigInput } from '@polytoy/core';
import { resolveTrainConfig } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './node.js';
import { runTraining } from './train.js';

beforeAll(async () => {
  await initNodeBackend();
});

const heapBytes = (): number =>
  (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory.buffer.byteLength;

describe('memory over 2000 updates', () => {
  it.each(['fused', 'tfjs'] as const)('%s engine: constant tensor count and wasm heap, all released after', async (engine) => {
    const config: TrainConfigInput = {
      data: { n: 32 },
      model: { m: 17 },
      batchSize: 64,
      steps: 2000,
      logEvery: 100,
      instances: 2,
      optimizer: { kind: 'adam', lr: 3e-3 },
    };
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const heaps: number[] = [];
    await runTraining(
      resolveTrainConfig(config),
      {
        onLog: (r) => {
          if (r.instance !== 0 || r.step === 2000) return;
          counts.push(tf.memory().numTensors);
          heaps.push(heapBytes());
        },
      },
      { engine },
    );
    expect(counts).toHaveLength(20);
    expect(new Set(counts).size).toBe(1);
    // The heap reaches its size in the first updates and never grows after.
    expect(new Set(heaps.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
