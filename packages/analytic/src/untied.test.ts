import { describe, expect, it } from 'vitest';
import { sameSignConstructionF64, untiedCounterpart } from './construction.js';
import { exactPopulationLoss } from './population-loss.js';
import { normalizeDecoderColumns, rescaleUntied, untiedDegeneracy } from './untied.js';

describe('the untied degeneracy (SPEC §1)', () => {
  const o = { hiddenActivation: 'none', lambda: 0.01 } as const;

  it('E → sE, D → D/s: reconstruction unchanged, activation L1 ∝ s → 0', () => {
    const p = sameSignConstructionF64({ n: 16, c: 0.4 });
    const d = untiedDegeneracy(p, o, [1, 0.5, 0.1, 0.01, 1e-4]);
    const base = exactPopulationLoss(p, o);
    for (const r of d.rows) {
      expect(r.reconstruction).toBeCloseTo(base.reconstruction, 12);
      expect(r.l1).toBeCloseTo(base.l1 * r.scale, 12);
      // Under the decoder-norm constraint the L1 no longer depends on the scale.
      expect(r.l1Normalized).toBeCloseTo(d.rows[0]!.l1Normalized, 12);
    }
    expect(d.rows.at(-1)!.loss - base.reconstruction).toBeLessThan(1e-5);
    // d/ds loss at s = 1 is lambda·l1 (finite differences along the orbit agree).
    const h = 1e-6;
    const fd =
      (exactPopulationLoss(rescaleUntied(p, 1 + h), o).loss - exactPopulationLoss(rescaleUntied(p, 1 - h), o).loss) / (2 * h);
    expect(d.orbitDerivative).toBeCloseTo(fd, 8);
    expect(d.orbitDerivative).toBeCloseTo(0.01 * base.l1, 14);
  });

  it('holds for a hidden ReLU and per-neuron scales too', () => {
    const p = untiedCounterpart(sameSignConstructionF64({ n: 8 }));
    const relu = { hiddenActivation: 'relu', lambda: 0.1 } as const;
    const q = rescaleUntied(p, [0.1, 2, 3, 0.5, 1]);
    expect(exactPopulationLoss(q, relu).reconstruction).toBeCloseTo(exactPopulationLoss(p, relu).reconstruction, 12);
    expect(exactPopulationLoss(q, relu).l1).not.toBeCloseTo(exactPopulationLoss(p, relu).l1, 3);
    expect(() => rescaleUntied(p, 0)).toThrow(/scale > 0/);
  });

  it('normalizeDecoderColumns keeps the function and makes every column unit norm', () => {
    const p = sameSignConstructionF64({ n: 8, m: 6 }); // one zero neuron
    const u = normalizeDecoderColumns(rescaleUntied(p, 7));
    const { n, m } = u;
    for (let j = 0; j < m - 1; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += u.D[i * m + j]! ** 2;
      expect(s).toBeCloseTo(1, 14);
    }
    const a = exactPopulationLoss(u, o),
      b = exactPopulationLoss(p, o);
    expect(a.reconstruction).toBeCloseTo(b.reconstruction, 14);
    // Pair neurons: column (1, 1)/√2, encoder ×√2: L1 per active feature √2; eps neuron ×√(n·eps²) = √(4c) = √2.
    expect(a.l1).toBeCloseTo(Math.SQRT2 * b.l1, 12);
  });

  it('weight L1 is rejected (no degeneracy to show)', () => {
    expect(() =>
      untiedDegeneracy(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none', l1Target: 'weights' }, [1]),
    ).toThrow(/activations/);
  });
});
