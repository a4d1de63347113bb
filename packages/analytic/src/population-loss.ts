/**
 * Exact population loss and gradient by enumerating the half-split support (n <= 32), and a
 * seeded Monte-Carlo estimate for larger n. Float64 throughout.
 *
 * Conventions (those of `tools/conformance/fixtures/reference/constructions.json`):
 * `loss = reconstruction + lambda · l1`, `reconstruction = mean over samples of ||x − y||²`,
 * `l1 = mean over samples of ||h||₁` (activation target) or `Σ|W|` (tied) / `Σ|E| + Σ|D|`
 * (untied) for the weight target; the bias is never penalised.
 *
 * Subgradients at the non-smooth points (the same choices as tfjs's ReLU): `d|h|/dh = sign(h)`
 * with `sign(0) = 0`, `ReLU'(0) = 0` for the hidden and the output ReLU, `d|w|/dw = sign(w)`
 * with `sign(0) = 0`. The constructions have many exact zeros (h = 0 whenever both features of
 * a pair are off, output pre-activations exactly 0), so these choices matter there; see
 * `local-analysis.ts` for how the stability analysis treats them.
 */
import type { Prng } from '@polytoy/core';
import { checkLambda, ConfigError, createPrng } from '@polytoy/core';
import type { AnyParams } from './params64.js';
import { parameterCount } from './params64.js';
import type { SampleSet } from './support.js';
import { exactSupport, sampleSupport } from './support.js';

/** The model around the parameters (the analytic side of `@polytoy/core`'s model config). */
export interface ModelOptions {
  hiddenActivation: 'none' | 'relu';
  /** Default 'relu' (the seed's model). */
  outputActivation?: 'relu' | 'none';
  /** L1 coefficient; default 0 (reconstruction only; `l1` is still reported). */
  lambda?: number;
  /** Default 'activations' (the seed); 'weights' is Lecomte et al.'s penalty. */
  l1Target?: 'activations' | 'weights';
}

/** A population loss, split into its parts. */
export interface PopulationLoss {
  /** Mean over samples of ||x − y||². */
  reconstruction: number;
  /** Mean ||h||₁ (activations) or Σ|weights|, without lambda. */
  l1: number;
  /** reconstruction + lambda · l1. */
  loss: number;
  /** Number of points averaged over (the support size for exact values, the sample count for Monte Carlo). */
  supportSize: number;
}

/** Gradient with the shapes of the parameters: tied `W`, `b`; untied `E`, `D`, `b`. */
export interface ParamGradient {
  W?: Float64Array;
  E?: Float64Array;
  D?: Float64Array;
  b: Float64Array;
}

/** Largest n whose support is enumerated (2·C(16, 8) = 25,740 points). */
export const MAX_EXACT_N = 32;

/**
 * The ReLU/sign pattern at one parameter point, per sample: freezing it turns the loss into a
 * polynomial (every ReLU replaced by 0 or the identity, every |h| by ±h or 0), used for
 * one-sided Hessians at kinks.
 */
export interface ActivationPattern {
  count: number;
  n: number;
  m: number;
  /** [count, m] sign of the hidden pre-activation a = E x (sign(0) = 0). */
  hidden: Int8Array;
  /** [count, n] 1 where the output pre-activation z > 0 (ReLU'(0) = 0), else 0. */
  output: Uint8Array;
}

interface Resolved {
  reluHidden: boolean;
  reluOutput: boolean;
  lambda: number;
  activationL1: boolean;
}

function resolve(o: ModelOptions): Resolved {
  if (o == null || (o.hiddenActivation !== 'none' && o.hiddenActivation !== 'relu')) {
    throw new ConfigError('hiddenActivation', '"none" | "relu"', o?.hiddenActivation);
  }
  const out = o.outputActivation ?? 'relu';
  if (out !== 'relu' && out !== 'none') throw new ConfigError('outputActivation', '"relu" | "none"', out);
  const lambda = checkLambda(o.lambda ?? 0);
  const target = o.l1Target ?? 'activations';
  if (target !== 'activations' && target !== 'weights') throw new ConfigError('l1Target', '"activations" | "weights"', target);
  return {
    reluHidden: o.hiddenActivation === 'relu',
    reluOutput: out === 'relu',
    lambda,
    activationL1: target === 'activations',
  };
}

/** Encoder and decoder as float64 [m, n] row arrays (tied: the same array). */
interface Dense {
  tied: boolean;
  n: number;
  m: number;
  enc: Float64Array;
  dec: Float64Array;
  b: Float64Array;
}

function checkShape(p: AnyParams): void {
  const { n, m } = p;
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(m) || n < 1 || m < 1) {
    throw new ConfigError('params', 'positive integer n and m', `n=${n}, m=${m}`);
  }
  const mats =
    p.kind === 'tied'
      ? ([['W', p.W]] as const)
      : ([
          ['E', p.E],
          ['D', p.D],
        ] as const);
  for (const [name, a] of mats) {
    if (a.length !== m * n) throw new ConfigError(`params.${name}`, `length m·n = ${m * n}`, a.length);
  }
  if (p.b.length !== n) throw new ConfigError('params.b', `length n = ${n}`, p.b.length);
}

function toDense(p: AnyParams): Dense {
  checkShape(p);
  const { n, m } = p;
  const f64 = (a: Float32Array | Float64Array) => (a instanceof Float64Array ? a : Float64Array.from(a));
  if (p.kind === 'tied') {
    const W = f64(p.W);
    return { tied: true, n, m, enc: W, dec: W, b: f64(p.b) };
  }
  const dec = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dec[j * n + i] = p.D[i * m + j]!;
  return { tied: false, n, m, enc: f64(p.E), dec, b: f64(p.b) };
}

/** What {@link evaluatePopulation} should compute besides the loss. */
export interface EvaluateOptions {
  /** Samples to average over; default the exact support. */
  samples?: SampleSet;
  /** Compute the gradient (flat, in `flattenParams` order). */
  gradient?: boolean;
  /** Return the activation pattern at this point. */
  recordPattern?: boolean;
  /** Evaluate the frozen-pattern polynomial instead of the true loss (same samples required). */
  pattern?: ActivationPattern;
  /** Fill per-sample losses (reconstruction + lambda · activation-L1), length `samples.count`. */
  perSample?: Float64Array;
  /** Fill per-sample reconstructions ||x − y||², length `samples.count`. */
  perSampleReconstruction?: Float64Array;
}

/** Result of {@link evaluatePopulation}. */
export interface Evaluation {
  loss: PopulationLoss;
  /** Flat gradient in `flattenParams` order (tied [W, b], untied [E, D, b]). */
  grad?: Float64Array;
  pattern?: ActivationPattern;
}

/**
 * The workhorse behind every exact quantity: loss, optional flat gradient, optional pattern.
 *
 * @example
 * const { loss, grad } = evaluatePopulation(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none', lambda: 1e-2 }, { gradient: true });
 */
export function evaluatePopulation(p: AnyParams, o: ModelOptions, e: EvaluateOptions = {}): Evaluation {
  const r = resolve(o);
  const d = toDense(p);
  const { n, m } = d;
  const samples = e.samples ?? exactSupport(n);
  if (samples.n !== n) throw new ConfigError('samples', `samples of n = ${n}`, samples.n);
  const { count, k, idx } = samples;
  const frozen = e.pattern;
  if (frozen && (frozen.count !== count || frozen.n !== n || frozen.m !== m)) {
    throw new ConfigError(
      'pattern',
      `a pattern for ${count} samples, n = ${n}, m = ${m}`,
      `${frozen.count}, ${frozen.n}, ${frozen.m}`,
    );
  }
  const record: ActivationPattern | undefined = e.recordPattern
    ? { count, n, m, hidden: new Int8Array(count * m), output: new Uint8Array(count * n) }
    : undefined;
  const wantGrad = e.gradient === true;
  const gEnc = wantGrad ? new Float64Array(m * n) : undefined;
  const gDec = wantGrad ? (d.tied ? gEnc : new Float64Array(m * n)) : undefined;
  const gb = wantGrad ? new Float64Array(n) : undefined;
  const lamAct = r.activationL1 ? r.lambda : 0;

  const a = new Float64Array(m);
  const h = new Float64Array(m);
  const sig = new Float64Array(m); // d|h|/dh
  const z = new Float64Array(n);
  const dz = new Float64Array(n);
  const nzIdx = new Int32Array(n);
  const nzVal = new Float64Array(n);
  const x = new Uint8Array(n);
  const reluHidden = r.reluHidden,
    reluOutput = r.reluOutput;
  let reconSum = 0;
  let l1Sum = 0;
  const { enc, dec, b } = d;

  for (let s = 0; s < count; s++) {
    const base = s * k;
    for (let q = 0; q < k; q++) x[idx[base + q]!] = 1;
    // Hidden layer: a = E x (x is 0/1 with k ones), h = act(a).
    for (let j = 0; j < m; j++) {
      let acc = 0;
      const row = j * n;
      for (let q = 0; q < k; q++) acc += enc[row + idx[base + q]!]!;
      a[j] = acc;
      const sg = frozen ? frozen.hidden[s * m + j]! : acc > 0 ? 1 : acc < 0 ? -1 : 0;
      if (record) record.hidden[s * m + j] = sg;
      if (reluHidden) {
        h[j] = sg > 0 ? acc : 0;
        sig[j] = sg > 0 ? 1 : 0;
      } else {
        h[j] = acc;
        sig[j] = sg;
      }
    }
    // Output: z = b + Dh, y = act(z).
    z.set(b);
    for (let j = 0; j < m; j++) {
      const hj = h[j]!;
      if (hj === 0) continue;
      const row = j * n;
      for (let i = 0; i < n; i++) z[i] = z[i]! + dec[row + i]! * hj;
    }
    let recon = 0;
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      let on = true;
      if (reluOutput) {
        on = frozen ? frozen.output[s * n + i] === 1 : zi > 0;
        if (record) record.output[s * n + i] = on ? 1 : 0;
      }
      const res = (on ? zi : 0) - x[i]!;
      recon += res * res;
      dz[i] = on ? 2 * res : 0;
    }
    let l1 = 0;
    for (let j = 0; j < m; j++) l1 += sig[j]! * h[j]!; // = |h| unless frozen
    reconSum += recon;
    l1Sum += l1;
    if (e.perSample) e.perSample[s] = recon + lamAct * l1;
    if (e.perSampleReconstruction) e.perSampleReconstruction[s] = recon;

    if (wantGrad) {
      // Only outputs with dz != 0 contribute (inactive ReLU outputs and exact fits drop out).
      let nz = 0;
      for (let i = 0; i < n; i++) {
        const dzi = dz[i]!;
        if (dzi === 0) continue;
        gb![i] = gb![i]! + dzi;
        nzIdx[nz] = i;
        nzVal[nz++] = dzi;
      }
      for (let j = 0; j < m; j++) {
        const row = j * n;
        const hj = h[j]!;
        let dh = lamAct * sig[j]!;
        for (let t = 0; t < nz; t++) dh += dec[row + nzIdx[t]!]! * nzVal[t]!;
        if (hj !== 0)
          for (let t = 0; t < nz; t++) {
            const at = row + nzIdx[t]!;
            gDec![at] = gDec![at]! + nzVal[t]! * hj;
          }
        const da = reluHidden ? (sig[j]! > 0 ? dh : 0) : dh;
        if (da !== 0) {
          for (let q = 0; q < k; q++) {
            const at = row + idx[base + q]!;
            gEnc![at] = gEnc![at]! + da;
          }
        }
      }
    }
    for (let q = 0; q < k; q++) x[idx[base + q]!] = 0;
  }

  const inv = 1 / count;
  let l1 = l1Sum * inv;
  const reconstruction = reconSum * inv;
  let grad: Float64Array | undefined;
  if (wantGrad) {
    grad = new Float64Array(parameterCount(p));
    const mn = m * n;
    if (d.tied) {
      for (let t = 0; t < mn; t++) grad[t] = gEnc![t]! * inv;
      for (let i = 0; i < n; i++) grad[mn + i] = gb![i]! * inv;
    } else {
      for (let t = 0; t < mn; t++) grad[t] = gEnc![t]! * inv;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) grad[mn + i * m + j] = gDec![j * n + i]! * inv;
      for (let i = 0; i < n; i++) grad[2 * mn + i] = gb![i]! * inv;
    }
  }
  if (!r.activationL1) {
    // Weight L1: Σ|W| (tied) or Σ|E| + Σ|D| (untied), subgradient sign(w) with sign(0) = 0.
    l1 = 0;
    const mats = d.tied ? [d.enc] : [d.enc, d.dec];
    mats.forEach((w, t) => {
      for (let q = 0; q < w.length; q++) {
        const v = w[q]!;
        l1 += Math.abs(v);
        if (grad && v !== 0) {
          // d.dec is the transposed decoder: map [j, i] back to D[i, j].
          const pos = t === 0 ? q : m * n + (q % n) * m + Math.floor(q / n);
          grad[pos] = grad[pos]! + r.lambda * Math.sign(v);
        }
      }
    });
  }
  const loss: PopulationLoss = { reconstruction, l1, loss: reconstruction + r.lambda * l1, supportSize: count };
  const out: Evaluation = { loss };
  if (grad) out.grad = grad;
  if (record) out.pattern = record;
  return out;
}

function checkExactN(n: number): void {
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0) throw new ConfigError('params.n', 'a positive multiple of 4', n);
  if (n > MAX_EXACT_N) {
    throw new ConfigError('params.n', `n <= ${MAX_EXACT_N} for exact enumeration (use monteCarloPopulationLoss)`, n);
  }
}

/**
 * Exact population loss by enumerating the support (n <= 32), in float64.
 *
 * @param p - parameters in float32 (`@polytoy/core`) or float64 storage.
 * @param o - hidden/output activation, lambda (default 0), L1 target (default activations).
 * @throws ConfigError for n > 32, n not a multiple of 4, or inconsistent shapes.
 * @example
 * const p = sameSignConstructionF64({ n: 16 });
 * exactPopulationLoss(p, { hiddenActivation: 'none', lambda: 1e-3 });
 * // { reconstruction: 0, l1: 5.414213562373…, loss: 0.005414…, supportSize: 140 }
 */
export function exactPopulationLoss(p: AnyParams, o: ModelOptions): PopulationLoss {
  checkExactN(p.n);
  return evaluatePopulation(p, o).loss;
}

/**
 * Exact population loss and its exact gradient (subgradient choices: sign(0) = 0, ReLU'(0) = 0).
 *
 * @example
 * const { loss, grad } = exactPopulationGradient(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none', lambda: 0.01 });
 * grad.W!.length; // 40
 */
export function exactPopulationGradient(p: AnyParams, o: ModelOptions): { loss: PopulationLoss; grad: ParamGradient } {
  checkExactN(p.n);
  const ev = evaluatePopulation(p, o, { gradient: true });
  return { loss: ev.loss, grad: splitGradient(p, ev.grad!) };
}

/** Splits a flat gradient into the parameter shapes. */
export function splitGradient(p: { kind: 'tied' | 'untied'; n: number; m: number }, flat: Float64Array): ParamGradient {
  const mn = p.m * p.n;
  if (p.kind === 'tied') return { W: flat.slice(0, mn), b: flat.slice(mn, mn + p.n) };
  return { E: flat.slice(0, mn), D: flat.slice(mn, 2 * mn), b: flat.slice(2 * mn, 2 * mn + p.n) };
}

/** A Monte-Carlo population loss: the estimate and its standard errors. */
export interface MonteCarloLoss extends PopulationLoss {
  /** Standard error of `loss` (sample standard deviation of the per-sample loss / sqrt(samples)). */
  standardError: number;
  /** Standard error of `reconstruction` (the same for the per-sample reconstruction). */
  reconstructionStandardError: number;
}

/**
 * Seeded Monte-Carlo estimate of the population loss for any n (a multiple of 4): the mean
 * over `samples` draws of `@polytoy/data`'s half-split sampler (stream `createPrng(seed)`),
 * with the standard errors of `loss` and of `reconstruction` (sample standard deviation /
 * sqrt(samples)). With the weight L1 target the penalty is exact (no sampling), so the loss's
 * standard error is the reconstruction's.
 *
 * @example
 * const est = monteCarloPopulationLoss(sameSignConstructionF64({ n: 64, c: 0.4 }), { hiddenActivation: 'none' }, 20000, 1);
 * // est.reconstruction ≈ (64/4)(1 − 0.8)² = 0.64, est.standardError ≈ 0.002
 */
export function monteCarloPopulationLoss(p: AnyParams, o: ModelOptions, samples: number, seed: number): MonteCarloLoss {
  if (!Number.isSafeInteger(samples) || samples < 2) throw new ConfigError('samples', 'an integer >= 2', samples);
  if (!Number.isSafeInteger(p.n) || p.n < 4 || p.n % 4 !== 0) throw new ConfigError('params.n', 'a positive multiple of 4', p.n);
  return monteCarloWith(createPrng(seed), p, o, samples);
}

/** Welford's running mean and sum of squared deviations. */
class Running {
  mean = 0;
  m2 = 0;
  seen = 0;
  add(x: number): void {
    this.seen++;
    const delta = x - this.mean;
    this.mean += delta / this.seen;
    this.m2 += delta * (x - this.mean);
  }
  standardError(): number {
    return Math.sqrt(this.m2 / (this.seen - 1) / this.seen);
  }
}

function monteCarloWith(rng: Prng, p: AnyParams, o: ModelOptions, samples: number): MonteCarloLoss {
  const chunk = 4096;
  let done = 0;
  let recon = 0,
    l1 = 0;
  const lossStat = new Running();
  const reconStat = new Running();
  let weightL1: PopulationLoss | undefined;
  while (done < samples) {
    const c = Math.min(chunk, samples - done);
    const set = sampleSupport(rng, p.n, c);
    const per = new Float64Array(c);
    const perRecon = new Float64Array(c);
    const ev = evaluatePopulation(p, o, { samples: set, perSample: per, perSampleReconstruction: perRecon });
    recon += ev.loss.reconstruction * c;
    l1 += ev.loss.l1 * c;
    weightL1 = ev.loss;
    for (let s = 0; s < c; s++) {
      lossStat.add(per[s]!);
      reconStat.add(perRecon[s]!);
    }
    done += c;
  }
  const r = resolve(o);
  const reconstruction = recon / samples;
  const l1Mean = r.activationL1 ? l1 / samples : weightL1!.l1;
  return {
    reconstruction,
    l1: l1Mean,
    loss: reconstruction + r.lambda * l1Mean,
    supportSize: samples,
    standardError: lossStat.standardError(),
    reconstructionStandardError: reconStat.standardError(),
  };
}

/** Pre-activations of every sample: `a = E x` [count, m], `h = act(a)` [count, m], `z = D h + b` [count, n]. */
export interface ForwardPass {
  a: Float64Array;
  h: Float64Array;
  z: Float64Array;
}

/**
 * Runs the model on a sample set in float64 and keeps every intermediate (for kink detection).
 *
 * @example
 * const { z } = forwardPass(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none' }, exactSupport(8));
 */
export function forwardPass(p: AnyParams, o: ModelOptions, samples: SampleSet): ForwardPass {
  const r = resolve(o);
  const d = toDense(p);
  const { n, m } = d;
  const { count, k, idx } = samples;
  const a = new Float64Array(count * m);
  const h = new Float64Array(count * m);
  const z = new Float64Array(count * n);
  for (let s = 0; s < count; s++) {
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let q = 0; q < k; q++) acc += d.enc[j * n + idx[s * k + q]!]!;
      a[s * m + j] = acc;
      h[s * m + j] = r.reluHidden && acc <= 0 ? 0 : acc;
    }
    for (let i = 0; i < n; i++) z[s * n + i] = d.b[i]!;
    for (let j = 0; j < m; j++) {
      const hj = h[s * m + j]!;
      if (hj !== 0) for (let i = 0; i < n; i++) z[s * n + i] = z[s * n + i]! + d.dec[j * n + i]! * hj;
    }
  }
  return { a, h, z };
}
