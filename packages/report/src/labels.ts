/**
 * Fixed colours per solution label, so every chart of a report (and every report) uses the
 * same colour for the same kind of solution.
 */

/** Known labels in display order, with their colours (ColorBrewer Dark2 plus greys). */
export const LABEL_COLOURS: ReadonlyArray<readonly [string, string]> = [
  ['same-sign+disambiguation', '#1b9e77'],
  ['relu-two-neuron-disambiguation', '#66a61e'],
  ['opposite-sign', '#d95f02'],
  ['mixture', '#7570b3'],
  ['monosemantic', '#e6ab02'],
  ['dead-features', '#a6761d'],
  ['other', '#666666'],
  ['diverged', '#e7298a'],
  ['unclassified', '#bbbbbb'],
  // Rotation-invariant mechanisms (experiments' functionalClass), coloured like their sparse cases.
  ['disambiguation', '#1b9e77'],
  ['cross-half-inhibition', '#d95f02'],
];

/** Labels that mean "a disambiguation solution" (SPEC §2 and §2c). */
export const DISAMBIGUATION_LABELS: readonly string[] = ['same-sign+disambiguation', 'relu-two-neuron-disambiguation'];

/**
 * A Vega-Lite colour scale for the labels present: known labels keep their colours, unknown
 * ones get greys after them.
 */
export function labelScale(present: readonly string[]): { domain: string[]; range: string[] } {
  const known = LABEL_COLOURS.filter(([l]) => present.includes(l));
  const unknown = present.filter((l) => !LABEL_COLOURS.some(([k]) => k === l)).sort();
  return {
    domain: [...known.map(([l]) => l), ...unknown],
    range: [...known.map(([, c]) => c), ...unknown.map((_, i) => (i % 2 ? '#999999' : '#444444'))],
  };
}
