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

/**
 * Gradient, kink classification, first-order pinning, dual certificates, smooth Hessian
 * eigenvalues and a verdict at one parameter point.
 *
 * @example
 * const p = symmetricFamilyParams(8, symmetricOptimum(8, 1e-2));
 * localAnalysis(p, { hiddenActivation: 'none', lambda: 1e-2 }).verdict; // 'saddle'
 * const q = oppositeSignRelaxed(8, 1e-2);
 * localAnalysis(oppositeSignFamilyParams(8, q.w, q.b), { hiddenActivation: 'none', lambda: 1e-2 }).verdict; // 'strict-local-min'
 */
export function localAnalysis(p: AnyParams, o: ModelOptions, opts: LocalAnalysisOptions = {}): LocalAnalysis {
  const tau = opts.kinkTolerance ?? 1e-10;
  const h = opts.fdStep ?? 1e-5;
  const gradTol = opts.gradientTolerance ?? 1e-8;
  const samples = opts.samples ?? exactSupport(p.n);
  const { n, m } = p;
  const { count, k, idx } = samples;
  const lambda = o.lambda ?? 0;
  const reluHidden = o.hiddenActivation === 'relu';
  const reluOutput = (o.outputActivation ?? 'relu') === 'relu';
  const activationL1 = (o.l1Target ?? 'activations') === 'activations';
  const P = parameterCount(p);
  const mn = m * n;
  const tied = p.kind === 'tied';
  const theta = flattenParams(p);
  const encIndex = (j: number, i: number) => j * n + i;
  const decIndex = (j: number, i: number) => (tied ? j * n + i : mn + i * m + j);
  const decValue = (j: number, i: number) => theta[decIndex(j, i)]!;
  const bIndex = (i: number) => (tied ? mn : 2 * mn) + i;

  // --- pattern and kinks -------------------------------------------------------------------
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
        for (let q = 0; q < k; q++) other[encIndex(j, idx[s * k + q]!)] = 1;
      } else if (activationL1 && lambda > 0) {
        for (let q = 0; q < k; q++) {
          const at = encIndex(j, idx[s * k + q]!);
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
      other[bIndex(i)] = 1;
      for (let j = 0; j < m; j++) {
        if (fp.h[s * m + j] !== 0) other[decIndex(j, i)] = 1;
        const live = !reluHidden || pattern.hidden[s * m + j]! > 0;
        if (live && decValue(j, i) !== 0) for (let q = 0; q < k; q++) other[encIndex(j, idx[s * k + q]!)] = 1;
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

  // --- gradient of the frozen model (= the sign(0) = 0 subgradient at θ₀) -------------------
  const frozenGrad = (th: Float64Array): Float64Array => {
    const g = evaluatePopulation(unflattenParams(p, th), o, { samples, pattern, gradient: true }).grad!;
    if (!activationL1 && lambda > 0) {
      // Weights within tau of 0 are treated as exactly 0: subgradient sign(0) = 0.
      for (let t = 0; t < (tied ? mn : 2 * mn); t++) if (weightKink[t] && th[t] !== 0) g[t] = g[t]! - lambda * Math.sign(th[t]!);
    }
    return g;
  };
  const g = frozenGrad(theta);
  const loss = evaluatePopulation(p, o, { samples }).loss;
  const trueLoss = (th: Float64Array) => evaluatePopulation(unflattenParams(p, th), o, { samples }).loss.loss;
  const norm = (idxs: number[]) => Math.sqrt(idxs.reduce((acc, t) => acc + g[t]! * g[t]!, 0));
  const gradientNorm = Math.sqrt(g.reduce((acc, v) => acc + v * v, 0));
  const smoothGradientNorm = norm(smooth);

  // --- first order at the kinks --------------------------------------------------------------
  // Critical: a one-sided derivative within critTol of 0 (first order is degenerate there).
  const critTol = Math.max(1e-13, 1e-8 * lambda);
  let minMargin = Number.POSITIVE_INFINITY,
    worst = -1;
  let pinned = 0;
  const base = trueLoss(theta);
  const hOne = 1e-7;
  const critical: number[] = [];
  const direction = new Int8Array(P); // +1 / -1: the side of a critical coordinate where first order vanishes
  for (const t of [...absK, ...otherK]) {
    let dPlus: number, dMinus: number;
    if (other[t]) {
      const tp = theta.slice(),
        tm = theta.slice();
      tp[t] = tp[t]! + hOne;
      tm[t] = tm[t]! - hOne;
      dPlus = (trueLoss(tp) - base) / hOne;
      dMinus = (trueLoss(tm) - base) / hOne;
    } else {
      const slack = weightKink[t] ? lambda : (lambda * absCount[t]!) / count;
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

  // --- dual certificates for the |h| kinks (linear hidden layer, activation L1) --------------
  let rows = 0,
    certified = 0,
    degenerate = 0,
    maxMultiplier = 0;
  if (activationL1 && !reluHidden && lambda > 0) {
    for (let j = 0; j < m; j++) {
      const K: number[] = [];
      for (let i = 0; i < n; i++) if (absCount[encIndex(j, i)]! > 0 && !other[encIndex(j, i)]) K.push(i);
      if (K.length === 0) continue;
      rows++;
      const Z: number[] = [];
      for (let s = 0; s < count; s++) if (Math.abs(fp.a[s * m + j]!) <= tau) Z.push(s);
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
      const rhs = Float64Array.from(K, (i) => (-count / lambda) * g[encIndex(j, i)]!);
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
    rows = absK.length;
    for (const t of absK) {
      const u = Math.abs(g[t]!) / lambda;
      maxMultiplier = Math.max(maxMultiplier, u);
      if (u <= 1 + 1e-9) certified++;
    }
  }

  // --- Hessian on the smooth and critical coordinates ----------------------------------------
  // The piece entered along the critical directions: a kinked (s, j) touched by a critical
  // coordinate takes that coordinate's side as its sign (all critical coordinates of a row
  // that touch one sample must agree, else the cone analysis is skipped).
  const piece: ActivationPattern = { ...pattern, hidden: pattern.hidden.slice() };
  let consistent = true;
  if (critical.length > 0 && activationL1 && !reluHidden) {
    const critSide = new Int8Array(P);
    for (const t of critical) critSide[t] = direction[t]!;
    for (let s = 0; s < count && consistent; s++) {
      for (let j = 0; j < m; j++) {
        if (pattern.hidden[s * m + j] !== 0 || Math.abs(fp.a[s * m + j]!) > tau) continue;
        let side = 0;
        for (let q = 0; q < k; q++) {
          const c = critSide[encIndex(j, idx[s * k + q]!)]!;
          if (c === 0) continue;
          if (side !== 0 && side !== c) consistent = false;
          side = c;
        }
        piece.hidden[s * m + j] = side;
      }
    }
  }
  const coneCoords = consistent ? [...smooth, ...critical] : smooth;
  let hessian: LocalAnalysis['hessian'];
  let softest: Float64Array | undefined;
  let H: Float64Array | undefined;
  const wantHessian = opts.hessian ?? coneCoords.length <= 400;
  if (wantHessian && coneCoords.length > 0) {
    const pieceGrad = (th: Float64Array) =>
      evaluatePopulation(unflattenParams(p, th), o, { samples, pattern: piece, gradient: true }).grad!;
    const d = coneCoords.length;
    H = new Float64Array(d * d);
    coneCoords.forEach((t, col) => {
      const tp = theta.slice(),
        tm = theta.slice();
      tp[t] = tp[t]! + h;
      tm[t] = tm[t]! - h;
      const gp = pieceGrad(tp),
        gm = pieceGrad(tm);
      coneCoords.forEach((r, row) => (H![row * d + col] = (gp[r]! - gm[r]!) / (2 * h)));
    });
    let asym = 0;
    for (let r = 0; r < d; r++) for (let c = r + 1; c < d; c++) asym = Math.max(asym, Math.abs(H[r * d + c]! - H[c * d + r]!));
    const eig = symmetricEigen(H, d);
    const values = Array.from(eig.values);
    const maxAbs = Math.max(...values.map(Math.abs));
    softest = Float64Array.from({ length: d }, (_, r) => eig.vectors[r * d]!);
    const ds = smooth.length;
    const Hs = new Float64Array(ds * ds);
    for (let r = 0; r < ds; r++) for (let c = 0; c < ds; c++) Hs[r * ds + c] = H[r * d + c]!;
    const smoothValues = ds > 0 ? symmetricEigen(Hs, ds).values : new Float64Array(0);
    hessian = {
      dimension: d,
      critical: consistent ? critical.length : 0,
      eigenvalues: values,
      min: values[0]!,
      max: values[d - 1]!,
      negative: values.filter((v) => v < -1e-7 * maxAbs).length,
      nearZero: values.filter((v) => Math.abs(v) <= 1e-7 * maxAbs).length,
      smoothMin: smoothValues[0] ?? Number.NaN,
      smoothMax: smoothValues[ds - 1] ?? Number.NaN,
      asymmetry: asym,
      step: h,
      softestDirection: topComponents(p, coneCoords, softest),
    };
  }

  // --- verdict ------------------------------------------------------------------------------
  const largestGradient = topComponents(
    p,
    smooth,
    smooth.map((t) => g[t]!),
  );
  const evidence: { direction: string; step: number; change: number }[] = [];
  const along = (dir: Float64Array, coords: number[], label: string, steps: number[]) => {
    for (const st of steps) {
      const th = theta.slice();
      coords.forEach((t, r) => (th[t] = th[t]! + st * dir[r]!));
      evidence.push({ direction: label, step: st, change: trueLoss(th) - base });
    }
  };
  let verdict: LocalVerdict;
  let reason: string;
  let descent: number[] | undefined;
  let coneCurvature: number | undefined;
  const worstName = worst >= 0 ? parameterName(p, worst) : '';
  if (smoothGradientNorm > gradTol) {
    verdict = 'not-stationary';
    const unit = Float64Array.from(smooth, (t) => -g[t]! / smoothGradientNorm);
    along(unit, smooth, '-gradient (unit)', [1e-3, 1e-4]);
    reason = `smooth gradient norm ${smoothGradientNorm.toExponential(3)} > ${gradTol}; largest component ${largestGradient[0]?.name} = ${largestGradient[0]?.value.toExponential(3)}`;
  } else if (minMargin < -critTol) {
    verdict = 'descent-direction';
    along(Float64Array.of(g[worst]! > 0 ? -1 : 1), [worst], `${worstName} (one-sided)`, [1e-4, 1e-5]);
    reason = `kinked coordinate ${worstName} has a negative one-sided derivative ${minMargin.toExponential(3)}: L1 does not hold it`;
  } else if (hessian && H && softest && hessian.negative > 0) {
    // Minimise the quadratic form over the cone (critical coordinates on their side) ∩ sphere.
    const d = coneCoords.length;
    const side = coneCoords.map((t) => direction[t]! as number);
    const cone = coneDescent(H, d, side);
    if (cone) {
      along(cone.v, coneCoords, 'cone direction', [1e-2, 1e-3, 1e-4]);
      descent = new Array<number>(P).fill(0);
      coneCoords.forEach((t, r) => (descent![t] = cone.v[r]!));
      coneCurvature = cone.curvature;
    }
    const confirmed = evidence.some((e) => e.change < 0);
    verdict = confirmed ? 'saddle' : 'inconclusive';
    reason = confirmed
      ? `Hessian on smooth + critical coordinates has ${hessian.negative} negative eigenvalue(s), min ${hessian.min.toExponential(3)}; ` +
        `the true loss decreases along the cone direction with curvature ${cone!.curvature.toExponential(3)}`
      : cone
        ? `negative curvature ${cone.curvature.toExponential(3)} inside the cone, but the true loss does not decrease along it`
        : `negative eigenvalue ${hessian.min.toExponential(3)} of the piece Hessian, but no cone direction with negative curvature`;
  } else if (!hessian) {
    verdict = 'inconclusive';
    reason = consistent
      ? 'Hessian not computed'
      : 'critical coordinates of one neuron point to opposite sides (cone analysis skipped)';
  } else if (hessian.nearZero > 0) {
    verdict = 'inconclusive';
    reason = `Hessian has ${hessian.nearZero} (near-)zero eigenvalue(s): flat directions`;
  } else if (otherK.length > 0) {
    verdict = 'inconclusive';
    reason = `${otherK.length} coordinate(s) at hidden-ReLU or target-1 output kinks (no certificate for those)`;
  } else if (certified < rows || !consistent) {
    verdict = 'inconclusive';
    reason =
      `${rows - certified} of ${rows} kinked neuron rows without a dual certificate (max multiplier ${maxMultiplier.toFixed(6)}` +
      `${degenerate > 0 ? `; ${degenerate} with a singular kink system, i.e. a kink-free direction where only second order decides` : ''})`;
  } else {
    verdict = 'strict-local-min';
    reason =
      `smooth gradient ${smoothGradientNorm.toExponential(2)}; all ${absK.length} kinked coordinates held by L1 ` +
      `(least-norm multipliers <= ${maxMultiplier.toFixed(6)})` +
      (critical.length > 0
        ? `, ${critical.length} of them critical (first order exactly 0 on one side); Hessian on the ${hessian.dimension} smooth + critical coordinates positive definite, eigenvalues in [${hessian.min.toExponential(3)}, ${hessian.max.toExponential(3)}]`
        : `; smooth Hessian (dim ${hessian.dimension}) eigenvalues in [${hessian.min.toExponential(3)}, ${hessian.max.toExponential(3)}]`);
  }

  const result: LocalAnalysis = {
    loss,
    gradientNorm,
    smoothGradientNorm,
    largestGradient,
    coordinates: {
      total: P,
      smooth: smooth.length,
      absKink: absK.length,
      critical: critical.length,
      otherKink: otherK.length,
      c1OutputKinks: c1,
    },
    pinning: {
      coordinates: absK.length + otherK.length,
      pinned,
      minMargin: absK.length + otherK.length > 0 ? minMargin : 0,
      worst: worstName,
    },
    certificate: { rows, certified, maxMultiplier, degenerateRows: degenerate },
    verdict,
    reason,
  };
  if (hessian) result.hessian = hessian;
  if (evidence.length > 0) result.lossChangeAlongEvidence = evidence;
  if (descent && coneCurvature !== undefined)
    result.descentDirection = {
      curvature: coneCurvature,
      vector: descent,
      largest: topComponents(
        p,
        coneCoords,
        coneCoords.map((t) => descent![t]!),
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
