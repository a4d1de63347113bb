/**
 * A basis-free reading of what a trained model does, per output. Neuron-by-neuron classifiers
 * only recognise solutions aligned with the neuron basis, but gradient descent also finds
 * rotated ones (linear hidden layer: any rotation `W → Q W` leaves the function unchanged; at
 * n = 8, m = 4 training finds a ±1/2 Hadamard rotation of the opposite-sign pairs) and dense
 * codes. This module reads the mechanism from the function itself, on the data distribution
 * (exactly enumerated for n <= 32, else a fixed seeded sample), from the output
 * pre-activations `z = D·act(E x) + b`:
 *
 * - gain of output i: `E[z_i | own half, x_i = 1] − E[z_i | own half, x_i = 0]` (≈ 1 when i is
 *   represented);
 * - excitation of output i: the largest effect of an other-half feature k on it,
 *   `β_ik = E[z_i | other half, x_k = 1] − E[z_i | other half, x_k = 0]`. Exactly one half is
 *   on, so output i must stay ≤ 0 while the other half is on. Either no other-half feature
 *   pushes it up (β < 1/2: **cross-half inhibition**; opposite-sign pairs are the sparsest case,
 *   β = −1 for the partner), or one does (β ≥ 1/2: the same-sign partner has β = 1) and a
 *   half-dependent shift must cancel it: **disambiguation** (SPEC §2).
 *
 * Both are invariant under rotations of the hidden space when it is linear, and defined for
 * ReLU hidden layers and untied weights alike.
 */
import type { HiddenActivation, ModelParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { enumerateHalfSplitSupport, halfSplitBatch, MAX_ENUMERABLE_N } from '@polytoy/data';

/** Per-output mechanism, one character each in {@link FunctionalClass.outputs}. */
export type OutputMechanism = 'inhibited' | 'disambiguated' | 'dead';

/** The character of each mechanism in {@link FunctionalClass.outputs}. */
export const OUTPUT_CODES: Readonly<Record<OutputMechanism, string>> = { inhibited: 'i', disambiguated: 'd', dead: '0' };

/** Model-level mechanism. */
export type FunctionalLabel = 'cross-half-inhibition' | 'disambiguation' | 'mixture' | 'dead-features';

/** Min, mean and max of a per-output quantity. */
export interface Spread {
  min: number;
  mean: number;
  max: number;
}

/** The functional reading of one model. */
export interface FunctionalClass {
  label: FunctionalLabel;
  /**
   * Per output i, one character: `i` inhibited (β < 1/2), `d` disambiguated (β ≥ 1/2), `0` dead
   * (gain < 1/2). A string keeps result lines short: `'ddid…'`.
   */
  outputs: string;
  inhibited: number;
  disambiguated: number;
  dead: number;
  gain: Spread;
  /** Largest other-half effect per output (β_i). */
  excitation: Spread;
  /** Samples the expectations were taken over (the support size when exact). */
  samples: number;
}

/** Thresholds of the reading: gain below → dead; excitation at or above → disambiguated. */
export const GAIN_THRESHOLD = 0.5;
export const EXCITATION_THRESHOLD = 0.5;

/** Sample size for n > 32 (seeded, so the reading is deterministic). */
export const FUNCTIONAL_SAMPLES = 8192;

function spread(xs: number[]): Spread {
  return { min: Math.min(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) };
}

/**
 * `M = D·E` as an [n, n] row-major matrix (tied: `WᵀW`): for a linear hidden layer, how much
 * input k moves output i's pre-activation (the whole function, with b).
 *
 * @example
 * effectiveMap(oppositeSignConstruction({ n: 8 }))[0 * 8 + 4]; // -1 (feature 0's partner)
 */
export function effectiveMap(p: ModelParams): Float64Array {
  const { n, m } = p;
  const M = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const d = p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!;
      if (d === 0) continue;
      for (let k = 0; k < n; k++) {
        const e = p.kind === 'tied' ? p.W[j * n + k]! : p.E[j * n + k]!;
        M[i * n + k] = M[i * n + k]! + d * e;
      }
    }
  }
  return M;
}

/**
 * Reads the mechanism of every output (see the module comment).
 *
 * @param hiddenActivation - the model's hidden activation (`none` or `relu`).
 * @example
 * functionalClass(oppositeSignConstruction({ n: 8 }), 'none').label; // 'cross-half-inhibition'
 * functionalClass(reluTwoNeuronConstruction({ n: 8 }), 'relu').label; // 'disambiguation'
 */
export function functionalClass(p: ModelParams, hiddenActivation: HiddenActivation): FunctionalClass {
  const { n, m } = p;
  const half = n / 2;
  const x = n <= MAX_ENUMERABLE_N ? enumerateHalfSplitSupport(n).x : halfSplitBatch(createPrng(0), n, FUNCTIONAL_SAMPLES);
  const count = x.length / n;
  const E = p.kind === 'tied' ? p.W : p.E;
  const dec = (i: number, j: number): number => (p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!);
  // Sums of z_i over samples, split by (chosen half, x_k on/off): S[half][i][k][on].
  const sum = new Float64Array(2 * n * n * 2);
  const cnt = new Float64Array(2 * n * 2);
  const h = new Float64Array(m);
  const z = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    const row = x.subarray(s * n, (s + 1) * n);
    let onA = 0;
    for (let i = 0; i < half; i++) onA += row[i]!;
    const H = onA > 0 ? 0 : 1;
    for (let j = 0; j < m; j++) {
      let a = 0;
      for (let k = 0; k < n; k++) if (row[k]) a += E[j * n + k]!;
      h[j] = hiddenActivation === 'relu' ? Math.max(0, a) : a;
    }
    for (let i = 0; i < n; i++) {
      let v = p.b[i]!;
      for (let j = 0; j < m; j++) v += dec(i, j) * h[j]!;
      z[i] = v;
    }
    for (let k = 0; k < n; k++) {
      const on = row[k] ? 1 : 0;
      const c = (H * n + k) * 2 + on;
      cnt[c] = cnt[c]! + 1;
      for (let i = 0; i < n; i++) {
        const t = ((H * n + i) * n + k) * 2 + on;
        sum[t] = sum[t]! + z[i]!;
      }
    }
  }
  const mean = (H: number, i: number, k: number, on: number): number =>
    sum[((H * n + i) * n + k) * 2 + on]! / Math.max(1, cnt[(H * n + k) * 2 + on]!);
  const mechanisms: OutputMechanism[] = [];
  const gain: number[] = [];
  const excitation: number[] = [];
  for (let i = 0; i < n; i++) {
    const own = i < half ? 0 : 1;
    const other = 1 - own;
    const g = mean(own, i, i, 1) - mean(own, i, i, 0);
    let e = Number.NEGATIVE_INFINITY;
    for (let k = other * half; k < (other + 1) * half; k++) e = Math.max(e, mean(other, i, k, 1) - mean(other, i, k, 0));
    gain.push(g);
    excitation.push(e);
    mechanisms.push(g < GAIN_THRESHOLD ? 'dead' : e >= EXCITATION_THRESHOLD ? 'disambiguated' : 'inhibited');
  }
  const inhibited = mechanisms.filter((o) => o === 'inhibited').length;
  const disambiguated = mechanisms.filter((o) => o === 'disambiguated').length;
  const outputs = mechanisms.map((o) => OUTPUT_CODES[o]).join('');
  const dead = n - inhibited - disambiguated;
  const label: FunctionalLabel =
    dead > 0 ? 'dead-features' : inhibited === n ? 'cross-half-inhibition' : disambiguated === n ? 'disambiguation' : 'mixture';
  return { label, outputs, inhibited, disambiguated, dead, gain: spread(gain), excitation: spread(excitation), samples: count };
}
