/**
 * What a tied weight matrix looks like relative to a construction's layout: did the pairs, the
 * disambiguation neuron and the zeros survive, and what did each neuron become.
 */
import type { ConstructionLayout } from './construction.js';
import type { AnyParams } from './params64.js';

/** Min / mean / max of a set of numbers. */
export interface Range {
  min: number;
  mean: number;
  max: number;
}

/** What one neuron (row of W) looks like. */
export type NeuronShape = 'dead' | 'monosemantic' | 'same-sign-pair' | 'opposite-sign-pair' | 'half-detector' | 'dense';

/** Structural summary of tied parameters against a layout. */
export interface StructureSummary {
  /** |W| of the (first) disambiguation neuron over all features; NaN without one. */
  eps: Range;
  /** c = eps²·n/4 from the mean eps. */
  c: number;
  /** True when the disambiguation neuron still has +sign on every A feature and −sign on every B feature (up to a global sign). */
  disambiguationIntact: boolean;
  bias: Range;
  /** |W| of the pair entries (both features of every pair). */
  pairWeight: Range;
  /** Pairs whose two entries both keep at least `threshold`, with the same sign. */
  sameSignPairs: number;
  /** Pairs whose two entries both keep at least `threshold`, with opposite signs. */
  oppositeSignPairs: number;
  /** Pairs that lost an entry (below `threshold`). */
  brokenPairs: number;
  /** Largest |W| outside the layout (off-structure entries and zero rows). */
  offStructureMax: number;
  /** Neuron shapes (see {@link neuronShape}) counted. */
  census: Record<NeuronShape, number>;
  /** Same-sign pairs all intact, disambiguation intact, off-structure below `threshold`. */
  structureSurvives: boolean;
  /** At least one opposite-sign pair appeared. */
  towardOppositeSign: boolean;
}

function range(values: number[]): Range {
  if (values.length === 0) return { min: Number.NaN, mean: Number.NaN, max: Number.NaN };
  let min = Infinity,
    max = -Infinity,
    sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, mean: sum / values.length, max };
}

/**
 * Classifies one row of W: entries with |w| >= `rel`·max|w| form its support. 'dead' when
 * max|w| < `deadBelow`; one entry: 'monosemantic'; two: a same- or opposite-sign pair;
 * exactly one half with one sign and the other half with the other sign (all n): 'half-detector'
 * (a disambiguation neuron); anything else: 'dense'.
 *
 * @example
 * neuronShape(Float64Array.from([1, 0, 1, 0]), 4); // 'same-sign-pair'
 */
export function neuronShape(row: ArrayLike<number>, n: number, rel = 0.25, deadBelow = 1e-3): NeuronShape {
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(row[i]!));
  if (mx < deadBelow) return 'dead';
  const support: number[] = [];
  for (let i = 0; i < n; i++) if (Math.abs(row[i]!) >= rel * mx) support.push(i);
  if (support.length === 1) return 'monosemantic';
  if (support.length === 2)
    return Math.sign(row[support[0]!]!) === Math.sign(row[support[1]!]!) ? 'same-sign-pair' : 'opposite-sign-pair';
  if (support.length === n) {
    const half = n / 2;
    const sA = Math.sign(row[0]!);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = Math.sign(row[i]!) === (i < half ? sA : -sA);
    if (ok) return 'half-detector';
  }
  return 'dense';
}

/**
 * Summarises tied parameters relative to a construction layout.
 *
 * @param threshold - an entry "survives" when |w| >= threshold (default 0.25).
 * @example
 * const layout = constructionLayout('same-sign', { n: 8 });
 * describeStructure(sameSignConstructionF64({ n: 8 }), layout).structureSurvives; // true
 */
export function describeStructure(p: AnyParams, layout: ConstructionLayout, threshold = 0.25): StructureSummary {
  if (p.kind !== 'tied') throw new Error('describeStructure expects tied parameters');
  const { n, m } = p;
  const W = p.W;
  const inLayout = new Uint8Array(m * n);
  const d0 = layout.disambiguation[0];
  let eps: Range = { min: Number.NaN, mean: Number.NaN, max: Number.NaN };
  let intact = layout.disambiguation.length === 0;
  for (const d of layout.disambiguation) for (let i = 0; i < n; i++) inLayout[d * n + i] = 1;
  if (d0 !== undefined) {
    const row = Array.from({ length: n }, (_, i) => W[d0 * n + i]!);
    eps = range(row.map(Math.abs));
    const s = Math.sign(row[0]!);
    intact = s !== 0 && row.every((v, i) => Math.sign(v) === (i < n / 2 ? s : -s));
  }
  const pairAbs: number[] = [];
  let same = 0,
    opposite = 0,
    broken = 0;
  for (const pr of layout.pairs) {
    inLayout[pr.neuron * n + pr.a] = 1;
    inLayout[pr.neuron * n + pr.b] = 1;
    const wa = W[pr.neuron * n + pr.a]!,
      wb = W[pr.neuron * n + pr.b]!;
    pairAbs.push(Math.abs(wa), Math.abs(wb));
    if (Math.abs(wa) < threshold || Math.abs(wb) < threshold) broken++;
    else if (Math.sign(wa) === Math.sign(wb)) same++;
    else opposite++;
  }
  let off = 0;
  for (let t = 0; t < m * n; t++) if (!inLayout[t]) off = Math.max(off, Math.abs(W[t]!));
  const census: Record<NeuronShape, number> = {
    dead: 0,
    monosemantic: 0,
    'same-sign-pair': 0,
    'opposite-sign-pair': 0,
    'half-detector': 0,
    dense: 0,
  };
  for (let j = 0; j < m; j++) census[neuronShape(W.subarray(j * n, (j + 1) * n), n)]++;
  const expectedSame = layout.pairs.filter((q) => q.sign === 1).length;
  return {
    eps,
    c: (eps.mean * eps.mean * n) / 4,
    disambiguationIntact: intact,
    bias: range(Array.from(p.b)),
    pairWeight: range(pairAbs),
    sameSignPairs: same,
    oppositeSignPairs: opposite,
    brokenPairs: broken,
    offStructureMax: off,
    census,
    structureSurvives: same === expectedSame && broken === 0 && intact && off < threshold,
    towardOppositeSign: opposite > layout.pairs.filter((q) => q.sign === -1).length,
  };
}
