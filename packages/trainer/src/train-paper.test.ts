/**
 * Lecomte et al. (arXiv 2312.03096), SPEC §4: y = ReLU(WᵀW x) without bias on the n basis
 * vectors, L1 on the weights (lambda 1e-3), AdamW lr 1e-3, init normal(0, 1/sqrt(m)).
 * n = 32, m = 64 and the paper's 7500 steps (the run is converged by about step 3000).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './node.js';
import { train } from './train.js';

beforeAll(async () => {
  await initNodeBackend();
});

describe("the incidental-polysemanticity paper's setting", () => {
  it('reconstructs the basis vectors and sparsifies W to one weight ≈ 1 per feature', async () => {
    const n = 32;
    const m = 64;
    const result = await train({
      seed: 0,
      data: { kind: 'basis', n },
      model: {
        m,
        outputBias: false,
        hiddenActivation: 'none',
        outputActivation: 'relu',
        l1: { target: 'weights', lambda: 1e-3 },
      },
      batchSize: n,
      steps: 7500,
      logEvery: 500,
      optimizer: { kind: 'adamw', lr: 1e-3 },
    });
    const r = result.instances[0]!;
    const first = r.history[0]!;
    const last = r.finalLoss;
    expect(last.step).toBe(7500);
    expect(last.reconstruction / n).toBeLessThan(0.05);
    // Much stronger than the bound above (which the random init already meets: ≈ 0.27 / 32).
    expect(last.reconstruction).toBeLessThan(1e-3);
    expect(last.reconstruction).toBeLessThan(first.reconstruction / 100);
    // Σ|W| falls from ≈ n·m·sqrt(2/π)/sqrt(m) ≈ 204 to ≈ n (one weight ≈ 1 − lambda/2 per feature).
    expect(first.l1).toBeGreaterThan(150);
    expect(last.l1).toBeGreaterThan(31);
    expect(last.l1).toBeLessThan(33.5);
    const W = r.params.kind === 'tied' ? r.params.W : new Float32Array();
    for (let i = 0; i < n; i++) {
      const weights = Array.from({ length: m }, (_, j) => Math.abs(W[j * n + i]!));
      // the paper's criterion for "a neuron represents the feature": |w| in [0.8, 1.2]
      expect(weights.filter((w) => w >= 0.8 && w <= 1.2).length, `feature ${i}`).toBe(1);
      expect(weights.filter((w) => w > 0.1).length, `feature ${i}`).toBe(1);
    }
    expect(Array.from(r.params.b)).toEqual(new Array(n).fill(0));
  });
});
