/**
 * The fused training step, on the wasm backend's heap in place: the matrix products run the
 * polytoy GEMM directly on the tensors' memory (no tfjs op, no allocation per step), the
 * elementwise work runs in the polytoy SIMD kernels, and the optimizer (a row of the optimizer
 * table) updates the parameters and moments in place. Every model option is covered: tied or
 * untied weights (with the unit-norm decoder constraint), hidden none/relu, output ReLU on/off,
 * bias on/off, L1 on activations or weights, Gaussian/Bernoulli hidden noise.
 *
 * Per instance, with `B` rows, `s = 1 / batchTotal` (`batchTotal = B` unless the batch is split
 * across workers, then the whole batch), encoder `E` [m, n] (tied: W) and decoder `D` [n, m]
 * (tied: Wᵀ, stored as W):
 *
 *     h  = act_h(x Eᵀ)                         GEMM [B,n]·[m,n]ᵀ      (hidden: none | relu)
 *     h̃  = h + noise  |  h · mask  |  h        JS loop, one float32 op per element
 *     y  = act_o(h̃ Dᵀ + b)                     GEMM, fused bias + ReLU
 *     dz = fl(fl(imp·fl(y − x)) · fl(2s)) · step(y)
 *     dh = (fl(fl(dz D) · mask) + fl(lambda·s)·sign(h)) · step(h)     GEMM + kernels
 *     tied:   dW = [h̃; dh]ᵀ [dz; x]            one GEMM with K = 2B (= h̃ᵀdz + dhᵀx)
 *     untied: dD = dzᵀ h̃,  dE = dhᵀ x          two GEMMs
 *     db = 1ᵀ dz                               GEMM with a row of ones
 *
 * For tied weights `h̃` and `dh` are adjacent rows of one buffer, as are `dz` and `x`, so the two
 * weight-gradient products are a single GEMM whose k-ordered sum runs over both: it equals
 * `h̃ᵀdz + dhᵀx` up to float32 reassociation. Everything per sample (h, y, dz, dh) is the same
 * bits whatever `B` is, so a split batch differs from the whole only in the sums over rows. The
 * two loss sums (reconstruction Σ imp·(y−x)², activation L1 Σ|h|) are float64 JS loops, rounded
 * at the end. The noise is the caller's (`sampleHiddenNoise` on the instances' noise streams, the
 * very draws the tfjs engine gets), applied with the same float32 operation as tfjs's `add`/`mul`.
 *
 * Float32 bound against the tfjs path (and the float64 reference): per element, h, y, dz, dh and
 * the elementwise ops are the same IEEE operations; only the GEMM sums may be ordered
 * differently. A float32 sum of K products differs from the exact sum by at most
 * γ(K)·Σ|products|, γ(K) = K·u/(1 − K·u), u = 2⁻²⁴ (Higham §3.1), so two paths differ by at most
 * 2·γ(K)·M with M the sum of absolute products (K = n for h, m for y and dh, B — 2B tied — for
 * the weight gradients), plus the propagation of those errors through the next product.
 * `fused-step.test.ts` checks every path against that bound.
 *
 * Determinism: the GEMM and the elementwise kernels use only IEEE single-precision add/mul/div/
 * sqrt/max in a fixed order (`@polytoy/kernels`), and the JS sums are IEEE double arithmetic in
 * a fixed order, so results are identical in every engine, in Node and in browsers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, OptimizerConfig, TrainConfig } from '@polytoy/core';
import type { ParamTensors } from '@polytoy/model';
import { hasConstraints } from '@polytoy/model';
import type { OptimizerState } from './optimizer.js';
import type { OptimizerSettings } from './optimizers/definition.js';
import { optimizerDefinition } from './optimizers/registry.js';
import type { InputPath } from './step-plan.js';
import { gramApplies } from './step-plan.js';
import type { WasmHeap } from './wasm-heap.js';
import { activeWasmHeap } from './wasm-heap.js';

/**
 * Whether {@link FusedStep} implements a config: every model option does (tied or untied,
 * any activation, bias, L1 target, hidden noise, importance weights, any optimizer of the table).
 * Kept as the single switch the engines ask, so a future option the fused step lacks is added here.
 *
 * @example
 * fusedStepSupports(resolveTrainConfig({ data: { n: 64 }, model: { weights: { kind: 'untied' } } })); // true
 */
export function fusedStepSupports(config: Pick<TrainConfig, 'model'>): boolean {
  const { kind } = config.model.weights;
  return kind === 'tied' || kind === 'untied';
}

/**
 * Whether a batch can be split across worker threads (`createSplitEngine`): the replicas sum the
 * weight gradients (tied `dW`, or untied `dE` and `dD`, the decoder constraint applied after the
 * update) and `db`, with any activation, bias or L1 target. Hidden noise is refused: its draws
 * are per sample from the instance's noise stream, in stream order, and the replicas do not
 * draw them.
 *
 * @example
 * batchSplitSupports(resolveTrainConfig({ data: { n: 64 }, model: { weights: { kind: 'untied' } } })); // true
 * batchSplitSupports(resolveTrainConfig({ data: { n: 64 }, model: { hiddenNoise: { kind: 'gaussian', std: 0.1 } } })); // false
 */
export function batchSplitSupports(config: Pick<TrainConfig, 'model'>): boolean {
  return fusedStepSupports(config) && config.model.hiddenNoise.kind === 'none';
}

/** Setup of a {@link FusedStep}. */
export interface FusedStepSetup {
  model: ModelConfig;
  /** The optimizer: a config of any kind in the optimizer table. */
  optimizer: OptimizerConfig | OptimizerSettings;
  /** Instances I. */
  instances: number;
  /** Rows of the batch this step sees. */
  batch: number;
  /** Rows the loss averages over (the whole batch when it is split across workers). */
  batchTotal: number;
  /** Per-instance L1 coefficients. */
  lambda: readonly number[];
  /** Feature weights of the reconstruction loss: [n] shared by all instances, or [I, n]; null: all 1. */
  importance: Float32Array | null;
  /** How to multiply by x (`inputPath` of the step plan); default dense. */
  input?: InputPath;
}

/** Per-instance partial sums of one forward pass (float64). */
export interface FusedLossSums {
  /** Σ_rows Σ_i imp_i (y − x)², divided by batchTotal. */
  reconstruction: Float64Array;
  /** Σ_rows ||h||₁ divided by batchTotal (activation L1); zeros for weight L1. */
  activationL1: Float64Array;
}

/** Columns whose norm is below this are left unchanged (as `applyConstraints`). */
const MIN_NORM = 1e-12;

const f32 = Math.fround;

/** A parameter's gradient range: tensor name in `ParamTensors`, gradient tensor, floats per instance. */
interface GradRange {
  name: 'W' | 'E' | 'D' | 'b';
  grad: tf.Tensor;
  size: number;
}

/**
 * The fused step of I instances (tied or untied). Holds its scratch tensors (disposed by
 * `dispose`); the parameter and moment tensors stay the caller's and are updated in place, so
 * they must own their data (not be `tf.reshape` views). Needs the wasm backend (the polytoy
 * kernels are instantiated on its memory; registering them as `BatchMatMul` is not required).
 *
 * @example
 * const step = new FusedStep({ model, optimizer, instances: 1, batch: 1024, batchTotal: 1024, lambda: [1e-3], importance: null });
 * step.setBatch(x); // [I, B, n]
 * const sums = step.lossAndGradients(params, true, noise); // losses; gradients in step.dEnc, step.dDec, step.db
 * step.apply(params, state, [1e-3], ++state.step); // optimizer + constraints in place
 * step.dispose();
 */
export class FusedStep {
  readonly heap: WasmHeap;
  protected readonly I: number;
  protected readonly B: number;
  protected readonly n: number;
  protected readonly m: number;
  /** [I, 2B, m]: h̃ rows then dh rows per instance. */
  private readonly hd: tf.Tensor;
  /** [I, B, m]: the clean h when there is hidden noise (else h̃ = h lives in `hd`). */
  private readonly hClean: tf.Tensor | null;
  /** [I, 2B, n]: dz rows then x rows per instance. */
  private readonly zx: tf.Tensor;
  /** [I, B, n]: pre-activations, then y. */
  private readonly zp: tf.Tensor;
  /** [I, m, n] encoder gradient (tied: the whole dW). */
  readonly dEnc: tf.Tensor;
  /** [I, n, m] decoder gradient (untied only). */
  readonly dDec: tf.Tensor | null;
  /** [I, n] bias gradient. */
  readonly db: tf.Tensor;
  private readonly scratch: tf.Tensor;
  /** [B] ones: db = 1ᵀ dz as a GEMM. */
  private readonly ones: tf.Tensor;
  private readonly tied: boolean;
  /** Ones per row on the k-hot path (identity: 1), or 0 for dense. */
  private readonly k: number;
  /** k-hot: [I, B, k] i32 indices of the ones (stored in a float32 tensor's memory). */
  private readonly idx: tf.Tensor | null;
  /** k-hot: [n, m] scratch for Eᵀ and for dEᵀ. */
  private readonly encT: tf.Tensor | null;
  /** Per instance: is its current batch k-hot (set by {@link setBatch})? Per instance, so an
   * instance's arithmetic never depends on the others' batches. */
  private sparseBatch: boolean[] = [];
  /** identity-gram: [n, n] scratch for S = dz + dzᵀ (else null). */
  private readonly sym: tf.Tensor | null;
  /** Per instance: is its current batch exactly the identity, in order (the gram step applies)? */
  private identityBatch: boolean[] = [];

  constructor(protected readonly setup: FusedStepSetup) {
    const { model, instances: I, batch: B } = setup;
    this.I = I;
    this.B = B;
    this.n = model.n;
    this.m = model.m;
    this.tied = model.weights.kind === 'tied';
    this.heap = activeWasmHeap();
    const { n, m } = this;
    const k = this.heap.kernels;
    const scratchBytes = Math.max(
      k.gemmScratchBytes(B, m, n),
      k.gemmScratchBytes(B, n, m),
      k.gemmScratchBytes(m, n, 2 * B),
      k.gemmScratchBytes(n, m, B),
      k.gemmScratchBytes(m, n, B),
      k.gemmScratchBytes(1, n, B),
      k.gemmScratchBytes(n, n, m),
      k.gemmScratchBytes(n >> 1, n, m),
      k.gemmScratchBytes(n >> 1, n >> 1, m),
      k.gemmScratchBytes(m, n, n),
    );
    this.hd = tf.zeros([I, 2 * B, m]);
    this.hClean = model.hiddenNoise.kind === 'none' ? null : tf.zeros([I, B, m]);
    this.zx = tf.zeros([I, 2 * B, n]);
    this.zp = tf.zeros([I, B, n]);
    this.dEnc = tf.zeros([I, m, n]);
    this.dDec = this.tied ? null : tf.zeros([I, n, m]);
    this.db = tf.zeros([I, n]);
    this.scratch = tf.zeros([Math.ceil(scratchBytes / 4) + 4]);
    this.ones = tf.ones([B]);
    const input = setup.input ?? { kind: 'dense' };
    if (input.kind === 'identity-gram' && !gramApplies(model))
      throw new Error('fused step: the identity-gram path needs tied weights, a linear hidden layer and no hidden noise');
    this.k = input.kind === 'k-hot' ? input.k : input.kind === 'identity' || input.kind === 'identity-gram' ? 1 : 0;
    this.sym = input.kind === 'identity-gram' && B === n ? tf.zeros([n * n]) : null;
    this.idx = this.k > 0 ? tf.zeros([I * B * this.k]) : null;
    this.encT = this.k > 0 ? tf.zeros([n * m]) : null;
  }

  /** Where instance i's batch goes: a [B, n] view into the heap (valid until the heap grows). */
  xView(i: number): Float32Array {
    const start = this.heap.offsetOf(this.zx, 'zx') / 4 + (i * 2 + 1) * this.B * this.n;
    return this.heap.f32().subarray(start, start + this.B * this.n);
  }

  /**
   * Copies an [I, B, n] batch into place; on the k-hot path also records each row's ones, and
   * uses the dense products for an instance whose batch has a row that is not exactly k ones
   * and zeros (decided per instance). Writing through {@link xView} instead keeps the dense products.
   */
  setBatch(x: Float32Array): void {
    const { B, n, k, idx } = this;
    const per = B * n;
    for (let i = 0; i < this.I; i++) this.xView(i).set(x.subarray(i * per, (i + 1) * per));
    const at = idx ? this.heap.offsetOf(idx, 'idx') : 0;
    const zx = this.heap.offsetOf(this.zx, 'zx');
    // The wasm scan over the heap copy of each instance's x (the rows after its dz rows).
    this.sparseBatch = Array.from(
      { length: this.I },
      (_, i) => idx !== null && this.heap.kernels.kHotIndices(zx + 4 * (i * 2 + 1) * per, at + 4 * i * B * k, B, n, k) === 1,
    );
    this.identityBatch = this.sparseBatch.map((sparse, i) => sparse && this.sym !== null && isIdentityOrder(this.heap, at, i, B));
  }

  /**
   * Forward pass and loss on the current batch; with `grads`, also the gradients into
   * {@link dEnc}, {@link dDec} and {@link db} (the L1-on-weights term is added by {@link apply}).
   *
   * The elementwise work runs in the SIMD kernels, in place: `y − x` is `axpby(1, −1)` on a
   * copy of y, the scaling by `fl(2s)` `scale`, the ReLU masks `reluMaskGrad`, the L1
   * term `addSignScaled`, and `db = 1ᵀ dz` a GEMM with a row of ones. The noise and the two
   * loss sums (Σ(y−x)², Σ|h|) are JS loops (float32 stores; sums in float64).
   *
   * @param noise - [I, B, m] of the model's noise kind (additive values or a 0/1 mask), or null.
   */
  lossAndGradients(params: ParamTensors, grads: boolean, noise: Float32Array | null): FusedLossSums {
    const { I, B, n, m, heap } = this;
    const { model, batchTotal, lambda, importance } = this.setup;
    const k = heap.kernels;
    if (params.kind !== model.weights.kind)
      throw new Error(`fused step: ${params.kind} params for a ${model.weights.kind} model`);
    const noiseKind = model.hiddenNoise.kind;
    if (noiseKind !== 'none' && (!noise || noise.length !== I * B * m)) {
      throw new Error(`fused step: expected ${noiseKind} noise of length ${I * B * m}`);
    }
    const pEnc = heap.offsetOf(params.kind === 'tied' ? params.W : params.E, 'E');
    const pDec = params.kind === 'tied' ? pEnc : heap.offsetOf(params.D, 'D');
    const pb = heap.offsetOf(params.b, 'b');
    const pHD = heap.offsetOf(this.hd, 'hd');
    const pHC = this.hClean ? heap.offsetOf(this.hClean, 'hClean') : 0;
    const pZX = heap.offsetOf(this.zx, 'zx');
    const pZP = heap.offsetOf(this.zp, 'zp');
    const pDE = heap.offsetOf(this.dEnc, 'dEnc');
    const pDD = this.dDec ? heap.offsetOf(this.dDec, 'dDec') : 0;
    const pDB = heap.offsetOf(this.db, 'db');
    const pOnes = heap.offsetOf(this.ones, 'ones');
    const scratch = heap.offsetOf(this.scratch, 'scratch');
    const hiddenRelu = model.hiddenActivation === 'relu';
    const outputRelu = model.outputActivation === 'relu';
    const bias = model.outputBias;
    const activationL1 = model.l1.target === 'activations';
    const tied = this.tied;
    const pIdx = this.idx ? heap.offsetOf(this.idx, 'idx') : 0;
    const pT = this.encT ? heap.offsetOf(this.encT, 'encT') : 0;
    const scale2 = f32(2 * f32(1 / batchTotal));
    const rec = new Float64Array(I);
    const l1 = new Float64Array(I);
    const Bn = B * n;
    const Bm = B * m;
    for (let i = 0; i < I; i++) {
      const enc = pEnc + 4 * i * m * n;
      const dec = pDec + 4 * i * m * n;
      const hn = pHD + 4 * i * 2 * Bm; // h̃
      const dh = hn + 4 * Bm;
      const h = pHC ? pHC + 4 * i * Bm : hn; // clean h
      const dz = pZX + 4 * i * 2 * Bn;
      const x = dz + 4 * Bn;
      const zp = pZP + 4 * i * Bn;
      const bi = pb + 4 * i * n;
      if (this.identityBatch[i] === true) {
        [rec[i], l1[i]] = this.gramInstance(params, i, grads);
        continue;
      }
      const sparse = this.sparseBatch[i] === true;
      if (sparse) {
        // h = x Eᵀ: row s is the sum of Eᵀ's rows at x's ones (Eᵀ = E's columns).
        transposeInto(heap.f32(), enc >> 2, pT >> 2, m, n);
        k.gatherRowSum(pT, pIdx + 4 * i * B * this.k, h, B, this.k, m);
      } else k.gemm(x, enc, h, B, m, n, 0, 1, scratch);
      if (hiddenRelu) k.biasRelu(h, 0, h, B, m, 0);
      if (noise) applyNoise(heap.f32(), h >> 2, hn >> 2, noise, i * Bm, Bm, noiseKind === 'gaussian');
      // tied: h̃ W ([B,m]·[m,n]); untied: h̃ Dᵀ ([B,m]·[n,m]ᵀ)
      k.gemm(hn, dec, zp, B, n, m, 0, tied ? 0 : 1, scratch);
      if (outputRelu) k.biasRelu(zp, bi, zp, B, n, bias ? 1 : 0);
      else if (bias) addBias(heap.f32(), zp >> 2, bi >> 2, B, n);

      // d = y − x into the dz rows, then the loss sum over it.
      heap.f32().copyWithin(dz >> 2, zp >> 2, (zp >> 2) + Bn);
      k.axpby(dz, x, Bn, 1, -1);
      rec[i] =
        (importance
          ? weightByImportance(heap.f32(), dz >> 2, importanceOf(importance, i, n), B, n)
          : sumOfSquares(heap.f32(), dz >> 2, Bn)) / batchTotal;
      if (grads) {
        k.scale(dz, Bn, scale2);
        if (outputRelu) k.reluMaskGrad(zp, dz, dz, Bn);
        if (bias) k.gemm(pOnes, dz, pDB + 4 * i * n, 1, n, B, 0, 0, scratch);
        // tied: dz Wᵀ ([B,n]·[m,n]ᵀ); untied: dz D ([B,n]·[n,m])
        k.gemm(dz, dec, dh, B, m, n, 0, tied ? 1 : 0, scratch);
        if (noise && noiseKind === 'bernoulli') multiplyBy(heap.f32(), dh >> 2, noise, i * Bm, Bm);
      }
      if (activationL1) l1[i] = sumOfAbs(heap.f32(), h >> 2, Bm) / batchTotal;
      if (grads) {
        if (activationL1) k.addSignScaled(dh, h, dh, Bm, f32(f32(lambda[i]!) * f32(1 / batchTotal)));
        if (hiddenRelu) k.reluMaskGrad(h, dh, dh, Bm);
        const dE = pDE + 4 * i * m * n;
        if (sparse) {
          // dhᵀ x: scatter-add dh's rows into dEᵀ's rows at x's ones, then transpose (tied: add).
          if (tied) k.gemm(hn, dz, dE, m, n, B, 1, 0, scratch);
          else k.gemm(dz, hn, pDD + 4 * i * m * n, n, m, B, 1, 0, scratch);
          heap.f32().fill(0, pT >> 2, (pT >> 2) + n * m);
          k.scatterRowAdd(dh, pIdx + 4 * i * B * this.k, pT, B, this.k, m);
          transposeBack(heap.f32(), pT >> 2, dE >> 2, n, m, tied);
        } else if (tied) {
          k.gemm(hn, dz, dE, m, n, 2 * B, 1, 0, scratch);
        } else {
          k.gemm(dz, hn, pDD + 4 * i * m * n, n, m, B, 1, 0, scratch);
          k.gemm(dh, x, dE, m, n, B, 1, 0, scratch);
        }
      }
    }
    return { reconstruction: rec, activationL1: l1 };
  }

  /**
   * The gram step of instance i (identity-gram path; the batch is x = I, B = n, in order): loss
   * sums and, with `grads`, dW and db. Tied, linear hidden, no noise (checked at construction).
   *
   * Derivation (layout as above: W [m, n], rows of x are samples). h = x Wᵀ = Wᵀ [n, m], so
   *
   *     z  = h W = WᵀW (= G, [n, n], symmetric)               3/4 of one GEMM, K = m
   *     y  = act_o(G + b),  dz as on the other paths          (row s of dz: sample e_s)
   *     dh = dz Wᵀ                                           (not formed)
   *     dW = h̃ᵀdz + dhᵀx = (Wᵀ)ᵀ dz + (dz Wᵀ)ᵀ I = W dz + W dzᵀ = W (dz + dzᵀ)
   *                                                        one GEMM [m,n]·[n,n], K = n
   *
   * with S = dz + dzᵀ formed elementwise first (one float32 add per element). The activation L1
   * adds fl(λ·s)·sign(h) to dh; through dhᵀx = dhᵀ that is fl(λ·s)·sign(hᵀ) = fl(λ·s)·sign(W)
   * on dW, added after the GEMM, and its loss term Σ|h| = Σ|W|. The weight-L1 term is added by
   * {@link apply} as on every path. Float32 bound: G is a K = m sum like the dense z; each dW
   * element is one K = n sum of products W·S with S exact to one rounding, so it is within
   * γ(n + 1)·Σ(|W||dz| + |W||dzᵀ|) of exact — the same absolute products as the dense
   * K = 2B (= 2n) sum, with a smaller K.
   *
   * @returns [reconstruction sum, activation-L1 sum], both divided by batchTotal.
   */
  private gramInstance(params: ParamTensors, i: number, grads: boolean): [number, number] {
    const { n, m, heap } = this;
    const { model, batchTotal, lambda, importance } = this.setup;
    const k = heap.kernels;
    const outputRelu = model.outputActivation === 'relu';
    const bias = model.outputBias;
    const nn = n * n;
    const enc = heap.offsetOf(params.kind === 'tied' ? params.W : params.E, 'E') + 4 * i * m * n;
    const zp = heap.offsetOf(this.zp, 'zp') + 4 * i * nn;
    const dz = heap.offsetOf(this.zx, 'zx') + 4 * i * 2 * nn;
    const x = dz + 4 * nn;
    const bi = heap.offsetOf(params.b, 'b') + 4 * i * n;
    const scratch = heap.offsetOf(this.scratch, 'scratch');
    this.gramMatrix(enc, zp, scratch);
    if (outputRelu) k.biasRelu(zp, bi, zp, n, n, bias ? 1 : 0);
    else if (bias) addBias(heap.f32(), zp >> 2, bi >> 2, n, n);
    heap.f32().copyWithin(dz >> 2, zp >> 2, (zp >> 2) + nn);
    k.axpby(dz, x, nn, 1, -1);
    const rec =
      (importance
        ? weightByImportance(heap.f32(), dz >> 2, importanceOf(importance, i, n), n, n)
        : sumOfSquares(heap.f32(), dz >> 2, nn)) / batchTotal;
    const activationL1 = model.l1.target === 'activations';
    const l1 = activationL1 ? sumOfAbs(heap.f32(), enc >> 2, m * n) / batchTotal : 0;
    if (grads) {
      k.scale(dz, nn, f32(2 * f32(1 / batchTotal)));
      if (outputRelu) k.reluMaskGrad(zp, dz, dz, nn);
      if (bias) k.gemm(heap.offsetOf(this.ones, 'ones'), dz, heap.offsetOf(this.db, 'db') + 4 * i * n, 1, n, n, 0, 0, scratch);
      const sym = heap.offsetOf(this.sym!, 'sym');
      addTranspose(heap.f32(), dz >> 2, sym >> 2, n);
      const dW = heap.offsetOf(this.dEnc, 'dEnc') + 4 * i * m * n;
      k.gemm(enc, sym, dW, m, n, n, 0, 0, scratch);
      if (activationL1) k.addSignScaled(dW, enc, dW, m * n, f32(f32(lambda[i]!) * f32(1 / batchTotal)));
    }
    return [rec, l1];
  }

  /**
   * G = WᵀW [n, n] at byte offset `g` for W [m, n] at `w`, using its symmetry: with W = [W₁ W₂]
   * (column halves, copied contiguous into `encT`), the top rows are W₁ᵀW, the bottom-right
   * block W₂ᵀW₂ (into `sym`), the bottom-left block the transpose of the top-right one: 3/4 of
   * the full product's work. Every element is still one K = m GEMM sum; G is exactly symmetric.
   * Odd n: one full product.
   */
  private gramMatrix(w: number, g: number, scratch: number): void {
    const { n, m, heap } = this;
    const k = heap.kernels;
    if (n % 2 !== 0) {
      k.gemm(w, w, g, n, n, m, 1, 0, scratch);
      return;
    }
    const h2 = n / 2;
    const t1 = heap.offsetOf(this.encT!, 'encT');
    const t2 = t1 + 4 * m * h2;
    const corner = heap.offsetOf(this.sym!, 'sym');
    const H = heap.f32();
    const wf = w >> 2;
    for (let j = 0; j < m; j++) {
      const row = wf + j * n;
      H.copyWithin((t1 >> 2) + j * h2, row, row + h2);
      H.copyWithin((t2 >> 2) + j * h2, row + h2, row + n);
    }
    k.gemm(t1, w, g, h2, n, m, 1, 0, scratch); // rows 0..h2: W₁ᵀ W
    k.gemm(t2, t2, corner, h2, h2, m, 1, 0, scratch); // W₂ᵀ W₂
    const G = heap.f32();
    const gf = g >> 2;
    const cf = corner >> 2;
    for (let r = 0; r < h2; r++) {
      const gr = gf + (h2 + r) * n;
      for (let c = 0; c < h2; c++) G[gr + c] = G[gf + c * n + h2 + r]!;
      G.copyWithin(gr + h2, cf + r * h2, cf + (r + 1) * h2);
    }
  }

  /** Σ|weights| per instance (the weight-L1 value: tied Σ|W|, untied Σ|E| + Σ|D|), float64. */
  weightL1Of(params: ParamTensors): Float64Array {
    const { I, m, n, heap } = this;
    const out = new Float64Array(I);
    const weights = params.kind === 'tied' ? [params.W] : [params.E, params.D];
    for (const w of weights) {
      const o = heap.offsetOf(w, 'weights') >> 2;
      const H = heap.f32();
      for (let i = 0; i < I; i++) out[i] = out[i]! + sumOfAbs(H, o + i * m * n, m * n);
    }
    return out;
  }

  /**
   * Adds the weight-L1 gradient `lambda·sign(weights)` (when the L1 targets weights), applies one
   * optimizer update in place on the weights, b (when the model has a bias) and the moments in
   * `state`, then the model's constraint (untied unit-norm decoder columns).
   *
   * @param lr - per-instance learning rates (already scheduled).
   * @param t - the 1-based update count (Adam's bias correction).
   */
  apply(params: ParamTensors, state: OptimizerState, lr: readonly number[], t: number): void {
    const { I, heap } = this;
    const { model, optimizer, lambda } = this.setup;
    const k = heap.kernels;
    const ranges: GradRange[] =
      params.kind === 'tied'
        ? [{ name: 'W', grad: this.dEnc, size: this.m * this.n }]
        : [
            { name: 'E', grad: this.dEnc, size: this.m * this.n },
            { name: 'D', grad: this.dDec!, size: this.m * this.n },
          ];
    const tensorOf = (name: GradRange['name']): tf.Tensor => (params as unknown as Record<string, tf.Tensor>)[name]!;
    if (model.l1.target === 'weights') {
      for (const r of ranges) {
        const p = heap.offsetOf(tensorOf(r.name), r.name);
        const g = heap.offsetOf(r.grad, `d${r.name}`);
        for (let i = 0; i < I; i++)
          k.addSignScaled(g + 4 * i * r.size, p + 4 * i * r.size, g + 4 * i * r.size, r.size, f32(lambda[i]!));
      }
    }
    if (model.outputBias) ranges.push({ name: 'b', grad: this.db, size: this.n });
    const def = optimizerDefinition(optimizer.kind);
    const slotNames = def.slotNames(optimizer);
    const heapView = (): Float32Array => heap.f32();
    for (const r of ranges) {
      const p = heap.offsetOf(tensorOf(r.name), r.name);
      const g = heap.offsetOf(r.grad, `d${r.name}`);
      const slotBase = Object.fromEntries(slotNames.map((s) => [s, heap.offsetOf(state.slots[s]![r.name]!, `${s}.${r.name}`)]));
      for (let i = 0; i < I; i++) {
        const o = 4 * i * r.size;
        def.inPlaceUpdate({
          config: optimizer,
          kernels: k,
          heap: heapView,
          param: p + o,
          grad: g + o,
          slots: Object.fromEntries(slotNames.map((s) => [s, slotBase[s]! + o])),
          len: r.size,
          lr: lr[i]!,
          t,
          decayed: r.name !== 'b',
        });
      }
    }
    if (params.kind === 'untied' && hasConstraints(model)) this.projectDecoder(params.D);
  }

  /** Unit-norm decoder columns in place: D[i, :, j] / ||D[i, :, j]|| (norm in float64, rounded once). */
  private projectDecoder(D: tf.Tensor): void {
    const { I, n, m, heap } = this;
    const o = heap.offsetOf(D, 'D') >> 2;
    const H = heap.f32();
    const norms = new Float64Array(m);
    for (let i = 0; i < I; i++) {
      const base = o + i * n * m;
      norms.fill(0);
      for (let r = 0; r < n; r++) {
        const ro = base + r * m;
        for (let j = 0; j < m; j++) norms[j] = norms[j]! + H[ro + j]! * H[ro + j]!;
      }
      for (let j = 0; j < m; j++) norms[j] = f32(Math.sqrt(norms[j]!));
      for (let r = 0; r < n; r++) {
        const ro = base + r * m;
        for (let j = 0; j < m; j++) {
          const norm = norms[j]!;
          if (norm >= MIN_NORM) H[ro + j] = H[ro + j]! / norm;
        }
      }
    }
  }

  /** Frees the scratch tensors. */
  dispose(): void {
    tf.dispose([this.hd, this.zx, this.zp, this.dEnc, this.db, this.scratch, this.ones]);
    for (const t of [this.hClean, this.dDec, this.idx, this.encT, this.sym]) t?.dispose();
  }
}

/**
 * The fused step of I tied instances without hidden noise, with the tensor-argument API the
 * batch-split replicas use: {@link FusedStep} with `W` for the encoder and decoder.
 *
 * @example
 * const step = new FusedTiedStep({ model, optimizer, instances: 1, batch: 1024, batchTotal: 1024, lambda: [1e-3], importance: null });
 * step.setBatch(x); // [I, B, n]
 * const sums = step.forward(W, b, true); // losses; gradients in step.dW, step.db
 * step.update(W, b, state, [1e-3], ++state.step); // the optimizer in place on W, b and state's moments
 * step.dispose();
 */
export class FusedTiedStep extends FusedStep {
  /** [I, m, n] weight gradient. */
  get dW(): tf.Tensor {
    return this.dEnc;
  }

  /** {@link FusedStep.lossAndGradients} of `{ W, b }` without noise. */
  forward(W: tf.Tensor, b: tf.Tensor, grads: boolean): FusedLossSums {
    return this.lossAndGradients(tiedParams(W, b), grads, null);
  }

  /** Σ|W| per instance (the weight-L1 value), float64. */
  weightL1(W: tf.Tensor): Float64Array {
    return this.weightL1Of(tiedParams(W, W));
  }

  /** {@link FusedStep.apply} on `{ W, b }`. */
  update(W: tf.Tensor, b: tf.Tensor, state: OptimizerState, lr: readonly number[], t: number): void {
    this.apply(tiedParams(W, b), state, lr, t);
  }
}

function tiedParams(W: tf.Tensor, b: tf.Tensor): ParamTensors {
  return { kind: 'tied', W: W as tf.Tensor3D, b: b as tf.Tensor2D };
}

/** h̃ ← fl(h + v) (gaussian) or fl(h · mask) (bernoulli) over `len` floats, noise from `noise[at…]`. */
function applyNoise(
  H: Float32Array,
  h: number,
  out: number,
  noise: Float32Array,
  at: number,
  len: number,
  additive: boolean,
): void {
  if (additive) for (let e = 0; e < len; e++) H[out + e] = H[h + e]! + noise[at + e]!;
  else for (let e = 0; e < len; e++) H[out + e] = H[h + e]! * noise[at + e]!;
}

/** T[i, j] = A[j, i] for A [rows, cols] at float offset `a`, T at `t`. */
function transposeInto(H: Float32Array, a: number, t: number, rows: number, cols: number): void {
  for (let j = 0; j < rows; j++) {
    const ar = a + j * cols;
    for (let i = 0; i < cols; i++) H[t + i * rows + j] = H[ar + i]!;
  }
}

/** A[j, i] = T[i, j] (or A[j, i] += T[i, j] with `add`) for T [rows, cols] at `t`, A [cols, rows] at `a`. */
function transposeBack(H: Float32Array, t: number, a: number, rows: number, cols: number, add: boolean): void {
  for (let j = 0; j < cols; j++) {
    const ar = a + j * rows;
    if (add) for (let i = 0; i < rows; i++) H[ar + i] = H[ar + i]! + H[t + i * cols + j]!;
    else for (let i = 0; i < rows; i++) H[ar + i] = H[t + i * cols + j]!;
  }
}

/** S = fl(D + Dᵀ) for D [n, n] at float offset `d`, S at `s` (gram step). */
function addTranspose(H: Float32Array, d: number, s: number, n: number): void {
  for (let r = 0; r < n; r++) {
    const dr = d + r * n;
    const sr = s + r * n;
    for (let c = 0; c < n; c++) H[sr + c] = H[dr + c]! + H[d + c * n + r]!;
  }
}

/** Whether instance i's recorded k = 1 indices (at byte offset `at`) are 0, 1, …, B − 1: x = I in order. */
function isIdentityOrder(heap: WasmHeap, at: number, i: number, B: number): boolean {
  const idx = new Int32Array(heap.f32().buffer, at + 4 * i * B, B);
  for (let s = 0; s < B; s++) if (idx[s] !== s) return false;
  return true;
}

/** d ← fl(d · mask) over `len` floats. */
function multiplyBy(H: Float32Array, o: number, mask: Float32Array, at: number, len: number): void {
  for (let e = 0; e < len; e++) H[o + e] = H[o + e]! * mask[at + e]!;
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
