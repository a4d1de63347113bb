/**
 * Categorical colours that never repeat within a chart: a palette of ten well-separated colours
 * (Tableau 10) and, past ten series, a second channel (line dash, point shape). Solution
 * families get fixed hues by what their names say (disambiguation green, opposite-sign orange,
 * …), with distinct shades when a chart shows several members of one group.
 */

/** Ten well-separated categorical colours (Tableau 10). */
export const CATEGORICAL: readonly string[] = Object.freeze([
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]);

/** Line dashes of the second channel (solid first). */
export const DASHES: readonly (readonly number[])[] = Object.freeze([[], [6, 3], [2, 2], [8, 3, 2, 3]]);

/** Point shapes of the second channel (Vega shape names). */
export const SHAPES: readonly string[] = Object.freeze(['circle', 'square', 'triangle-up', 'diamond']);

/** One series' look. */
export interface SeriesStyle {
  colour: string;
  dash: readonly number[];
  shape: string;
}

/** How many series {@link seriesStyles} can tell apart. */
export const MAX_DISTINCT_SERIES = CATEGORICAL.length * DASHES.length;

/**
 * Distinct styles for `count` series: colour first, then the dash/shape channel, so that no two
 * series of a chart look alike (up to {@link MAX_DISTINCT_SERIES}; a chart with more series must
 * be split into panels).
 *
 * @throws RangeError when `count` exceeds {@link MAX_DISTINCT_SERIES}.
 * @example
 * seriesStyles(12)[10]; // { colour: '#4e79a7', dash: [6, 3], shape: 'square' }
 */
export function seriesStyles(count: number): SeriesStyle[] {
  if (count > MAX_DISTINCT_SERIES) {
    throw new RangeError(`seriesStyles: expected at most ${MAX_DISTINCT_SERIES} series, received ${count}`);
  }
  return Array.from({ length: count }, (_, i) => {
    const second = Math.floor(i / CATEGORICAL.length);
    return { colour: CATEGORICAL[i % CATEGORICAL.length]!, dash: DASHES[second]!, shape: SHAPES[second]! };
  });
}

/** Hue groups for solution families: a name matching `test` gets the group's shades in turn. */
const FAMILY_GROUPS: readonly { test: RegExp; shades: readonly string[] }[] = [
  { test: /diverged/i, shades: ['#e7298a', '#a3195f', '#f58dc0'] },
  { test: /capped|unconverged/i, shades: ['#bbbbbb', '#8c8c8c'] },
  { test: /relu|two-neuron/i, shades: ['#66a61e', '#3f6a10', '#a6d854'] },
  // The taxonomy's zero-loss solutions outside the sparse families (named by the label only:
  // a name with counts such as `mixture (… distributed)` keeps its own group).
  { test: /^distributed/i, shades: ['#1f78b4', '#0b4f7c', '#6baed6'] },
  { test: /disamb|same-sign|seed/i, shades: ['#1b9e77', '#0c6148', '#66c2a5'] },
  { test: /opposite|inhibit/i, shades: ['#d95f02', '#9a4200', '#fc8d62'] },
  { test: /mix/i, shades: ['#7570b3', '#4a4685', '#aaa5db'] },
  { test: /dead/i, shades: ['#4d4d4d', '#262626', '#7a7a7a'] },
  { test: /mono|identity/i, shades: ['#e6ab02', '#a07700', '#f5d36a'] },
  // unmatched: in no family, grey like other (never a family hue such as distributed's blue).
  { test: /other|unmatched|unclassified|unknown|none/i, shades: ['#a6a6a6', '#c4c4c4', '#8c8c8c'] },
];

/**
 * A colour per family name, distinct within the list: names are matched to hue groups by what
 * they say (diverged, ReLU two-neuron, distributed (blue), disambiguation / same-sign, opposite-sign / inhibition,
 * mixture, dead (dark grey), monosemantic, other (light grey)), later members of a group get its other shades, and names
 * matching no group (or a group with no shade left) get unused {@link CATEGORICAL} colours.
 *
 * @param names - the families one chart shows, in legend order.
 * @example
 * familyColours(['disambiguation', 'opposite-sign', 'other']);
 * // Map { 'disambiguation' → '#1b9e77', 'opposite-sign' → '#d95f02', 'other' → '#a6a6a6' }
 */
export function familyColours(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  const pending: string[] = [];
  for (const name of names) {
    if (out.has(name)) continue;
    const group = FAMILY_GROUPS.find((g) => g.test.test(name));
    const shade = group?.shades.find((s) => !used.has(s));
    if (shade) {
      out.set(name, shade);
      used.add(shade);
    } else pending.push(name);
  }
  const spare = [...CATEGORICAL, ...FAMILY_GROUPS.flatMap((g) => g.shades)].filter((c) => !used.has(c));
  for (const name of pending) {
    if (out.has(name)) continue;
    const colour = spare.shift() ?? '#000000';
    out.set(name, colour);
    used.add(colour);
  }
  return out;
}
