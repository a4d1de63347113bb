import { SOLUTION_LABEL_DEFINITIONS } from '@polytoy/experiments';

/**
 * The key of family names the report prints under its figures: the taxonomy's labels (their one
 * definition, from @polytoy/metrics through the experiments API) and the names older result
 * lines use (the basis-free mechanism, the neuron-level classifier's labels). A name without an
 * entry is listed as it is.
 */
export const FAMILY_DEFINITIONS: Readonly<Record<string, string>> = Object.freeze({
  disambiguation:
    'every output is disambiguated: an other-half feature excites it (β ≥ 1/2, a same-sign partner) and a half-dependent shift cancels that — the seed’s mechanism, in any rotation of the hidden space',
  'cross-half-inhibition':
    'every output is inhibited by the other half (β < 1/2); opposite-sign pairs are the sparsest case (β = −1 for the partner)',
  'same-sign+disambiguation': 'neuron-aligned same-sign pairs plus a ±eps disambiguation neuron (the seed’s construction)',
  'relu-two-neuron-disambiguation': 'ReLU hidden layer: same-sign pairs plus two mirrored ±eps neurons',
  other: 'the neuron-level classifier found no clean pair structure',
  diverged: 'training diverged (loss not finite or blew up)',
  ...SOLUTION_LABEL_DEFINITIONS,
});

/**
 * `[name, definition]` for the families shown, in the given order.
 *
 * @example
 * familyKey(['disambiguation']); // [['disambiguation', 'every output is disambiguated: …']]
 */
export function familyKey(names: readonly string[]): [string, string][] {
  return names.map((n) => [n, Object.hasOwn(FAMILY_DEFINITIONS, n) ? FAMILY_DEFINITIONS[n]! : 'as reported by the analysis']);
}
