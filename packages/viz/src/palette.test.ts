import { describe, expect, it } from 'vitest';
import { CATEGORICAL, familyColours, MAX_DISTINCT_SERIES, seriesStyles } from './palette.js';

const key = (s: { colour: string; dash: readonly number[] }) => `${s.colour}|${s.dash.join(',')}`;

describe('seriesStyles', () => {
  it('never repeats a style up to the maximum, colours first', () => {
    const styles = seriesStyles(MAX_DISTINCT_SERIES);
    expect(new Set(styles.map(key)).size).toBe(MAX_DISTINCT_SERIES);
    expect(new Set(seriesStyles(10).map((s) => s.colour)).size).toBe(10);
    expect(seriesStyles(12)[10]).toEqual({ colour: CATEGORICAL[0], dash: [6, 3], shape: 'square' });
    expect(new Set(CATEGORICAL).size).toBe(CATEGORICAL.length);
  });

  it('refuses more series than it can tell apart', () => {
    expect(() => seriesStyles(MAX_DISTINCT_SERIES + 1)).toThrow(RangeError);
  });
});

describe('familyColours', () => {
  it('gives families hues by what their names say, distinct within a chart', () => {
    const c = familyColours(['disambiguation', 'same-sign+disambiguation', 'opposite-sign', 'cross-half-inhibition', 'other']);
    expect(c.get('disambiguation')).toBe('#1b9e77');
    expect(c.get('same-sign+disambiguation')).toBe('#0c6148');
    expect(c.get('opposite-sign')).toBe('#d95f02');
    expect(c.get('cross-half-inhibition')).toBe('#9a4200');
    expect(c.get('other')).toBe('#a6a6a6');
    expect(new Set(c.values()).size).toBe(c.size);
  });

  it('ReLU two-neuron disambiguation is its own group; unknown names get unused palette colours', () => {
    const c = familyColours(['relu-two-neuron-disambiguation', 'rotated-zebra', 'something', 'disambiguation']);
    expect(c.get('relu-two-neuron-disambiguation')).toBe('#66a61e');
    expect(c.get('disambiguation')).toBe('#1b9e77');
    expect(c.get('rotated-zebra')).toBe(CATEGORICAL[0]);
    expect(c.get('something')).toBe(CATEGORICAL[1]);
  });

  it("the taxonomy's distributed label is blue, apart from the sparse families; unmatched is grey", () => {
    const c = familyColours(['same-sign', 'opposite-sign', 'distributed', 'unmatched', 'mixture']);
    expect(c.get('distributed')).toBe('#1f78b4');
    expect(c.get('same-sign')).toBe('#1b9e77');
    // In no family: the neutral grey of other, not a blue next to distributed's.
    expect(c.get('unmatched')).toBe('#a6a6a6');
    expect(new Set(c.values()).size).toBe(c.size);
  });

  it('stays distinct when a group runs out of shades', () => {
    const names = ['dead-a', 'dead-b', 'dead-c', 'dead-d', 'dead-e'];
    const c = familyColours(names);
    expect(new Set(names.map((n) => c.get(n))).size).toBe(5);
  });
});
