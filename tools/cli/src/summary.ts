/**
 * The end-of-training analysis and its one-screen summary: per instance the final loss, the
 * exact population loss (half-split data, n <= 32), the solution found, whether a
 * disambiguation neuron exists, and the paper's polysemantic-neuron count.
 */
import type { TrainConfig, TrainResult } from '@polytoy/core';
import { exactPopulationLoss } from '@polytoy/analytic';
import { analyzeModel } from '@polytoy/metrics';

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
  /** Exact population loss by enumerating the data support (half-split data, n <= 32). */
  exact: { loss: number; reconstruction: number; l1: number } | null;
  /** Per-neuron label (reads the weights; a rotated solution reads as 'other'). */
  label: string;
  /** Rotation-independent label from WᵀW and b (linear hidden layer only), else null. */
  functionLabel: string | null;
  reason: string;
  disambiguationNeurons: number;
  c: number | null;
  sameSignPairs: number;
  oppositeSignPairs: number;
  polysemanticCount: number;
  nearestConstruction: string | null;
}

export interface RunSummary {
  instances: InstanceSummary[];
}

function exactFor(config: TrainConfig, r: TrainResult['instances'][number]): InstanceSummary['exact'] {
  if (config.data.kind !== 'half-split' || config.model.n > 32) return null;
  const e = exactPopulationLoss(r.params, {
    hiddenActivation: config.model.hiddenActivation,
    outputActivation: config.model.outputActivation,
    lambda: r.lambda,
    l1Target: config.model.l1.target,
  });
  return { loss: e.loss, reconstruction: e.reconstruction, l1: e.l1 };
}

/** Analyses every instance of a finished run. */
export function analyseRun(result: TrainResult): RunSummary {
  const { config } = result;
  return {
    instances: result.instances.map((r) => {
      const metrics = analyzeModel(r.params, {
        hiddenActivation: config.model.hiddenActivation,
        // Hungarian distances cost O(m^3) per family; skip them for big models in the summary.
        distances: config.model.n <= 64,
      });
      const ev = metrics.classification.evidence;
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
        exact: exactFor(config, r),
        label: metrics.classification.label,
        functionLabel: metrics.functional?.label ?? null,
        reason:
          metrics.functional && metrics.classification.label === 'other'
            ? `${metrics.classification.reason} Function: ${metrics.functional.reason}`
            : metrics.classification.reason,
        disambiguationNeurons: ev.disambiguationNeurons.length,
        c: ev.c,
        sameSignPairs: ev.sameSignPairs,
        oppositeSignPairs: ev.oppositeSignPairs,
        polysemanticCount: metrics.paper.polysemantic,
        nearestConstruction: metrics.distances?.nearest ?? null,
      };
    }),
  };
}

const fmt = (v: number | null | undefined, digits = 4) =>
  v == null ? '—' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toPrecision(digits);

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
  const header = [
    'inst',
    'status',
    'seed',
    'lambda',
    'lr',
    'final loss',
    'recon',
    'exact loss',
    'neurons',
    'function',
    'disamb.',
    'c',
    'same/opp pairs',
    'polysem.',
  ];
  const rows = summary.instances.map((s) => [
    String(s.instance),
    `${s.status} ${s.step}`,
    String(s.seed),
    fmt(s.lambda, 2),
    fmt(s.lr, 2),
    fmt(s.finalLoss),
    fmt(s.reconstruction),
    s.exact ? fmt(s.exact.loss) : 'n/a',
    s.label,
    s.functionLabel ?? 'n/a',
    s.disambiguationNeurons > 0 ? `yes (${s.disambiguationNeurons})` : 'no',
    fmt(s.c, 3),
    `${s.sameSignPairs}/${s.oppositeSignPairs}`,
    String(s.polysemanticCount),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(line(header));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(0, 20)) lines.push(line(r));
  if (rows.length > 20) lines.push(`… ${rows.length - 20} more instances (see --out)`);
  if (summary.instances.length === 1) {
    lines.push('');
    lines.push(`  ${summary.instances[0]!.reason}`);
  } else {
    const counts = new Map<string, number>();
    for (const s of summary.instances) {
      const key = s.functionLabel && s.functionLabel !== s.label ? `${s.label} (function: ${s.functionLabel})` : s.label;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    lines.push('');
    lines.push(`  solutions: ${[...counts].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }
  if (diverged.length > 0) lines.push('', `  ${diverged.length} diverged (not in the table):`, ...diverged);
  lines.push('');
  return lines.join('\n');
}
