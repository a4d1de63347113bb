/**
 * Terminal and markdown text of the analytic reports (`polytoy analyze`, the README's tables):
 * presentation lives here, the science package returns data.
 */
import type { AnalysisReport, ConstructionRow, LocalAnalysisSummary, StabilityRow } from '@polytoy/analytic';

function fixed(v: number, digits = 6): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-12) return v.toExponential(1);
  return Math.abs(v) >= 1e-3 ? v.toFixed(digits) : v.toExponential(3);
}

/**
 * The table as GitHub markdown (what the README shows).
 *
 * @example
 * console.log(formatConstructionsTable(constructionsTable(8, 1e-2), 1e-2));
 */
export function formatConstructionsTable(rows: ConstructionRow[], lambda: number): string {
  const head =
    `| n | construction | m | hidden | reconstruction | L1 / sample | loss (λ=${lambda}) | reconstruction with the other hidden activation |\n` +
    '|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.n} | ${r.name} | ${r.m} | ${r.hiddenActivation} | ${fixed(r.reconstruction)} | ${fixed(r.l1)} | ${fixed(r.loss)} | ${fixed(r.reconstructionOtherHidden)} |`,
      )
      .join('\n')
  );
}

function num(v: number, d = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(d) : v.toExponential(3);
}

/**
 * A compact terminal page for {@link AnalysisReport}: the constructions' losses, c*, the
 * stability verdict and its evidence.
 *
 * @example
 * formatAnalysisReport(analyzeConstruction({ n: 8, lambda: 0.1 })).split('\n')[0]; // 'polytoy analyze — n = 8, …'
 */
export function formatAnalysisReport(r: AnalysisReport): string {
  const lines: string[] = [];
  lines.push(
    `polytoy analyze — n = ${r.n}, m = ${r.m}, lambda = ${r.lambda}, hidden ${r.hiddenActivation}, tied, activation L1 (exact, ${r.construction.loss.supportSize} support points)`,
  );
  lines.push('');
  lines.push('Constructions                 m   hidden  reconstruction  L1/sample    loss');
  for (const t of r.table) {
    lines.push(
      `  ${t.name.padEnd(27)} ${String(t.m).padStart(3)}   ${t.hiddenActivation.padEnd(6)}  ${num(t.reconstruction).padStart(14)}  ${num(t.l1).padStart(9)}  ${num(t.loss).padStart(9)}`,
    );
  }
  lines.push('');
  const red = r.reduced;
  lines.push(
    `Reduced family (pair weights 1, b = -c): c* = ${num(red.c, 8)}, 1 - 2c* = ${num(red.gap)} (≈ lambda/(2·sqrt(2n)) = ${num(red.gapApprox)}), L(c*) = ${num(red.loss)}`,
  );
  const x = r.relaxed;
  lines.push(
    `Relaxed point (flow inside the symmetric family): w = ${num(x.w)}, eps = ${num(x.eps)} (c = ${num(x.c)}), b = ${num(x.b)}, loss = ${num(x.loss)}`,
  );
  lines.push('');
  const la = (label: string, a: LocalAnalysisSummary) => {
    lines.push(`${label}: ${a.verdict.toUpperCase()}`);
    lines.push(`  ${a.reason}`);
    lines.push(
      `  |grad| = ${num(a.gradientNorm)}; coordinates: ${a.coordinates.smooth} smooth, ${a.coordinates.absKink} at |h| kinks (${a.coordinates.critical} critical), ${a.coordinates.otherKink} other kinks`,
    );
    if (a.hessian) {
      lines.push(
        `  Hessian (dim ${a.hessian.dimension}): eigenvalues ${a.hessian.lowest.map((v) => num(v, 4)).join(', ')}, … ${num(a.hessian.max, 4)}; smooth block [${num(a.hessian.smoothMin, 4)}, ${num(a.hessian.smoothMax, 4)}]`,
      );
    }
    if (a.descent) {
      lines.push(
        `  descent direction (curvature ${num(a.descent.curvature)}): ${a.descent.largest
          .slice(0, 4)
          .map((v) => `${v.name} ${v.value.toFixed(3)}`)
          .join(', ')}; ` + `loss change ${a.descent.lossChange.map((e) => `${num(e.change)} at ${e.step}`).join(', ')}`,
      );
    }
  };
  la('At the construction', r.atConstruction);
  la('At the relaxed point', r.atRelaxed);
  if (r.oppositeRelaxed) {
    const q = r.oppositeRelaxed;
    lines.push(
      `Competitor, opposite-sign pairs relaxed: w = ${num(q.w)}, b = ${num(q.b)}, loss = ${num(q.loss)}: ${q.verdict.toUpperCase()}`,
    );
  }
  if (r.flow) {
    const f = r.flow,
      s = f.structure;
    lines.push('');
    lines.push(
      `Gradient flow from the construction (dt ${f.dt}, t = ${num(f.time, 0)}, start perturbed by ${f.perturbation}, seed ${f.seed}):`,
    );
    lines.push(`  loss ${f.trace.map((q) => num(q.loss, 5)).join(' → ')}`);
    lines.push(
      `  end: loss ${num(f.final.loss)} (reconstruction ${num(f.final.reconstruction)}, L1 ${num(f.final.l1)}), eps ${num(s.eps.mean)}, c ${num(s.c)}, bias ${num(s.bias.mean)}`,
    );
    lines.push(
      `  pairs same/opposite/broken ${s.sameSignPairs}/${s.oppositeSignPairs}/${s.brokenPairs}, off-structure max ${num(s.offStructureMax)}, neurons: ` +
        Object.entries(s.census)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${v} ${k}`)
          .join(', '),
    );
  }
  lines.push('');
  lines.push(`Verdict: ${r.verdict.answer.toUpperCase()} — ${r.verdict.summary}`);
  return lines.join('\n');
}

/**
 * The study as a markdown table.
 *
 * @example
 * console.log(formatStabilityTable(stabilityStudy({ ns: [8], lambdas: [0.1] })));
 */
export function formatStabilityTable(rows: StabilityRow[]): string {
  const head =
    '| n | λ | construction loss | c* (1-param) | relaxed point w, c, b | relaxed loss | relaxed point | curvature | opposite-sign relaxed loss | flow time | flow end loss | end: pairs same/opp/broken | end: neurons | answer |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  const f = (v: number, d = 6) => (Math.abs(v) >= 1e-3 ? v.toFixed(d) : v.toExponential(3));
  return (
    head +
    rows
      .map(({ n, lambda, report: r }) => {
        const fl = r.flow;
        const census = fl
          ? Object.entries(fl.structure.census)
              .filter(([, v]) => v > 0)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')
          : '';
        return (
          `| ${n} | ${lambda} | ${f(r.construction.loss.loss)} | ${f(r.reduced.c)} | ${f(r.relaxed.w)}, ${f(r.relaxed.c)}, ${f(r.relaxed.b)} | ${f(r.relaxed.loss)} | ` +
          `${r.atRelaxed.verdict} | ${r.atRelaxed.descent ? r.atRelaxed.descent.curvature.toExponential(2) : ''} | ` +
          `${r.oppositeRelaxed ? `${f(r.oppositeRelaxed.loss)} (${r.oppositeRelaxed.verdict})` : ''} | ${fl ? fl.time.toFixed(0) : ''} | ${fl ? f(fl.final.loss) : ''} | ` +
          `${fl ? `${fl.structure.sameSignPairs}/${fl.structure.oppositeSignPairs}/${fl.structure.brokenPairs}` : ''} | ${census} | ${r.verdict.answer} |`
        );
      })
      .join('\n')
  );
}
