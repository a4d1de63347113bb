/**
 * One replica of a batch-split run (`trainParallel(…, { split: 'batch' })`): the parameters and
 * optimizer state of every instance, and the fused step for this thread's rows of each batch
 * (tied `W` or untied `E`/`D`, any activation; no hidden noise, see `batchSplitSupports`).
 * The main thread is replica 0, each worker thread one more. Per update every replica
 *
 * 1. computes the loss sums and gradients of its rows (`batchTotal` = the whole batch),
 * 2. publishes its gradients in shared memory and waits for the others (a barrier),
 * 3. sums all replicas' gradients in replica order, ((g₀ + g₁) + g₂) + …, in float32 — the same
 *    bits on every replica — and applies the same optimizer update (untied: then the unit-norm
 *    decoder constraint, as the unsplit fused step does),
 *
 * so the replicas stay identical. Gradients and learning rates are double-buffered by update
 * parity, so a fast replica can publish update t + 1 while a slow one still reads update t.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '@polytoy/core';
import { PolytoyError } from '@polytoy/core';
import type { ModelParams } from '@polytoy/core';
import { disposeParams, paramsToTensors, tensorsToParams } from '@polytoy/model';
import type { ParamTensors } from '@polytoy/model';
import type { OptimizerStateData } from './checkpoint.js';
import { paramMap, stateFromData, stateToData } from './engine.js';
import { flushMomentsInPlace, FusedStep } from './fused-step.js';
import type { FusedLossSums } from './fused-step.js';
import { createOptimizerState, disposeOptimizerState, FLUSH_THRESHOLD } from './optimizer.js';
import type { OptimizerState } from './optimizer.js';
import type { SplitBuffers } from './worker-protocol.js';
import { CTRL } from './worker-protocol.js';

/** Typed views of the shared buffers. */
export interface SplitViews {
  ctrl: Int32Array;
  commands: Int32Array;
  x: Float32Array;
  /** [2][I] */
  lr: Float64Array;
  /** [2][replicas][gradient floats]: dW (tied) or dE then dD (untied), then db; see {@link gradientFloats} */
  grads: Float32Array;
  /** [replicas][3·I]: reconstruction, activation L1, weight L1 */
  sums: Float64Array;
}

export function splitViews(shared: SplitBuffers): SplitViews {
  return {
    ctrl: new Int32Array(shared.control),
    commands: new Int32Array(shared.commands),
    x: new Float32Array(shared.x),
    lr: new Float64Array(shared.lr),
    grads: new Float32Array(shared.grads),
    sums: new Float64Array(shared.sums),
  };
}

/** Floats of one replica's gradients: I·(m·n + n) tied, I·(2·m·n + n) untied (dE and dD). */
export function gradientFloats(config: Pick<TrainConfig, 'model' | 'instances'>): number {
  const { n, m, weights } = config.model;
  return config.instances.length * ((weights.kind === 'tied' ? 1 : 2) * m * n + n);
}

/** Shared buffers for `replicas` threads. */
export function createSplitBuffers(config: TrainConfig, replicas: number): SplitBuffers {
  const I = config.instances.length;
  const { n } = config.model;
  return {
    control: new SharedArrayBuffer(CTRL.size * 4),
    commands: new SharedArrayBuffer(CTRL.ring * 4),
    x: new SharedArrayBuffer(I * config.batchSize * n * 4),
    lr: new SharedArrayBuffer(2 * I * 8),
    grads: new SharedArrayBuffer(2 * replicas * gradientFloats(config) * 4),
    sums: new SharedArrayBuffer(replicas * 3 * I * 8),
  };
}

/**
 * The rows [start, end) of each replica. Replica 0 is the main thread, which also draws the
 * batches, so it takes fewer rows. A fixed cost model balances them — not a measurement: the
 * partition, and with it the order of the sums, must be a function of the config alone. Per row
 * of one instance: ≈ 14 ns per random draw of the batch (half-split: n/4 + 1 draws) against
 * ≈ 0.34 ns·n·m + 3.6 ns·(n + m) of the fused step (fitted to seed-64 and seed-256 on a 2-vCPU Xeon).
 *
 * @example
 * splitRows(resolveTrainConfig({ data: { n: 64 }, model: { m: 33 }, batchSize: 1024 }), 2); // [[0, 398], [398, 1024]]
 */
export function splitRows(config: TrainConfig, replicas: number): [number, number][] {
  const B = config.batchSize;
  const { n, m } = config.model;
  const I = config.instances.length;
  const draws = config.data.kind === 'half-split' ? n / 4 + 1 : config.data.kind === 'sparse-uniform' ? n : 0;
  const drawPerRow = I * 14 * draws;
  const computePerRow = I * (0.343 * n * m + 3.6 * (n + m));
  const W = replicas;
  let r0 = Math.floor((B * computePerRow - (W - 1) * B * drawPerRow) / (W * computePerRow));
  r0 = Math.min(Math.max(r0, 1), Math.floor(B / W));
  if (W === 1) r0 = B;
  const rows: [number, number][] = [[0, r0]];
  for (let k = 1; k < W; k++) {
    rows.push([r0 + Math.floor(((k - 1) * (B - r0)) / (W - 1)), r0 + Math.floor((k * (B - r0)) / (W - 1))]);
  }
  return rows;
}

export class SplitReplica {
  private readonly params: ParamTensors;
  private readonly state: OptimizerState;
  private readonly fused: FusedStep;
  /** Another replica's gradient of one weight matrix (all instances), then of b. */
  private readonly incomingW: tf.Tensor;
  private readonly incomingB: tf.Tensor;
  private readonly I: number;
  private readonly gradLen: number;
  private barriers = 0;
  /** Updates applied so far (their parity selects the double buffers). */
  updates = 0;

  constructor(
    private readonly config: TrainConfig,
    readonly index: number,
    private readonly replicas: number,
    private readonly rows: [number, number],
    start: { params: ModelParams[]; optimizer: OptimizerStateData | null; importance: Float32Array | null },
    private readonly v: SplitViews,
  ) {
    const { model, instances } = config;
    this.I = instances.length;
    this.gradLen = gradientFloats(config);
    const params = paramsToTensors(start.params);
    if (params.kind !== model.weights.kind) {
      disposeParams(params);
      throw new PolytoyError(`batch split: expected ${model.weights.kind} parameters, got ${params.kind}`);
    }
    this.params = params;
    try {
      this.state = start.optimizer
        ? stateFromData(start.optimizer, config, params)
        : createOptimizerState(config.optimizer, paramMap(params));
      this.updates = this.state.step;
      this.fused = new FusedStep({
        model,
        optimizer: config.optimizer,
        instances: this.I,
        batch: rows[1] - rows[0],
        batchTotal: config.batchSize,
        lambda: instances.map((s) => s.lambda),
        importance: start.importance,
      });
    } catch (error) {
      disposeParams(params);
      throw error;
    }
    this.incomingW = tf.zeros([this.I * model.m * model.n]);
    this.incomingB = tf.zeros([this.I * model.n]);
  }

  /** The gradient tensors in their shared-memory order: dW (tied) or dE, dD (untied), then db. */
  private gradients(): { grad: tf.Tensor; name: string }[] {
    const { fused } = this;
    const weights = fused.dDec
      ? [
          { grad: fused.dEnc, name: 'dE' },
          { grad: fused.dDec, name: 'dD' },
        ]
      : [{ grad: fused.dEnc, name: 'dW' }];
    return [...weights, { grad: fused.db, name: 'db' }];
  }

  /** This replica's rows of the batch in shared memory: loss sums, and gradients when updating. */
  compute(update: boolean): FusedLossSums {
    const { I, fused, params, v } = this;
    const { n } = this.config.model;
    const B = this.config.batchSize;
    const [r0, r1] = this.rows;
    for (let i = 0; i < I; i++) fused.xView(i).set(v.x.subarray((i * B + r0) * n, (i * B + r1) * n));
    const weightL1 = this.index === 0 && this.config.model.l1.target === 'weights' ? fused.weightL1Of(params) : null;
    const s = fused.lossAndGradients(params, update, null);
    const base = this.index * 3 * I;
    for (let i = 0; i < I; i++) {
      v.sums[base + i] = s.reconstruction[i]!;
      v.sums[base + I + i] = s.activationL1[i]!;
      v.sums[base + 2 * I + i] = weightL1 ? weightL1[i]! : 0;
    }
    if (update) {
      const heap = fused.heap;
      let at = ((this.updates % 2) * this.replicas + this.index) * this.gradLen;
      for (const { grad, name } of this.gradients()) {
        const p = heap.offsetOf(grad, name) >> 2;
        v.grads.set(heap.f32().subarray(p, p + grad.size), at);
        at += grad.size;
      }
    }
    return s;
  }

  /** Announces that this replica's gradients of the current update are published. */
  arrive(): number {
    const { ctrl } = this.v;
    Atomics.add(ctrl, CTRL.arrived, 1);
    Atomics.notify(ctrl, CTRL.arrived);
    return this.replicas * ++this.barriers;
  }

  /** {@link arrive}, then waits until every replica has (blocking: worker threads). */
  barrier(): void {
    const { ctrl } = this.v;
    const target = this.arrive();
    for (;;) {
      const value = Atomics.load(ctrl, CTRL.arrived);
      if (value >= target) return;
      if (Atomics.load(ctrl, CTRL.failed) !== 0) throw new PolytoyError('batch split: another thread failed');
      Atomics.wait(ctrl, CTRL.arrived, value, 1000);
    }
  }

  /**
   * Sums the replicas' gradients in replica order and applies the update (after `barrier`):
   * the optimizer, then for untied weights the unit-norm decoder constraint (`FusedStep.apply`).
   */
  update(): void {
    const { I, fused, v, gradLen } = this;
    const heap = fused.heap;
    const parity = this.updates % 2;
    const slot = (k: number): number => (parity * this.replicas + k) * gradLen;
    let at = 0;
    for (const { grad, name } of this.gradients()) {
      const len = grad.size;
      const incoming = name === 'db' ? this.incomingB : this.incomingW;
      const pG = heap.offsetOf(grad, name);
      const pIn = heap.offsetOf(incoming, 'incoming');
      heap.f32().set(v.grads.subarray(slot(0) + at, slot(0) + at + len), pG >> 2);
      for (let k = 1; k < this.replicas; k++) {
        heap.f32().set(v.grads.subarray(slot(k) + at, slot(k) + at + len), pIn >> 2);
        // g ← fl(g + g_k).
        heap.kernels.axpby(pG, pIn, len, 1, 1);
      }
      at += len;
    }
    const lr = Array.from(v.lr.subarray(parity * I, (parity + 1) * I));
    this.updates += 1;
    this.state.step = this.updates;
    fused.apply(this.params, this.state, lr, this.updates);
  }

  flush(): void {
    flushMomentsInPlace(this.fused.heap, this.state, FLUSH_THRESHOLD);
  }

  /** Per instance: all parameters finite? */
  finite(): boolean[] {
    const p = this.params;
    const weights = (p.kind === 'tied' ? [p.W] : [p.E, p.D]).map((w) => w.dataSync());
    const b = p.b.dataSync();
    const { n, m } = this.config.model;
    return Array.from({ length: this.I }, (_, i) => {
      for (const W of weights) for (let e = i * m * n; e < (i + 1) * m * n; e++) if (!Number.isFinite(W[e]!)) return false;
      for (let e = i * n; e < (i + 1) * n; e++) if (!Number.isFinite(b[e]!)) return false;
      return true;
    });
  }

  exportParams(): ModelParams[] {
    return tensorsToParams(this.params);
  }

  exportState(): OptimizerStateData {
    return stateToData(this.state);
  }

  dispose(): void {
    this.fused.dispose();
    disposeParams(this.params);
    disposeOptimizerState(this.state);
    tf.dispose([this.incomingW, this.incomingB]);
  }
}
