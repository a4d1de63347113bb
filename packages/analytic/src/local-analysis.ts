/**
 * Local (first- and second-order) analysis of the exact population loss at a parameter point,
 * with the ReLU and |h| kinks handled explicitly.
 *
 * **Kinks.** At a point θ₀ every sample s has hidden pre-activations a_j(s) and output
 * pre-activations z_i(s). A value within `kinkTolerance` of 0 is a kink. Three kinds:
 *
 * 1. *Output ReLU at z = 0 with target 0* (the construction's inactive outputs sit exactly
 *    there). The term ReLU(z)² is C¹ (value and slope 0 on both sides) but not C². Treatment:
 *    freeze the output as inactive. The frozen model L̃ satisfies L ≥ L̃ near θ₀ with equality
 *    at θ₀ (ReLU(z)² ≥ 0), so a strict local minimum of L̃ (+ the |h| term below) is a strict
 *    local minimum of L: the verdict is a sufficient condition. These coordinates stay in the
 *    Hessian (of L̃).
 * 2. *|h| at h = 0* (activation L1; every pair neuron whose two features are off). Not C¹: the
 *    one-sided slopes differ by 2·lambda·|∂a/∂θ|. Coordinates that move such an a are excluded
 *    from the Hessian and checked at first order instead: with g̃ the gradient for the subgradient
 *    choice sign(0) = 0, the one-sided derivatives along ±e_p are `±g̃_p + slack_p`,
 *    slack_p = (lambda/N)·Σ_{kinked (s,j)} |∂a_j(s)/∂θ_p|; the coordinate is *pinned* at its
 *    kink when both are > 0. Jointly (any direction in the kinked coordinates), the kinks of
 *    neuron j hold iff g̃ restricted to them is `-(lambda/N)·Σ_s u_s·x_s` with |u_s| < 1 (a dual
 *    certificate); we test the least-norm multipliers u (solve a small Gram system), which is a
 *    sufficient check. With the certificate, the first-order term dominates every cross term
 *    with the smooth coordinates near θ₀, so the smooth Hessian decides the rest. Weight L1
 *    at w = 0 is the same with slack = lambda and a per-coordinate (exact) certificate.
 *    When one of the two one-sided derivatives is exactly 0 (a *critical* coordinate; at the
 *    relaxed same-sign point every off-structure weight is critical), first order decides
 *    nothing on that side: the coordinate joins the Hessian, computed for the *piece* entered on
 *    its zero side (its kinked samples get that side's sign), and the quadratic form is examined
 *    on the cone {critical coordinates on their side}. A cone direction with negative curvature
 *    along which the true loss decreases makes the point a saddle.
 * 3. *Other* (hidden ReLU at a = 0, output ReLU at z = 0 with target 1): no bound of the kind
 *    above; excluded from the Hessian, one-sided derivatives by finite differences of the true
 *    loss, and the verdict is at best 'inconclusive'.
 *
 * **Hessian.** Central finite differences of the exact gradient of the frozen polynomial L̃
 * (or of the piece, with critical coordinates) over the smooth (+ critical) coordinates, so no
 * finite-difference step crosses a kink and the result is exact up to O(step²); symmetrised,
 * eigenvalues by {@link symmetricEigen}.
 */
import type { AnyParams } from './params64.js';
import { flattenParams, parameterCount, parameterName, unflattenParams } from './params64.js';
import type { ActivationPattern, ModelOptions, PopulationLoss } from './population-loss.js';
import { evaluatePopulation, forwardPass } from './population-loss.js';
import type { SampleSet } from './support.js';
import { exactSupport } from './support.js';
import { symmetricEigen } from './jacobi.js';

/** Outcome of {@link localAnalysis}. */
export type LocalVerdict =
  /** Smooth gradient 0, smooth Hessian positive definite, every kink certified: a strict local minimum. */
  | 'strict-local-min'
  /** Smooth gradient 0 but a negative-curvature direction, confirmed on the true loss. */
  | 'saddle'
  /** The smooth part of the gradient is not 0: the point moves under gradient flow. */
  | 'not-stationary'
  /** A kinked coordinate with a negative one-sided derivative: L1 does not hold it. */
  | 'descent-direction'
  /** None of the above could be established (degenerate curvature, uncertified kinks). */
  | 'inconclusive';

/** Options of {@link localAnalysis}. */
export interface LocalAnalysisOptions {
  /** |a| or |z| at most this counts as a kink (default 1e-10). */
  kinkTolerance?: number;
  /** Compute the smooth Hessian (default true when at most 400 smooth coordinates). */
  hessian?: boolean;
  /** Central-difference step for the Hessian (default 1e-5). */
  fdStep?: number;
  /** Smooth gradient norm below this counts as stationary (default 1e-8). */
  gradientTolerance?: number;
  /** Samples (default: the exact support). */
  samples?: SampleSet;
}

/** One named direction with its value. */
export interface NamedValue {
  name: string;
  value: number;
}

/** JSON-serialisable result of {@link localAnalysis}. */
export interface LocalAnalysis {
  loss: PopulationLoss;
  /** Norm of the full gradient with sign(0) = 0 and ReLU'(0) = 0. */
  gradientNorm: number;
  /** Norm of its restriction to the smooth coordinates. */
  smoothGradientNorm: number;
  /** The largest smooth gradient components (at most 5). */
  largestGradient: NamedValue[];
  coordinates: {
    total: number;
    /** Smooth, or only C¹ output kinks (treated by freezing). */
    smooth: number;
    /** At an |h| (or |w|) kink. */
    absKink: number;
    /** Kinked coordinates whose one-sided derivative on one side is 0 (first order degenerate). */
    critical: number;
    /** At a hidden-ReLU kink or a target-1 output kink. */
    otherKink: number;
    /** Output pre-activations at a C¹ kink (z = 0, target 0), counted over samples × outputs. */
    c1OutputKinks: number;
  };
  /** First-order check of the kinked coordinates. */
  pinning: {
    coordinates: number;
    pinned: number;
    /** min over kinked coordinates of min(D+, D-) (positive: all pinned). */
    minMargin: number;
    worst: string;
  };
  /** Dual certificates for the |h| kinks, one per neuron row with kinks. */
  certificate: {
    rows: number;
    certified: number;
    /** max |u| over rows (< 1 certifies). */
    maxMultiplier: number;
    degenerateRows: number;
  };
  /** Hessian of the piece entered along the critical directions, over smooth + critical coordinates. */
  hessian?: {
    dimension: number;
    /** How many of the coordinates are critical kinked ones (the rest are smooth). */
    critical: number;
    /** Ascending. */
    eigenvalues: number[];
    min: number;
    max: number;
    negative: number;
    /** |eigenvalue| <= 1e-7·max. */
    nearZero: number;
    /** Extreme eigenvalues of the block over the smooth coordinates alone. */
    smoothMin: number;
    smoothMax: number;
    /** max |H - Hᵀ| before symmetrising (finite-difference noise). */
    asymmetry: number;
    step: number;
    /** Largest components of the eigenvector of the smallest eigenvalue. */
    softestDirection: NamedValue[];
  };
  /**
   * For a saddle: a unit direction (flat, `flattenParams` order) inside the cone with negative
   * curvature of the piece, its curvature vᵀHv, and its largest components.
   */
  descentDirection?: { curvature: number; vector: number[]; largest: NamedValue[] };
  /** Change of the true loss along the evidence direction (descent or softest), if checked. */
  lossChangeAlongEvidence?: { direction: string; step: number; change: number }[];
  verdict: LocalVerdict;
  reason: string;
}

function topComponents(
  like: { kind: 'tied' | 'untied'; n: number; m: number },
  coords: number[],
  v: ArrayLike<number>,
  k = 5,
): NamedValue[] {
  return coords
    .map((p, t) => ({ name: parameterName(like, p), value: v[t]! }))
    .sort((x, y) => Math.abs(y.value) - Math.abs(x.value))
    .slice(0, k);
}

/** What every phase reads: the point, the model, the samples and the index maps. */
interface Point {
  p: AnyParams;
  o: ModelOptions;
  samples: SampleSet;
  theta: Float64Array;
  n: number;
  m: number;
  P: number;
  mn: number;
  tied: boolean;
  tau: number;
  lambda: number;
  reluHidden: boolean;
  reluOutput: boolean;
  activationL1: boolean;
  encIndex: (j: number, i: number) => number;
  decIndex: (j: number, i: number) => number;
  bIndex: (i: number) => number;
  trueLoss: (th: Float64Array) => number;
}

function pointOf(p: AnyParams, o: ModelOptions, opts: LocalAnalysisOptions): Point {
  const { n, m } = p;
  const mn = m * n;
  const tied = p.kind === 'tied';
  const theta = flattenParams(p);
  const samples = opts.samples ?? exactSupport(p.n);
  return {
    p,
    o,
    samples,
    theta,
    n,
    m,
    P: parameterCount(p),
    mn,
    tied,
    tau: opts.kinkTolerance ?? 1e-10,
    lambda: o.lambda ?? 0,
    reluHidden: o.hiddenActivation === 'relu',
    reluOutput: (o.outputActivation ?? 'relu') === 'relu',
    activationL1: (o.l1Target ?? 'activations') === 'activations',
    encIndex: (j, i) => j * n + i,
    decIndex: (j, i) => (tied ? j * n + i : mn + i * m + j),
    bIndex: (i) => (tied ? mn : 2 * mn) + i,
    trueLoss: (th) => evaluatePopulation(unflattenParams(p, th), o, { samples }).loss.loss,
  };
}

/** Phase 1: the activation pattern and the kinks — which coordinates are smooth, at |h| (or |w|) kinks, or at other kinks. */
interface Kinks {
  fp: ReturnType<typeof forwardPass>;
  pattern: ActivationPattern;
  /** Per coordinate: how many kinked (sample, neuron) terms of the |h| penalty it moves. */
  absCount: Float64Array;
  /** Per coordinate: at a hidden-ReLU or target-1 output kink. */
  other: Uint8Array;
  /** Per weight: within tau of 0 under weight L1. */
  weightKink: Uint8Array;
  c1: number;
  smooth: number[];
  absK: number[];
  otherK: number[];
}

function findKinks(pt: Point): Kinks {
  const { p, o, samples, theta, n, m, P, mn, tied, tau, lambda, reluHidden, reluOutput, activationL1 } = pt;
  const { count, k, idx } = samples;
  const fp = forwardPass(p, o, samples);
  const pattern: ActivationPattern = { count, n, m, hidden: new Int8Array(count * m), output: new Uint8Array(count * n) };
  const absCount = new Float64Array(P);
  const other = new Uint8Array(P);
  let c1 = 0;
  const x = new Uint8Array(n);
  for (let s = 0; s < count; s++) {
    for (let q = 0; q < k; q++) x[idx[s * k + q]!] = 1;
    for (let j = 0; j < m; j++) {
      const a = fp.a[s * m + j]!;
      const kink = Math.abs(a) <= tau;
      pattern.hidden[s * m + j] = kink ? 0 : a > 0 ? 1 : -1;
      if (!kink) continue;
      if (reluHidden) {
        for (let q = 0; q < k; q++) other[pt.encIndex(j, idx[s * k + q]!)] = 1;
      } else if (activationL1 && lambda > 0) {
        for (let q = 0; q < k; q++) {
          const at = pt.encIndex(j, idx[s * k + q]!);
          absCount[at] = absCount[at]! + 1;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      const z = fp.z[s * n + i]!;
      pattern.output[s * n + i] = z > tau ? 1 : 0;
      if (!reluOutput || Math.abs(z) > tau) continue;
      if (x[i] === 0) {
        c1++;
        continue;
      }
      // Target-1 output at its kink: every coordinate that moves z_i(s).
      other[pt.bIndex(i)] = 1;
      for (let j = 0; j < m; j++) {
        if (fp.h[s * m + j] !== 0) other[pt.decIndex(j, i)] = 1;
        const live = !reluHidden || pattern.hidden[s * m + j]! > 0;
        if (live && theta[pt.decIndex(j, i)]! !== 0) for (let q = 0; q < k; q++) other[pt.encIndex(j, idx[s * k + q]!)] = 1;
      }
    }
    for (let q = 0; q < k; q++) x[idx[s * k + q]!] = 0;
  }
  const weightKink = new Uint8Array(P);
  if (!activationL1 && lambda > 0) {
    for (let t = 0; t < (tied ? mn : 2 * mn); t++) if (Math.abs(theta[t]!) <= tau) weightKink[t] = 1;
  }
  const smooth: number[] = [],
    absK: number[] = [],
    otherK: number[] = [];
  for (let t = 0; t < P; t++) {
    if (other[t]) otherK.push(t);
    else if (absCount[t]! > 0 || weightKink[t]) absK.push(t);
    else smooth.push(t);
  }
  return { fp, pattern, absCount, other, weightKink, c1, smooth, absK, otherK };
}

/** Phase 2: the gradient of the frozen model (= the sign(0) = 0 subgradient at θ₀). */
function frozenGradient(pt: Point, kinks: Kinks, th: Float64Array): Float64Array {
  const { p, o, samples, tied, mn, lambda, activationL1 } = pt;
  const g = evaluatePopulation(unflattenParams(p, th), o, { samples, pattern: kinks.pattern, gradient: true }).grad!;
  if (!activationL1 && lambda > 0) {
    // Weights within tau of 0 are treated as exactly 0: subgradient sign(0) = 0.
    for (let t = 0; t < (tied ? mn : 2 * mn); t++)
      if (kinks.weightKink[t] && th[t] !== 0) g[t] = g[t]! - lambda * Math.sign(th[t]!);
  }
  return g;
}

/** Phase 3: one-sided derivatives at the kinks — pinned coordinates, the worst margin, critical coordinates and their sides. */
interface FirstOrder {
  minMargin: number;
  worst: number;
  pinned: number;
  critical: number[];
  /** +1 / −1: the side of a critical coordinate where first order vanishes. */
  direction: Int8Array;
  critTol: number;
  base: number;
}

function firstOrderAtKinks(pt: Point, kinks: Kinks, g: Float64Array): FirstOrder {
  const { theta, lambda, P, samples } = pt;
  // Critical: a one-sided derivative within critTol of 0 (first order is degenerate there).
  const critTol = Math.max(1e-13, 1e-8 * lambda);
  let minMargin = Number.POSITIVE_INFINITY,
    worst = -1;
  let pinned = 0;
  const base = pt.trueLoss(theta);
  const hOne = 1e-7;
  const critical: number[] = [];
  const direction = new Int8Array(P);
  for (const t of [...kinks.absK, ...kinks.otherK]) {
    let dPlus: number, dMinus: number;
    if (kinks.other[t]) {
      const tp = theta.slice(),
        tm = theta.slice();
      tp[t] = tp[t]! + hOne;
      tm[t] = tm[t]! - hOne;
      dPlus = (pt.trueLoss(tp) - base) / hOne;
      dMinus = (pt.trueLoss(tm) - base) / hOne;
    } else {
      const slack = kinks.weightKink[t] ? lambda : (lambda * kinks.absCount[t]!) / samples.count;
      dPlus = g[t]! + slack;
      dMinus = -g[t]! + slack;
      if (Math.abs(dMinus) <= critTol || Math.abs(dPlus) <= critTol) {
        critical.push(t);
        direction[t] = Math.abs(dMinus) <= Math.abs(dPlus) ? -1 : 1;
      }
    }
    const margin = Math.min(dPlus, dMinus);
    if (margin > critTol) pinned++;
    if (margin < minMargin) {
      minMargin = margin;
      worst = t;
    }
  }
  return { minMargin, worst, pinned, critical, direction, critTol, base };
}

/** Phase 4: dual certificates for the |h| kinks (per neuron row) or the weight kinks (per coordinate). */
function dualCertificates(pt: Point, kinks: Kinks, g: Float64Array): LocalAnalysis['certificate'] {
  const { n, m, lambda, reluHidden, activationL1, tau, samples } = pt;
  const { count, k, idx } = samples;
  let rows = 0,
    certified = 0,
    degenerate = 0,
    maxMultiplier = 0;
  if (activationL1 && !reluHidden && lambda > 0) {
    for (let j = 0; j < m; j++) {
      const K: number[] = [];
      for (let i = 0; i < n; i++) if (kinks.absCount[pt.encIndex(j, i)]! > 0 && !kinks.other[pt.encIndex(j, i)]) K.push(i);
      if (K.length === 0) continue;
      rows++;
      const Z: number[] = [];
      for (let s = 0; s < count; s++) if (Math.abs(kinks.fp.a[s * m + j]!) <= tau) Z.push(s);
      const pos = new Int32Array(n).fill(-1);
      K.forEach((i, r) => (pos[i] = r));
      const d = K.length;
      const G = new Float64Array(d * d);
      for (const s of Z) {
        const on: number[] = [];
        for (let q = 0; q < k; q++) {
          const r = pos[idx[s * k + q]!]!;
          if (r >= 0) on.push(r);
        }
        for (const r1 of on) for (const r2 of on) G[r1 * d + r2] = G[r1 * d + r2]! + 1;
      }
      const rhs = Float64Array.from(K, (i) => (-count / lambda) * g[pt.encIndex(j, i)]!);
      const y = choleskySolve(G, rhs, d);
      if (!y) {
        degenerate++;
        continue;
      }
      let rowMax = 0;
      for (const s of Z) {
        let u = 0;
        for (let q = 0; q < k; q++) {
          const r = pos[idx[s * k + q]!]!;
          if (r >= 0) u += y[r]!;
        }
        rowMax = Math.max(rowMax, Math.abs(u));
      }
      maxMultiplier = Math.max(maxMultiplier, rowMax);
      if (rowMax <= 1 + 1e-9) certified++;
    }
  } else if (!activationL1 && lambda > 0) {
    rows = kinks.absK.length;
    for (const t of kinks.absK) {
      const u = Math.abs(g[t]!) / lambda;
      maxMultiplier = Math.max(maxMultiplier, u);
      if (u <= 1 + 1e-9) certified++;
    }
  }
  return { rows, certified, maxMultiplier, degenerateRows: degenerate };
}

/**
 * Phase 5: the piece entered along the critical directions — a kinked (s, j) touched by a
 * critical coordinate takes that coordinate's side as its sign (all critical coordinates of a
 * row that touch one sample must agree, else the cone analysis is skipped).
 */
function criticalPiece(pt: Point, kinks: Kinks, first: FirstOrder): { piece: ActivationPattern; consistent: boolean } {
  const { m, P, tau, activationL1, reluHidden, samples } = pt;
  const { count, k, idx } = samples;
  const { pattern, fp } = kinks;
  const piece: ActivationPattern = { ...pattern, hidden: pattern.hidden.slice() };
  let consistent = true;
  if (first.critical.length > 0 && activationL1 && !reluHidden) {
    const critSide = new Int8Array(P);
    for (const t of first.critical) critSide[t] = first.direction[t]!;
    for (let s = 0; s < count && consistent; s++) {
      for (let j = 0; j < m; j++) {
        if (pattern.hidden[s * m + j] !== 0 || Math.abs(fp.a[s * m + j]!) > tau) continue;
        let side = 0;
        for (let q = 0; q < k; q++) {
          const c = critSide[pt.encIndex(j, idx[s * k + q]!)]!;
          if (c === 0) continue;
          if (side !== 0 && side !== c) consistent = false;
          side = c;
        }
        piece.hidden[s * m + j] = side;
      }
    }
  }
  return { piece, consistent };
}

/** Phase 6: the Hessian of the piece over the smooth (+ critical) coordinates, by central differences of its exact gradient. */
function pieceHessian(
  pt: Point,
  piece: ActivationPattern,
  coneCoords: number[],
  smooth: number[],
  criticalCount: number,
  step: number,
): { hessian: NonNullable<LocalAnalysis['hessian']>; H: Float64Array; softest: Float64Array } {
  const { p, o, samples, theta } = pt;
  const pieceGrad = (th: Float64Array) =>
    evaluatePopulation(unflattenParams(p, th), o, { samples, pattern: piece, gradient: true }).grad!;
  const d = coneCoords.length;
  const H = new Float64Array(d * d);
  coneCoords.forEach((t, col) => {
    const tp = theta.slice(),
      tm = theta.slice();
    tp[t] = tp[t]! + step;
    tm[t] = tm[t]! - step;
    const gp = pieceGrad(tp),
      gm = pieceGrad(tm);
    coneCoords.forEach((r, row) => (H[row * d + col] = (gp[r]! - gm[r]!) / (2 * step)));
  });
  let asym = 0;
  for (let r = 0; r < d; r++) for (let c = r + 1; c < d; c++) asym = Math.max(asym, Math.abs(H[r * d + c]! - H[c * d + r]!));
  const eig = symmetricEigen(H, d);
  const values = Array.from(eig.values);
  const maxAbs = Math.max(...values.map(Math.abs));
  const softest = Float64Array.from({ length: d }, (_, r) => eig.vectors[r * d]!);
  const ds = smooth.length;
  const Hs = new Float64Array(ds * ds);
  for (let r = 0; r < ds; r++) for (let c = 0; c < ds; c++) Hs[r * ds + c] = H[r * d + c]!;
  const smoothValues = ds > 0 ? symmetricEigen(Hs, ds).values : new Float64Array(0);
  const hessian: NonNullable<LocalAnalysis['hessian']> = {
    dimension: d,
    critical: criticalCount,
    eigenvalues: values,
    min: values[0]!,
    max: values[d - 1]!,
    negative: values.filter((v) => v < -1e-7 * maxAbs).length,
    nearZero: values.filter((v) => Math.abs(v) <= 1e-7 * maxAbs).length,
    smoothMin: smoothValues[0] ?? Number.NaN,
    smoothMax: smoothValues[ds - 1] ?? Number.NaN,
    asymmetry: asym,
    step,
    softestDirection: topComponents(p, coneCoords, softest),
  };
  return { hessian, H, softest };
}

/** Phase 7: the verdict, with the loss checked along the evidence direction. */
function verdictOf(
  pt: Point,
  kinks: Kinks,
  g: Float64Array,
  first: FirstOrder,
  cert: LocalAnalysis['certificate'],
  consistent: boolean,
  coneCoords: number[],
  curvature: { hessian: NonNullable<LocalAnalysis['hessian']>; H: Float64Array } | undefined,
  smoothGradientNorm: number,
  largestGradient: NamedValue[],
  gradTol: number,
): {
  verdict: LocalVerdict;
  reason: string;
  evidence: { direction: string; step: number; change: number }[];
  descent?: { curvature: number; vector: number[] };
} {
  const { p, theta, P } = pt;
  const { smooth, absK, otherK } = kinks;
  const { minMargin, worst, critTol, critical, direction, base } = first;
  const hessian = curvature?.hessian;
  const evidence: { direction: string; step: number; change: number }[] = [];
  const along = (dir: Float64Array, coords: number[], label: string, steps: number[]) => {
    for (const st of steps) {
      const th = theta.slice();
      coords.forEach((t, r) => (th[t] = th[t]! + st * dir[r]!));
      evidence.push({ direction: label, step: st, change: pt.trueLoss(th) - base });
    }
  };
  const worstName = worst >= 0 ? parameterName(p, worst) : '';
  if (smoothGradientNorm > gradTol) {
    const unit = Float64Array.from(smooth, (t) => -g[t]! / smoothGradientNorm);
    along(unit, smooth, '-gradient (unit)', [1e-3, 1e-4]);
    return {
      verdict: 'not-stationary',
      reason: `smooth gradient norm ${smoothGradientNorm.toExponential(3)} > ${gradTol}; largest component ${largestGradient[0]?.name} = ${largestGradient[0]?.value.toExponential(3)}`,
      evidence,
    };
  }
  if (minMargin < -critTol) {
    along(Float64Array.of(g[worst]! > 0 ? -1 : 1), [worst], `${worstName} (one-sided)`, [1e-4, 1e-5]);
    return {
      verdict: 'descent-direction',
      reason: `kinked coordinate ${worstName} has a negative one-sided derivative ${minMargin.toExponential(3)}: L1 does not hold it`,
      evidence,
    };
  }
  if (curvature && hessian && hessian.negative > 0) {
    // Minimise the quadratic form over the cone (critical coordinates on their side) ∩ sphere.
    const d = coneCoords.length;
    const side = coneCoords.map((t) => direction[t]! as number);
    const cone = coneDescent(curvature.H, d, side);
    let descent: { curvature: number; vector: number[] } | undefined;
    if (cone) {
      along(cone.v, coneCoords, 'cone direction', [1e-2, 1e-3, 1e-4]);
      const vector = new Array<number>(P).fill(0);
      coneCoords.forEach((t, r) => (vector[t] = cone.v[r]!));
      descent = { curvature: cone.curvature, vector };
    }
    const confirmed = evidence.some((e) => e.change < 0);
    return {
      verdict: confirmed ? 'saddle' : 'inconclusive',
      reason: confirmed
        ? `Hessian on smooth + critical coordinates has ${hessian.negative} negative eigenvalue(s), min ${hessian.min.toExponential(3)}; ` +
          `the true loss decreases along the cone direction with curvature ${cone!.curvature.toExponential(3)}`
        : cone
          ? `negative curvature ${cone.curvature.toExponential(3)} inside the cone, but the true loss does not decrease along it`
          : `negative eigenvalue ${hessian.min.toExponential(3)} of the piece Hessian, but no cone direction with negative curvature`,
      evidence,
      ...(descent ? { descent } : {}),
    };
  }
  if (!hessian) {
    return {
      verdict: 'inconclusive',
      reason: consistent
        ? 'Hessian not computed'
        : 'critical coordinates of one neuron point to opposite sides (cone analysis skipped)',
      evidence,
    };
  }
  if (hessian.nearZero > 0) {
    return {
      verdict: 'inconclusive',
      reason: `Hessian has ${hessian.nearZero} (near-)zero eigenvalue(s): flat directions`,
      evidence,
    };
  }
  if (otherK.length > 0) {
    return {
      verdict: 'inconclusive',
      reason: `${otherK.length} coordinate(s) at hidden-ReLU or target-1 output kinks (no certificate for those)`,
      evidence,
    };
  }
  if (cert.certified < cert.rows || !consistent) {
    return {
      verdict: 'inconclusive',
      reason:
        `${cert.rows - cert.certified} of ${cert.rows} kinked neuron rows without a dual certificate (max multiplier ${cert.maxMultiplier.toFixed(6)}` +
        `${cert.degenerateRows > 0 ? `; ${cert.degenerateRows} with a singular kink system, i.e. a kink-free direction where only second order decides` : ''})`,
      evidence,
    };
  }
  return {
    verdict: 'strict-local-min',
    reason:
      `smooth gradient ${smoothGradientNorm.toExponential(2)}; all ${absK.length} kinked coordinates held by L1 ` +
      `(least-norm multipliers <= ${cert.maxMultiplier.toFixed(6)})` +
      (critical.length > 0
        ? `, ${critical.length} of them critical (first order exactly 0 on one side); Hessian on the ${hessian.dimension} smooth + critical coordinates positive definite, eigenvalues in [${hessian.min.toExponential(3)}, ${hessian.max.toExponential(3)}]`
        : `; smooth Hessian (dim ${hessian.dimension}) eigenvalues in [${hessian.min.toExponential(3)}, ${hessian.max.toExponential(3)}]`),
    evidence,
  };
}

/**
 * Gradient, kink classification, first-order pinning, dual certificates, smooth Hessian
 * eigenvalues and a verdict at one parameter point. The phases (internal), in order:
 * `findKinks`, `frozenGradient`, `firstOrderAtKinks`, `dualCertificates`, `criticalPiece`,
 * `pieceHessian`, `verdictOf`.
 *
 * @example
 * const p = symmetricFamilyParams(8, symmetricOptimum(8, 1e-2));
 * localAnalysis(p, { hiddenActivation: 'none', lambda: 1e-2 }).verdict; // 'saddle'
 * const q = oppositeSignRelaxed(8, 1e-2);
 * localAnalysis(oppositeSignFamilyParams(8, q.w, q.b), { hiddenActivation: 'none', lambda: 1e-2 }).verdict; // 'strict-local-min'
 */
export function localAnalysis(p: AnyParams, o: ModelOptions, opts: LocalAnalysisOptions = {}): LocalAnalysis {
  const pt = pointOf(p, o, opts);
  const kinks = findKinks(pt);
  const g = frozenGradient(pt, kinks, pt.theta);
  const loss = evaluatePopulation(p, o, { samples: pt.samples }).loss;
  const gradientNorm = Math.sqrt(g.reduce((acc, v) => acc + v * v, 0));
  const smoothGradientNorm = Math.sqrt(kinks.smooth.reduce((acc, t) => acc + g[t]! * g[t]!, 0));
  const first = firstOrderAtKinks(pt, kinks, g);
  const certificate = dualCertificates(pt, kinks, g);
  const { piece, consistent } = criticalPiece(pt, kinks, first);
  const coneCoords = consistent ? [...kinks.smooth, ...first.critical] : kinks.smooth;
  const wantHessian = opts.hessian ?? coneCoords.length <= 400;
  const curvature =
    wantHessian && coneCoords.length > 0
      ? pieceHessian(pt, piece, coneCoords, kinks.smooth, consistent ? first.critical.length : 0, opts.fdStep ?? 1e-5)
      : undefined;
  const largestGradient = topComponents(
    p,
    kinks.smooth,
    kinks.smooth.map((t) => g[t]!),
  );
  const v = verdictOf(
    pt,
    kinks,
    g,
    first,
    certificate,
    consistent,
    coneCoords,
    curvature,
    smoothGradientNorm,
    largestGradient,
    opts.gradientTolerance ?? 1e-8,
  );
  const { absK, otherK, smooth } = kinks;
  const result: LocalAnalysis = {
    loss,
    gradientNorm,
    smoothGradientNorm,
    largestGradient,
    coordinates: {
      total: pt.P,
      smooth: smooth.length,
      absKink: absK.length,
      critical: first.critical.length,
      otherKink: otherK.length,
      c1OutputKinks: kinks.c1,
    },
    pinning: {
      coordinates: absK.length + otherK.length,
      pinned: first.pinned,
      minMargin: absK.length + otherK.length > 0 ? first.minMargin : 0,
      worst: first.worst >= 0 ? parameterName(p, first.worst) : '',
    },
    certificate,
    verdict: v.verdict,
    reason: v.reason,
  };
  if (curvature) result.hessian = curvature.hessian;
  if (v.evidence.length > 0) result.lossChangeAlongEvidence = v.evidence;
  if (v.descent)
    result.descentDirection = {
      curvature: v.descent.curvature,
      vector: v.descent.vector,
      largest: topComponents(
        p,
        coneCoords,
        coneCoords.map((t) => v.descent!.vector[t]!),
        8,
      ),
    };
  return result;
}

/**
 * Finds a unit vector v in the cone {v_r·side_r >= 0 where side_r != 0} with vᵀHv < 0, by an
 * active-set loop: take the softest eigenvector of H restricted to the active coordinates (of
 * either sign); drop the cone coordinates it violates (fixing them at 0, which the cone allows)
 * and repeat. Returns the most negative such direction found, or null.
 */
function coneDescent(H: Float64Array, d: number, side: number[]): { v: Float64Array; curvature: number } | null {
  let active = Array.from({ length: d }, (_, r) => r);
  for (let iter = 0; iter < 50 && active.length > 0; iter++) {
    const a = active.length;
    const sub = new Float64Array(a * a);
    for (let r = 0; r < a; r++) for (let c = 0; c < a; c++) sub[r * a + c] = H[active[r]! * d + active[c]!]!;
    const eig = symmetricEigen(sub, a);
    const lam = eig.values[0]!;
    if (!(lam < 0)) return null;
    const u = Float64Array.from({ length: a }, (_, r) => eig.vectors[r * a]!);
    let bestSign = 1,
      bestBad: number[] = [];
    let bestWeight = Number.POSITIVE_INFINITY;
    for (const sign of [1, -1]) {
      const bad: number[] = [];
      let weight = 0;
      active.forEach((r, t) => {
        const x = sign * u[t]!;
        if (side[r] !== 0 && x * side[r]! < -1e-12) {
          bad.push(r);
          weight += Math.abs(x);
        }
      });
      if (weight < bestWeight) {
        bestWeight = weight;
        bestSign = sign;
        bestBad = bad;
      }
    }
    if (bestBad.length === 0) {
      const v = new Float64Array(d);
      active.forEach((r, t) => {
        const x = bestSign * u[t]!;
        v[r] = side[r] !== 0 && Math.abs(x) <= 1e-12 ? 0 : x;
      });
      return { v, curvature: lam };
    }
    const drop = new Set(bestBad);
    active = active.filter((r) => !drop.has(r));
  }
  return null;
}

/** Solves G y = r for a symmetric positive definite G (Cholesky); null when not positive definite. */
function choleskySolve(G: Float64Array, r: Float64Array, d: number): Float64Array | null {
  const L = new Float64Array(d * d);
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, G[i * d + i]!);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * d + j]!;
      for (let t = 0; t < j; t++) s -= L[i * d + t]! * L[j * d + t]!;
      if (i === j) {
        if (s <= 1e-10 * maxDiag) return null;
        L[i * d + i] = Math.sqrt(s);
      } else {
        L[i * d + j] = s / L[j * d + j]!;
      }
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = r[i]!;
    for (let t = 0; t < i; t++) s -= L[i * d + t]! * y[t]!;
    y[i] = s / L[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let t = i + 1; t < d; t++) s -= L[t * d + i]! * y[t]!;
    y[i] = s / L[i * d + i]!;
  }
  return y;
}
