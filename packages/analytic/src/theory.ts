/**
 * The incidental-polysemanticity paper's theory (Lecomte et al., arXiv 2312.03096), as
 * functions that experiments plot against.
 */
import { checkLambda, ConfigError } from '@polytoy/core';

/**
 * The paper's predicted number of polysemantic neurons, n²/(4m) (SPEC §4), for n features on
 * m >> n neurons, as stated there (the curve their Figure compares the measured count with).
 *
 * @example
 * expectedPolysemanticCount(256, 1024); // 16
 */
export function expectedPolysemanticCount(n: number, m: number): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new ConfigError('n', 'a positive number of features', n);
  if (!(m > 0) || !Number.isFinite(m)) throw new ConfigError('m', 'a positive number of neurons', m);
  return (n * n) / (4 * m);
}

/** Options of {@link sparsificationOde}. */
export interface SparsificationOdeOptions {
  /** Keep every k-th state (default 1: all steps + 1 states). The final state is always kept. */
  recordEvery?: number;
}

/**
 * Integrates the paper's sparsification ODE for one feature's weights over neurons,
 * `dw_i/dt = (1 − Σ_j w_j²)·w_i − lambda·sign(w_i)` (SPEC §4 writes `− lambda` for w_i > 0; the
 * sign extends it to negative weights), by classical RK4 with the signs frozen over a step.
 * A weight that reaches or crosses 0 drops out: it is set to 0 and stays there.
 *
 * @param w0 - initial weights.
 * @param lambda - L1 strength (>= 0).
 * @param dt - step (> 0).
 * @param steps - number of steps.
 * @returns the trajectory: `w(0), w(dt·r), w(2·dt·r), …, w(steps·dt)` with r = recordEvery.
 * @example
 * const traj = sparsificationOde(Float64Array.from([0.5, 0.4, 0.1]), 0.05, 0.01, 5000);
 * traj.at(-1); // the 0.1 weight has dropped out; the others settled near (1 − Σw²)w = 0.05
 */
export function sparsificationOde(
  w0: ArrayLike<number>,
  lambda: number,
  dt: number,
  steps: number,
  opts: SparsificationOdeOptions = {},
): Float64Array[] {
  checkLambda(lambda);
  if (!(dt > 0) || !Number.isFinite(dt)) throw new ConfigError('dt', 'a finite step > 0', dt);
  if (!Number.isSafeInteger(steps) || steps < 0) throw new ConfigError('steps', 'a non-negative integer', steps);
  const every = opts.recordEvery ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) throw new ConfigError('recordEvery', 'a positive integer', every);
  const d = w0.length;
  const w = Float64Array.from(w0);
  const alive = Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0));
  const out: Float64Array[] = [w.slice()];
  const sgn = new Float64Array(d);
  const f = (x: Float64Array, into: Float64Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += x[i]! * x[i]!;
    for (let i = 0; i < d; i++) into[i] = alive[i] ? (1 - s) * x[i]! - lambda * sgn[i]! : 0;
  };
  const k1 = new Float64Array(d),
    k2 = new Float64Array(d),
    k3 = new Float64Array(d),
    k4 = new Float64Array(d);
  const tmp = new Float64Array(d);
  for (let step = 1; step <= steps; step++) {
    for (let i = 0; i < d; i++) sgn[i] = Math.sign(w[i]!);
    f(w, k1);
    for (let i = 0; i < d; i++) tmp[i] = w[i]! + 0.5 * dt * k1[i]!;
    f(tmp, k2);
    for (let i = 0; i < d; i++) tmp[i] = w[i]! + 0.5 * dt * k2[i]!;
    f(tmp, k3);
    for (let i = 0; i < d; i++) tmp[i] = w[i]! + dt * k3[i]!;
    f(tmp, k4);
    for (let i = 0; i < d; i++) {
      if (!alive[i]) continue;
      const next = w[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
      if (next === 0 || Math.sign(next) !== sgn[i]) {
        w[i] = 0;
        alive[i] = 0;
      } else {
        w[i] = next;
      }
    }
    if (step % every === 0 || step === steps) out.push(w.slice());
  }
  return out;
}

/**
 * The stable equilibrium of {@link sparsificationOde} with k surviving equal positive weights:
 * the larger root of (1 − k·w²)·w = lambda, or NaN when lambda > 2/(3·sqrt(3k)) (no survivor
 * set of size k can hold).
 *
 * @example
 * sparsificationFixedPoint(1, 0); // 1
 */
export function sparsificationFixedPoint(k: number, lambda: number): number {
  if (!Number.isSafeInteger(k) || k < 1) throw new ConfigError('k', 'a positive integer', k);
  checkLambda(lambda);
  const wPeak = 1 / Math.sqrt(3 * k);
  if (lambda > wPeak - k * wPeak ** 3) return Number.NaN;
  // g(w) = w - k w³ - lambda is decreasing on [wPeak, 1/sqrt(k)] from >= 0 to -lambda: bisect.
  let lo = wPeak,
    hi = 1 / Math.sqrt(k);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid - k * mid ** 3 - lambda > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
