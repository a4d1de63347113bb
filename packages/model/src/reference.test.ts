import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { referenceForward, referenceLossAndGradients } from './reference.js';
import type { ReferenceParams } from './reference.js';
import { sampleHiddenNoise } from './noise.js';
import { ALL_OPTIONS, describeOptions, modelConfig, randomParams, uniformArray } from './test-utils/random.js';

const n = 8,
  m = 5,
  B = 6;

/** The parameter arrays of p by name, as float64 copies (to perturb for finite differences). */
function float64Params(p: ReferenceParams): ReferenceParams & Record<string, unknown> {
  return p.kind === 'tied'
    ? { ...p, W: Float64Array.from(p.W), b: Float64Array.from(p.b) }
    : { ...p, E: Float64Array.from(p.E), D: Float64Array.from(p.D), b: Float64Array.from(p.b) };
}

/**
 * Distance of the point from the nearest kink of the loss: ReLU kinks (hiddenPre, outputPre
 * at 0 where a ReLU is used), |h| kinks (activation L1, h at 0) and |w| kinks (weight L1).
 */
function kinkMargin(model: ModelConfig, p: ReferenceParams, x: Float32Array, noise: Float32Array | null): number {
  const t = referenceForward(model, p, x, B, noise);
  let margin = Infinity;
  const check = (a: ArrayLike<number>) => {
    for (let k = 0; k < a.length; k++) margin = Math.min(margin, Math.abs(a[k]!));
  };
  if (model.hiddenActivation === 'relu' || model.l1.target === 'activations') check(t.hiddenPre);
  if (model.outputActivation === 'relu') check(t.outputPre);
  if (model.l1.target === 'weights') {
    if (p.kind === 'tied') check(p.W);
    else {
      check(p.E);
      check(p.D);
    }
  }
  return margin;
}

const NOISES = { none: undefined, gaussian: { kind: 'gaussian', std: 0.3 }, bernoulli: { kind: 'bernoulli', p: 0.3 } } as const;

describe('referenceLossAndGradients equals central finite differences of the reference loss (float64)', () => {
  const cases = ALL_OPTIONS.flatMap((o) =>
    (['activations', 'weights'] as const).flatMap((l1) =>
      (Object.keys(NOISES) as (keyof typeof NOISES)[]).map((noise) => ({
        label: `${describeOptions(o)} l1=${l1} noise=${noise}`,
        model: modelConfig(n, m, { ...o, l1, noise: NOISES[noise] }),
      })),
    ),
  );

  it.each(cases.map((c) => [c.label, c.model] as const))('%s', (_, model) => {
    // Pick a point at least MARGIN from every kink (retrying seeds); a step of H moves any
    // pre-activation or weight by far less than MARGIN, so both sides of the central difference
    // lie on the same smooth (polynomial) piece and the difference is exact up to O(H²) and
    // float64 rounding (~1e-16 · |L| / H ≈ 1e-9).
    const MARGIN = 1e-3,
      H = 1e-6,
      TOL = 1e-6;
    let seed = 0,
      margin = 0;
    let p!: ReferenceParams & Record<string, unknown>, x!: Float32Array, importance!: Float32Array;
    let noise: Float32Array | null = null;
    do {
      const rng = createPrng(1000 + seed++);
      p = float64Params(randomParams(rng, model));
      x = uniformArray(rng, B * n);
      importance = uniformArray(rng, n, 0.5, 1.5);
      noise = sampleHiddenNoise(model, [rng], B)?.values ?? null;
      margin = kinkMargin(model, p, x, noise);
    } while (margin < MARGIN && seed < 200);
    expect(margin).toBeGreaterThanOrEqual(MARGIN);
    const lambda = 0.1;
    const loss = () => referenceLossAndGradients(model, p, x, B, lambda, importance, noise).loss;
    const { grads } = referenceLossAndGradients(model, p, x, B, lambda, importance, noise);
    const names = p.kind === 'tied' ? (['W', 'b'] as const) : (['E', 'D', 'b'] as const);
    for (const name of names) {
      const theta = p[name] as Float64Array;
      const g = grads[name]!;
      expect(g.length).toBe(theta.length);
      for (let k = 0; k < theta.length; k++) {
        const v = theta[k]!;
        theta[k] = v + H;
        const up = loss();
        theta[k] = v - H;
        const down = loss();
        theta[k] = v;
        const fd = (up - down) / (2 * H);
        // With outputBias false, b does not enter the loss: both sides are exactly 0.
        expect(Math.abs(g[k]! - fd), `${name}[${k}]: analytic ${g[k]} vs fd ${fd}`).toBeLessThanOrEqual(
          TOL * Math.max(1, Math.abs(fd)),
        );
      }
    }
  });
});

/** Exact support of the seed's data (SPEC §1): each half, every n/4-subset of it set to 1. */
function support(nn: number): { x: Float64Array; count: number } {
  const rows: number[][] = [];
  const half = nn / 2,
    k = nn / 4;
  const choose = (start: number, left: number, acc: number[]): void => {
    if (left === 0) {
      for (const offset of [0, half]) {
        const row = new Array<number>(nn).fill(0);
        for (const i of acc) row[offset + i] = 1;
        rows.push(row);
      }
      return;
    }
    for (let i = start; i <= half - left; i++) choose(i + 1, left - 1, [...acc, i]);
  };
  choose(0, k, []);
  return { x: Float64Array.from(rows.flat()), count: rows.length };
}

/** SPEC §2–2c constructions with the canonical pairing (A feature k with B feature k). */
function construction(nn: number, kind: string, c: number): { W: Float64Array; m: number; b: number; relu: boolean } {
  const half = nn / 2;
  const eps = Math.sqrt((4 * c) / nn);
  if (kind === 'opposite-sign') {
    const W = new Float64Array(half * nn);
    for (let k = 0; k < half; k++) {
      W[k * nn + k] = 1;
      W[k * nn + half + k] = -1;
    }
    return { W, m: half, b: 0, relu: false };
  }
  const disamb = kind === 'relu-hidden two-neuron' ? 2 : 1;
  const mm = half + disamb;
  const W = new Float64Array(mm * nn);
  for (let i = 0; i < nn; i++) {
    W[i] = i < half ? eps : -eps;
    if (disamb === 2) W[nn + i] = i < half ? -eps : eps;
  }
  for (let k = 0; k < half; k++) {
    W[(disamb + k) * nn + k] = 1;
    W[(disamb + k) * nn + half + k] = 1;
  }
  return { W, m: mm, b: -c, relu: disamb === 2 };
}

// Copied from tools/conformance/fixtures/reference/constructions.json (numpy float64, full enumeration).
const REFERENCE = [
  { n: 4, m: 3, construction: 'same-sign c=0.5', reconstructionLoss: 0.0, activationL1: 1.707106781187 },
  { n: 4, m: 3, construction: 'same-sign c=0.75', reconstructionLoss: 0.0, activationL1: 1.866025403784 },
  { n: 4, m: 3, construction: 'same-sign c=0.4', reconstructionLoss: 0.04, activationL1: 1.632455532034 },
  { n: 4, m: 2, construction: 'opposite-sign', reconstructionLoss: 0.0, activationL1: 1.0 },
  { n: 4, m: 4, construction: 'relu-hidden two-neuron c=0.5', reconstructionLoss: 0.0, activationL1: 1.707106781187 },
  { n: 8, m: 5, construction: 'same-sign c=0.5', reconstructionLoss: 0.0, activationL1: 3.0 },
  { n: 8, m: 5, construction: 'same-sign c=0.75', reconstructionLoss: 0.0, activationL1: 3.224744871392 },
  { n: 8, m: 5, construction: 'same-sign c=0.4', reconstructionLoss: 0.08, activationL1: 2.894427191 },
  { n: 8, m: 4, construction: 'opposite-sign', reconstructionLoss: 0.0, activationL1: 2.0 },
  { n: 8, m: 6, construction: 'relu-hidden two-neuron c=0.5', reconstructionLoss: 0.0, activationL1: 3.0 },
  { n: 16, m: 9, construction: 'same-sign c=0.5', reconstructionLoss: 0.0, activationL1: 5.414213562373 },
  { n: 16, m: 9, construction: 'same-sign c=0.75', reconstructionLoss: 0.0, activationL1: 5.732050807569 },
  { n: 16, m: 9, construction: 'same-sign c=0.4', reconstructionLoss: 0.16, activationL1: 5.264911064067 },
  { n: 16, m: 8, construction: 'opposite-sign', reconstructionLoss: 0.0, activationL1: 4.0 },
  { n: 16, m: 10, construction: 'relu-hidden two-neuron c=0.5', reconstructionLoss: 0.0, activationL1: 5.414213562373 },
  { n: 32, m: 17, construction: 'same-sign c=0.5', reconstructionLoss: 0.0, activationL1: 10.0 },
  { n: 32, m: 17, construction: 'same-sign c=0.75', reconstructionLoss: 0.0, activationL1: 10.449489742783 },
  { n: 32, m: 17, construction: 'same-sign c=0.4', reconstructionLoss: 0.32, activationL1: 9.788854382 },
  { n: 32, m: 16, construction: 'opposite-sign', reconstructionLoss: 0.0, activationL1: 8.0 },
  { n: 32, m: 18, construction: 'relu-hidden two-neuron c=0.5', reconstructionLoss: 0.0, activationL1: 10.0 },
];

describe('reference model on the SPEC constructions (exact support, float64)', () => {
  it.each(REFERENCE.map((r) => [`n=${r.n} ${r.construction}`, r] as const))('%s matches constructions.json to 1e-9', (_, r) => {
    const [kind, cText] = r.construction.split(' c=') as [string, string | undefined];
    const c = cText ? Number(cText) : 0;
    const built = construction(r.n, kind, c);
    expect(built.m).toBe(r.m);
    const model = modelConfig(r.n, built.m, { hiddenActivation: built.relu ? 'relu' : 'none' });
    const { x, count } = support(r.n);
    const p: ReferenceParams = { kind: 'tied', n: r.n, m: built.m, W: built.W, b: new Float64Array(r.n).fill(built.b) };
    const out = referenceLossAndGradients(model, p, x, count, 0);
    expect(Math.abs(out.reconstruction - r.reconstructionLoss)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(out.l1 - r.activationL1)).toBeLessThanOrEqual(1e-9);
    if (kind === 'same-sign') {
      // SPEC §2 by hand: L1 = n/4 + sqrt(c n)/2; for c < 1/2 each sample has n/4 other-half
      // outputs at 1 − 2c (features in the chosen half stay exact), so reconstruction (n/4)(1−2c)².
      // (10 digits: summing 25740 terms of 1/B each at n = 32 accumulates ~2e-11 of rounding.)
      expect(out.l1).toBeCloseTo(r.n / 4 + Math.sqrt(c * r.n) / 2, 10);
      expect(out.reconstruction).toBeCloseTo(c < 0.5 ? (r.n / 4) * (1 - 2 * c) ** 2 : 0, 10);
    }
  });

  it('n=4 seed construction by hand: zero reconstruction, L1 = 1 + 1/√2, gradient = lambda·sign(W)/B', () => {
    // W rows: neuron 0 (+eps, +eps, −eps, −eps), eps = sqrt(2/n); neuron 1 holds features 0 and 2,
    // neuron 2 features 1 and 3; b = −1/2. Support: the 4 basis vectors e0..e3 (n/4 = 1 one).
    const eps = Math.SQRT1_2;
    const W = Float64Array.from([eps, eps, -eps, -eps, 1, 0, 1, 0, 0, 1, 0, 1]);
    const p: ReferenceParams = { kind: 'tied', n: 4, m: 3, W, b: Float64Array.from([-0.5, -0.5, -0.5, -0.5]) };
    const x = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const model = modelConfig(4, 3);
    const lambda = 0.01;
    const out = referenceLossAndGradients(model, p, x, 4, lambda);
    expect(out.reconstruction).toBeLessThan(1e-30);
    expect(Math.abs(out.l1 - 1.707106781187)).toBeLessThanOrEqual(1e-9);
    // Every output is exact, so only the L1 term contributes. For x = e_k, h = W[:, k] and
    // ∂(Σ_j |h_j|)/∂W[j, i] = sign(W[j, k]) δ_ik: averaged over the 4 samples, sign(W)/4.
    const fwd = referenceForward(model, p, x, 4);
    // (The chosen half's silent outputs sit exactly at the ReLU kink: pre-activation eps² − 1/2 ≈ 1e-16.)
    for (let k = 0; k < 16; k++) expect(fwd.output[k]).toBeCloseTo(x[k]!, 14);
    for (let k = 0; k < 12; k++) expect(out.grads.W![k]).toBeCloseTo((lambda * Math.sign(W[k]!)) / 4, 14);
    for (let k = 0; k < 4; k++) expect(out.grads.b[k]).toBeCloseTo(0, 14);
  });
});
