/**
 * Where one update of one instance spends its time, one thread: the batch draw, each GEMM and
 * each elementwise pass of the fused step (the same kernel calls on buffers of the same shapes in
 * the same heap), and the in-place Adam update; next to them the fused step measured as a whole.
 * The parts are timed round-robin (one call of each per round) and reported as medians, so they
 * see the same machine conditions (the machine is shared).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { initParams } from '@polytoy/model';
import {
  createOptimizerState,
  createTrainingData,
  disposeOptimizerState,
  FusedTiedStep,
  inputPath,
} from '@polytoy/trainer/internal';
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
  /** Σ parts. */
  totalMs: number;
  /** The fused step (forward + backward + update) timed as a whole, batch already in place. */
  fusedMs: number;
}

export function profileStep(w: Workload, rounds: number): Profile {
  const config = resolveTrainConfig({ ...w.config, instances: 1 });
  const { model } = config;
  const { n, m } = model;
  const B = config.batchSize;
  const p = initParams(model, createPrng(1));
  if (p.kind !== 'tied') throw new Error('tied expected');
  const W = tf.tensor3d(p.W, [1, m, n]);
  const b = tf.tensor2d(p.b, [1, n]);
  const state = createOptimizerState(config.optimizer, { W, b });
  // One instance, one batch of B samples; `input` picks the step plan's path (dense by default).
  const stepFor = (input?: ReturnType<typeof inputPath>) =>
    new FusedTiedStep({
      model,
      optimizer: config.optimizer,
      instances: 1,
      batch: B,
      batchTotal: B,
      lambda: [config.instances[0]!.lambda],
      importance: null,
      ...(input ? { input } : {}),
    });
  const step = stepFor();
  const data = createTrainingData(config.data, createPrng(2));
  const x = new Float32Array(B * n);
  data.next(B, x);
  step.setBatch(x);
  // The step-plan's path (k-hot, identity, identity-gram), timed as a whole next to the dense step.
  const plan = inputPath(config);
  const planned = stepFor(plan);
  planned.setBatch(x);
  // Scratch buffers with the step's shapes: [h; dh] [2B, m], [dz; x] [2B, n], z [B, n], dW [m, n].
  const k = step.heap.kernels;
  const hd = tf.zeros([2 * B * m]);
  const zx = tf.zeros([2 * B * n]);
  const zp = tf.zeros([B * n]);
  const dW = tf.zeros([m * n]);
  const ones = tf.ones([B]);
  const db = tf.zeros([n]);
  const scratch = tf.zeros([(k.gemmScratchBytes(B, Math.max(n, m), 2 * B) >> 2) + 1024]);
  const at = (t: tf.Tensor): number => step.heap.offsetOf(t, 'profile buffer');
  const H = (): Float32Array => step.heap.f32();
  H().set(x, (at(zx) >> 2) + B * n);
  let sink = 0;
  // The same loops as the fused step's loss sums (two float64 accumulators).
  const sum = (o: number, len: number, abs: boolean): void => {
    const h = H();
    let a = 0;
    let c = 0;
    let e = o;
    const end = o + len;
    if (abs) {
      for (; e + 1 < end; e += 2) {
        a += Math.abs(h[e]!);
        c += Math.abs(h[e + 1]!);
      }
    } else {
      for (; e + 1 < end; e += 2) {
        const u = h[e]!;
        const v = h[e + 1]!;
        a += u * u;
        c += v * v;
      }
    }
    sink += a + c;
  };
  const pW = at(W);
  const hOff = at(hd);
  const dhOff = hOff + 4 * B * m;
  const dzOff = at(zx);
  const xOff = dzOff + 4 * B * n;
  let t = 0;
  const gemm = (M: number, N: number, K: number): number => (2 * M * N * K) / 1e6;
  const parts: { part: string; run: () => void; mflop?: number }[] = [
    { part: 'draw the batch (data stream)', run: () => data.next(B, x) },
    { part: 'copy it to the heap', run: () => step.setBatch(x) },
    {
      part: `GEMM h = x Wᵀ [${B}×${n}]·[${m}×${n}]ᵀ`,
      run: () => k.gemm(xOff, pW, hOff, B, m, n, 0, 1, at(scratch)),
      mflop: gemm(B, m, n),
    },
    {
      part: `GEMM z = h W [${B}×${m}]·[${m}×${n}]`,
      run: () => k.gemm(hOff, pW, at(zp), B, n, m, 0, 0, at(scratch)),
      mflop: gemm(B, n, m),
    },
    { part: 'bias + ReLU', run: () => k.biasRelu(at(zp), at(b), at(zp), B, n, model.outputBias ? 1 : 0) },
    {
      part: 'y − x (copy + SGD-kernel trick)',
      run: () => {
        H().copyWithin(dzOff >> 2, at(zp) >> 2, (at(zp) >> 2) + B * n);
        k.axpby(dzOff, xOff, B * n, 1, -1);
      },
    },
    { part: 'Σ (y − x)² (JS, float64)', run: () => sum(dzOff >> 2, B * n, false) },
    {
      part: 'scale by 2/B, ReLU mask',
      run: () => {
        k.scale(dzOff, B * n, 2 / B);
        k.reluMaskGrad(at(zp), dzOff, dzOff, B * n);
      },
    },
    ...(model.outputBias
      ? [
          {
            part: `GEMM db = 1ᵀ dz [1×${B}]·[${B}×${n}]`,
            run: () => k.gemm(at(ones), dzOff, at(db), 1, n, B, 0, 0, at(scratch)),
            mflop: gemm(1, n, B),
          },
        ]
      : []),
    {
      part: `GEMM dh = dz Wᵀ [${B}×${n}]·[${m}×${n}]ᵀ`,
      run: () => k.gemm(dzOff, pW, dhOff, B, m, n, 0, 1, at(scratch)),
      mflop: gemm(B, m, n),
    },
    ...(model.l1.target === 'activations'
      ? [
          { part: 'Σ |h| (JS, float64)', run: () => sum(hOff >> 2, B * m, true) },
          { part: 'L1 term dh += λ/B·sign(h)', run: () => k.addSignScaled(dhOff, hOff, dhOff, B * m, 1e-6) },
        ]
      : [{ part: 'Σ |W| (JS, float64)', run: () => sum(pW >> 2, m * n, true) }]),
    {
      part: `GEMM dW = [h;dh]ᵀ[dz;x] K=${2 * B}`,
      run: () => k.gemm(hOff, dzOff, at(dW), m, n, 2 * B, 1, 0, at(scratch)),
      mflop: gemm(m, n, 2 * B),
    },
    { part: 'Adam in place (W, b)', run: () => step.update(W, b, state, [1e-3], ++t) },
  ];
  const fused = {
    part: 'fused step as a whole (forward + update)',
    run: () => {
      step.forward(W, b, true);
      step.update(W, b, state, [1e-3], ++t);
    },
  };
  const plannedWhole = {
    part: `${plan.kind} step as a whole (forward + update)`,
    run: () => {
      planned.forward(W, b, true);
      planned.update(W, b, state, [1e-3], ++t);
    },
  };
  const times = new Map<string, number[]>([...parts, fused, plannedWhole].map((x) => [x.part, []]));
  try {
    for (let r = 0; r < rounds + 2; r++) {
      for (const part of [...parts, fused, plannedWhole]) {
        const t0 = performance.now();
        part.run();
        const ms = performance.now() - t0;
        if (r >= 2) times.get(part.part)!.push(ms);
      }
    }
    const out: ProfilePart[] = parts.map((x) => {
      const ms = median(times.get(x.part)!);
      return x.mflop ? { part: x.part, ms, gflops: x.mflop / ms } : { part: x.part, ms };
    });
    const totalMs = out.reduce((s, x) => s + x.ms, 0);
    const fusedMs = median(times.get(fused.part)!);
    out.push({ part: 'Σ parts', ms: totalMs, gflops: flopsPerInstanceStep(w) / totalMs / 1e6 });
    out.push({ part: fused.part, ms: fusedMs });
    out.push({ part: plannedWhole.part, ms: median(times.get(plannedWhole.part)!) });
    void sink;
    return { workload: w.name, parts: out, totalMs, fusedMs };
  } finally {
    step.dispose();
    planned.dispose();
    disposeOptimizerState(state);
    tf.dispose([W, b, hd, zx, zp, dW, ones, db, scratch]);
  }
}
