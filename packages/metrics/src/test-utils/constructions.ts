/**
 * Test-only builders of SPEC §2–2c constructions and perturbations of them. The constructions
 * themselves come from @polytoy/analytic; these helpers add what only tests need (noise,
 * gauge rescaling of untied weights, hand-made matrices).
 */
import type { Prng, TiedParams, UntiedParams } from '@polytoy/core';

/** Adds independent uniform noise in [-amp, amp] to every weight and bias (a copy). */
export function withNoise(p: TiedParams, rng: Prng, amp: number): TiedParams {
  const W = p.W.map((x) => x + (2 * rng.nextDouble() - 1) * amp);
  const b = p.b.map((x) => x + (2 * rng.nextDouble() - 1) * amp);
  return { ...p, W, b };
}

/**
 * Untied parameters with the same function as `p` but neuron j's encoder scaled by `s_j` and its
 * decoder by `1 / s_j` (s_j > 0 drawn from [0.25, 4]): the gauge freedom of untied weights.
 */
export function rescaledUntied(p: TiedParams, rng: Prng): UntiedParams {
  const { n, m } = p;
  const E = new Float32Array(m * n);
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) {
    const s = 4 ** (2 * rng.nextDouble() - 1);
    for (let i = 0; i < n; i++) {
      E[j * n + i] = p.W[j * n + i]! * s;
      D[i * m + j] = p.W[j * n + i]! / s;
    }
  }
  return { kind: 'untied', n, m, E, D, b: p.b.slice() };
}

/** Tied parameters from a list of rows. */
export function tiedFromRows(rows: number[][], b?: number[]): TiedParams {
  const m = rows.length;
  const n = rows[0]!.length;
  return { kind: 'tied', n, m, W: Float32Array.from(rows.flat()), b: Float32Array.from(b ?? new Array<number>(n).fill(0)) };
}

/** Identity-like monosemantic model: feature i on neuron i with weight `scale`, extra rows zero. */
export function identityModel(n: number, m: number, scale = 1): TiedParams {
  const W = new Float32Array(m * n);
  for (let i = 0; i < Math.min(n, m); i++) W[i * n + i] = scale;
  return { kind: 'tied', n, m, W, b: new Float32Array(n) };
}
