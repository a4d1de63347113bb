import { describe, expect, it } from 'vitest';
import { analyzeConstruction } from './analysis.js';

describe('analyzeConstruction', () => {
  it('n=8 lambda=0.1: unstable, with the evidence; JSON-serialisable', () => {
    const r = analyzeConstruction({ n: 8, lambda: 0.1, flow: { time: 1500 } });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.format).toBe('polytoy.analysis/1');
    expect(r.m).toBe(5);
    expect(r.construction.loss.loss).toBeCloseTo(0.3, 12);
    expect(r.atConstruction.verdict).toBe('not-stationary');
    expect(r.atRelaxed.verdict).toBe('saddle');
    expect(r.oppositeRelaxed!.verdict).toBe('strict-local-min');
    expect(r.flow!.lossDropBelowRelaxed).toBeGreaterThan(0.09);
    expect(r.flow!.structure.structureSurvives).toBe(false);
    expect(r.verdict.answer).toBe('unstable');
    expect(r.escapeTimeEstimate).toBeGreaterThan(100);
    expect(r.reduced.c).toBeCloseTo(0.49371031, 8);
  });

  it('n=16 without flow and Hessian is quick and still names the relaxed point', () => {
    const r = analyzeConstruction({ n: 16, lambda: 1e-3, flow: false, hessian: false });
    expect(r.flow).toBeUndefined();
    expect(r.relaxed.c).toBeLessThan(0.5);
    expect(r.reduced.c).toBeCloseTo(0.4999558, 6);
    expect(r.verdict.answer).toBe('inconclusive');
  });

  it('ReLU hidden layer: the two-neuron construction drifts (no relaxed point)', () => {
    const r = analyzeConstruction({ n: 8, lambda: 0.01, hiddenActivation: 'relu', flow: false });
    expect(r.m).toBe(6);
    expect(r.relaxed.layout).toBe('relu-two-neuron');
    expect(r.relaxed.epsCross!).toBeGreaterThan(r.relaxed.eps);
    expect(r.verdict.answer).toBe('unstable');
    expect(r.verdict.summary).toMatch(/eps → 0, epsCross → ∞/);
    expect(r.oppositeRelaxed).toBeUndefined();
  });

  it('rejects n outside the enumerable range', () => {
    expect(() => analyzeConstruction({ n: 36, lambda: 0.1 })).toThrow(/between 4 and 32/);
  });
});
