export {
  colourAt,
  DIVERGING_STOPS,
  divergingColor,
  divergingScale,
  NEGATIVE,
  NOT_A_NUMBER,
  POSITIVE,
  rgbHex,
  SIGN_CONVENTION,
  ZERO,
} from './diverging.js';
export type { DivergingScale, Rgb } from './diverging.js';
export { displayOrder, heatmapLayout, inputOutputMap, MARK } from './heatmap-layout.js';
export type { HeatmapLayout, HeatmapLayoutOptions, HeatmapPanel, PanelKind } from './heatmap-layout.js';
export { compareNatural, sortNatural } from './natural-sort.js';
export { CATEGORICAL, DASHES, familyColours, MAX_DISTINCT_SERIES, SHAPES, seriesStyles } from './palette.js';
export type { SeriesStyle } from './palette.js';
export { isClipped, robustRange } from './robust-range.js';
export type { ColourRange, RobustRangeOptions } from './robust-range.js';
