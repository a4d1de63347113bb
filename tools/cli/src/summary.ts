/**
 * The end-of-training analysis and its one-screen summary. The analysis is the metrics pipeline
 * (`analyseModel`, the one the experiments and the playground use); this file only chooses
 * what to print, by data kind: half-split data gets the taxonomy (solution family, distance,
 * per-output mechanisms, ±eps neuron, population loss: exact or Monte Carlo ± SE); sparse-uniform (TMS-style) data gets WᵀW,
 * feature norms and feature dimensionality (Elhage et al.); basis data gets the paper's
 * polysemantic count against n²/(4m).
 */
import type { TrainConfig, TrainResult } from '@polytoy/core';
import type { AnalysisSummary } from '@polytoy/metrics';
import { analyseModel, OUTPUT_CODES, OUTPUT_MECHANISMS, summariseAnalysis, superpositionView } from '@polytoy/metrics';

/** What each per-output code means, from the taxonomy's one vocabulary (a few words on the non-obvious ones). */
const OUTPUT_GLOSS: Partial<Record<(typeof OUTPUT_MECHANISMS)[number], string>> = {
  'same-sign': 'reads its partner, disambiguated',
  distributed: 'exact, inhibited by several features',
  other: 'inexact',
};
const OUTPUT_LEGEND = OUTPUT_MECHANISMS.map(
  (k) => `${OUTPUT_CODES[k]} ${k}${OUTPUT_GLOSS[k] ? ` (${OUTPUT_GLOSS[k]})` : ''}`,
).join(', ');

export interface InstanceSummary {
  instance: number;
  seed: number;
  lambda: number;
  lr: number;
  /** `converged` (at `step`) or `capped` (trained to the step cap). */
  status: 'converged' | 'capped';
  step: number;
  finalLoss: number;
  reconstruction: number;
  l1: number;
  /**
   * Population loss (half-split data): exact by enumerating the support (n <= 32), or a seeded
   * Monte-Carlo estimate with its standard errors (n > 32; `method` says which).
   */
  exact: {
    loss: number;
    reconstruction: number;
    l1: number;
    method: 'exact' | 'monte-carlo';
    standardError: { loss: number; reconstruction: number };
  } | null;
  /** The taxonomy's label with its per-output counts (half-split data), else null. */
  label: string | null;
  /** One or more sentences: what was found (or the view's headline for other data). */
  reason: string;
  /** The pipeline's compact analysis (what `--out` stores and `--json` prints). */
  analysis: AnalysisSummary;
}

export interface RunSummary {
  instances: InstanceSummary[];
}

/**
 * Summarises every instance of a finished run through the metrics pipeline (`analyseModel`;
 * the experiments' `analyseRun` reads the same pipeline for result lines).
 *
 * @example
 * summariseRun(result).instances[0]!.label; // e.g. 'mixture (12 same-sign, 4 opposite-sign)'
 */
export function summariseRun(result: TrainResult): RunSummary {
  const { config } = result;
  return {
    instances: result.instances.map((r) => {
      const analysis = summariseAnalysis(analyseModel(r.params, { data: config.data, model: config.model, lambda: r.lambda }));
      const e = analysis.exactLoss;
      return {
        instance: r.instance,
        seed: r.seed,
        lambda: r.lambda,
        lr: r.lr,
        status: r.status,
        step: r.step,
        finalLoss: r.finalLoss.loss,
        reconstruction: r.finalLoss.reconstruction,
        l1: r.finalLoss.l1,
        exact: e
          ? { loss: e.loss, reconstruction: e.reconstruction, l1: e.l1, method: e.method, standardError: e.standardError }
          : null,
        label: analysis.taxonomy?.name ?? null,
        reason: reasonOf(config, analysis),
        analysis,
      };
    }),
  };
}

const fmt = (v: number | null | undefined, digits = 4) =>
  v == null || Number.isNaN(v) ? '—' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toPrecision(digits);

function reasonOf(config: TrainConfig, a: AnalysisSummary): string {
  if (a.taxonomy) return a.taxonomy.description;
  if (a.superposition) {
    const s = a.superposition;
    return `${s.represented} of ${config.model.n} features represented (‖W_i‖ >= 1/2) in m = ${config.model.m} dimensions; ${fmt(s.dimensionsPerFeature, 3)} dimensions per feature (m / ‖W‖²).`;
  }
  const expected = a.paper.expected;
  return `${a.paper.polysemantic} polysemantic neurons (more than one |w| in [0.8, 1.2])${expected !== null ? `; the paper's n²/(4m) = ${fmt(expected, 3)}` : ''}.`;
}

/** `0.005414 (exact)` or `0.01600 ± 3.2e-6 (Monte Carlo)`: the method is always printed with the value. */
function populationLoss(e: InstanceSummary['exact']): string {
  if (!e) return 'n/a';
  return e.method === 'exact' ? `${fmt(e.loss)} (exact)` : `${fmt(e.loss)} ± ${fmt(e.standardError.loss, 2)} (Monte Carlo)`;
}

interface Column {
  header: string;
  cell: (s: InstanceSummary) => string;
}

function columns(config: TrainConfig): Column[] {
  const base: Column[] = [
    { header: 'inst', cell: (s) => String(s.instance) },
    { header: 'status', cell: (s) => `${s.status} ${s.step}` },
    { header: 'seed', cell: (s) => String(s.seed) },
    { header: 'lambda', cell: (s) => fmt(s.lambda, 2) },
    { header: 'lr', cell: (s) => fmt(s.lr, 2) },
    { header: 'final loss', cell: (s) => fmt(s.finalLoss) },
    { header: 'recon', cell: (s) => fmt(s.reconstruction) },
  ];
  if (config.data.kind === 'half-split') {
    return [
      ...base,
      { header: 'population loss', cell: (s) => populationLoss(s.exact) },
      { header: 'solution', cell: (s) => s.label ?? 'n/a' },
      { header: 'distance', cell: (s) => fmt(s.analysis.taxonomy?.distance, 3) },
      { header: 'outputs', cell: (s) => s.analysis.taxonomy?.outputs.codes ?? '' },
      {
        header: '±eps neuron (c, b + c)',
        cell: (s) => {
          const eps = s.analysis.taxonomy?.eps.neurons ?? [];
          return eps.length === 0
            ? 'no'
            : eps.map((e) => `${e.neuron} (${fmt(e.c, 3)}, ${fmt(e.biasPlusC, 2)}) ${e.role}`).join('; ');
        },
      },
      { header: 'polysem.', cell: (s) => String(s.analysis.paper.polysemantic) },
    ];
  }
  if (config.data.kind === 'sparse-uniform') {
    return [
      ...base,
      { header: 'represented', cell: (s) => String(s.analysis.superposition?.represented ?? '—') },
      { header: 'dims/feature', cell: (s) => fmt(s.analysis.superposition?.dimensionsPerFeature, 3) },
      {
        header: 'D_i (min…max)',
        cell: (s) => {
          const d = s.analysis.superposition?.dimensionality ?? [];
          return d.length ? `${fmt(Math.min(...d), 2)}…${fmt(Math.max(...d), 2)}` : '—';
        },
      },
    ];
  }
  return [
    ...base,
    { header: 'polysemantic', cell: (s) => String(s.analysis.paper.polysemantic) },
    { header: 'n²/(4m)', cell: (s) => fmt(s.analysis.paper.expected, 3) },
  ];
}

/** WᵀW (untied D·E), feature norms and dimensionality of one sparse-uniform instance, as text rows. */
function superpositionLines(result: TrainResult, k: number): string[] {
  const v = superpositionView(result.instances[k]!.params);
  const out = [
    `  feature norms ‖W_i‖: ${v.featureNorms.map((x) => fmt(x, 2)).join(' ')}`,
    `  feature dimensionality D_i: ${v.dimensionality.map((x) => fmt(x, 2)).join(' ')}`,
  ];
  if (v.n <= 16) {
    out.push(`  WᵀW${result.instances[k]!.params.kind === 'untied' ? ' (D·E)' : ''}:`);
    for (let i = 0; i < v.n; i++) {
      out.push(`    ${Array.from(v.gram.subarray(i * v.n, (i + 1) * v.n), (x) => (x >= 0 ? ' ' : '') + x.toFixed(2)).join(' ')}`);
    }
  }
  return out;
}

/** A compact terminal page; many instances become one table row each. */
export function formatSummary(result: TrainResult, summary: RunSummary): string {
  const c = result.config;
  const lines: string[] = [];
  lines.push('');
  const until = c.convergence.kind === 'plateau' ? ` (until converged, cap ${c.steps})` : '';
  lines.push(
    `polytoy train — ${c.data.kind} n=${c.model.n}, m=${c.model.m}, ${c.model.weights.kind}, hidden ${c.model.hiddenActivation}, ` +
      `${result.stepsRun} steps${until} in ${result.wallSeconds.toFixed(1)} s (${result.runtime.backend}${result.runtime.simd ? '+SIMD' : ''})`,
  );
  lines.push('');
  const diverged = result.diverged.map((d) => `  ${d.message}`);
  if (summary.instances.length === 0) {
    lines.push('  every instance diverged:', ...diverged, '');
    return lines.join('\n');
  }
  const cols = columns(c);
  const rows = summary.instances.map((s) => cols.map((col) => col.cell(s)));
  const widths = cols.map((col, i) => Math.max(col.header.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(line(cols.map((col) => col.header)));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(0, 20)) lines.push(line(r));
  if (rows.length > 20) lines.push(`… ${rows.length - 20} more instances (see --out)`);
  if (c.data.kind === 'half-split') {
    lines.push('');
    lines.push(`  outputs: ${OUTPUT_LEGEND}`);
    const mc = summary.instances.find((s) => s.exact?.method === 'monte-carlo');
    lines.push(
      mc
        ? `  population loss: a seeded Monte-Carlo estimate ± its standard error (n > 32: ${mc.analysis.exactLoss?.samples ?? '?'} samples; not exact)`
        : '  population loss: exact (enumerated data support)',
    );
  }
  if (summary.instances.length === 1) {
    lines.push('');
    lines.push(`  ${summary.instances[0]!.reason}`);
    if (c.data.kind === 'sparse-uniform') lines.push(...superpositionLines(result, 0));
  } else if (c.data.kind === 'half-split') {
    const counts = new Map<string, number>();
    for (const s of summary.instances) counts.set(s.label ?? 'n/a', (counts.get(s.label ?? 'n/a') ?? 0) + 1);
    lines.push('');
    lines.push(`  solutions: ${[...counts].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }
  if (diverged.length > 0) lines.push('', `  ${diverged.length} diverged (not in the table):`, ...diverged);
  lines.push('');
  return lines.join('\n');
}
