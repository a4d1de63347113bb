/**
 * Where one update of one instance spends its time, one thread: the batch draw, each GEMM of the
 * fused step (timed alone on buffers of the same shapes), the rest of the fused forward/backward
 * (elementwise kernels, loss sums, copies), and the in-place Adam update. Median of repeated
 * timings (the machine is shared; medians are closer to what a run sees than best times).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { initParams } from '@polytoy/model';
import { createOptimizerState, createTrainingData, disposeOptimizerState, FusedTiedStep } from '@polytoy/trainer';
import { median } from './stats.js';
import type { Workload } from './workloads.js';
import { flopsPerInstanceStep } from './workloads.js';

export interface ProfilePart {
  part: string;
  ms: number;
  gflops?: number;
}

export interface Profile {
  workload: string;
  parts: ProfilePart[];
  totalMs: number;
}

function timeMs(fn: () => void, reps: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function profileStep(w: Workload, reps: number): Profile {
  const config = resolveTrainConfig({ ...w.config, instances: 1 });
  const { model } = config;
  const { n, m } = model;
  const B = config.batchSize;
  const p = initParams(model, createPrng(1));
  if (p.kind !== 'tied') throw new Error('tied expected');
  const W = tf.tensor3d(p.W, [1, m, n]);
  const b = tf.tensor2d(p.b, [1, n]);
  const state = createOptimizerState(config.optimizer, { W, b });
  const step = new FusedTiedStep({
    model,
    optimizer: config.optimizer,
    instances: 1,
    batch: B,
    batchTotal: B,
    lambda: [config.instances[0]!.lambda],
    importance: null,
  });
  const data = createTrainingData(config.data, createPrng(2));
  const x = new Float32Array(B * n);
  const parts: ProfilePart[] = [];
  try {
    parts.push({ part: 'draw the batch', ms: timeMs(() => data.next(B, x), reps) });
    parts.push({ part: 'copy it to the heap', ms: timeMs(() => step.setBatch(x), reps) });
    const forward = timeMs(() => step.forward(W, b, true), reps);
    // The GEMMs alone, on scratch tensors of the same shapes in the same heap.
    const k = step.heap.kernels;
    const big = tf.zeros([2 * B * Math.max(n, m) + m * n]);
    const other = tf.zeros([2 * B * Math.max(n, m)]);
    const out = tf.zeros([B * Math.max(n, m) + m * n]);
    const scratch = tf.zeros([(k.gemmScratchBytes(B, Math.max(n, m), 2 * B) >> 2) + 1024]);
    const off = (t: tf.Tensor): number => step.heap.offsetOf(t, 'scratch');
    const gemm = (label: string, M: number, N: number, K: number, tA: number, tB: number): number => {
      const ms = timeMs(() => k.gemm(off(big), off(other), off(out), M, N, K, tA, tB, off(scratch)), reps);
      parts.push({ part: label, ms, gflops: (2 * M * N * K) / ms / 1e6 });
      return ms;
    };
    let gemms = 0;
    gemms += gemm(`h = x Wᵀ  [${B}×${n}]·[${m}×${n}]ᵀ`, B, m, n, 0, 1);
    gemms += gemm(`z = h W  [${B}×${m}]·[${m}×${n}]`, B, n, m, 0, 0);
    gemms += gemm(`dh = dz Wᵀ  [${B}×${n}]·[${m}×${n}]ᵀ`, B, m, n, 0, 1);
    gemms += gemm(`dW = [h;dh]ᵀ[dz;x]  K=${2 * B}`, m, n, 2 * B, 1, 0);
    if (model.outputBias) gemms += gemm(`db = 1ᵀ dz  [1×${B}]·[${B}×${n}]`, 1, n, B, 0, 0);
    tf.dispose([big, other, out, scratch]);
    parts.push({ part: 'rest of forward/backward (elementwise kernels, loss sums)', ms: Math.max(forward - gemms, 0) });
    let t = 0;
    parts.push({ part: 'Adam update in place', ms: timeMs(() => step.update(W, b, state, [1e-3], ++t), reps) });
    const totalMs = parts.reduce((s, x) => s + x.ms, 0);
    parts.push({ part: 'sum (one instance-step)', ms: totalMs, gflops: flopsPerInstanceStep(w) / totalMs / 1e6 });
    return { workload: w.name, parts, totalMs };
  } finally {
    step.dispose();
    disposeOptimizerState(state);
    tf.dispose([W, b]);
  }
}
