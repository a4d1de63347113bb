/**
 * Stand-ins for @polytoy/analytic's constructions with exactly its API (used until it lands).
 * Canonical row r goes to row `neuronOrder[r]`; A feature k pairs with B feature n/2 + pairing[k].
 */
import type { TiedParams, UntiedParams } from '@polytoy/core';

export interface ConstructionOptions {
  n: number;
  m?: number;
  c?: number;
  pairing?: number[];
  neuronOrder?: number[];
}

function build(
  o: ConstructionOptions,
  dis: number[],
  types: Array<'same' | 'opposite'>,
  c: number,
  mDefault: number,
): TiedParams {
  const n = o.n;
  const h = n / 2;
  const m = o.m ?? mDefault;
  const eps = Math.sqrt((4 * c) / n);
  const pairing = o.pairing ?? Array.from({ length: h }, (_, k) => k);
  const order = o.neuronOrder ?? Array.from({ length: m }, (_, r) => r);
  const W = new Float32Array(m * n);
  let r = 0;
  for (const orient of dis) {
    const row = order[r++]!;
    for (let i = 0; i < n; i++) W[row * n + i] = (i < h ? orient : -orient) * eps;
  }
  for (let k = 0; k < h; k++) {
    const row = order[r++]!;
    W[row * n + k] = 1;
    W[row * n + h + pairing[k]!] = types[k] === 'same' ? 1 : -1;
  }
  return { kind: 'tied', n, m, W, b: new Float32Array(n).fill(-c) };
}

export function sameSignConstruction(o: ConstructionOptions): TiedParams {
  return build(o, [1], new Array(o.n / 2).fill('same'), o.c ?? 0.5, o.n / 2 + 1);
}

export function oppositeSignConstruction(o: Omit<ConstructionOptions, 'c'>): TiedParams {
  return build({ ...o }, [], new Array(o.n / 2).fill('opposite'), 0, o.n / 2);
}

export function mixedConstruction(o: ConstructionOptions & { oppositePairs: number }): TiedParams {
  const types = Array.from({ length: o.n / 2 }, (_, k) => (k < o.oppositePairs ? 'opposite' : 'same') as 'same' | 'opposite');
  return build(o, [1], types, o.c ?? 0.5, o.n / 2 + 1);
}

export function reluTwoNeuronConstruction(o: ConstructionOptions): TiedParams {
  return build(o, [1, -1], new Array(o.n / 2).fill('same'), o.c ?? 0.5, o.n / 2 + 2);
}

export function untiedCounterpart(p: TiedParams): UntiedParams {
  const { n, m } = p;
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = p.W[j * n + i]!;
  return { kind: 'untied', n, m, E: p.W.slice(), D, b: p.b.slice() };
}
