/**
 * The zero-loss constructions and their competitors side by side: exact reconstruction loss,
 * activation L1 per sample and total loss at one lambda, each also evaluated with the other
 * hidden activation (SPEC §2c: linear-hidden solutions break under a hidden ReLU).
 */
import type { ConstructionKind } from './construction.js';
import {
  absenceCodedConstructionF64,
  mixedConstructionF64,
  oppositeSignConstructionF64,
  reluTwoNeuronConstructionF64,
  rotatedConstructionF64,
  sameSignConstructionF64,
} from './construction.js';
import type { TiedParamsF64 } from './params64.js';
import { exactPopulationLoss } from './population-loss.js';

/** One row of {@link constructionsTable}. */
export interface ConstructionRow {
  n: number;
  /** Display name, e.g. `same-sign c=0.5`. */
  name: string;
  kind: ConstructionKind;
  m: number;
  /** The hidden activation the construction is meant for. */
  hiddenActivation: 'none' | 'relu';
  /** Disambiguation strength, null for opposite-sign pairs. */
  c: number | null;
  /** Exact mean ||x − y||². */
  reconstruction: number;
  /** Exact mean ||h||₁ per sample. */
  l1: number;
  /** reconstruction + lambda·l1. */
  loss: number;
  /** Reconstruction loss of the same weights with the other hidden activation. */
  reconstructionOtherHidden: number;
}

/**
 * Exact losses and L1 costs of every construction for one n (n <= 32): same-sign (m = n/2 + 1),
 * opposite-sign pairs (m = n/2), a half-and-half mixture, the ReLU two-neuron construction
 * (m = n/2 + 2) and the rotated same-sign construction (m = n/2, Hadamard basis when n/2 is a
 * power of 2, else Helmert) and the absence-coded same-sign pairs (m = n/2).
 *
 * @example
 * constructionsTable(16, 1e-3).map((r) => [r.name, r.l1]);
 * // same-sign 5.414…, opposite-sign 4, mixed 5.414…, relu two-neuron 5.414…, rotated 3.9598…
 */
export function constructionsTable(n: number, lambda: number, c = 0.5): ConstructionRow[] {
  const cases: { name: string; kind: ConstructionKind; hidden: 'none' | 'relu'; c: number | null; p: TiedParamsF64 }[] = [
    { name: `same-sign c=${c}`, kind: 'same-sign', hidden: 'none', c, p: sameSignConstructionF64({ n, c }) },
    { name: 'opposite-sign', kind: 'opposite-sign', hidden: 'none', c: null, p: oppositeSignConstructionF64({ n }) },
    {
      name: `mixed ${n / 4}+${n / 4} c=${c}`,
      kind: 'mixed',
      hidden: 'none',
      c,
      p: mixedConstructionF64({ n, c, oppositePairs: n / 4 }),
    },
    { name: `relu two-neuron c=${c}`, kind: 'relu-two-neuron', hidden: 'relu', c, p: reluTwoNeuronConstructionF64({ n, c }) },
    { name: `rotated c=${c}`, kind: 'rotated', hidden: 'none', c, p: rotatedConstructionF64({ n, c }) },
    { name: 'absence-coded', kind: 'absence-coded', hidden: 'none', c: null, p: absenceCodedConstructionF64({ n }) },
  ];
  return cases.map(({ name, kind, hidden, c: cc, p }) => {
    const L = exactPopulationLoss(p, { hiddenActivation: hidden, lambda });
    const other = exactPopulationLoss(p, { hiddenActivation: hidden === 'none' ? 'relu' : 'none' });
    return {
      n,
      name,
      kind,
      m: p.m,
      hiddenActivation: hidden,
      c: cc,
      reconstruction: L.reconstruction,
      l1: L.l1,
      loss: L.loss,
      reconstructionOtherHidden: other.reconstruction,
    };
  });
}
