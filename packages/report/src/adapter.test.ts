import type { ResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { countsInRates, toReportRun, toReportRuns } from './adapter.js';
import { syntheticResults } from './test-utils/synthetic.js';

const lines = syntheticResults();
const finds = lines.find((l) => l.experiment === 'finds-solution' && l.spec.cell.weights === 'tied')!;

describe('toReportRun', () => {
  it('reads the family from the taxonomy, the cell and the start from the spec', () => {
    const run = toReportRun(finds);
    expect(run.family).toBe(finds.classification);
    expect(run.family).toBe(finds.analysis!.taxonomy!.label);
    expect(run.familyDistance).toBe(finds.analysis!.taxonomy!.distance);
    expect(run.outputs!.codes).toHaveLength(8);
    expect(run.cell).toMatchObject({ n: 8, weights: 'tied', start: 'random', lambda: finds.spec.cell.lambda });
    expect(run.convergence).toBe('unrecorded');
    expect(run.exact).toBe(true);
    expect(run.loss).toBe(finds.exactLoss!.loss);
    expect(run.params?.kind).toBe('tied');
    expect(run.history.step).toEqual(finds.history.step);
  });

  it("maps the taxonomy's per-output mechanisms to disambiguated / inhibited / dead", () => {
    const taxonomy = {
      ...finds.analysis!.taxonomy!,
      outputs: { ...finds.analysis!.taxonomy!.outputs, codes: 'ssom0xx', partnerWeight: [1, 1, -1, 0, 0, 0.7, -0.2] },
    };
    const run = toReportRun({ ...finds, analysis: { ...finds.analysis!, taxonomy } });
    expect(run.outputs).toEqual({ codes: 'ddii0di', disambiguated: 3, inhibited: 3, dead: 1 });
  });

  it('analysis version 4: distributed outputs (d) count by their partner weight, as other outputs do', () => {
    const taxonomy = {
      ...finds.analysis!.taxonomy!,
      outputs: { ...finds.analysis!.taxonomy!.outputs, codes: 'sddodxx0', partnerWeight: [1, 0.6, -0.4, -1, 0.2, 0.5, -0.3, 0] },
    };
    const run = toReportRun({ ...finds, analysis: { ...finds.analysis!, taxonomy } });
    expect(run.outputs).toEqual({ codes: 'ddiiidi0', disambiguated: 3, inhibited: 4, dead: 1 });
  });

  it('construction starts: c and perturbation as a short label, the analytic prediction', () => {
    const line = lines.find((l) => l.spec.start.kind === 'construction' && l.analysis?.start?.predicted)!;
    const run = toReportRun(line);
    expect(run.start).toEqual({ kind: 'construction', c: 0.5, perturbation: 0 });
    expect(run.cell.start).toBe('c=0.5 δ=0');
    expect(run.predictedC).toBe(line.analysis!.start!.predicted!.c);
    expect(run.epsNeurons).toContain(0);
  });

  it('reads convergence status when the line has it; capped runs do not count in rates', () => {
    const { upgradedFrom: _u, ...current } = finds;
    const capped = toReportRun({ ...current, status: 'capped', step: 3000 } as ResultLine);
    expect(capped.convergence).toBe('capped');
    expect(countsInRates(capped)).toBe(false);
    const converged = toReportRun({ ...current, status: 'converged', step: 1200 } as ResultLine);
    expect(countsInRates(converged)).toBe(true);
    const diverged = toReportRun({ ...finds, status: 'diverged' });
    expect([diverged.convergence, diverged.family]).toEqual(['diverged', 'diverged']);
  });

  it('never throws on wrong types: numbers become null, text stays text, bad params are dropped', () => {
    const bad = {
      ...finds,
      version: '<b>7</b>',
      spec: { ...finds.spec, cell: { ...finds.spec.cell, m: 'five', lambda: null }, start: { kind: 3 } },
      analysis: { c: 'x', functional: { label: 42, outputs: 'zz' }, disambiguationUse: { shift: 'no', neurons: [1, 'a', -1] } },
      exactLoss: { loss: Number.NaN },
      finalLoss: '0.1',
      params: { kind: 'tied', n: 8, m: 5, W: [1], b: [] },
      history: { step: [0, 1, 2], loss: [1] },
      evidence: { disambiguationNeurons: [{ neuron: 2.5 }] },
    } as unknown as ResultLine;
    const run = toReportRun(bad);
    expect(run.version).toBe('<b>7</b>');
    expect(run.cell.m).toBe(0);
    expect(run.cell.lambda).toBe(0);
    expect(run.start).toEqual({ kind: 'other', label: '3' });
    expect(run.c).toBeNull();
    expect(run.family).toBe(finds.classification);
    expect(run.outputs).toBeNull();
    expect(run.loss).toBeNull();
    expect(run.params).toBeNull();
    expect(run.history).toEqual({ step: [0], loss: [1] });
    expect(run.epsNeurons).toEqual([1]);
    expect(run.readsEps).toEqual({ shift: [], fraction: 0 });
  });

  it('keeps the last line of a run id', () => {
    const runs = toReportRuns([finds, { ...finds, finalLoss: 123, exactLoss: null }]);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.loss).toBe(123);
  });
});

describe('the population loss method', () => {
  it('exact lines say exact; a Monte-Carlo line (n > 32) carries its SE into the table and the gallery caption', async () => {
    const { cellTable } = await import('./tables.js');
    const { gallery } = await import('./gallery.js');
    expect(toReportRun(finds).lossMethod).toBe('exact');
    expect(toReportRun(finds).lossSE).toBeNull();
    const mc: ResultLine = {
      ...finds,
      runId: 'mc',
      exactLoss: {
        loss: 0.0171,
        reconstruction: 9.99e-4,
        l1: 16,
        method: 'monte-carlo',
        standardError: { loss: 3e-6, reconstruction: 2e-6 },
        samples: 4096,
      },
    };
    const run = toReportRun(mc);
    expect(run).toMatchObject({ lossMethod: 'monte-carlo', exact: false, loss: 0.0171, reconstruction: 9.99e-4 });
    expect(run.lossSE).toEqual({ loss: 3e-6, reconstruction: 2e-6 });
    const table = cellTable([run], 1e-3);
    expect(table).toContain('Monte-Carlo SE of the reconstruction');
    expect(table).toContain('loss (Monte Carlo, mean)');
    expect(table).toContain('(1 within 2 SE)');
    expect(cellTable([toReportRun(finds)], 1e-3)).not.toContain('Monte');
    expect(gallery([run], 1)[0]!.caption).toMatch(/^Monte-Carlo loss 0\.0171 ± /);
  });
});
