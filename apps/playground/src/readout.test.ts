import { oppositeSignConstruction, sameSignConstruction } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import { readModel } from './readout.js';

describe('readModel', () => {
  it("reads the seed's construction: its ±eps neuron with c = 1/2, bias −1/2, distance 0 to the same-sign family", () => {
    const r = readModel(sameSignConstruction({ n: 8, m: 5 }), { data: 'half-split', hidden: 'none' });
    expect(r.epsNeurons).toEqual([0]);
    expect(r.c).toBeCloseTo(0.5, 6);
    expect(r.biasMean).toBeCloseTo(-0.5, 6);
    expect(r.nearest).toBe('same-sign');
    expect(r.distance).toBeLessThan(1e-6);
    expect(r.family).toBe('same-sign');
    expect(r.detail.length).toBeGreaterThan(0);
  });

  it('reads opposite-sign pairs as their own family, without a ±eps neuron', () => {
    const r = readModel(oppositeSignConstruction({ n: 8 }), { data: 'half-split', hidden: 'none' });
    expect(r.epsNeurons).toEqual([]);
    expect(r.c).toBeNull();
    expect(r.nearest).toBe('opposite-sign');
    expect(r.distance).toBeLessThan(1e-6);
    expect(r.family).toBe('opposite-sign');
  });

  it("basis data: the paper's count and prediction instead of half-split families", () => {
    const n = 4;
    const m = 2;
    // Each neuron holds two features at weight 1: both polysemantic.
    const W = Float32Array.of(1, 1, 0, 0, 0, 0, 1, 1);
    const r = readModel({ kind: 'tied', n, m, W, b: new Float32Array(n) }, { data: 'basis', hidden: 'none' });
    expect(r.polysemantic).toBe(2);
    expect(r.family).toBe('2 polysemantic neurons');
    expect(r.nearest).toBeNull();
    expect(r.detail).toBe("the paper's prediction n²/(4m) = 2");
  });
});
