/**
 * The one vocabulary of the taxonomy: solution labels and per-output mechanisms, each with its
 * definition. Everything that prints, counts or colours a label reads it from here. The
 * derivations behind the definitions are in the package README ("Taxonomy").
 */

/** Per-output mechanism (one character each, {@link OUTPUT_CODES}, in the taxonomy's `codes` strings). */
export type OutputMechanism = 'same-sign' | 'opposite-sign' | 'monosemantic' | 'distributed' | 'dead' | 'other';

/** Every output mechanism, in display order. */
export const OUTPUT_MECHANISMS: readonly OutputMechanism[] = Object.freeze([
  'same-sign',
  'opposite-sign',
  'monosemantic',
  'distributed',
  'dead',
  'other',
]);

/** One character per mechanism, for compact per-output strings (`'ssoo0x…'`). */
export const OUTPUT_CODES: Readonly<Record<OutputMechanism, string>> = Object.freeze({
  'same-sign': 's',
  'opposite-sign': 'o',
  monosemantic: 'm',
  distributed: 'd',
  dead: '0',
  other: 'x',
});

/** What each per-output mechanism means (output i of half H, partner j in the other half). */
export const OUTPUT_MECHANISM_DEFINITIONS: Readonly<Record<OutputMechanism, string>> = Object.freeze({
  'same-sign':
    'reads its partner with the same sign (z_i rises by ~1 when the partner is on) and is disambiguated by the other half: a shift c_i >= 1/2 between the halves cancels the partner (SPEC §2)',
  'opposite-sign':
    'reads its partner with the opposite sign (z_i falls by ~1 when the partner is on): cross-half inhibition (SPEC §2b)',
  monosemantic: 'reads no other feature: its own input alone, other-half inputs leave it flat',
  distributed:
    'exact (per-output loss at most exactOutputLoss) but no template is within the output tolerance: its own half passes, and the other half is held at or below zero by cross-half inhibition spread over several other-half features (their participation ratio is reported) together with a partial shift c_i between the halves (reported); its strongest other-half weight may be positive (a same-sign read cancelled by the shift) or negative (inhibition)',
  dead: 'gain below the dead-output threshold: its own feature does not reach it',
  other:
    'inexact: live, no template within the output tolerance, and its per-output loss above exactOutputLoss (the other half switches it on, or its own half is not passed exactly): see its measured gain, partner weight, shift and loss',
});

/** Model-level solution label. */
export type SolutionLabel =
  | 'same-sign'
  | 'same-sign-m-half'
  | 'relu-two-neuron'
  | 'opposite-sign'
  | 'mixture'
  | 'monosemantic'
  | 'dead-features'
  | 'distributed'
  | 'unmatched';

/** Every solution label, in display order. */
export const SOLUTION_LABELS: readonly SolutionLabel[] = Object.freeze([
  'same-sign',
  'same-sign-m-half',
  'relu-two-neuron',
  'opposite-sign',
  'mixture',
  'monosemantic',
  'dead-features',
  'distributed',
  'unmatched',
]);

/** The one definition of each solution label. */
export const SOLUTION_LABEL_DEFINITIONS: Readonly<Record<SolutionLabel, string>> = Object.freeze({
  'same-sign':
    "the seed's construction (SPEC §2) up to a rotation of the hidden space: every output reads its partner with the same sign and is disambiguated by a shift c >= 1/2, with bias −c (a dedicated disambiguation direction; rank n/2 + 1)",
  'same-sign-m-half':
    'the rotated m = n/2 construction: the same function on the data as the seed’s, with the all-ones direction of the pair neurons dropped and its output moved into the bias (bias 1/2 − c, rank n/2)',
  'relu-two-neuron':
    'ReLU hidden layer: the same-sign function realised by two mirrored ±eps neurons D_A, D_B and same-sign pair neurons (SPEC §2c), up to neuron order and scale',
  'opposite-sign':
    'opposite-sign pairs (SPEC §2b) up to a rotation of the hidden space: every output reads its partner with the opposite sign (any extra shift c >= 0 is reported)',
  mixture:
    'every output is same-sign or opposite-sign (or monosemantic) with a consistent pairing, both kinds present: see the per-output counts',
  monosemantic: 'every output reads only its own feature (M ≈ I: needs m >= n)',
  'dead-features': 'at least one output is dead; the live outputs are described by their mechanisms',
  distributed:
    'a zero-loss solution outside the sparse families: no family is within the tolerance, the reconstruction is near zero, every live output is a template mechanism or distributed and at least one is distributed (other-half inhibition spread over several features plus a partial shift); named with its per-output counts, its distance is to the nearest sparse family',
  unmatched:
    'no family is within the tolerance and the run is not a near-zero-loss distributed solution (its reconstruction is not near zero, or some output is inexact): described by its measured structure (mechanisms per output, rank, partner weights, shifts, loss)',
});
