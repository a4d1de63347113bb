import type { ResultLine } from '@polytoy/experiments';
import { wilsonInterval } from '@polytoy/experiments';
import { MAX_DISTINCT_SERIES } from '@polytoy/viz';
import { describe, expect, it } from 'vitest';
import type { ReportRun } from './adapter.js';
import { toReportRun, toReportRuns } from './adapter.js';
import { collisionData } from './collisions.js';
import { lossCurveData, lossCurvesSpec } from './loss-curves.js';
import { familyRates, phaseDiagramSpec } from './phase-diagram.js';
import { endPoints } from './stability.js';
import { outputChoices } from './untied.js';
import { syntheticResults } from './test-utils/synthetic.js';

const lines = syntheticResults();
const runs = toReportRuns(lines);
const base = runs.find((r) => r.experiment === 'finds-solution' && r.cell.weights === 'tied')!;

/** A run of the base cell with a given family, m, λ and convergence. */
function run(
  id: string,
  family: string,
  m: number,
  lambda: number,
  convergence: ReportRun['convergence'] = 'converged',
): ReportRun {
  return { ...base, id, family, cell: { ...base.cell, m, lambda }, convergence };
}

describe('phase diagram data', () => {
  it('rates per cell with Wilson intervals, every family in every cell, capped runs apart', () => {
    const set = [
      ...Array.from({ length: 6 }, (_, k) => run(`a${k}`, 'disambiguation', 5, 0.01)),
      ...Array.from({ length: 2 }, (_, k) => run(`b${k}`, 'cross-half-inhibition', 5, 0.01)),
      run('c0', 'disambiguation', 5, 0.01, 'capped'),
      run('c1', 'cross-half-inhibition', 5, 0.01, 'capped'),
      run('d0', 'cross-half-inhibition', 6, 0.01),
      run('e0', 'diverged', 5, 0.001, 'diverged'),
    ];
    const rates = familyRates(set);
    const at = (m: number, lambda: string, family: string) =>
      rates.find((r) => r.m === m && r.lambda === lambda && r.family === family)!;
    const w = wilsonInterval(6, 8);
    expect(at(5, 'λ=0.01', 'disambiguation')).toMatchObject({
      count: 6,
      runs: 8,
      capped: 2,
      rate: 0.75,
      lower: w.lower,
      upper: w.upper,
    });
    expect(at(5, 'λ=0.01', 'cross-half-inhibition')).toMatchObject({ count: 2, runs: 8 });
    // A family never found in a cell still gets its rate 0 and the interval's upper bound.
    expect(at(6, 'λ=0.01', 'disambiguation')).toMatchObject({ count: 0, runs: 1, lower: 0, upper: wilsonInterval(0, 1).upper });
    // Never pooled over λ: the λ = 0.001 cell is its own (one diverged run: a finished outcome, counted).
    expect(rates.filter((r) => r.lambda === 'λ=0.001').map((r) => [r.family, r.count, r.runs])).toEqual([
      ['cross-half-inhibition', 0, 1],
      ['disambiguation', 0, 1],
      ['diverged', 1, 1],
    ]);
  });

  it('a cell whose runs were all capped keeps one entry: no rate, its capped count', () => {
    const set = [
      run('a0', 'disambiguation', 5, 0.01),
      run('c0', 'disambiguation', 6, 0.01, 'capped'),
      run('c1', 'cross-half-inhibition', 6, 0.01, 'capped'),
    ];
    const capped = familyRates(set).filter((r) => r.m === 6);
    expect(capped).toHaveLength(1);
    expect(capped[0]).toMatchObject({ family: 'disambiguation', count: 0, runs: 0, capped: 2 });
    expect([capped[0]!.rate, capped[0]!.lower, capped[0]!.upper].every(Number.isNaN)).toBe(true);
    // The figure's data carries it, so the m axis shows the cell and its "2 capped" note.
    const spec = JSON.stringify(phaseDiagramSpec(set));
    expect(spec).toContain('2 capped');
  });

  it('the synthetic results: one row of panels per setting, rates summing to 1 per cell', () => {
    const rates = familyRates(runs);
    expect(rates.length).toBeGreaterThan(0);
    const cells = new Map<string, number>();
    for (const r of rates) cells.set(`${r.row}|${r.lambda}|${r.m}`, (cells.get(`${r.row}|${r.lambda}|${r.m}`) ?? 0) + r.rate);
    for (const total of cells.values()) expect(total).toBeCloseTo(1, 12);
  });
});

describe('stability end points', () => {
  it('a point per finished construction start, the prediction and the start per cell; lost ±eps neurons at c = 0', () => {
    const points = endPoints(runs);
    const starts = runs.filter((r) => r.start.kind === 'construction');
    expect(points.filter((p) => p.kind === 'run')).toHaveLength(starts.length);
    const predicted = points.filter((p) => p.kind === 'predicted');
    expect(predicted.length).toBeGreaterThan(0);
    for (const p of predicted) expect(starts.some((r) => r.predictedC === p.c)).toBe(true);
    const lost = endPoints([{ ...starts[0]!, c: null }]).find((p) => p.kind === 'run')!;
    expect([lost.c, lost.hasEps]).toEqual([0, false]);
  });
});

describe('untied output choice', () => {
  it('counts runs by how many outputs are disambiguated', () => {
    const u = runs.find((r) => r.cell.weights === 'untied' && r.outputs)!;
    const make = (id: string, codes: string): ReportRun => ({
      ...u,
      id,
      outputs: { codes, disambiguated: [...codes].filter((c) => c === 'd').length, inhibited: 0, dead: 0 },
    });
    const n = u.cell.n;
    const choices = outputChoices([make('x', 'd'.repeat(n)), make('y', 'd'.repeat(n)), make('z', 'i'.repeat(n))]);
    expect(choices).toHaveLength(n + 1);
    expect(choices.find((c) => c.k === n)).toMatchObject({ runs: 2, of: 3 });
    expect(choices.find((c) => c.k === 0)).toMatchObject({ runs: 1, of: 3 });
    expect(choices.filter((c) => c.k > 0 && c.k < n).every((c) => c.runs === 0)).toBe(true);
  });
});

describe('loss curves', () => {
  it('are the per-step median over the seeds of a cell', () => {
    const finds = runs.filter((r) => r.experiment === 'finds-solution');
    const cell = finds.filter((r) => JSON.stringify(r.cell) === JSON.stringify(finds[0]!.cell));
    expect(cell).toHaveLength(2);
    const step0 = cell.map((r) => r.history.loss[0]!);
    const data = lossCurveData(finds);
    expect(data.some((d) => d.step === 0 && Math.abs(d.loss - (step0[0]! + step0[1]!) / 2) < 1e-12)).toBe(true);
  });

  it('give every series its own (colour, dash) and sort them numerically (m=4 before m=10)', () => {
    const many = Array.from({ length: 14 }, (_, k) => ({
      ...base,
      id: `s${k}`,
      cell: { ...base.cell, m: 4 + (k % 7), lambda: k < 7 ? 0.001 : 0.01 },
    }));
    const spec = lossCurvesSpec(many) as unknown as {
      encoding: { color: { scale: { domain: string[]; range: string[] } }; strokeDash: { scale: { range: number[][] } } };
    };
    const { domain, range } = spec.encoding.color.scale;
    expect(domain.slice(0, 3)).toEqual(['m=4 λ=0.001', 'm=4 λ=0.01', 'm=5 λ=0.001']);
    expect(domain.indexOf('m=10 λ=0.001')).toBeGreaterThan(domain.indexOf('m=9 λ=0.01'));
    const styles = domain.map((_, k) => `${range[k]}|${spec.encoding.strokeDash.scale.range[k]!.join(',')}`);
    expect(new Set(styles).size).toBe(14);
    expect(14).toBeLessThanOrEqual(MAX_DISTINCT_SERIES);
  });
});

describe('collision data', () => {
  it('per-(n, m) mean and std, the n²/(4m) curve, zero counts set aside', () => {
    const line = lines.find((l) => l.experiment === 'collisions')!;
    const mk = (m: number, count: number): ReportRun =>
      toReportRun({
        ...line,
        runId: `${m}-${count}`,
        spec: { ...line.spec, cell: { ...line.spec.cell, n: 16, m } },
        analysis: { ...line.analysis!, polysemanticCount: count },
      } as ResultLine);
    const d = collisionData([mk(16, 2), mk(16, 4), mk(16, 0), mk(32, 1)]);
    const m16 = d.means.find((r) => r.m === 16)!;
    expect(m16.mean).toBe(2);
    expect(m16.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(m16.expected).toBe(4);
    expect(d.zeros).toBe(1);
    expect(d.runs).toHaveLength(3);
    for (const p of d.curve) expect(p.expected).toBeCloseTo(256 / (4 * p.m), 12);
  });
});
