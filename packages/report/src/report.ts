/**
 * One self-contained HTML report from experiment result lines. It opens with the answers — one
 * figure per seed question (SPEC §3): the phase diagram of the families found from random init
 * (Q1/Q3), the end points of runs started at the construction against the analytic prediction
 * (Q2), and the untied per-output choice (Q4) — then the details per experiment: loss curves,
 * the paper's count, a gallery of representative runs per family (W beside WᵀW), and the tables.
 *
 * Charts are interactive (hover for exact values) and work offline: Vega and vega-embed are
 * inlined, and a Content-Security-Policy allows exactly those scripts by hash. Every string from
 * the results is escaped.
 */
import type { ResultLine } from '@polytoy/experiments';
import { EXPERIMENTS } from '@polytoy/experiments';
import { compareNatural, SIGN_CONVENTION, sortNatural } from '@polytoy/viz';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from './adapter.js';
import { toReportRuns } from './adapter.js';
import { collisionData, collisionRuns, collisionsSpec } from './collisions.js';
import { contentSecurityPolicy, reportScripts } from './embed.js';
import { familyKey } from './families.js';
import { gallery } from './gallery.js';
import { escapeHtml, figure, formatNumber, STYLE } from './html.js';
import { lossCurvesSpec } from './loss-curves.js';
import { familyRates, phaseRuns, phaseDiagramSpec } from './phase-diagram.js';
import { endPoints, stabilitySpec } from './stability.js';
import { cellTable, collisionsTable, stabilityTable } from './tables.js';
import { outputChoices, outputChoiceSpec, shiftHistogramSpec, untiedRuns } from './untied.js';
import { compileVegaLite } from './vega.js';

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** Page title (default "polytoy experiment report"). */
  title?: string;
  /** Shown in the header; default: now. Pass `null` to leave it out (reproducible output). */
  generatedAt?: string | null;
  /** Result files the lines came from, listed in the header. */
  sources?: readonly string[];
  /** Gallery heat maps per experiment (default 8). */
  maxHeatmaps?: number;
  /** Reconstruction per sample counted as reaching zero loss (default 0.05). */
  successTolerance?: number;
}

/** What one experiment section contains (for tests and for the CLI's summary line). */
export interface SectionInfo {
  experiment: string;
  /** The experiment version (text, as the results file has it). */
  version: string;
  id: string;
  runs: number;
  charts: string[];
}

/** A chart to draw: kind, Vega-Lite spec and caption. */
interface Chart {
  kind: string;
  spec: TopLevelSpec;
  caption: string;
}

/** Page-wide chart ids (`chart-1`, `chart-2`, …). */
class Figures {
  private next = 0;
  render(c: Chart): string {
    this.next += 1;
    return figure(`chart-${this.next}`, compileVegaLite(c.spec), c.caption, c.kind);
  }
}

function slug(text: string): string {
  const s = text.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'x';
}

/** Convergence counts of a set of runs, as a sentence, plus a warning when unrecorded. */
function convergenceText(runs: readonly ReportRun[]): { meta: string; warning: string } {
  const count = (c: ReportRun['convergence']) => runs.filter((r) => r.convergence === c).length;
  const parts = [
    count('converged') ? `${count('converged')} converged` : '',
    count('capped') ? `${count('capped')} capped at the step limit (shown apart, not counted in rates)` : '',
    count('diverged') ? `${count('diverged')} diverged` : '',
    count('unrecorded') ? `${count('unrecorded')} without convergence status` : '',
  ].filter(Boolean);
  const warning =
    count('unrecorded') > 0
      ? `${count('unrecorded')} of these runs come from a result format without convergence status: rates include them, and they may describe a transient rather than where training ends.`
      : '';
  return { meta: parts.join(', '), warning };
}

function keyList(names: readonly string[]): string {
  if (names.length === 0) return '';
  const items = familyKey(names).map(([n, d]) => `<dt>${escapeHtml(n)}</dt><dd>${escapeHtml(d)}</dd>`);
  return `<dl class="key">${items.join('')}</dl>`;
}

interface Answer {
  id: string;
  question: string;
  chart: Chart;
  families: string[];
}

function answers(runs: readonly ReportRun[]): Answer[] {
  const out: Answer[] = [];
  const rates = familyRates(runs);
  if (rates.length > 0) {
    const experiments = sortNatural(phaseRuns(runs).map((r) => r.experiment));
    out.push({
      id: 'answer-q1',
      question:
        'Q1 and Q3 (SPEC §3.1, §3.3): from random init, does training find the disambiguation solution, opposite-sign pairs, a mixture, or something else — and how often, as a function of m and λ?',
      families: sortNatural(rates.map((r) => r.family)),
      chart: {
        kind: 'phase-diagram',
        spec: phaseDiagramSpec(runs),
        caption: `Each point is the fraction of a cell's runs (seeds) that end in a family; bars: 95% Wilson intervals; every family is shown in every cell (0 when never found, with its upper bound). Random starts on half-split data from ${experiments.join(', ')}. Hover a point for the counts.`,
      },
    });
  }
  const ends = endPoints(runs);
  if (ends.some((p) => p.kind === 'run')) {
    out.push({
      id: 'answer-q2',
      question: 'Q2 (SPEC §3.2): is the construction stable under the L1 pressure, and where does training started at it go?',
      families: sortNatural(ends.filter((p) => p.kind === 'run').map((p) => p.family)),
      chart: {
        kind: 'stability',
        spec: stabilitySpec(runs),
        caption:
          'Runs started at the seed’s construction with strength c (bias −c) and Gaussian perturbation δ; each point is one run’s fitted c after training (its ±eps neuron), coloured by the family it ends in; a cross (+) at 0: no neuron-aligned ±eps neuron is left (the mechanism may survive rotated: see the colour). Hover for seed, c and loss.',
      },
    });
  }
  if (outputChoices(runs).length > 0) {
    out.push({
      id: 'answer-q4',
      question: 'Q4 (SPEC §3.4): with untied weights, does each output individually choose to use the disambiguation mechanism?',
      families: [],
      chart: {
        kind: 'untied-choice',
        spec: outputChoiceSpec(runs),
        caption: `Untied weights (unit-norm decoder columns, or none with a weight penalty where the setting says untied-free), ${untiedRuns(runs).length} runs. For each run, how many of its n outputs are disambiguated (basis-free: from D E and b); the rest are inhibited or dead (hover for the pooled counts).`,
      },
    });
  }
  return out;
}

function detailCharts(runs: readonly ReportRun[]): Chart[] {
  const charts: Chart[] = [];
  if (runs.some((r) => r.history.step.length > 1)) {
    charts.push({
      kind: 'loss-curves',
      spec: lossCurvesSpec(runs),
      caption:
        'Median over seeds of the logged training loss (reconstruction + λ·L1), log scale; one line per cell, each with its own colour and dash.',
    });
  }
  if (collisionRuns(runs).length > 0) {
    const zeros = collisionData(runs).zeros;
    charts.push({
      kind: 'collisions',
      spec: collisionsSpec(runs),
      caption: `Polysemantic neurons (more than one |w| in [0.8, 1.2]) per instance (small points) and mean per m (large points) against the paper's n²/(4m) (dashed).${zeros ? ` ${zeros} instance(s) with count 0 are not drawn on the log axis.` : ''}`,
    });
  }
  if (runs.some((r) => r.readsEps && r.readsEps.shift.length > 0)) {
    charts.push({
      kind: 'untied-shift',
      spec: shiftHistogramSpec(runs),
      caption:
        'Neuron-level view of the untied runs: per output, the net shift its decoder takes from the neuron-aligned ±eps neurons (c for the construction, 0 when an output ignores them).',
    });
  }
  return charts;
}

/**
 * Renders the HTML report.
 *
 * @param results - result lines (any experiments; duplicate run ids count once, the last wins).
 * @param opts - title, timestamp, sources, gallery size, reconstruction tolerance.
 * @returns the complete HTML document (inline CSS, inlined Vega, no network).
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
): Promise<{ html: string; sections: SectionInfo[]; answers: string[] }> {
  const title = opts.title ?? 'polytoy experiment report';
  const maxHeatmaps = opts.maxHeatmaps ?? 8;
  const tolerance = opts.successTolerance ?? 0.05;
  const runs = toReportRuns(results);
  const figures = new Figures();

  const answerList = answers(runs);
  const answerHtml = answerList
    .map(
      (a) => `<section class="answer" id="${a.id}">
<h3>${escapeHtml(a.question)}</h3>
${figures.render(a.chart)}
${keyList(a.families)}
</section>`,
    )
    .join('\n');

  const groups = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const key = `${r.experiment}\u0000${r.version}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const order = Object.keys(EXPERIMENTS);
  const rank = (e: string) => (order.includes(e) ? order.indexOf(e) : order.length);
  const keys = [...groups.keys()].sort((a, b) => {
    const [ea, va] = a.split('\u0000') as [string, string];
    const [eb, vb] = b.split('\u0000') as [string, string];
    return rank(ea) - rank(eb) || compareNatural(ea, eb) || compareNatural(va, vb);
  });
  const sections: SectionInfo[] = [];
  const parts: string[] = [];
  const usedIds = new Set<string>();
  for (const key of keys) {
    const group = groups.get(key)!;
    const { experiment, version } = group[0]!;
    const versions = new Set(runs.filter((r) => r.experiment === experiment).map((r) => r.version)).size;
    let id = `experiment-${slug(experiment)}${versions > 1 ? `-v${slug(version)}` : ''}`;
    while (usedIds.has(id)) id += '-x';
    usedIds.add(id);
    const def = Object.hasOwn(EXPERIMENTS, experiment) ? EXPERIMENTS[experiment] : undefined;
    const charts = detailCharts(group);
    const items = gallery(group, maxHeatmaps);
    const chartHtml = charts.map((c) => figures.render(c)).join('\n');
    const galleryHtml = items.map((g) => figures.render({ kind: 'weights', spec: g.spec, caption: g.caption })).join('\n');
    const cells = new Set(group.map((r) => JSON.stringify(r.cell))).size;
    const wall = group.reduce((a, r) => a + r.wallSeconds, 0);
    const conv = convergenceText(group);
    const stability = stabilityTable(group);
    const collisions = collisionsTable(group);
    parts.push(`<section class="experiment" id="${escapeHtml(id)}" data-experiment="${escapeHtml(experiment)}">
<h2>${escapeHtml(experiment)} <span class="muted">v${escapeHtml(version)}</span></h2>
${def ? `<p>${escapeHtml(def.description)}</p><p class="muted">${escapeHtml(def.question)}</p>` : ''}
<p class="meta">${group.length} runs in ${cells} cells: ${escapeHtml(conv.meta)}; training time ${formatNumber(wall)} s (summed over runs). Regenerate: <code>polytoy experiment ${escapeHtml(experiment)}</code>.</p>
${conv.warning ? `<p class="warning">${escapeHtml(conv.warning)}</p>` : ''}
${chartHtml}
${items.length ? `<h3>Representative runs per family</h3><p class="muted">Per family and architecture the run nearest to it; W (or encoder E and decoder Dᵀ) with the output bias b under it, and the input→output map ${group.some((r) => r.cell.weights === 'untied') ? 'WᵀW / D E' : 'WᵀW'} beside it. Rows: neurons, ±eps neurons first (◆), the others at their strongest feature; ${escapeHtml(SIGN_CONVENTION)}.</p><div class="gallery">${galleryHtml}</div>` : ''}
<details><summary>Per-cell table (${cells} cells)</summary>${cellTable(group, tolerance)}</details>
${stability ? `<details><summary>Construction starts against the analysis</summary>${stability}</details>` : ''}
${collisions ? `<details><summary>Polysemantic count against n²/(4m)</summary>${collisions}</details>` : ''}
</section>`);
    sections.push({
      experiment,
      version,
      id,
      runs: group.length,
      charts: [...charts.map((c) => c.kind), ...items.map(() => 'weights')],
    });
  }

  const nav = [
    ...answerList.map((a) => `<li><a href="#${a.id}">${escapeHtml(a.question.split(':')[0]!)}</a></li>`),
    ...sections.map(
      (s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.experiment)} v${escapeHtml(s.version)}</a> — ${s.runs} runs</li>`,
    ),
  ].join('');
  const generated = opts.generatedAt === null ? '' : ` Generated ${escapeHtml(opts.generatedAt ?? new Date().toISOString())}.`;
  const sources = opts.sources?.length ? ` From ${opts.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}.` : '';
  const scripts = reportScripts();
  const overall = convergenceText(runs);
  const body = runs.length
    ? `${answerList.length ? `<section id="answers"><h2>Answers</h2>${overall.warning ? `<p class="warning">${escapeHtml(overall.warning)}</p>` : ''}${answerHtml}</section>` : ''}
<h2 id="details">Details per experiment</h2>
${parts.join('\n')}`
    : '<p>No results.</p>';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(scripts))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${runs.length} runs from ${sections.length} experiment(s).${sources}${generated}</p>
<nav><ul>${nav}</ul></nav>
</header>
<main>
${body}
</main>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
  return { html, sections, answers: answerList.map((a) => a.chart.kind) };
}
