/**
 * An independent, deliberately naive float64 implementation of the population loss for tests:
 * dense x vectors, explicit matrix products, its own enumeration of the support. It shares no
 * code with `population-loss.ts`.
 */
export interface NaiveModel {
  tied: boolean;
  n: number;
  m: number;
  /** [m][n] encoder (tied: W). */
  E: number[][];
  /** [n][m] decoder (tied: Wᵀ). */
  D: number[][];
  b: number[];
  reluHidden: boolean;
  reluOutput: boolean;
  lambda: number;
  weightL1: boolean;
}

/** All half-split samples as dense 0/1 vectors (own recursion, not @polytoy/data's). */
export function naiveSupport(n: number): number[][] {
  const half = n / 2,
    k = n / 4;
  const out: number[][] = [];
  const rec = (start: number, chosen: number[], offset: number) => {
    if (chosen.length === k) {
      const x = new Array<number>(n).fill(0);
      for (const i of chosen) x[offset + i] = 1;
      out.push(x);
      return;
    }
    for (let i = start; i < half; i++) rec(i + 1, [...chosen, i], offset);
  };
  rec(0, [], 0);
  rec(0, [], half);
  return out;
}

export function naiveLoss(model: NaiveModel, xs = naiveSupport(model.n)): { reconstruction: number; l1: number; loss: number } {
  const { n, m, E, D, b } = model;
  let recon = 0,
    l1 = 0;
  for (const x of xs) {
    const h: number[] = [];
    for (let j = 0; j < m; j++) {
      let a = 0;
      for (let i = 0; i < n; i++) a += E[j]![i]! * x[i]!;
      h.push(model.reluHidden ? Math.max(0, a) : a);
    }
    for (let i = 0; i < n; i++) {
      let z = b[i]!;
      for (let j = 0; j < m; j++) z += D[i]![j]! * h[j]!;
      const y = model.reluOutput ? Math.max(0, z) : z;
      recon += (x[i]! - y) ** 2;
    }
    for (const v of h) l1 += Math.abs(v);
  }
  recon /= xs.length;
  l1 /= xs.length;
  if (model.weightL1) {
    l1 = 0;
    for (const row of E) for (const v of row) l1 += Math.abs(v);
    if (!model.tied) for (const row of D) for (const v of row) l1 += Math.abs(v);
  }
  return { reconstruction: recon, l1, loss: recon + model.lambda * l1 };
}

/** Builds a NaiveModel from flat arrays in `@polytoy/core` layout. */
export function naiveFrom(
  p:
    | { kind: 'tied'; n: number; m: number; W: ArrayLike<number>; b: ArrayLike<number> }
    | { kind: 'untied'; n: number; m: number; E: ArrayLike<number>; D: ArrayLike<number>; b: ArrayLike<number> },
  o: {
    hiddenActivation: 'none' | 'relu';
    outputActivation?: 'relu' | 'none';
    lambda?: number;
    l1Target?: 'activations' | 'weights';
  },
): NaiveModel {
  const { n, m } = p;
  const enc = p.kind === 'tied' ? p.W : p.E;
  const E = Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => enc[j * n + i]!));
  const D =
    p.kind === 'tied'
      ? Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => p.W[j * n + i]!))
      : Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => p.D[i * m + j]!));
  return {
    tied: p.kind === 'tied',
    n,
    m,
    E,
    D,
    b: Array.from(p.b),
    reluHidden: o.hiddenActivation === 'relu',
    reluOutput: (o.outputActivation ?? 'relu') === 'relu',
    lambda: o.lambda ?? 0,
    weightL1: o.l1Target === 'weights',
  };
}
