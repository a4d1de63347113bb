// The README's example, run as written.
import { sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { analyzeModel, exactLossOf } from './index.js';

describe('README example', () => {
  it('prints what the README says', () => {
    const params = sameSignConstruction({ n: 16, c: 0.5 });
    const metrics = analyzeModel(params, { hiddenActivation: 'none' });
    expect(metrics.classification.label).toBe('same-sign+disambiguation');
    expect(metrics.classification.reason).toBe(
      '8 same-sign pair(s), with disambiguation neuron 0 (+A/-B, eps 0.354), c 0.5, bias mean -0.5.',
    );
    expect(metrics.functional?.label).toBe('same-sign+disambiguation');
    expect(metrics.distances?.nearest).toBe('same-sign');
    expect(metrics.paper.polysemantic).toBe(8);
    expect(exactLossOf(params, resolveTrainConfig({ data: { n: 16 } }).model).reconstruction).toBeCloseTo(0, 12);
  });
});
