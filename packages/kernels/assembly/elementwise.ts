// Fused elementwise kernels on flat float32 ranges (byte offsets into the imported memory).
//
// Each kernel runs f32x4 over the multiple-of-4 prefix and the identical scalar formula over
// the tail, so an element's result does not depend on its position. Formulas are written out
// operation by operation; every step is one IEEE-754 single-precision rounding (no FMA).

// @ts-ignore: decorator
@inline function byteOffset(elements: i32): usize {
  return (<usize>elements) << 2;
}

// sign(x): 1, -1, 0 for ±0, NaN for NaN.
// @ts-ignore: decorator
@inline function signV(x: v128): v128 {
  const zero = f32x4.splat(0);
  let s = v128.bitselect(f32x4.splat(1), zero, f32x4.gt(x, zero));
  s = v128.bitselect(f32x4.splat(-1), s, f32x4.lt(x, zero));
  return v128.bitselect(x, s, f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline function signS(x: f32): f32 {
  if (x > 0) return 1;
  if (x < 0) return -1;
  return x != x ? x : 0;
}

// step(x): 1 for x > 0, 0 for x <= 0, NaN for NaN.
// @ts-ignore: decorator
@inline function stepV(x: v128): v128 {
  const zero = f32x4.splat(0);
  const s = v128.bitselect(f32x4.splat(1), zero, f32x4.gt(x, zero));
  return v128.bitselect(x, s, f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline function stepS(x: f32): f32 {
  if (x > 0) return 1;
  return x != x ? x : 0;
}

/**
 * out[r, j] = max(x[r, j] + bias[j], 0) over a [rows, cols] matrix (bias = 0 → plain ReLU).
 * `max` is wasm's: NaN propagates, max(-0, +0) = +0. `out` may alias `x`.
 */
export function biasRelu(x: usize, bias: usize, out: usize, rows: i32, cols: i32, hasBias: bool): void {
  const zero = f32x4.splat(0);
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + byteOffset(r * cols);
    const or = out + byteOffset(r * cols);
    let j = 0;
    if (hasBias) {
      for (; j < cols4; j += 4) {
        const o = byteOffset(j);
        v128.store(or + o, f32x4.max(f32x4.add(v128.load(xr + o), v128.load(bias + o)), zero));
      }
      for (; j < cols; j++) {
        const o = byteOffset(j);
        store<f32>(or + o, max<f32>(load<f32>(xr + o) + load<f32>(bias + o), 0));
      }
    } else {
      for (; j < cols4; j += 4) {
        const o = byteOffset(j);
        v128.store(or + o, f32x4.max(v128.load(xr + o), zero));
      }
      for (; j < cols; j++) {
        const o = byteOffset(j);
        store<f32>(or + o, max<f32>(load<f32>(xr + o), 0));
      }
    }
  }
}

/** out[i] = dy[i] · step(z[i]) — the ReLU backward mask. `out` may alias `dy`. */
export function reluMaskGrad(z: usize, dy: usize, out: usize, len: i32): void {
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = byteOffset(i);
    v128.store(out + o, f32x4.mul(v128.load(dy + o), stepV(v128.load(z + o))));
  }
  for (; i < len; i++) {
    const o = byteOffset(i);
    store<f32>(out + o, load<f32>(dy + o) * stepS(load<f32>(z + o)));
  }
}

/** out[i] = dh[i] + coef · sign(h[i]) — the activation-L1 gradient term. `out` may alias `dh`. */
export function addSignScaled(dh: usize, h: usize, out: usize, len: i32, coef: f32): void {
  const cv = f32x4.splat(coef);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = byteOffset(i);
    v128.store(out + o, f32x4.add(v128.load(dh + o), f32x4.mul(cv, signV(v128.load(h + o)))));
  }
  for (; i < len; i++) {
    const o = byteOffset(i);
    store<f32>(out + o, load<f32>(dh + o) + coef * signS(load<f32>(h + o)));
  }
}

/**
 * One Adam(W) step in place over `len` parameters:
 *   m = b1·m + omb1·g;  v = b2·v + omb2·(g·g)
 *   p = p·decay − lr · (m·c1) / (sqrt(v·c2) + eps)
 * with omb = 1 − b, c1 = 1/(1 − b1^t), c2 = 1/(1 − b2^t) and decay = 1 − lr·weightDecay
 * (1 for Adam) computed by the caller.
 */
export function adam(
  p: usize, g: usize, m: usize, v: usize, len: i32,
  lr: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, eps: f32, c1: f32, c2: f32, decay: f32,
): void {
  const lrV = f32x4.splat(lr);
  const b1V = f32x4.splat(b1);
  const omb1V = f32x4.splat(omb1);
  const b2V = f32x4.splat(b2);
  const omb2V = f32x4.splat(omb2);
  const epsV = f32x4.splat(eps);
  const c1V = f32x4.splat(c1);
  const c2V = f32x4.splat(c2);
  const decayV = f32x4.splat(decay);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = byteOffset(i);
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(b1V, v128.load(m + o)), f32x4.mul(omb1V, gi));
    const vi = f32x4.add(f32x4.mul(b2V, v128.load(v + o)), f32x4.mul(omb2V, f32x4.mul(gi, gi)));
    const upd = f32x4.div(f32x4.mul(c1V, mi), f32x4.add(f32x4.sqrt(f32x4.mul(c2V, vi)), epsV));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), decayV), f32x4.mul(lrV, upd)));
  }
  for (; i < len; i++) {
    const o = byteOffset(i);
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + omb1 * gi;
    const vi = b2 * load<f32>(v + o) + omb2 * (gi * gi);
    const upd = (c1 * mi) / (sqrt<f32>(c2 * vi) + eps);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) * decay - lr * upd);
  }
}

/**
 * One SGD step in place: with a velocity, vel = momentum·vel + g and p = p·decay − lr·vel;
 * without (`hasVelocity` false, `vel` unused), p = p·decay − lr·g.
 */
export function sgd(
  p: usize, g: usize, vel: usize, len: i32, lr: f32, momentum: f32, decay: f32, hasVelocity: bool,
): void {
  const lrV = f32x4.splat(lr);
  const muV = f32x4.splat(momentum);
  const decayV = f32x4.splat(decay);
  const len4 = len & ~3;
  let i = 0;
  if (hasVelocity) {
    for (; i < len4; i += 4) {
      const o = byteOffset(i);
      const vi = f32x4.add(f32x4.mul(muV, v128.load(vel + o)), v128.load(g + o));
      v128.store(vel + o, vi);
      v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), decayV), f32x4.mul(lrV, vi)));
    }
    for (; i < len; i++) {
      const o = byteOffset(i);
      const vi = momentum * load<f32>(vel + o) + load<f32>(g + o);
      store<f32>(vel + o, vi);
      store<f32>(p + o, load<f32>(p + o) * decay - lr * vi);
    }
  } else {
    for (; i < len4; i += 4) {
      const o = byteOffset(i);
      v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), decayV), f32x4.mul(lrV, v128.load(g + o))));
    }
    for (; i < len; i++) {
      const o = byteOffset(i);
      store<f32>(p + o, load<f32>(p + o) * decay - lr * load<f32>(g + o));
    }
  }
}

/** y[i] = a·y[i] + b·x[i] in place (`fl(fl(a·y) + fl(b·x))`): e.g. y − x with a = 1, b = −1. */
export function axpby(y: usize, x: usize, len: i32, a: f32, b: f32): void {
  const aV = f32x4.splat(a);
  const bV = f32x4.splat(b);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = byteOffset(i);
    v128.store(y + o, f32x4.add(f32x4.mul(v128.load(y + o), aV), f32x4.mul(bV, v128.load(x + o))));
  }
  for (; i < len; i++) {
    const o = byteOffset(i);
    store<f32>(y + o, load<f32>(y + o) * a + b * load<f32>(x + o));
  }
}

/** y[i] = a·y[i] in place. */
export function scale(y: usize, len: i32, a: f32): void {
  const aV = f32x4.splat(a);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = byteOffset(i);
    v128.store(y + o, f32x4.mul(v128.load(y + o), aV));
  }
  for (; i < len; i++) {
    const o = byteOffset(i);
    store<f32>(y + o, load<f32>(y + o) * a);
  }
}

/**
 * out[r, :] = Σ_t table[idx[r·k + t], :] over `cols` floats, summed in t order (k ≥ 1): the
 * product x·T of k-hot rows x (the ones at `idx`, i32) with a [·, cols] table T.
 */
export function gatherRowSum(table: usize, idx: usize, out: usize, rows: i32, k: i32, cols: i32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const or = out + byteOffset(r * cols);
    const ir = idx + byteOffset(r * k);
    memory.copy(or, table + byteOffset(load<i32>(ir) * cols), byteOffset(cols));
    for (let t = 1; t < k; t++) {
      const tr = table + byteOffset(load<i32>(ir + byteOffset(t)) * cols);
      let j = 0;
      for (; j < cols4; j += 4) {
        const o = byteOffset(j);
        v128.store(or + o, f32x4.add(v128.load(or + o), v128.load(tr + o)));
      }
      for (; j < cols; j++) {
        const o = byteOffset(j);
        store<f32>(or + o, load<f32>(or + o) + load<f32>(tr + o));
      }
    }
  }
}

/**
 * dst[idx[r·k + t], :] += src[r, :] over `cols` floats, for r then t in order: the product
 * xᵀ·S of k-hot rows x (the ones at `idx`, i32) with [rows, cols] rows S, accumulated into dst.
 */
export function scatterRowAdd(src: usize, idx: usize, dst: usize, rows: i32, k: i32, cols: i32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const sr = src + byteOffset(r * cols);
    const ir = idx + byteOffset(r * k);
    for (let t = 0; t < k; t++) {
      const dr = dst + byteOffset(load<i32>(ir + byteOffset(t)) * cols);
      let j = 0;
      for (; j < cols4; j += 4) {
        const o = byteOffset(j);
        v128.store(dr + o, f32x4.add(v128.load(dr + o), v128.load(sr + o)));
      }
      for (; j < cols; j++) {
        const o = byteOffset(j);
        store<f32>(dr + o, load<f32>(dr + o) + load<f32>(sr + o));
      }
    }
  }
}
