/**
 * A fused training step for the tied model, on the wasm backend's heap in place: the matrix
 * products run the polytoy GEMM directly on the tensors' memory (no tfjs op, no allocation per
 * step), the elementwise work runs in the polytoy SIMD kernels, and Adam/AdamW/SGD update the
 * parameters and moments in place.
 *
 * Per instance, with `B` rows and `s = 1 / batchTotal` (`batchTotal = B` unless the batch is
 * split across workers, then the whole batch):
 *
 *     h  = act_h(x Wᵀ)                         GEMM [B,n]·[m,n]ᵀ      (hidden: none | relu)
 *     y  = act_o(h W + b)                      GEMM [B,m]·[m,n], fused bias + ReLU
 *     dz = fl(fl(imp·fl(y − x)) · fl(2s)) · step(y)
 *     dh = (fl(dz Wᵀ + fl(lambda·s)·sign(h))) · step(h)               GEMM + kernels
 *     dW = [h; dh]ᵀ [dz; x]                    one GEMM with K = 2B (= hᵀdz + dhᵀx)
 *     db = 1ᵀ dz                               GEMM with a row of ones
 *
 * `h` and `dh` are adjacent rows of one buffer, as are `dz` and `x`, so the two weight-gradient
 * products are a single GEMM whose k-ordered sum runs over both: it equals `hᵀdz + dhᵀx` up to
 * float32 reassociation. Everything per sample (h, y, dz, dh) is the same bits whatever `B` is,
 * so a split batch differs from the whole only in the sums over rows. The two loss sums
 * (reconstruction Σ imp·(y−x)², activation L1 Σ|h|) are float64 JS loops, rounded at the end.
 *
 * Determinism: the GEMM and the elementwise kernels use only IEEE single-precision add/mul/div/
 * sqrt/max in a fixed order (`@polytoy/kernels`), and the JS sums are IEEE double arithmetic in
 * a fixed order, so results are identical in every engine, in Node and in browsers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, OptimizerConfig, TrainConfig } from '@polytoy/core';
import type { OptimizerState } from './optimizer.js';
import { optimizerDefinition } from './optimizers/registry.js';
import type { WasmHeap } from './wasm-heap.js';
import { activeWasmHeap } from './wasm-heap.js';

/**
 * Whether {@link FusedTiedStep} implements a config: tied weights without hidden noise (any
 * hidden/output activation, output bias on or off, L1 on activations or weights, importance
 * weights, SGD/Adam/AdamW). Everything else trains through tfjs ops.
 *
 * @example
 * fusedStepSupports(resolveTrainConfig({ data: { n: 64 } })); // true
 * fusedStepSupports(resolveTrainConfig({ data: { n: 64 }, model: { weights: { kind: 'untied' } } })); // false
 */
export function fusedStepSupports(config: Pick<TrainConfig, 'model'>): boolean {
  const { model } = config;
  return model.weights.kind === 'tied' && model.hiddenNoise.kind === 'none';
}

/** Setup of a {@link FusedTiedStep}. */
export interface FusedStepSetup {
  model: ModelConfig;
  optimizer: OptimizerConfig;
  /** Instances I. */
  instances: number;
  /** Rows of the batch this step sees. */
  batch: number;
  /** Rows the loss averages over (the whole batch when it is split across workers). */
  batchTotal: number;
  /** Per-instance L1 coefficients. */
  lambda: readonly number[];
  /** Per-feature loss weights, or null. */
  /** Feature weights of the reconstruction loss: [n] shared by all instances, or [I, n]; null: all 1. */
  importance: Float32Array | null;
}

/** Per-instance partial sums of one forward pass (float64). */
export interface FusedLossSums {
  /** Σ_rows Σ_i imp_i (y − x)², divided by batchTotal. */
  reconstruction: Float64Array;
  /** Σ_rows ||h||₁ divided by batchTotal (activation L1); zeros for weight L1. */
  activationL1: Float64Array;
}

const f32 = Math.fround;

/**
 * The fused step of I tied instances. Holds its scratch tensors (disposed by `dispose`); the
 * parameter and moment tensors stay the caller's and are updated in place, so they must own
 * their data (not be `tf.reshape` views). Needs the wasm backend (the polytoy kernels are
 * instantiated on its memory; registering them as `BatchMatMul` is not required).
 *
 * @example
 * const step = new FusedTiedStep({ model, optimizer, instances: 1, batch: 1024, batchTotal: 1024, lambda: [1e-3], importance: null });
 * step.setBatch(x); // [I, B, n]
 * const sums = step.forward(W, b, true); // losses; gradients in step.dW, step.db
 * step.update(W, b, state, [1e-3], ++state.step); // Adam in place on W, b and state's moments
 * step.dispose();
 */
export class FusedTiedStep {
  readonly heap: WasmHeap;
  private readonly I: number;
  private readonly B: number;
  private readonly n: number;
  private readonly m: number;
  /** [I, 2B, m]: h rows then dh rows per instance. */
  private readonly hd: tf.Tensor;
  /** [I, 2B, n]: dz rows then x rows per instance. */
  private readonly zx: tf.Tensor;
  /** [I, B, n]: pre-activations, then y. */
  private readonly zp: tf.Tensor;
  /** [I, m, n] weight gradient. */
  readonly dW: tf.Tensor;
  /** [I, n] bias gradient. */
  readonly db: tf.Tensor;
  private readonly scratch: tf.Tensor;
  /** [B] ones: db = 1ᵀ dz as a GEMM. */
  private readonly ones: tf.Tensor;

  constructor(private readonly setup: FusedStepSetup) {
    const { model, instances: I, batch: B } = setup;
    this.I = I;
    this.B = B;
    this.n = model.n;
    this.m = model.m;
    this.heap = activeWasmHeap();
    const { n, m } = this;
    const k = this.heap.kernels;
    const scratchBytes = Math.max(
      k.gemmScratchBytes(B, m, n),
      k.gemmScratchBytes(B, n, m),
      k.gemmScratchBytes(m, n, 2 * B),
      k.gemmScratchBytes(1, n, B),
    );
    this.hd = tf.zeros([I, 2 * B, m]);
    this.zx = tf.zeros([I, 2 * B, n]);
    this.zp = tf.zeros([I, B, n]);
    this.dW = tf.zeros([I, m, n]);
    this.db = tf.zeros([I, n]);
    this.scratch = tf.zeros([Math.ceil(scratchBytes / 4) + 4]);
    this.ones = tf.ones([B]);
  }

  /** Where instance i's batch goes: a [B, n] view into the heap (valid until the heap grows). */
  xView(i: number): Float32Array {
    const start = this.heap.offsetOf(this.zx, 'zx') / 4 + (i * 2 + 1) * this.B * this.n;
    return this.heap.f32().subarray(start, start + this.B * this.n);
  }

  /** Copies an [I, B, n] batch into place. */
  setBatch(x: Float32Array): void {
    const per = this.B * this.n;
    for (let i = 0; i < this.I; i++) this.xView(i).set(x.subarray(i * per, (i + 1) * per));
  }

  /**
   * Forward pass and loss on the current batch; with `grads`, also the gradients into
   * {@link dW} and {@link db} (the L1-on-weights term is added by {@link update}).
   *
   * The elementwise work runs in the SIMD kernels, in place: `y − x` is the kernels' SGD
   * update `p ← fl(fl(p·1) − fl(1·g))` on a copy of y, the scaling by `fl(2s)` the same update
   * with `decay = fl(2s)` and `lr = 0` (`fl(fl(p·2s) − 0)`), the ReLU masks `reluMaskGrad`, the
   * L1 term `addSignScaled`, and `db = 1ᵀ dz` a GEMM with a row of ones. Only the two loss sums
   * (Σ(y−x)², Σ|h|) are JS loops (read-only, float64).
   */
  forward(W: tf.Tensor, b: tf.Tensor, grads: boolean): FusedLossSums {
    const { I, B, n, m, heap } = this;
    const { model, batchTotal, lambda, importance } = this.setup;
    const k = heap.kernels;
    const pW = heap.offsetOf(W, 'W');
    const pb = heap.offsetOf(b, 'b');
    const pHD = heap.offsetOf(this.hd, 'hd');
    const pZX = heap.offsetOf(this.zx, 'zx');
    const pZP = heap.offsetOf(this.zp, 'zp');
    const pDW = heap.offsetOf(this.dW, 'dW');
    const pDB = heap.offsetOf(this.db, 'db');
    const pOnes = heap.offsetOf(this.ones, 'ones');
    const scratch = heap.offsetOf(this.scratch, 'scratch');
    const hiddenRelu = model.hiddenActivation === 'relu';
    const outputRelu = model.outputActivation === 'relu';
    const bias = model.outputBias;
    const activationL1 = model.l1.target === 'activations';
    const scale2 = f32(2 * f32(1 / batchTotal));
    const rec = new Float64Array(I);
    const l1 = new Float64Array(I);
    const Bn = B * n;
    const Bm = B * m;
    for (let i = 0; i < I; i++) {
      const w = pW + 4 * i * m * n;
      const h = pHD + 4 * i * 2 * Bm;
      const dh = h + 4 * Bm;
      const dz = pZX + 4 * i * 2 * Bn;
      const x = dz + 4 * Bn;
      const zp = pZP + 4 * i * Bn;
      const bi = pb + 4 * i * n;
      k.gemm(x, w, h, B, m, n, 0, 1, scratch);
      if (hiddenRelu) k.biasRelu(h, 0, h, B, m, 0);
      k.gemm(h, w, zp, B, n, m, 0, 0, scratch);
      if (outputRelu) k.biasRelu(zp, bi, zp, B, n, bias ? 1 : 0);
      else if (bias) addBias(heap.f32(), zp >> 2, bi >> 2, B, n);

      // d = y − x into the dz rows, then the loss sum over it.
      heap.f32().copyWithin(dz >> 2, zp >> 2, (zp >> 2) + Bn);
      k.sgd(dz, x, 0, Bn, 1, 0, 1, 0);
      rec[i] =
        (importance
          ? weightByImportance(heap.f32(), dz >> 2, importanceOf(importance, i, n), B, n)
          : sumOfSquares(heap.f32(), dz >> 2, Bn)) / batchTotal;
      if (grads) {
        k.sgd(dz, x, 0, Bn, 0, 0, scale2, 0);
        if (outputRelu) k.reluMaskGrad(zp, dz, dz, Bn);
        if (bias) k.gemm(pOnes, dz, pDB + 4 * i * n, 1, n, B, 0, 0, scratch);
        k.gemm(dz, w, dh, B, m, n, 0, 1, scratch);
      }
      if (activationL1) l1[i] = sumOfAbs(heap.f32(), h >> 2, Bm) / batchTotal;
      if (grads) {
        if (activationL1) k.addSignScaled(dh, h, dh, Bm, f32(f32(lambda[i]!) * f32(1 / batchTotal)));
        if (hiddenRelu) k.reluMaskGrad(h, dh, dh, Bm);
        k.gemm(h, dz, pDW + 4 * i * m * n, m, n, 2 * B, 1, 0, scratch);
      }
    }
    return { reconstruction: rec, activationL1: l1 };
  }

  /** Σ|W| per instance (the weight-L1 value), float64. */
  weightL1(W: tf.Tensor): Float64Array {
    const { I, m, n, heap } = this;
    const H = heap.f32();
    const o = heap.offsetOf(W, 'W') >> 2;
    const out = new Float64Array(I);
    for (let i = 0; i < I; i++) {
      let a = 0;
      const base = o + i * m * n;
      for (let e = 0; e < m * n; e++) a += Math.abs(H[base + e]!);
      out[i] = a;
    }
    return out;
  }

  /**
   * Adds the weight-L1 gradient `lambda·sign(W)` (when the L1 targets weights) and applies one
   * optimizer update in place on W, b (when the model has a bias) and the moments in `state`.
   *
   * @param lr - per-instance learning rates (already scheduled).
   * @param t - the 1-based update count (Adam's bias correction).
   */
  update(W: tf.Tensor, b: tf.Tensor, state: OptimizerState, lr: readonly number[], t: number): void {
    const { I, m, n, heap } = this;
    const { model, optimizer, lambda } = this.setup;
    const k = heap.kernels;
    const pW = heap.offsetOf(W, 'W');
    const pb = heap.offsetOf(b, 'b');
    const pDW = heap.offsetOf(this.dW, 'dW');
    const pDB = heap.offsetOf(this.db, 'db');
    const mn = m * n;
    if (model.l1.target === 'weights') {
      for (let i = 0; i < I; i++) k.addSignScaled(pDW + 4 * i * mn, pW + 4 * i * mn, pDW + 4 * i * mn, mn, f32(lambda[i]!));
    }
    const def = optimizerDefinition(optimizer.kind);
    const slotNames = def.slotNames(optimizer);
    const heapView = (): Float32Array => heap.f32();
    const ranges: { param: 'W' | 'b'; p: number; g: number; size: number }[] = [{ param: 'W', p: pW, g: pDW, size: mn }];
    if (model.outputBias) ranges.push({ param: 'b', p: pb, g: pDB, size: n });
    for (const r of ranges) {
      const slotBase = Object.fromEntries(slotNames.map((s) => [s, heap.offsetOf(state.slots[s]![r.param]!, `${s}.${r.param}`)]));
      for (let i = 0; i < I; i++) {
        const o = 4 * i * r.size;
        def.inPlaceUpdate({
          config: optimizer,
          kernels: k,
          heap: heapView,
          param: r.p + o,
          grad: r.g + o,
          slots: Object.fromEntries(slotNames.map((s) => [s, slotBase[s]! + o])),
          len: r.size,
          lr: lr[i]!,
          t,
          decayed: r.param === 'W',
        });
      }
    }
  }

  /** Frees the scratch tensors. */
  dispose(): void {
    tf.dispose([this.hd, this.zx, this.zp, this.dW, this.db, this.scratch, this.ones]);
  }
}

/** Σ v² over `len` floats at `o` (float64). */
function sumOfSquares(H: Float32Array, o: number, len: number): number {
  let a = 0;
  let c = 0;
  let e = o;
  const end = o + len;
  for (; e + 1 < end; e += 2) {
    const u = H[e]!;
    const v = H[e + 1]!;
    a += u * u;
    c += v * v;
  }
  if (e < end) a += H[e]! ** 2;
  return a + c;
}

/** Σ |v| over `len` floats at `o` (float64). */
function sumOfAbs(H: Float32Array, o: number, len: number): number {
  let a = 0;
  let c = 0;
  let e = o;
  const end = o + len;
  for (; e + 1 < end; e += 2) {
    a += Math.abs(H[e]!);
    c += Math.abs(H[e + 1]!);
  }
  if (e < end) a += Math.abs(H[e]!);
  return a + c;
}

/** Instance i's weights: the shared [n] ones, or row i of [I, n]. */
function importanceOf(importance: Float32Array, i: number, n: number): Float32Array {
  return importance.length === n ? importance : importance.subarray(i * n, (i + 1) * n);
}

/** d ← fl(imp·d) over [B, n] at `o`, returning Σ imp·d·d (float64). */
function weightByImportance(H: Float32Array, o: number, importance: Float32Array, B: number, n: number): number {
  let a = 0;
  for (let row = 0; row < B; row++) {
    const ro = o + row * n;
    for (let j = 0; j < n; j++) {
      const d = H[ro + j]!;
      const wd = f32(importance[j]! * d);
      a += wd * d;
      H[ro + j] = wd;
    }
  }
  return a;
}

/** y ← fl(y + b) over [B, n] at `o` (output without ReLU). */
function addBias(H: Float32Array, o: number, bo: number, B: number, n: number): void {
  for (let row = 0; row < B; row++) {
    const ro = o + row * n;
    for (let j = 0; j < n; j++) H[ro + j] = H[ro + j]! + H[bo + j]!;
  }
}

/**
 * `flushTinyMoments` in place (internal): every moment with `|x| <= threshold` becomes `step(|x| − t)·x`
 * = ±0 (NaN stays NaN), the same values as the tfjs version.
 */
export function flushMomentsInPlace(heap: WasmHeap, state: OptimizerState, threshold: number): void {
  const t = f32(threshold);
  for (const byParam of Object.values(state.slots)) {
    for (const [name, tensor] of Object.entries(byParam)) {
      const o = heap.offsetOf(tensor, name) >> 2;
      const H = heap.f32();
      for (let e = o, end = o + tensor.size; e < end; e++) {
        const v = H[e]!;
        if (Math.abs(v) <= t) H[e] = v * 0;
      }
    }
  }
}
