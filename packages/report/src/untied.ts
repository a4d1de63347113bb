/**
 * Untied weights: does each output read the disambiguation neuron(s)? Per run, the fraction of
 * outputs that do; per output, the shift it gets (c for the construction, 0 when unused).
 */
import type { ResultLine } from '@polytoy/experiments';
import { USE_THRESHOLD } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';
import { cellLabel, varyingCoordinates } from './cells.js';

/** Runs with a disambiguation-use analysis (untied, half-split data). */
function withUse(lines: readonly ResultLine[]): ResultLine[] {
  return lines.filter((l) => l.status === 'ok' && l.analysis?.disambiguationUse);
}

/**
 * Strip plot per run, two panels: the fraction of outputs that read a detected disambiguation
 * neuron (neuron level) and the fraction whose mechanism is disambiguation (basis-free); one
 * row per cell, colour = start.
 */
export function useFractionSpec(
  lines: readonly ResultLine[],
  title = 'Untied: outputs that use disambiguation (per run)',
): TopLevelSpec {
  const runs = withUse(lines);
  const vary = varyingCoordinates(runs).filter((k) => k !== 'start');
  const data = runs.flatMap((l) => {
    const base = {
      cell: cellLabel(l.spec.cell, vary),
      start: l.spec.cell.start,
      seed: l.spec.seed,
      label: l.classification ?? 'unclassified',
    };
    const f = l.analysis!.functional;
    return [
      { ...base, measure: 'reads a disambiguation neuron', fraction: l.analysis!.disambiguationUse!.fraction },
      ...(f ? [{ ...base, measure: 'mechanism: disambiguated', fraction: f.disambiguated / f.outputs.length }] : []),
    ];
  });
  return {
    title,
    data: { values: data },
    width: 260,
    height: { step: 16 },
    mark: { type: 'point', filled: true, opacity: 0.6, size: 30 },
    encoding: {
      column: {
        field: 'measure',
        type: 'nominal',
        title: null,
        sort: ['reads a disambiguation neuron', 'mechanism: disambiguated'],
      },
      y: { field: 'cell', type: 'ordinal', title: null, sort: null, axis: { labelLimit: 320 } },
      yOffset: { field: 'start', type: 'nominal' },
      x: {
        field: 'fraction',
        type: 'quantitative',
        title: 'fraction of outputs',
        scale: { domain: [0, 1] },
        axis: { format: '%' },
      },
      color: { field: 'start', type: 'nominal', title: 'start', legend: { labelLimit: 320 } },
      tooltip: [
        { field: 'cell' },
        { field: 'start' },
        { field: 'seed' },
        { field: 'measure' },
        { field: 'fraction', format: '.0%' },
        { field: 'label' },
      ],
    },
  } as TopLevelSpec;
}

/**
 * Histogram of the per-output shift, one panel per start × hidden activation; the threshold
 * for "uses it" is marked.
 */
export function shiftHistogramSpec(
  lines: readonly ResultLine[],
  title = 'Per-output disambiguation shift (all outputs of all runs)',
): TopLevelSpec {
  const data = withUse(lines).flatMap((l) =>
    l.analysis!.disambiguationUse!.shift.map((s) => ({
      panel: `${l.spec.cell.start} / hidden=${l.spec.cell.hiddenActivation}`,
      shift: Math.max(-1, Math.min(1.5, s)),
    })),
  );
  const panels = [...new Set(data.map((d) => d.panel))];
  const units = panels.map((p) => ({
    title: p,
    width: 220,
    height: 120,
    layer: [
      {
        data: { values: data.filter((d) => d.panel === p) },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: {
            field: 'shift',
            type: 'quantitative',
            bin: { extent: [-1, 1.5], step: 0.05 },
            title: 'shift (clipped to [-1, 1.5])',
          },
          y: { aggregate: 'count', type: 'quantitative', title: 'outputs' },
        },
      },
      {
        data: { values: [{ t: USE_THRESHOLD }] },
        mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
        encoding: { x: { field: 't', type: 'quantitative' } },
      },
    ],
  }));
  return (units.length > 1 ? { title, hconcat: units } : { title, ...units[0] }) as TopLevelSpec;
}
