/**
 * Fused elementwise kernels for the training step, on float32 tensors of the active tfjs
 * wasm backend. Each computes a fixed sequence of IEEE single-precision operations per
 * element (documented per function), SIMD over groups of 4 and the same formula on the tail,
 * so results are bit-reproducible across calls, sizes and CPUs.
 *
 * These bypass tfjs's engine: they are not differentiable and not recorded on a tape. The
 * out-of-place ones return tensors tracked by `tf.tidy`; the optimizer updates write their
 * tensors in place and therefore require tensors that own their data (not shared with a
 * `tf.reshape` view or the initial value of a `tf.variable`).
 */
import { PolytoyError } from '@polytoy/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import { activeWasmContext, offsetOf, ownedOffsetOf, type WasmContext } from './wasm-backend.js';

function argError(caller: string, name: string, expected: string, received: unknown): PolytoyError {
  return new PolytoyError(`${caller}: expected ${name} ${expected}, received ${String(received)}`);
}

function sameShape(caller: string, name: string, t: Tensor, ref: Tensor, refName: string): void {
  if (t.shape.length !== ref.shape.length || t.shape.some((d, i) => d !== ref.shape[i])) {
    throw argError(caller, name, `of ${refName}'s shape [${ref.shape}]`, `[${t.shape}]`);
  }
}

/** A per-instance scalar: one number for all, or one per leading-dim instance of `t`. */
function perInstance(caller: string, name: string, value: number | ArrayLike<number>, t: Tensor): number[] {
  if (typeof value === 'number') return [value];
  const count = value.length;
  if (count < 1 || t.shape.length < 1 || t.shape[0] !== count) {
    throw argError(caller, name, `a number or one value per instance (leading dim ${t.shape[0] ?? 'none'})`, `${count} values`);
  }
  return Array.from(value, Number);
}

function output(ctx: WasmContext, shape: number[], caller: string): { tensor: () => Tensor; ptr: number } {
  const info = ctx.backend.makeOutput(shape, 'float32');
  const ptr = offsetOf(ctx, info, 'out', caller);
  return { ptr, tensor: () => engine().makeTensorFromTensorInfo(info) };
}

function distinct(caller: string, tensors: Record<string, Tensor>): void {
  const names = Object.keys(tensors);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (tensors[names[i]!]!.dataId === tensors[names[j]!]!.dataId) {
        throw argError(caller, `${names[i]} and ${names[j]}`, 'to be different tensors', 'the same data');
      }
    }
  }
}

/**
 * `max(x + bias, 0)` with `bias` broadcast along the last dimension (omit it for plain ReLU):
 * per element `fl(x + b)` then wasm `max` (NaN propagates, `max(-0, 0) = +0`).
 *
 * @param x - float32 [..., cols] (e.g. pre-activations [B, n]).
 * @param bias - float32 [cols], optional.
 * @returns a new tensor of x's shape.
 * @example
 * const y = biasRelu(tf.matMul(h, W), b); // ReLU(h W + b): [B, n]
 */
export function biasRelu(x: Tensor, bias?: Tensor): Tensor {
  const caller = 'biasRelu';
  const ctx = activeWasmContext(caller);
  const px = offsetOf(ctx, x, 'x', caller);
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
  let pb = 0;
  if (bias) {
    pb = offsetOf(ctx, bias, 'bias', caller);
    if (bias.shape.length !== 1 || bias.shape[0] !== cols) {
      throw argError(caller, 'bias', `of shape [${cols}] (x's last dim)`, `[${bias.shape}]`);
    }
  }
  const out = output(ctx, x.shape, caller);
  const rows = cols === 0 ? 0 : x.size / cols;
  ctx.kernels.biasRelu(px, pb, out.ptr, rows, cols, bias ? 1 : 0);
  return out.tensor();
}

/**
 * The ReLU backward mask `dy · step(z)`, with step(z) = 1 for z > 0, 0 for z <= 0 and NaN for
 * NaN, as one float32 multiplication per element (so NaN and -0 behave like `dy * step(z)`).
 *
 * @param z - float32, the ReLU output (or pre-activation: same sign pattern).
 * @param dy - float32 gradient w.r.t. the ReLU output, z's shape.
 * @returns a new tensor of z's shape.
 * @example
 * const dPre = reluMaskGrad(y, dy); // [B, n]
 */
export function reluMaskGrad(z: Tensor, dy: Tensor): Tensor {
  const caller = 'reluMaskGrad';
  const ctx = activeWasmContext(caller);
  sameShape(caller, 'dy', dy, z, 'z');
  const pz = offsetOf(ctx, z, 'z', caller);
  const pdy = offsetOf(ctx, dy, 'dy', caller);
  const out = output(ctx, z.shape, caller);
  ctx.kernels.reluMaskGrad(pz, pdy, out.ptr, z.size);
  return out.tensor();
}

/**
 * The activation-L1 gradient term `dh + coef · sign(h)`, per element `fl(dh + fl(coef·s))`
 * with s = sign(h) ∈ {1, -1, 0 (for ±0), NaN (for NaN)}. For the loss `lambda·mean|h|` over a
 * batch of B, `coef = lambda / B`.
 *
 * @param dh - float32 gradient w.r.t. h, e.g. [I, B, m].
 * @param h - float32 activations, dh's shape.
 * @param coef - one coefficient, or one per instance (leading dim of h).
 * @returns a new tensor of h's shape.
 * @example
 * const dhTotal = addL1SignGrad(dh, h, lambdas.map((l) => l / batch));
 */
export function addL1SignGrad(dh: Tensor, h: Tensor, coef: number | ArrayLike<number>): Tensor {
  const caller = 'addL1SignGrad';
  const ctx = activeWasmContext(caller);
  sameShape(caller, 'dh', dh, h, 'h');
  const coefs = perInstance(caller, 'coef', coef, h);
  const pdh = offsetOf(ctx, dh, 'dh', caller);
  const ph = offsetOf(ctx, h, 'h', caller);
  const out = output(ctx, h.shape, caller);
  const per = h.size / coefs.length;
  coefs.forEach((c, i) => ctx.kernels.addSignScaled(pdh + 4 * i * per, ph + 4 * i * per, out.ptr + 4 * i * per, per, c));
  return out.tensor();
}

/** Hyper-parameters of {@link adamUpdate}. */
export interface AdamUpdateOptions {
  /** Learning rate (schedule already applied): one, or one per instance (leading dim). */
  lr: number | ArrayLike<number>;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step count t for the bias corrections 1/(1 - beta^t). */
  step: number;
  /** AdamW's decoupled weight decay (0 = Adam): p is first scaled by fl(1 - lr·weightDecay). */
  weightDecay?: number;
}

/**
 * One Adam(W) step, in place on `param`, `m` and `v` (all of `param`'s shape). Per element,
 * in float32, with c1 = 1/(1-beta1^t), c2 = 1/(1-beta2^t), decay = 1 - lr·weightDecay
 * rounded once from float64:
 *
 *     m = fl(fl(beta1·m) + fl((1-beta1)·g))
 *     v = fl(fl(beta2·v) + fl((1-beta2)·fl(g·g)))
 *     p = fl(fl(p·decay) - fl(lr · fl(fl(c1·m) / fl(sqrt(fl(c2·v)) + eps))))
 *
 * @param param - float32 parameters, e.g. [I, m, n]; must own its data.
 * @param grad - float32 gradient, param's shape.
 * @param m - float32 first moment (zeros at step 1), updated in place.
 * @param v - float32 second moment (zeros at step 1), updated in place.
 * @throws PolytoyError on mismatched shapes, aliasing or a bad step; BackendError when a
 * tensor is not a float32 wasm tensor owning its data.
 * @example
 * adamUpdate(W, dW, mW, vW, { lr: [1e-3, 3e-3], beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: t });
 */
export function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamUpdateOptions): void {
  const caller = 'adamUpdate';
  const ctx = activeWasmContext(caller);
  sameShape(caller, 'grad', grad, param, 'param');
  sameShape(caller, 'm', m, param, 'param');
  sameShape(caller, 'v', v, param, 'param');
  distinct(caller, { param, grad, m, v });
  const { beta1, beta2, epsilon, step } = options;
  const weightDecay = options.weightDecay ?? 0;
  if (!Number.isInteger(step) || step < 1) throw argError(caller, 'options.step', 'an integer >= 1', step);
  const lrs = perInstance(caller, 'options.lr', options.lr, param);
  const pp = ownedOffsetOf(ctx, param, 'param', caller);
  const pg = offsetOf(ctx, grad, 'grad', caller);
  const pm = ownedOffsetOf(ctx, m, 'm', caller);
  const pv = ownedOffsetOf(ctx, v, 'v', caller);
  const c1 = 1 / (1 - beta1 ** step);
  const c2 = 1 / (1 - beta2 ** step);
  const per = param.size / lrs.length;
  lrs.forEach((lr, i) => {
    const o = 4 * i * per;
    ctx.kernels.adam(
      pp + o,
      pg + o,
      pm + o,
      pv + o,
      per,
      lr,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      c1,
      c2,
      1 - lr * weightDecay,
    );
  });
}

/** Hyper-parameters of {@link sgdUpdate}. */
export interface SgdUpdateOptions {
  /** Learning rate (schedule already applied): one, or one per instance (leading dim). */
  lr: number | ArrayLike<number>;
  /** Momentum mu in [0, 1); requires a velocity tensor when > 0. Default 0. */
  momentum?: number;
  /** Decoupled weight decay: p is first scaled by fl(1 - lr·weightDecay). Default 0. */
  weightDecay?: number;
}

/**
 * One SGD (with momentum) step in place: per element in float32,
 * `vel = fl(fl(mu·vel) + g)`, `p = fl(fl(p·decay) - fl(lr·vel))` (without a velocity
 * tensor: `p = fl(fl(p·decay) - fl(lr·g))`).
 *
 * @param param - float32 parameters; must own its data.
 * @param grad - float32 gradient, param's shape.
 * @param velocity - float32 velocity (zeros at step 1) updated in place, or null for plain SGD.
 * @example
 * sgdUpdate(W, dW, velW, { lr: 0.1, momentum: 0.9 });
 */
export function sgdUpdate(param: Tensor, grad: Tensor, velocity: Tensor | null, options: SgdUpdateOptions): void {
  const caller = 'sgdUpdate';
  const ctx = activeWasmContext(caller);
  sameShape(caller, 'grad', grad, param, 'param');
  const momentum = options.momentum ?? 0;
  const weightDecay = options.weightDecay ?? 0;
  if (velocity) {
    sameShape(caller, 'velocity', velocity, param, 'param');
    distinct(caller, { param, grad, velocity });
  } else {
    distinct(caller, { param, grad });
    if (momentum !== 0) throw argError(caller, 'velocity', 'a tensor when momentum != 0', 'null');
  }
  const lrs = perInstance(caller, 'options.lr', options.lr, param);
  const pp = ownedOffsetOf(ctx, param, 'param', caller);
  const pg = offsetOf(ctx, grad, 'grad', caller);
  const pvel = velocity ? ownedOffsetOf(ctx, velocity, 'velocity', caller) : 0;
  const per = param.size / lrs.length;
  lrs.forEach((lr, i) => {
    const o = 4 * i * per;
    ctx.kernels.sgd(pp + o, pg + o, velocity ? pvel + o : 0, per, lr, momentum, 1 - lr * weightDecay, velocity ? 1 : 0);
  });
}
