import type { AnyParams } from '@polytoy/analytic';
import {
  mixedConstructionF64,
  oppositeSignConstructionF64,
  rotatedConstructionF64,
  sameSignConstructionF64,
} from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import type { TaxonomySummary } from '@polytoy/metrics';
import { analyseModel, summariseAnalysis } from '@polytoy/metrics';
import { describe, expect, it } from 'vitest';
import type { CellCoordinates } from './definition.js';
import type { ResultLine } from './result.js';
import { RESULT_FORMAT } from './result.js';
import { shareInterval, wilsonInterval } from './stats.js';
import { dedupeResults, isAmbiguous, labelsOf, nameOf, summarise, taxonomyOf, withinAmbiguity } from './summary.js';
import { summaryTables } from './summary-table.js';

const taxonomy = (p: AnyParams): TaxonomySummary =>
  summariseAnalysis(analyseModel(p, resolveTrainConfig({ data: { n: p.n }, model: { m: p.m } }))).taxonomy!;

let counter = 0;
function line(
  cell: Partial<CellCoordinates>,
  o: {
    label?: string | null;
    recon?: number;
    exact?: number | null;
    /** Monte-Carlo standard error of the reconstruction: `exact` is then an estimate. */
    se?: number;
    c?: number | null;
    diverged?: boolean;
    status?: 'converged' | 'capped';
    poly?: number;
    runId?: string;
    taxonomy?: TaxonomySummary;
  },
): ResultLine {
  const full: CellCoordinates = {
    n: 8,
    m: 5,
    hiddenActivation: 'none',
    weights: 'tied',
    optimizer: 'adam',
    start: 'random',
    lambda: 1e-3,
    lr: 1e-2,
    ...cell,
  };
  const diverged = o.diverged ?? false;
  return {
    format: RESULT_FORMAT,
    experiment: 'e',
    version: 1,
    runId: o.runId ?? `r${counter++}`,
    spec: { cell: full, cellKey: JSON.stringify(full) } as ResultLine['spec'],
    status: diverged ? 'diverged' : (o.status ?? 'converged'),
    step: diverged ? 3 : 1000,
    divergence: diverged ? { reason: 'blow-up', message: 'instance 0 diverged at step 3: …' } : null,
    finalLoss: diverged ? null : (o.recon ?? 0) + 0.01,
    reconstruction: diverged ? null : (o.recon ?? 0),
    l1: diverged ? null : 1,
    exactLoss:
      o.exact == null
        ? null
        : o.se === undefined
          ? {
              loss: o.exact + 0.01,
              reconstruction: o.exact,
              l1: 1,
              method: 'exact',
              standardError: { loss: 0, reconstruction: 0 },
            }
          : {
              loss: o.exact + 0.01,
              reconstruction: o.exact,
              l1: 1,
              method: 'monte-carlo',
              standardError: { loss: o.se, reconstruction: o.se },
              samples: 4096,
            },
    classification: diverged ? null : o.taxonomy ? o.taxonomy.label : o.label === undefined ? 'opposite-sign' : o.label,
    evidence: null,
    analysis: diverged
      ? null
      : {
          c: o.c ?? null,
          biasMean: 0,
          polysemanticCount: o.poly ?? 0,
          expectedPolysemanticCount: null,
          disambiguationUse: null,
          ...(o.taxonomy ? { taxonomy: o.taxonomy } : {}),
        },
    params: null,
    history: { step: [], loss: [], reconstruction: [], l1: [] },
    wallSeconds: 2,
    groupSize: 1,
    runtime: null,
    createdAt: '',
  };
}

describe('summarise', () => {
  const lines = [
    line({ m: 5 }, { label: 'same-sign+disambiguation', recon: 0, exact: 0.001, c: 0.5 }),
    line({ m: 5 }, { label: 'same-sign+disambiguation', recon: 0.2, exact: 0.01, c: 0.7 }), // exact wins: success
    line({ m: 5 }, { label: 'opposite-sign', recon: 0.01, exact: 0.3 }), // exact wins: failure
    line({ m: 5 }, { diverged: true }),
    line({ m: 4 }, { label: null, recon: 0.04 }),
    line({ m: 4, lambda: 1e-2 }, { label: 'opposite-sign', recon: 0.5, poly: 3 }),
  ];

  it('counts labels per cell, treats diverged runs as failures, prefers the exact reconstruction', () => {
    const s = summarise(lines);
    expect(s.map((c) => [c.coordinates.m, c.coordinates.lambda, c.runs])).toEqual([
      [4, 1e-3, 1],
      [4, 1e-2, 1],
      [5, 1e-3, 4],
    ]);
    const m5 = s[2]!;
    expect(m5.status).toEqual({ converged: 3, capped: 0, diverged: 1 });
    expect(m5.labels).toEqual({ 'same-sign+disambiguation': 2, 'opposite-sign': 1, diverged: 1 });
    expect(m5.successRate).toBe(2 / 4);
    expect(m5.reconstruction!.mean).toBeCloseTo((0.001 + 0.01 + 0.3) / 3, 12);
    expect(m5.reconstruction!.count).toBe(3);
    expect(m5.c).toMatchObject({ mean: 0.6, min: 0.5, max: 0.7, count: 2 });
    expect(m5.c!.std).toBeCloseTo(0.1, 12);
    expect(m5.loss!.mean).toBeCloseTo((0.011 + 0.02 + 0.31) / 3, 12);
    expect(s[0]!.labels).toEqual({ unclassified: 1 });
    expect(s[0]!.successRate).toBe(1); // 0.04 <= 0.05
    expect(s[0]!.c).toBeNull();
    expect(s[1]!.polysemanticCount!.mean).toBe(3);
  });

  it('counts capped runs apart: their own label, never in success rates or statistics', () => {
    const capped = [
      line({ m: 6 }, { label: 'opposite-sign', recon: 0, exact: 0, status: 'capped' }),
      line({ m: 6 }, { label: 'opposite-sign', recon: 0.5, exact: 0.5, status: 'capped' }),
    ];
    const [all] = summarise(capped);
    expect(all!.status).toEqual({ converged: 0, capped: 2, diverged: 0 });
    expect(all!.labels).toEqual({ capped: 2 });
    expect(all!.successRate).toBeNaN();
    expect(all!.reconstruction).toBeNull();
    const [mixed] = summarise([...capped, line({ m: 6 }, { recon: 0, exact: 0.5 }), line({ m: 6 }, { diverged: true })]);
    expect(mixed!.status).toEqual({ converged: 1, capped: 2, diverged: 1 });
    expect(mixed!.successRate).toBe(0); // the converged run fails (exact 0.5), the diverged one too
    expect(mixed!.reconstruction!.count).toBe(1);
  });

  it('pools over the coordinates left out of `by`, with a custom tolerance', () => {
    const s = summarise(lines, { by: ['n'], successTolerance: 0.02 });
    expect(s).toHaveLength(1);
    expect(s[0]!.runs).toBe(6);
    expect(s[0]!.coordinates).toEqual({ n: 8 });
    expect(s[0]!.successRate).toBe(2 / 6);
  });

  it('counts a run id once, the last line winning', () => {
    const a = line({}, { label: 'opposite-sign', runId: 'same' });
    const b = line({}, { label: 'mixture', runId: 'same' });
    expect(dedupeResults([a, b])).toEqual([b]);
    expect(summarise([a, b])[0]!.labels).toEqual({ mixture: 1 });
  });

  it('lists labels most frequent first', () => {
    expect(labelsOf(summarise(lines))).toEqual(['opposite-sign', 'same-sign+disambiguation', 'diverged', 'unclassified']);
  });

  it('breaks labels down by their counts, pools outputs by mechanism, counts ±eps neurons by role', () => {
    const runs = [
      line({}, { taxonomy: taxonomy(mixedConstructionF64({ n: 8, oppositePairs: 1 })) }),
      line({}, { taxonomy: taxonomy(mixedConstructionF64({ n: 8, oppositePairs: 2 })) }),
      line({}, { taxonomy: taxonomy(sameSignConstructionF64({ n: 8 })) }),
      line({}, { taxonomy: taxonomy(rotatedConstructionF64({ n: 8 })) }),
      line({}, { taxonomy: taxonomy(oppositeSignConstructionF64({ n: 8 })) }),
    ];
    expect(nameOf(runs[0]!)).toBe('mixture (6 same-sign, 2 opposite-sign)');
    expect(taxonomyOf(runs[2]!)!.label).toBe('same-sign');
    const [s] = summarise(runs);
    expect(s!.labels).toEqual({ mixture: 2, 'same-sign': 1, 'same-sign-m-half': 1, 'opposite-sign': 1 });
    expect(s!.names).toEqual({
      'mixture (6 same-sign, 2 opposite-sign)': 1,
      'mixture (4 same-sign, 4 opposite-sign)': 1,
      'same-sign': 1,
      'same-sign-m-half': 1,
      'opposite-sign': 1,
    });
    expect(s!.outputs).toEqual({
      'same-sign': 6 + 4 + 8 + 8,
      'opposite-sign': 2 + 4 + 8,
      monosemantic: 0,
      distributed: 0,
      dead: 0,
      other: 0,
    });
    // Mixtures, the seed and the m = n/2 form (Hadamard: row 0 is ±eps) have a ±eps neuron that disambiguates.
    expect(s!.epsNeurons).toEqual({ runs: 4, roles: { disambiguates: 4 } });
    expect(s!.familyDistance!.max).toBeLessThan(1e-6);
    expect(s!.allOnesRemoved).toMatchObject({ min: expect.closeTo(0, 6), max: expect.closeTo(1, 6), count: 2 });
    expect(s!.disambiguatedOutputs!.mean).toBeCloseTo((6 / 8 + 4 / 8 + 1 + 1 + 0) / 5, 12);
    // Shares per run with a t interval over the 5 runs: same-sign 6/8, 4/8, 1, 1, 0.
    const same = [6 / 8, 4 / 8, 1, 1, 0];
    expect(s!.outputShares['same-sign']).toEqual(shareInterval(same));
    expect(s!.outputShares['opposite-sign']!.mean).toBeCloseTo((2 / 8 + 4 / 8 + 1) / 5, 12);
    // No run has a dead output: the interval is not a point at 0 (Wilson bound of 0 of 5 runs).
    expect(s!.outputShares.dead).toMatchObject({ mean: 0, lower: 0, upper: expect.closeTo(wilsonInterval(0, 5).upper, 12) });
  });

  it('n = 64: success and loss by the Monte-Carlo estimate, its SE, and the runs within 2 SE of the tolerance', () => {
    const tol = 1e-3;
    const cell = { n: 64, m: 34 };
    const lines = [
      line(cell, { recon: 0.5, exact: 0, se: 0 }), // an exact construction: estimate 0, SE 0
      line(cell, { recon: 0.5, exact: 5e-4, se: 2e-6 }), // clearly below
      line(cell, { recon: 0, exact: 0.02, se: 1e-4 }), // clearly above (the final batch would say success)
      line(cell, { recon: 0.5, exact: 0.999e-3, se: 1e-6 }), // below by the estimate, within 2 SE: ambiguous
      line(cell, { recon: 0.5, exact: 1.001e-3, se: 1e-6 }), // above by the estimate, within 2 SE: ambiguous
      line(cell, { diverged: true }),
    ];
    const [s] = summarise(lines, { successTolerance: tol });
    expect(s!.successRate).toBeCloseTo(3 / 6, 12);
    expect(s!.ambiguous).toBe(2);
    expect(s!.lossMethods).toEqual({ exact: 0, monteCarlo: 5, finalBatch: 0 });
    expect(s!.reconstructionSE!.mean).toBeCloseTo((0 + 2e-6 + 1e-4 + 1e-6 + 1e-6) / 5, 15);
    expect(s!.loss!.mean).toBeCloseTo((0 + 5e-4 + 0.02 + 0.999e-3 + 1.001e-3) / 5 + 0.01, 12);
    expect(isAmbiguous(lines[3]!, tol)).toBe(true);
    expect(isAmbiguous(lines[1]!, tol)).toBe(false);
    // An exact value at the tolerance is never ambiguous.
    expect(isAmbiguous(line(cell, { exact: tol }), tol)).toBe(false);
    // The rule on plain numbers (what the report applies): within 2 SE on either side.
    expect(withinAmbiguity(tol + 1.5e-6, tol, 1e-6)).toBe(true);
    expect(withinAmbiguity(tol - 1.5e-6, tol, 1e-6)).toBe(true);
    expect(withinAmbiguity(tol - 2.5e-6, tol, 1e-6)).toBe(false);

    const table = summaryTables(lines, { tolerance: tol, by: ['n', 'm'] });
    const rows = table.split('\n').filter((r) => r.startsWith('|'));
    const head = rows[0]!.split('|').map((x) => x.trim());
    const row = rows[2]!.split('|').map((x) => x.trim());
    expect(head).toContain('loss SE');
    expect(row[head.indexOf('loss SE')]).toBe('2.1e-5');
    expect(row[head.indexOf('ambiguous (±2 SE)')]).toBe('2');
    expect(row[head.indexOf(`success (≤ ${tol})`)]).toBe('50%');
    expect(table).toMatch(/Monte-Carlo estimates of the population loss \(seeded; 4096 samples\)/);
    // Capped runs are in no statistic: their cell shows no SE (not 'exact').
    const capped = summaryTables([line(cell, { exact: 5e-4, se: 1e-5, status: 'capped' })], { tolerance: tol, by: ['n'] });
    const cappedRows = capped.split('\n').filter((r) => r.startsWith('|'));
    const cappedHead = cappedRows[0]!.split('|').map((x) => x.trim());
    expect(cappedRows[2]!.split('|').map((x) => x.trim())[cappedHead.indexOf('loss SE')]).toBe('—');
    // An exact-only table has neither the column nor the note.
    const exactOnly = summaryTables([line({ n: 8 }, { exact: 0 })], { tolerance: tol, by: ['n'] });
    expect(exactOnly).not.toMatch(/loss SE|Monte-Carlo/);
  });
});
