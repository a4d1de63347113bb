import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { sameSignConstructionF64 } from './construction.js';
import { modelOptionsOf } from './model-options.js';
import { exactPopulationLoss } from './population-loss.js';

describe('modelOptionsOf', () => {
  it('maps every loss-relevant field of the config, with the instance lambda', () => {
    const model = resolveTrainConfig({
      data: { n: 8 },
      model: { hiddenActivation: 'relu', outputActivation: 'none', l1: { target: 'weights', lambda: 0.5 } },
    }).model;
    expect(modelOptionsOf(model)).toEqual({
      hiddenActivation: 'relu',
      outputActivation: 'none',
      lambda: 0.5,
      l1Target: 'weights',
    });
    expect(modelOptionsOf(model, 0.25).lambda).toBe(0.25);
  });

  it('scores the seed construction exactly as the defaults say (L1 per sample n/4 + sqrt(cn)/2)', () => {
    const model = resolveTrainConfig({ data: { n: 16 }, model: { l1: { lambda: 0.1 } } }).model;
    const r = exactPopulationLoss(sameSignConstructionF64({ n: 16 }), modelOptionsOf(model));
    expect(r.reconstruction).toBeCloseTo(0, 12);
    expect(r.l1).toBeCloseTo(4 + Math.sqrt(8) / 2, 12);
    expect(r.loss).toBeCloseTo(0.1 * r.l1, 12);
  });
});
