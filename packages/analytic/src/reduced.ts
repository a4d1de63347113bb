/**
 * Reduced (few-parameter) analyses of the same-sign construction under activation L1.
 *
 * **One parameter (SPEC §2).** Pair weights fixed at 1, b = -c, eps = sqrt(4c/n). Per sample,
 * half A chosen (B is the mirror image), the n/2 + 1 neurons give: n/4 active features with
 * pre-activation 1 + c - c = 1 (exact), n/4 inactive ones at c - c = 0 (exact), n/4 B outputs
 * whose partner is on at 1 - 2c, and n/4 at -2c. Hence, exactly (no approximation),
 *
 *     L(c) = (n/4)·ReLU(1 - 2c)² + lambda·(n/4 + sqrt(c·n)/2),
 *     L'(c) = -n·(1 - 2c) + lambda·sqrt(n)/(4·sqrt(c))   (c < 1/2),
 *
 * so the interior stationary point solves 1 - 2c = lambda / (4·sqrt(n·c)), as SPEC states. L
 * is increasing near c = 0 (the sqrt), decreasing on (c_m, c*), increasing after c*, with
 * c_m = (lambda/(16·sqrt(n)))^(2/3); an interior minimum exists iff L'(c_m) < 0, i.e.
 * lambda < 16·sqrt(n)·6^(-3/2) ≈ 1.089·sqrt(n). The other candidate is the boundary c = 0
 * (no disambiguation), L(0) = (n/4)(1 + lambda).
 *
 * **Three parameters (the symmetric family).** Gradient flow from the construction stays in the
 * subspace fixed by the construction's symmetries (permuting pairs, swapping the halves): pair
 * weight w on both features of every pair, ±eps on the disambiguation neuron, one bias b for all
 * outputs, every other weight 0. In that family, per sample, each of four output types occurs
 * n/4 times:
 *
 *     z1 = w² + c + b (target 1)    z2 = c + b (0)    z3 = w² - c + b (0)    z4 = b - c (0)
 *     loss = (n/4)·[(1 - R(z1))² + R(z2)² + R(z3)² + R(z4)² + lambda·(|w| + |eps|)],  c = eps²·n/4
 *
 * with R the output activation. Freeing b alone already halves the one-parameter reconstruction
 * term: with R(z2) = 0, the optimal bias b = -c - (1 - 2c)/2 gives (n/8)(1 - 2c)².
 */
import { checkLambda, ConfigError } from '@polytoy/core';
import { oppositeSignConstructionF64, reluTwoNeuronConstructionF64, sameSignConstructionF64 } from './construction.js';
import { nelderMead } from './minimize.js';
import type { TiedParamsF64 } from './params64.js';
import { exactPopulationLoss } from './population-loss.js';

function checkNLambda(n: number, lambda: number): void {
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0) throw new ConfigError('n', 'a positive multiple of 4', n);
  checkLambda(lambda);
}

/**
 * SPEC §2's one-parameter loss of the same-sign family (exact for every c >= 0).
 *
 * @example
 * reducedLoss(0.5, 16, 1e-3); // 1e-3 · (4 + sqrt(8)/2) = 0.0054142…
 */
export function reducedLoss(c: number, n: number, lambda: number): number {
  const gap = Math.max(0, 1 - 2 * c);
  return (n / 4) * gap * gap + lambda * (n / 4 + Math.sqrt(c * n) / 2);
}

/** The one-parameter optimum. */
export interface ReducedOptimum {
  n: number;
  lambda: number;
  /** The interior minimiser c* (NaN when there is none, lambda >= ~1.089·sqrt(n)). */
  c: number;
  /** eps = sqrt(4c/n) at c = c*. */
  eps: number;
  /** -c*. */
  bias: number;
  /** 1 - 2c*, the other-half output of an active partner. */
  gap: number;
  /** L(c*). */
  loss: number;
  /** L(0) = (n/4)(1 + lambda): no disambiguation at all. */
  lossAtZero: number;
  /** True when L(c*) < L(0). */
  interiorIsGlobal: boolean;
  /** Leading-order approximation 1 - 2c* ≈ lambda / (2·sqrt(2n)) (c ≈ 1/2 inside the sqrt). */
  gapApprox: number;
}

/**
 * Solves 1 - 2c = lambda / (4·sqrt(n·c)) for the interior minimiser of {@link reducedLoss}
 * (bisection on L' between c_m and 1/2, to machine precision).
 *
 * @example
 * reducedOptimum(16, 1e-3).c; // 0.49995581…
 */
export function reducedOptimum(n: number, lambda: number): ReducedOptimum {
  checkNLambda(n, lambda);
  const dL = (c: number) => -n * (1 - 2 * c) + (lambda * Math.sqrt(n)) / (4 * Math.sqrt(c));
  const lossAtZero = (n / 4) * (1 + lambda);
  let c = Number.NaN;
  if (lambda === 0) {
    c = 0.5;
  } else {
    const cm = Math.min(0.5, Math.cbrt((lambda / (16 * Math.sqrt(n))) ** 2));
    if (dL(cm) < 0) {
      let lo = cm,
        hi = 0.5; // dL(lo) < 0 < dL(hi)
      for (let it = 0; it < 200 && hi - lo > 0; it++) {
        const mid = 0.5 * (lo + hi);
        if (mid === lo || mid === hi) break;
        if (dL(mid) < 0) lo = mid;
        else hi = mid;
      }
      c = 0.5 * (lo + hi);
    }
  }
  const loss = Number.isNaN(c) ? Number.NaN : reducedLoss(c, n, lambda);
  return {
    n,
    lambda,
    c,
    eps: Math.sqrt((4 * c) / n),
    bias: -c,
    gap: 1 - 2 * c,
    loss,
    lossAtZero,
    interiorIsGlobal: loss < lossAtZero,
    gapApprox: lambda / (2 * Math.sqrt(2 * n)),
  };
}

/**
 * Exact enumerated loss of `sameSignConstructionF64({ n, c })` (what {@link reducedLoss} claims).
 *
 * @example
 * sameSignFamilyLoss(0.4, 8, 0.01); // (8/4)(0.2)² + 0.01·(2 + sqrt(3.2)/2)
 */
export function sameSignFamilyLoss(c: number, n: number, lambda: number, hiddenActivation: 'none' | 'relu' = 'none'): number {
  return exactPopulationLoss(sameSignConstructionF64({ n, c }), { hiddenActivation, lambda }).loss;
}

/** A point of the symmetric family. */
export interface SymmetricPoint {
  /** Weight of both features of every pair. */
  w: number;
  /** Disambiguation weight on its own half: +eps on A (D_A), +eps on B (D_B; same-sign layout: −eps on B). */
  eps: number;
  /** Bias of every output. */
  b: number;
  /**
   * ReLU two-neuron layout only: D_A's weight on B (−epsCross) and D_B's on A (−epsCross);
   * default eps. With a ReLU hidden layer these weights only write (the neuron is off on the
   * other half), so they cost no L1 and the flow moves them independently of eps.
   */
  epsCross?: number;
}

/** Which symmetric family: one disambiguation neuron (linear hidden layer) or D_A, D_B (ReLU hidden layer). */
export type SymmetricLayout = 'same-sign' | 'relu-two-neuron';

/**
 * The tied parameters of a symmetric-family point (canonical pairing), in the same-sign layout
 * or, with `layout: 'relu-two-neuron'`, with two disambiguation neurons (D_A = +eps on A and
 * −epsCross on B, D_B its mirror image) for a ReLU hidden layer.
 *
 * @example
 * symmetricFamilyParams(8, { w: 1, eps: Math.sqrt(0.5), b: -0.5 }); // = sameSignConstructionF64({ n: 8 })
 */
export function symmetricFamilyParams(
  n: number,
  pt: SymmetricPoint,
  m?: number,
  layout: SymmetricLayout = 'same-sign',
): TiedParamsF64 {
  const opts = m === undefined ? { n } : { n, m };
  const p = layout === 'same-sign' ? sameSignConstructionF64(opts) : reluTwoNeuronConstructionF64(opts);
  const half = n / 2;
  if (layout === 'same-sign') {
    for (let i = 0; i < n; i++) p.W[i] = i < half ? pt.eps : -pt.eps;
  } else {
    const cross = pt.epsCross ?? pt.eps;
    for (let i = 0; i < n; i++) {
      p.W[i] = i < half ? pt.eps : -cross;
      p.W[n + i] = i < half ? -cross : pt.eps;
    }
  }
  const nDis = layout === 'same-sign' ? 1 : 2;
  for (let k = 0; k < half; k++) {
    p.W[(nDis + k) * n + k] = pt.w;
    p.W[(nDis + k) * n + half + k] = pt.w;
  }
  p.b.fill(pt.b);
  return p;
}

/** c on the own half and on the other half (c_A = eps²·n/4; c_B = eps·epsCross·n/4, = c_A in the same-sign layout). */
function shifts(n: number, pt: SymmetricPoint, layout: SymmetricLayout): [number, number] {
  const cA = (pt.eps * pt.eps * n) / 4;
  return [cA, layout === 'same-sign' ? cA : (pt.eps * (pt.epsCross ?? pt.eps) * n) / 4];
}

/**
 * Closed-form loss of the symmetric family (activation L1, tied). Same-sign layout: linear
 * hidden layer. ReLU two-neuron layout (needs eps, epsCross >= 0 so that exactly one of D_A, D_B
 * is on): ReLU hidden layer, z3 and z4 use c_B = eps·epsCross·n/4 instead of c.
 *
 * @example
 * symmetricFamilyLoss(16, { w: 1, eps: Math.sqrt(1 / 8), b: -0.5 }, 1e-3).reconstruction; // 0
 */
export function symmetricFamilyLoss(
  n: number,
  pt: SymmetricPoint,
  lambda: number,
  outputActivation: 'relu' | 'none' = 'relu',
  layout: SymmetricLayout = 'same-sign',
): { reconstruction: number; l1: number; loss: number } {
  const R = outputActivation === 'relu' ? (z: number) => (z > 0 ? z : 0) : (z: number) => z;
  const s = pt.w * pt.w;
  const [cA, cB] = shifts(n, pt, layout);
  const e1 = 1 - R(s + cA + pt.b);
  const reconstruction = (n / 4) * (e1 * e1 + R(cA + pt.b) ** 2 + R(s - cB + pt.b) ** 2 + R(pt.b - cB) ** 2);
  const l1 = (n / 4) * (Math.abs(pt.w) + Math.abs(pt.eps));
  return { reconstruction, l1, loss: reconstruction + lambda * l1 };
}

/**
 * Gradient of the closed-form symmetric loss; sign(0) = 0, R'(0) = 0. Same-sign layout:
 * [d/dw, d/deps, d/db]; ReLU two-neuron layout: [d/dw, d/deps, d/depsCross, d/db].
 *
 * @example
 * symmetricFamilyGradient(8, { w: 1, eps: 0.5, b: -0.5 }, 0.01); // [0.02, 0.02, 0]
 */
export function symmetricFamilyGradient(
  n: number,
  pt: SymmetricPoint,
  lambda: number,
  outputActivation: 'relu' | 'none' = 'relu',
  layout: SymmetricLayout = 'same-sign',
): number[] {
  const relu = outputActivation === 'relu';
  const R = (z: number) => (!relu || z > 0 ? z : 0);
  const dR = (z: number) => (!relu || z > 0 ? 1 : 0);
  const s = pt.w * pt.w;
  const [cA, cB] = shifts(n, pt, layout);
  const z1 = s + cA + pt.b,
    z2 = cA + pt.b,
    z3 = s - cB + pt.b,
    z4 = pt.b - cB;
  const g1 = -2 * (1 - R(z1)) * dR(z1),
    g2 = 2 * R(z2) * dR(z2),
    g3 = 2 * R(z3) * dR(z3),
    g4 = 2 * R(z4) * dR(z4);
  const q = n / 4;
  const gw = q * ((g1 + g3) * 2 * pt.w + lambda * Math.sign(pt.w));
  const gb = q * (g1 + g2 + g3 + g4);
  if (layout === 'same-sign') {
    const dc = (pt.eps * n) / 2; // dc/deps
    return [gw, q * ((g1 + g2 - g3 - g4) * dc + lambda * Math.sign(pt.eps)), gb];
  }
  const cross = pt.epsCross ?? pt.eps;
  return [
    gw,
    q * ((g1 + g2) * ((pt.eps * n) / 2) - (g3 + g4) * ((cross * n) / 4) + lambda * Math.sign(pt.eps)),
    q * (-(g3 + g4) * ((pt.eps * n) / 4)),
    gb,
  ];
}

/** Where the symmetric gradient flow from the construction ends. */
export interface SymmetricOptimum extends SymmetricPoint {
  n: number;
  lambda: number;
  layout: SymmetricLayout;
  /** c = eps²·n/4 (the shift of the own half's outputs). */
  c: number;
  reconstruction: number;
  l1: number;
  loss: number;
  /** Norm of the closed-form gradient at the end (sign(0) = 0). */
  gradientNorm: number;
  /** Flow time used (in the full model's time units). */
  time: number;
  /** The four output pre-activations z1..z4 at the end. */
  z: [number, number, number, number];
}

/**
 * Follows the gradient flow of the full tied model restricted to the symmetric family, started
 * at the construction (w = 1, c = 1/2, b = -1/2 unless `start` says otherwise), to its end
 * point. The full flow from the construction stays in this family while the family's point is
 * stable (the symmetric subspace is invariant: the exact gradient is equivariant), and each of
 * w, eps, (epsCross,) b stands for n equal coordinates, so the full flow in the family is
 * `d(w, eps, …, b)/dt = -(1/n)·∇loss`. Integrated by explicit Euler with a monotone step-size
 * control, then Newton-polished; eps is clamped at 0 if it reaches it (the disambiguation
 * neuron dies, and L1 holds it there), and so is w. In the ReLU two-neuron layout epsCross
 * stops growing once the other half's outputs are switched off (z3 <= 0): a flat direction.
 *
 * @example
 * symmetricOptimum(16, 1e-2); // { w: 0.99…, c: 0.497…, b: -0.49…, … }
 */
export function symmetricOptimum(
  n: number,
  lambda: number,
  start?: SymmetricPoint,
  layout: SymmetricLayout = 'same-sign',
): SymmetricOptimum {
  checkNLambda(n, lambda);
  const two = layout === 'relu-two-neuron';
  const s0: SymmetricPoint = start ?? { w: 1, eps: Math.sqrt(2 / n), b: -0.5 };
  const toPt = (v: number[]): SymmetricPoint =>
    two ? { w: v[0]!, eps: v[1]!, epsCross: v[2]!, b: v[3]! } : { w: v[0]!, eps: v[1]!, b: v[2]! };
  let x: number[] = two ? [s0.w, s0.eps, s0.epsCross ?? s0.eps, s0.b] : [s0.w, s0.eps, s0.b];
  const grad = (v: number[]) => symmetricFamilyGradient(n, toPt(v), lambda, 'relu', layout);
  const f = (v: number[]) => symmetricFamilyLoss(n, toPt(v), lambda, 'relu', layout).loss;
  // Coordinates held at 0 by L1 once they reach it: w and eps (both carry |·| in the loss).
  const clamp = (from: number[], to: number[]) => {
    for (const i of [0, 1]) if (from[i]! !== 0 && (to[i]! === 0 || Math.sign(to[i]!) !== Math.sign(from[i]!))) to[i] = 0;
    return to;
  };
  const stepFrom = (v: number[], g: number[], dt: number) =>
    clamp(
      v,
      v.map((xi, i) => (xi === 0 && i <= 1 ? 0 : xi - (dt * g[i]!) / n)),
    );
  // Explicit Euler; the step halves whenever the loss would increase (the eps direction has
  // curvature ~ c·n, so large n needs small steps) and grows slowly otherwise, capped at 0.25.
  let dt = 0.25;
  let t = 0;
  let fx = f(x);
  for (let it = 0; it < 200000; it++) {
    const g = grad(x).map((gi, i) => (x[i] === 0 && i <= 1 ? 0 : gi));
    if (Math.hypot(...g) / n < 1e-15) break;
    let next = stepFrom(x, g, dt);
    let fn = f(next);
    while (fn > fx && dt > 1e-12) {
      dt /= 2;
      next = stepFrom(x, g, dt);
      fn = f(next);
    }
    t += dt;
    const done = fn >= fx && Math.abs(fn - fx) <= 1e-17;
    x = next;
    fx = fn;
    if (done) break;
    dt = Math.min(dt * 1.1, 0.25);
  }
  // Newton polish on the smooth piece (finite-difference Hessian of the closed-form gradient),
  // over the coordinates that are not held at 0 and not flat.
  const free = x.map((_, i) => i).filter((i) => !(i <= 1 && x[i] === 0));
  for (let it = 0; it < 20; it++) {
    const g = grad(x);
    const gs = free.map((i) => g[i]!);
    if (Math.hypot(...gs) < 1e-15) break;
    const h = 1e-6;
    const H = free.map((i) =>
      free.map((j) => {
        const xp = x.slice(),
          xm = x.slice();
        xp[j] = xp[j]! + h;
        xm[j] = xm[j]! - h;
        return (grad(xp)[i]! - grad(xm)[i]!) / (2 * h);
      }),
    );
    const step = solveSmall(
      H,
      gs.map((v) => -v),
    );
    if (!step || step.some((v) => !Number.isFinite(v))) break;
    const cand = x.slice();
    free.forEach((i, k) => (cand[i] = cand[i]! + step[k]!));
    if (f(cand) > fx + 1e-15) break;
    x = cand;
    fx = f(x);
  }
  const pt = toPt(x);
  const L = symmetricFamilyLoss(n, pt, lambda, 'relu', layout);
  const [cA, cB] = shifts(n, pt, layout);
  const s = pt.w * pt.w;
  return {
    n,
    lambda,
    layout,
    ...pt,
    c: cA,
    ...L,
    gradientNorm: Math.hypot(...grad(x).map((gi, i) => (x[i] === 0 && i <= 1 ? 0 : gi))),
    time: t,
    z: [s + cA + pt.b, cA + pt.b, s - cB + pt.b, pt.b - cB],
  };
}

/** Minimises the closed-form symmetric loss by Nelder–Mead from a start point (for cross-checks). */
export function symmetricMinimum(n: number, lambda: number, start: SymmetricPoint): SymmetricPoint & { loss: number } {
  checkNLambda(n, lambda);
  const r = nelderMead(
    ([w, e, b]) => symmetricFamilyLoss(n, { w: w!, eps: e!, b: b! }, lambda).loss,
    [start.w, start.eps, start.b],
    0.01,
  );
  return { w: r.x[0]!, eps: r.x[1]!, b: r.x[2]!, loss: r.value };
}

/** Solves a small dense linear system by Gaussian elimination with partial pivoting (null if singular). */
export function solveSmall(A: number[][], rhs: number[]): number[] | null {
  const d = rhs.length;
  const M = A.map((row, i) => [...row, rhs[i]!]);
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[piv]![col]!)) piv = r;
    if (Math.abs(M[piv]![col]!) < 1e-300) return null;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let r = col + 1; r < d; r++) {
      const fct = M[r]![col]! / M[col]![col]!;
      for (let k = col; k <= d; k++) M[r]![k] = M[r]![k]! - fct * M[col]![k]!;
    }
  }
  const out = new Array<number>(d).fill(0);
  for (let r = d - 1; r >= 0; r--) {
    let s = M[r]![d]!;
    for (let k = r + 1; k < d; k++) s -= M[r]![k]! * out[k]!;
    out[r] = s / M[r]![r]!;
  }
  return out;
}

/** The relaxed opposite-sign point (see {@link oppositeSignRelaxed}). */
export interface OppositeSignRelaxed {
  n: number;
  lambda: number;
  /** Magnitude of both pair weights (+w on the A feature, −w on its B partner). */
  w: number;
  /** Common bias. */
  b: number;
  reconstruction: number;
  l1: number;
  loss: number;
}

/**
 * Where L1 moves the opposite-sign construction inside its symmetric family (pair weights ±w,
 * one bias b, everything else 0). Per sample, with R(z) = max(z, 0) and b >= 0 small, the
 * n/4 active outputs sit at w² + b, the n/4 + n/4 inactive ones at b, and the partners at
 * b − w² < 0, so loss = (n/4)·[(1 − w² − b)² + 2b² + lambda·w]. Stationarity in b gives
 * b = (1 − w²)/3, and in w then (8/3)·w·(1 − w²) = lambda, solved here by bisection on
 * w ∈ [1/sqrt(3), 1] (a solution exists for lambda <= 16/(9·sqrt(3)) ≈ 1.026).
 * Unlike the same-sign relaxed point, this one is a strict local minimum of the full model
 * (`localAnalysis` certifies it).
 *
 * @example
 * oppositeSignRelaxed(16, 0.01); // { w: 0.998120, b: 0.001252, … }
 */
export function oppositeSignRelaxed(n: number, lambda: number): OppositeSignRelaxed {
  checkNLambda(n, lambda);
  if (lambda > 16 / (9 * Math.sqrt(3)))
    throw new ConfigError('lambda', 'lambda <= 16/(9·sqrt(3)) ≈ 1.026 (no relaxed opposite-sign point beyond)', lambda);
  let lo = 1 / Math.sqrt(3),
    hi = 1; // (8/3) w (1 - w²) decreases from its maximum to 0 on this interval
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if ((8 / 3) * mid * (1 - mid * mid) > lambda) lo = mid;
    else hi = mid;
  }
  const w = 0.5 * (lo + hi);
  const b = (1 - w * w) / 3;
  const q = n / 4;
  const reconstruction = q * ((1 - w * w - b) ** 2 + 2 * b * b);
  const l1 = q * w;
  return { n, lambda, w, b, reconstruction, l1, loss: reconstruction + lambda * l1 };
}

/**
 * Tied parameters of the opposite-sign family: ±w on every pair, bias b (canonical pairing).
 *
 * @example
 * oppositeSignFamilyParams(8, 1, 0); // = oppositeSignConstructionF64({ n: 8 })
 */
export function oppositeSignFamilyParams(n: number, w: number, b: number): TiedParamsF64 {
  const p = oppositeSignConstructionF64({ n });
  for (let t = 0; t < p.W.length; t++) p.W[t] = p.W[t]! * w;
  p.b.fill(b);
  return p;
}
