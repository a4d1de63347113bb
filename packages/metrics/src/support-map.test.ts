import { oppositeSignConstructionF64, sameSignConstructionF64, untiedCounterpart } from '@polytoy/analytic';
import { createPrng } from '@polytoy/core';
import { enumerateHalfSplitSupport } from '@polytoy/data';
import { describe, expect, it } from 'vitest';
import { functionalMatrix, supportMap, supportMoments } from './support-map.js';

describe('supportMoments', () => {
  it('are the second moments of the enumerated support', () => {
    for (const n of [4, 8, 16]) {
      const { x, count } = enumerateHalfSplitSupport(n);
      let s0 = 0;
      let s1 = 0;
      let cross = 0;
      for (let s = 0; s < count; s++) {
        s0 += x[s * n]!;
        s1 += x[s * n]! * x[s * n + 1]!;
        cross += x[s * n]! * x[s * n + n - 1]!;
      }
      expect(supportMoments(n).s0).toBeCloseTo(s0 / count, 12);
      expect(supportMoments(n).s1).toBeCloseTo(s1 / count, 12);
      expect(cross).toBe(0);
    }
  });
});

describe('supportMap', () => {
  it('linear hidden layer: L = M + b1ᵀ/q reproduces the pre-activations on every support point', () => {
    const rng = createPrng(3);
    const n = 8;
    const p = untiedCounterpart(sameSignConstructionF64({ n }));
    p.E.forEach((_, k) => (p.E[k] = p.E[k]! + 0.3 * rng.normal()));
    p.b.forEach((_, k) => (p.b[k] = p.b[k]! + 0.3 * rng.normal()));
    const map = supportMap(p, 'none');
    const M = functionalMatrix(p);
    const { x, count } = enumerateHalfSplitSupport(n);
    for (let s = 0; s < count; s++) {
      for (let i = 0; i < n; i++) {
        let z = p.b[i]!;
        let zl = 0;
        for (let k = 0; k < n; k++) {
          z += M[i * n + k]! * x[s * n + k]!;
          zl += map.L[i * n + k]! * x[s * n + k]!;
        }
        expect(zl).toBeCloseTo(z, 12);
      }
    }
    expect(map.source).toBe('closed-form');
    expect(Array.from(map.residual)).toEqual(new Array<number>(n).fill(0));
  });

  it('ReLU hidden layer: the affine fit equals the linear map when no hidden unit is ever cut', () => {
    const rng = createPrng(9);
    const n = 16;
    const m = 6;
    // Positive encoder weights: every hidden pre-activation is > 0 on the support.
    const W = Float64Array.from({ length: m * n }, () => 0.1 + rng.nextDouble());
    const p = { kind: 'tied' as const, n, m, W, b: Float64Array.from({ length: n }, () => rng.normal()) };
    const relu = supportMap(p, 'relu');
    const lin = supportMap(p, 'none');
    expect(relu.source).toBe('enumerated');
    relu.L.forEach((v, k) => expect(v).toBeCloseTo(lin.L[k]!, 9));
    for (const r of relu.residual) expect(r).toBeLessThan(1e-12);
    relu.outputLoss.forEach((v, i) => expect(v).toBeCloseTo(lin.outputLoss[i]!, 12));
  });

  it('ReLU hidden layer: opposite-sign pairs stay affine on the support but lose their B outputs', () => {
    const map = supportMap(oppositeSignConstructionF64({ n: 8 }), 'relu');
    // h = ReLU(x_a − x_b): on the support it is x_a exactly (one half on), so z is affine again.
    for (const r of map.residual) expect(r).toBeLessThan(1e-12);
    // But the B outputs read −h: they are dead (z = −x_a on A samples, 0 on B samples).
    expect(map.outputLoss[4]).toBeCloseTo(0.25, 12);
    expect(map.outputLoss[0]).toBeCloseTo(0, 12);
  });

  it('samples (seeded) beyond n = 32 for a ReLU hidden layer, and is deterministic', () => {
    const p = oppositeSignConstructionF64({ n: 36 });
    const a = supportMap(p, 'relu');
    expect(a.source).toBe('sampled');
    expect(a.samples).toBe(8192);
    expect(Array.from(supportMap(p, 'relu').L)).toEqual(Array.from(a.L));
  });

  it('names the field for an invalid n', () => {
    expect(() => supportMap({ kind: 'tied', n: 6, m: 1, W: new Float64Array(6), b: new Float64Array(6) }, 'none')).toThrow(
      /params\.n/,
    );
  });
});
