import { describe, expect, it } from 'vitest';
import { compactHistory, compactParams, parseResultLine, roundDeep, roundTo } from './result.js';

// A complete /1 line (every field the reader types).
const FULL_V1 = {
  format: 'polytoy.experiment-result/1',
  experiment: 'e',
  runId: 'r',
  version: 1,
  spec: { cellKey: 'k', config: { steps: 3000 } },
  reconstruction: null,
  l1: null,
  exactLoss: null,
  classification: null,
  evidence: null,
  analysis: null,
  params: null,
  history: { step: [], loss: [], reconstruction: [], l1: [] },
  wallSeconds: 1,
  groupSize: 1,
  runtime: null,
  createdAt: '2024-01-01T00:00:00.000Z',
};

describe('result line helpers', () => {
  it('rounds numbers deep inside JSON values, leaving other values alone', () => {
    expect(roundDeep({ a: [0.123456789, 2, null], b: 'x', c: { d: -1.23456789e-7 } }, 3)).toEqual({
      a: [0.123, 2, null],
      b: 'x',
      c: { d: -1.23e-7 },
    });
    expect(roundTo(0, 3)).toBe(0);
    expect(roundTo(Number.NaN, 3)).toBeNaN();
  });

  it('subsamples a history to evenly spaced records, keeping the first and the last', () => {
    const history = Array.from({ length: 101 }, (_, k) => ({
      step: 10 * k,
      instance: 0,
      loss: 1 / (k + 1),
      reconstruction: 0,
      l1: 1,
    }));
    const h = compactHistory(history, 5);
    expect(h.step).toEqual([0, 250, 500, 750, 1000]);
    expect(h.loss[0]).toBe(1);
    expect(h.loss[4]).toBe(roundTo(1 / 101, 5));
    expect(compactHistory(history.slice(0, 3), 20).step).toEqual([0, 10, 20]);
  });

  it('stores parameters rounded to 6 significant digits', () => {
    const p = compactParams({ kind: 'tied', n: 1, m: 1, W: Float32Array.of(0.1), b: Float32Array.of(-1 / 3) });
    expect(p).toEqual({ kind: 'tied', n: 1, m: 1, W: [0.1], b: [-0.333333] });
  });

  it('rejects lines of another format', () => {
    expect(() => parseResultLine('{"format":"polytoy.run/1"}', 'f:3')).toThrow(
      'f:3: expected format "polytoy.experiment-result/2" (or "polytoy.experiment-result/1")',
    );
    const line = { format: 'polytoy.experiment-result/2', experiment: 'e', runId: 'r', spec: { cellKey: 'k' } };
    expect(() => parseResultLine(JSON.stringify({ ...line, status: 'ok', step: 3 }))).toThrow(
      'result line: expected status "converged" | "capped" | "diverged", received "ok"',
    );
    expect(() => parseResultLine(JSON.stringify({ ...line, status: 'capped', step: -1 }))).toThrow(
      'result line: expected a step (integer >= 0), received -1',
    );
  });

  it.each([
    [{ history: undefined }, 'f:2: field history: Invalid input: expected object, received undefined'],
    [{ finalLoss: 'low' }, 'f:2: field finalLoss: Invalid input: expected number, received string'],
    [{ version: '1' }, 'f:2: field version: Invalid input: expected number, received string'],
    [
      { history: { step: [1], loss: ['x'], reconstruction: [], l1: [] } },
      'f:2: field history.loss.0: Invalid input: expected number, received string',
    ],
  ])('rejects a line with a missing or mistyped field (%j) in one line naming it', (patch, message) => {
    const good = JSON.parse(JSON.stringify(FULL_V1));
    const text = JSON.stringify({
      ...good,
      format: 'polytoy.experiment-result/2',
      status: 'capped',
      step: 3,
      divergence: null,
      finalLoss: 1,
      ...patch,
    });
    expect(() => parseResultLine(text, 'f:2')).toThrow(message);
    expect(() =>
      parseResultLine(
        JSON.stringify({
          ...good,
          format: 'polytoy.experiment-result/2',
          status: 'capped',
          step: 3,
          divergence: null,
          finalLoss: 1,
        }),
        'f:2',
      ),
    ).not.toThrow();
  });

  it('reads /1 lines (fixed-step runs) as capped at their steps, diverged ones with their step', () => {
    const v1 = FULL_V1;
    const ok = parseResultLine(JSON.stringify({ ...v1, status: 'ok', divergedAtStep: null, finalLoss: 0.1 }));
    expect(ok).toMatchObject({
      format: 'polytoy.experiment-result/2',
      upgradedFrom: 'polytoy.experiment-result/1',
      status: 'capped',
      step: 3000,
      divergence: null,
      finalLoss: 0.1,
    });
    expect('divergedAtStep' in ok).toBe(false);
    const bad = parseResultLine(JSON.stringify({ ...v1, status: 'diverged', divergedAtStep: 7, finalLoss: null }));
    expect(bad).toMatchObject({ status: 'diverged', step: 7, divergence: { reason: 'non-finite-loss' } });
  });

  it('reads an analysis-version-2 line (exact loss without method) as exact with SE 0; keeps a Monte-Carlo one', () => {
    const v2 = {
      ...FULL_V1,
      format: 'polytoy.experiment-result/2',
      status: 'converged',
      step: 100,
      divergence: null,
      finalLoss: 0.1,
      reconstruction: 0.09,
      l1: 1,
      exactLoss: { loss: 0.0101, reconstruction: 1e-4, l1: 1 },
      analysis: {
        version: 2,
        c: null,
        biasMean: 0,
        polysemanticCount: 0,
        expectedPolysemanticCount: null,
        disambiguationUse: null,
      },
    };
    const old = parseResultLine(JSON.stringify(v2));
    expect(old.exactLoss).toEqual({
      loss: 0.0101,
      reconstruction: 1e-4,
      l1: 1,
      method: 'exact',
      standardError: { loss: 0, reconstruction: 0 },
    });
    const mc = {
      loss: 0.02,
      reconstruction: 0.01,
      l1: 10,
      method: 'monte-carlo',
      standardError: { loss: 3e-5, reconstruction: 2e-5 },
      samples: 4096,
    };
    expect(parseResultLine(JSON.stringify({ ...v2, exactLoss: mc })).exactLoss).toEqual(mc);
    expect(parseResultLine(JSON.stringify({ ...v2, exactLoss: null })).exactLoss).toBeNull();
    expect(() => parseResultLine(JSON.stringify({ ...v2, exactLoss: { ...mc, method: 'guess' } }), 'f:1')).toThrow(
      /f:1: field exactLoss.method/,
    );
  });
});
