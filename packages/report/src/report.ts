/**
 * One self-contained HTML report from experiment result lines: per experiment a summary table,
 * success-rate heat maps and label fractions, loss curves, the stability / untied / collisions
 * charts where the results have them, and weight-matrix heat maps of representative runs.
 * Charts are Vega-Lite specs rendered to inline SVG; the page has no scripts and loads nothing.
 */
import { deserializeParams } from '@polytoy/core';
import type { CoordinateName, ResultLine } from '@polytoy/experiments';
import { dedupeResults, EXPERIMENTS, labelOf, labelsOf, summarise } from '@polytoy/experiments';
import type { TopLevelSpec } from 'vega-lite';
import { cellLabel, varyingCoordinates } from './cells.js';
import { collisionData, collisionRuns, collisionsSpec } from './collisions.js';
import { weightHeatmapSpec } from './heatmap.js';
import { escapeHtml, figure, formatNumber, formatPercent, htmlTable, STYLE } from './html.js';
import type { TableCell } from './html.js';
import { LABEL_COLOURS } from './labels.js';
import { lossCurvesSpec } from './loss-curves.js';
import { disambiguationRate, labelBarsSpec, rateHeatmapSpec } from './solutions.js';
import { driftData, driftSpec } from './stability.js';
import { shiftHistogramSpec, useFractionSpec } from './untied.js';
import { renderVegaLite } from './vega.js';

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** Page title (default "polytoy experiment report"). */
  title?: string;
  /** Shown in the header; default: now. Pass `null` to leave it out (reproducible output). */
  generatedAt?: string | null;
  /** Result files the lines came from, listed in the header. */
  sources?: readonly string[];
  /** Weight heat maps per experiment (default 8). */
  maxHeatmaps?: number;
  /** Reconstruction per sample below which a run counts as a success (default 0.05). */
  successTolerance?: number;
}

/** What one experiment section contains (for tests and for the CLI's summary line). */
export interface SectionInfo {
  experiment: string;
  version: number;
  id: string;
  runs: number;
  charts: string[];
}

const LAYOUT: readonly CoordinateName[] = ['n', 'm', 'weights', 'hiddenActivation'];

function sectionId(experiment: string, version: number, versions: number): string {
  const slug = experiment.replace(/[^a-zA-Z0-9_-]+/g, '-');
  return versions > 1 ? `experiment-${slug}-v${version}` : `experiment-${slug}`;
}

interface Chart {
  kind: string;
  spec: TopLevelSpec;
  caption: string;
}

/** Disambiguation neurons named in a line's classification evidence. */
function disambiguationNeuronsOf(line: ResultLine): number[] {
  const ev = line.evidence as { disambiguationNeurons?: { neuron?: unknown }[] } | null;
  const list = ev?.disambiguationNeurons;
  if (!Array.isArray(list)) return [];
  return list.map((d) => d.neuron).filter((j): j is number => typeof j === 'number');
}

/** The label a heat map is chosen by: the basis-free mechanism when known, else the classifier's. */
function displayLabel(l: ResultLine): string {
  return l.analysis?.functional?.label ?? labelOf(l);
}

/**
 * Representative runs for heat maps: per (mechanism or label, architecture, start kind), the
 * run with the lowest loss; ordered by label, then n.
 */
export function representativeRuns(lines: readonly ResultLine[], max: number): ResultLine[] {
  const best = new Map<string, ResultLine>();
  const lossOf = (l: ResultLine) => l.exactLoss?.loss ?? l.finalLoss ?? Number.POSITIVE_INFINITY;
  for (const l of lines) {
    if (l.status !== 'ok' || !l.params) continue;
    const key = [displayLabel(l), l.spec.cell.weights, l.spec.cell.hiddenActivation, l.spec.start.kind].join('|');
    const cur = best.get(key);
    if (!cur || lossOf(l) < lossOf(cur)) best.set(key, l);
  }
  const rank = (l: ResultLine) => {
    const k = LABEL_COLOURS.findIndex(([name]) => name === displayLabel(l));
    return k < 0 ? LABEL_COLOURS.length : k;
  };
  return [...best.values()]
    .sort((a, b) => rank(a) - rank(b) || a.spec.cell.n - b.spec.cell.n || a.spec.cellKey.localeCompare(b.spec.cellKey))
    .slice(0, max);
}

function summaryTable(lines: readonly ResultLine[], by: readonly CoordinateName[], tol: number): string {
  const summaries = summarise(lines, { by, successTolerance: tol });
  const labels = labelsOf(summaries);
  const mechanisms = [...new Set(summaries.flatMap((s) => Object.keys(s.mechanisms)))].sort();
  const anyExact = lines.some((l) => l.exactLoss);
  const anyC = summaries.some((s) => s.c);
  const anyUse = summaries.some((s) => s.disambiguationUse);
  const anyMech = summaries.some((s) => s.disambiguatedOutputs);
  const basis = summaries.some((s) => s.expectedPolysemanticCount != null);
  const headers = [
    ...by.map((k) => (k === 'hiddenActivation' ? 'hidden' : k)),
    'runs',
    ...(basis ? [] : labels),
    ...mechanisms.map((m) => `mechanism: ${m}`),
    'success',
    anyExact ? 'loss (exact, mean)' : 'loss (final batch, mean)',
    'reconstruction (mean)',
    ...(anyC ? ['c (mean ± sd)'] : []),
    ...(anyUse ? ['outputs reading a disamb. neuron (mean)'] : []),
    ...(anyMech ? ['outputs disambiguated (mechanism, mean)'] : []),
    ...(basis ? ['polysemantic (mean ± sd)', 'n²/(4m)'] : []),
  ];
  const rows: TableCell[][] = summaries.map((s) => [
    ...by.map((k) => String(s.coordinates[k])),
    s.runs,
    ...(basis ? [] : labels.map((l) => (s.labels[l] ? String(s.labels[l]) : ''))),
    ...mechanisms.map((m) => (s.mechanisms[m] ? String(s.mechanisms[m]) : '')),
    formatPercent(s.successRate),
    formatNumber(s.loss?.mean),
    formatNumber(s.reconstruction?.mean),
    ...(anyC ? [s.c ? `${formatNumber(s.c.mean)} ± ${formatNumber(s.c.std)} (${s.c.count})` : '—'] : []),
    ...(anyUse ? [formatPercent(s.disambiguationUse?.mean)] : []),
    ...(anyMech ? [formatPercent(s.disambiguatedOutputs?.mean)] : []),
    ...(basis
      ? [
          s.polysemanticCount ? `${formatNumber(s.polysemanticCount.mean)} ± ${formatNumber(s.polysemanticCount.std)}` : '—',
          formatNumber(s.expectedPolysemanticCount),
        ]
      : []),
  ]);
  return htmlTable(headers, rows);
}

function stabilityTable(lines: readonly ResultLine[]): string {
  const starts = lines.filter((l) => l.spec.start.kind === 'construction');
  if (starts.length === 0) return '';
  const by: CoordinateName[] = ['n', 'hiddenActivation', 'start', 'lambda'];
  const summaries = summarise(starts, { by });
  const rows: TableCell[][] = summaries.map((s) => {
    const group = starts.filter((l) => by.every((k) => l.spec.cell[k] === s.coordinates[k]));
    const a = group.find((l) => l.analysis?.start)?.analysis?.start ?? null;
    const kept = DISAMBIGUATION_KEEP(s.labels) / s.runs;
    return [
      String(s.coordinates.n),
      String(s.coordinates.hiddenActivation),
      String(s.coordinates.start),
      String(s.coordinates.lambda),
      s.runs,
      a ? formatNumber(a.exactLoss.loss) : '—',
      a ? a.verdict : '—',
      formatNumber(s.loss?.mean),
      s.c ? `${formatNumber(s.c.mean)} ± ${formatNumber(s.c.std)}` : '—',
      a?.predicted ? formatNumber(a.predicted.c) : '—',
      a?.predicted ? formatNumber(a.predicted.loss) : '—',
      formatPercent(kept),
    ];
  });
  return htmlTable(
    [
      'n',
      'hidden',
      'start',
      'λ',
      'runs',
      'loss at start (exact)',
      'local verdict at start',
      'loss after (mean)',
      'c after (mean ± sd)',
      'c predicted (symmetric flow)',
      'loss predicted',
      'structure kept',
    ],
    rows,
  );
}

function DISAMBIGUATION_KEEP(labels: Record<string, number>): number {
  return (labels['same-sign+disambiguation'] ?? 0) + (labels['relu-two-neuron-disambiguation'] ?? 0);
}

function chartsFor(
  lines: readonly ResultLine[],
  opts: Required<Pick<ReportOptions, 'maxHeatmaps' | 'successTolerance'>>,
): Chart[] {
  const charts: Chart[] = [];
  const classified = lines.filter((l) => l.classification !== null || l.status === 'diverged');
  const tol = opts.successTolerance;
  if (classified.length > 0) {
    charts.push({
      kind: 'solutions',
      spec: labelBarsSpec(classified),
      caption:
        'Fraction of runs per solution label (metrics classifier, neuron by neuron), pooled over lambda, lr and seeds, per n and m.',
    });
    const read = lines.filter((l) => l.analysis?.functional);
    if (read.length > 0) {
      charts.push({
        kind: 'mechanisms',
        spec: labelBarsSpec(read, 'Mechanism per output, basis-free (fraction of runs)', 'mechanisms'),
        caption:
          'The same runs read from the function, not the neuron basis (rotations of a linear hidden layer do not change it): for each output, the largest effect β of an other-half feature on its pre-activation. cross-half-inhibition: β < 1/2 for every output (opposite-sign pairs are the sparsest case, β = −1 for the partner); disambiguation: β ≥ 1/2 for every output (a same-sign partner excites it, β = 1, and a half-dependent shift cancels that); mixture: both kinds of outputs; dead-features: some output with gain < 1/2.',
      });
    }
    charts.push({
      kind: 'success-heatmap',
      spec: rateHeatmapSpec(classified, (s) => s.successRate, `Success rate (reconstruction ≤ ${tol} per sample)`, 'success'),
      caption: `Fraction of runs per cell whose reconstruction loss (exact when n ≤ 32) is at most ${tol} per sample.`,
    });
    charts.push({
      kind: 'disambiguation-heatmap',
      spec: rateHeatmapSpec(classified, disambiguationRate, 'Disambiguation solution found', 'disambiguation'),
      caption:
        'Fraction of runs per cell classified as a disambiguation solution (same-sign pairs + disambiguation neuron, or the two-neuron ReLU variant).',
    });
  }
  if (lines.some((l) => l.history.step.length > 1)) {
    charts.push({
      kind: 'loss-curves',
      spec: lossCurvesSpec(lines),
      caption: 'Median over seeds of the logged training loss (reconstruction + λ·L1), log scale.',
    });
  }
  if (driftData(lines).length > 0) {
    charts.push({
      kind: 'stability',
      spec: driftSpec(lines),
      caption:
        'Each point is a run started at the construction with the given c; black ticks: the analytic end point of the symmetric gradient flow (tied, linear hidden); dashed: no drift. c = 0: no neuron-aligned disambiguation neuron is left after training (the mechanism may survive in rotated form: see the mechanism chart).',
    });
  }
  if (lines.some((l) => l.analysis?.disambiguationUse)) {
    charts.push({
      kind: 'untied-use',
      spec: useFractionSpec(lines),
      caption:
        'Untied weights, per run. Left: fraction of outputs whose decoder reads a detected disambiguation neuron (±eps rows of E) with a net shift ≥ 0.25. Right: fraction of outputs whose mechanism (basis-free) is disambiguation.',
    });
    charts.push({
      kind: 'untied-shift',
      spec: shiftHistogramSpec(lines),
      caption:
        'Per-output shift from the disambiguation neuron(s): c for the construction, 0 when an output ignores them; red: the 0.25 threshold.',
    });
  }
  if (collisionRuns(lines).length > 0) {
    const zeros = collisionData(lines).zeros;
    charts.push({
      kind: 'collisions',
      spec: collisionsSpec(lines),
      caption: `Polysemantic neurons (more than one |w| in [0.8, 1.2]) per instance (small points) and mean per m (large points) against the paper's n²/(4m) (dashed).${zeros ? ` ${zeros} instance(s) with count 0 are not drawn on the log axis.` : ''}`,
    });
  }
  for (const l of representativeRuns(lines, opts.maxHeatmaps)) {
    const params = deserializeParams(l.params);
    const vary = varyingCoordinates(lines);
    const mechanism = l.analysis?.functional?.label;
    const title = `${mechanism ? `${mechanism} (classifier: ${labelOf(l)})` : labelOf(l)} — ${cellLabel(l.spec.cell, vary.length ? vary : ['n', 'm'])} seed ${l.spec.seed}`;
    const loss = l.exactLoss
      ? `exact loss ${formatNumber(l.exactLoss.loss)} (reconstruction ${formatNumber(l.exactLoss.reconstruction)})`
      : `final loss ${formatNumber(l.finalLoss)}`;
    charts.push({
      kind: 'weights',
      spec: weightHeatmapSpec(params, title, disambiguationNeuronsOf(l)),
      caption: `${l.spec.cell.weights} n=${l.spec.cell.n} m=${l.spec.cell.m} hidden=${l.spec.cell.hiddenActivation}, ${l.spec.cell.start}; ${loss}${l.analysis?.c != null ? `; c = ${formatNumber(l.analysis.c)}` : ''}. Blue positive, red negative; rule between halves A and B; ◆ disambiguation neuron.`,
    });
  }
  return charts;
}

/**
 * Renders the HTML report.
 *
 * @param results - result lines (any experiments; duplicate run ids count once, the last wins).
 * @param opts - title, timestamp, heat-map count, success tolerance.
 * @returns the complete HTML document (inline CSS and SVG, no scripts, no network).
 * @example
 * import { readResultLines } from '@polytoy/experiments/node';
 * const html = await renderReport(await readResultLines(['finds-solution.jsonl']));
 * fs.writeFileSync('report.html', html);
 */
export async function renderReport(results: readonly ResultLine[], opts: ReportOptions = {}): Promise<string> {
  return (await renderReportWithInfo(results, opts)).html;
}

/** {@link renderReport} plus what each section contains. */
export async function renderReportWithInfo(
  results: readonly ResultLine[],
  opts: ReportOptions = {},
): Promise<{ html: string; sections: SectionInfo[] }> {
  const title = opts.title ?? 'polytoy experiment report';
  const maxHeatmaps = opts.maxHeatmaps ?? 8;
  const successTolerance = opts.successTolerance ?? 0.05;
  const lines = dedupeResults(results);
  const groups = new Map<string, ResultLine[]>();
  for (const l of lines) {
    const key = `${l.experiment}\u0000${l.version}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const order = Object.keys(EXPERIMENTS);
  const keys = [...groups.keys()].sort((a, b) => {
    const [ea, va] = a.split('\u0000');
    const [eb, vb] = b.split('\u0000');
    const ia = order.indexOf(ea!),
      ib = order.indexOf(eb!);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || ea!.localeCompare(eb!) || Number(va) - Number(vb);
  });
  const sections: SectionInfo[] = [];
  const parts: string[] = [];
  for (const key of keys) {
    const group = groups.get(key)!;
    const { experiment, version } = group[0]!;
    const versions = new Set(lines.filter((l) => l.experiment === experiment).map((l) => l.version)).size;
    const id = sectionId(experiment, version, versions);
    const def = Object.hasOwn(EXPERIMENTS, experiment) ? EXPERIMENTS[experiment] : undefined;
    const charts = chartsFor(group, { maxHeatmaps, successTolerance });
    const figures: string[] = [];
    for (const c of charts) figures.push(figure(await renderVegaLite(c.spec), c.caption, c.kind));
    const diverged = group.filter((l) => l.status === 'diverged').length;
    const sizes = [...new Set(group.map((l) => l.spec.size))].join(', ');
    const wall = group.reduce((a, l) => a + l.wallSeconds, 0);
    const vary = varyingCoordinates(group);
    const pooledBy = LAYOUT.filter((k) => vary.includes(k) || k === 'n' || k === 'm');
    const cellsBy = vary.length ? vary : pooledBy;
    const nCells = new Set(group.map((l) => l.spec.cellKey)).size;
    const heat = charts.filter((c) => c.kind === 'weights');
    const other = charts.filter((c) => c.kind !== 'weights');
    const figureHtml = (kind: 'other' | 'weights') =>
      figures.filter((_, k) => (charts[k]!.kind === 'weights') === (kind === 'weights')).join('\n');
    parts.push(`<section class="experiment" id="${escapeHtml(id)}" data-experiment="${escapeHtml(experiment)}">
<h2>${escapeHtml(experiment)} <span class="muted">v${version}</span></h2>
${def ? `<p>${escapeHtml(def.description)}</p><p class="muted">${escapeHtml(def.question)}</p>` : ''}
<p class="meta">${group.length} runs in ${nCells} cells${diverged ? `, ${diverged} diverged` : ''}; grid size: ${escapeHtml(sizes)}; training time ${formatNumber(wall)} s (summed over runs). Regenerate: <code>polytoy experiment ${escapeHtml(experiment)}${sizes === 'full' ? ' --size full' : ''}</code>.</p>
<h3>Summary</h3>
${summaryTable(group, pooledBy, successTolerance)}
<details><summary>Per-cell table (${nCells} cells)</summary>${summaryTable(group, cellsBy, successTolerance)}</details>
${stabilityTable(group) ? `<h3>Stability of the construction</h3>${stabilityTable(group)}` : ''}
<h3>Charts</h3>
<div class="charts">${other.length ? figureHtml('other') : '<p class="muted">No charts for these results.</p>'}</div>
${heat.length ? `<h3>Weight matrices of representative runs</h3><div class="charts heatmaps">${figureHtml('weights')}</div>` : ''}
</section>`);
    sections.push({ experiment, version, id, runs: group.length, charts: charts.map((c) => c.kind) });
  }
  const nav = sections
    .map(
      (s) =>
        `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.experiment)} v${s.version}</a> — ${s.runs} runs, ${s.charts.length} charts</li>`,
    )
    .join('');
  const generated = opts.generatedAt === null ? '' : ` Generated ${escapeHtml(opts.generatedAt ?? new Date().toISOString())}.`;
  const sources = opts.sources?.length ? ` From ${opts.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}.` : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${lines.length} runs from ${sections.length} experiment(s).${sources}${generated}</p>
<nav><ul>${nav}</ul></nav>
</header>
${parts.length ? parts.join('\n') : '<p>No results.</p>'}
</body>
</html>
`;
  return { html, sections };
}
