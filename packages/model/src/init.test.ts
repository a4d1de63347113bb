import { describe, expect, it } from 'vitest';
import type { ModelParams, TiedParams, UntiedParams } from '@polytoy/core';
import { ConfigError, createPrng, normalArray } from '@polytoy/core';
import { initParams } from './init.js';
import { modelConfig } from './test-utils/random.js';

function moments(a: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let s = 0,
    s2 = 0,
    min = Infinity,
    max = -Infinity;
  for (let k = 0; k < a.length; k++) {
    s += a[k]!;
    s2 += a[k]! ** 2;
    min = Math.min(min, a[k]!);
    max = Math.max(max, a[k]!);
  }
  const mean = s / a.length;
  return { mean, variance: s2 / a.length - mean * mean, min, max };
}

function columnNorms(D: Float32Array, n: number, m: number): number[] {
  return Array.from({ length: m }, (_, j) =>
    Math.sqrt(Array.from({ length: n }, (_, i) => D[i * m + j]! ** 2).reduce((a, b) => a + b, 0)),
  );
}

describe('initParams', () => {
  // 256 × 64 = 16384 draws: the sample variance has relative standard error sqrt(2/N) ≈ 1.1%,
  // the mean has standard error std/sqrt(N) ≈ 0.8% of std; tolerances are ~5 standard errors.
  const n = 256,
    m = 64,
    N = n * m;

  it('normal: std defaults to 1/sqrt(m), biases 0', () => {
    const p = initParams(modelConfig(n, m), createPrng(1)) as TiedParams;
    expect(p.kind).toBe('tied');
    expect(p.W.length).toBe(N);
    const s = moments(p.W);
    expect(Math.abs(s.mean)).toBeLessThan((5 / Math.sqrt(N)) * (1 / Math.sqrt(m)));
    expect(s.variance * m).toBeGreaterThan(0.94);
    expect(s.variance * m).toBeLessThan(1.06);
    expect(Array.from(p.b)).toEqual(new Array(n).fill(0));
  });

  it('normal: an explicit std is used; the draws are normalArray(rng, m·n, std) in row-major order', () => {
    const p = initParams(modelConfig(8, 5, { init: { kind: 'normal', std: 0.25 } }), createPrng(3)) as TiedParams;
    expect(p.W).toEqual(normalArray(createPrng(3), 40, 0.25));
  });

  it('xavier: uniform within ±sqrt(6/(n+m)), variance a²/3', () => {
    const p = initParams(modelConfig(n, m, { init: { kind: 'xavier' } }), createPrng(2)) as TiedParams;
    const a = Math.sqrt(6 / (n + m));
    const s = moments(p.W);
    expect(s.min).toBeGreaterThanOrEqual(-a);
    expect(s.max).toBeLessThan(a);
    // With 16384 uniform draws the extremes are within a·1e-3 of ±a with overwhelming probability.
    expect(s.max).toBeGreaterThan(0.999 * a);
    expect(s.min).toBeLessThan(-0.999 * a);
    expect(s.variance / ((a * a) / 3)).toBeGreaterThan(0.95);
    expect(s.variance / ((a * a) / 3)).toBeLessThan(1.05);
  });

  it('same seed → same parameters; another seed → different ones', () => {
    for (const weights of ['tied', 'untied'] as const) {
      const model = modelConfig(16, 9, { weights });
      expect(initParams(model, createPrng(42))).toEqual(initParams(model, createPrng(42)));
      expect(initParams(model, createPrng(42))).not.toEqual(initParams(model, createPrng(43)));
    }
  });

  it('untied: E then D drawn independently from one stream (order documented)', () => {
    const p = initParams(modelConfig(8, 5, { weights: 'untied', decoderNorm: 'none' }), createPrng(4)) as UntiedParams;
    const rng = createPrng(4);
    const std = 1 / Math.sqrt(5);
    expect(p.E).toEqual(normalArray(rng, 40, std));
    expect(p.D).toEqual(normalArray(rng, 40, std));
    expect(columnNorms(p.D, 8, 5).some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
  });

  it("untied with decoderNorm 'unit-columns': every decoder column has norm 1 after init", () => {
    for (const init of [{ kind: 'normal' }, { kind: 'xavier' }]) {
      const p = initParams(
        modelConfig(16, 9, { weights: 'untied', decoderNorm: 'unit-columns', init }),
        createPrng(5),
      ) as UntiedParams;
      for (const norm of columnNorms(p.D, 16, 9)) expect(norm).toBeCloseTo(1, 6);
    }
  });

  describe('given', () => {
    const given: TiedParams = {
      kind: 'tied',
      n: 8,
      m: 5,
      W: Float32Array.from({ length: 40 }, (_, k) => (k % 7) / 7 - 0.5),
      b: new Float32Array(8).fill(-0.5),
    };

    it('without perturbation: an exact copy that shares no memory', () => {
      const p = initParams(modelConfig(8, 5, { init: { kind: 'given', params: given } }), createPrng(0)) as TiedParams;
      expect(p).toEqual(given);
      p.W[0] = 99;
      expect(given.W[0]).not.toBe(99);
    });

    it('with perturbation s: W and b move by normal(0, s) noise, drawn W first then b', () => {
      const s = 0.01;
      const p = initParams(
        modelConfig(8, 5, { init: { kind: 'given', params: given, perturbation: s } }),
        createPrng(6),
      ) as TiedParams;
      const z = normalArray(createPrng(6), 48, 1);
      for (let k = 0; k < 40; k++) expect(p.W[k]).toBe(Math.fround(given.W[k]! + s * z[k]!));
      for (let k = 0; k < 8; k++) expect(p.b[k]).toBe(Math.fround(given.b[k]! + s * z[40 + k]!));
    });

    it('with outputBias false the bias is not perturbed (it stays 0)', () => {
      const zeroBias: ModelParams = { ...given, b: new Float32Array(8) };
      const model = modelConfig(8, 5, { outputBias: false, init: { kind: 'given', params: zeroBias, perturbation: 0.1 } });
      const p = initParams(model, createPrng(6)) as TiedParams;
      expect(Array.from(p.b)).toEqual(new Array(8).fill(0));
      expect(p.W).not.toEqual(given.W);
    });

    it('a non-zero bias with outputBias false is a ConfigError', () => {
      const model = modelConfig(8, 5, { outputBias: false, init: { kind: 'given', params: given } });
      expect(() => initParams(model, createPrng(0))).toThrow(ConfigError);
      expect(() => initParams(model, createPrng(0))).toThrow(/^model\.init\.params\.b: expected all zeros/);
    });

    it('tied parameters start an untied model at E = W, D = Wᵀ', () => {
      const p = initParams(
        modelConfig(8, 5, { weights: 'untied', decoderNorm: 'none', init: { kind: 'given', params: given } }),
        createPrng(0),
      ) as UntiedParams;
      expect(p.E).toEqual(given.W);
      for (let j = 0; j < 5; j++) for (let i = 0; i < 8; i++) expect(p.D[i * 5 + j]).toBe(given.W[j * 8 + i]);
    });

    it('untied parameters cannot start a tied model', () => {
      const untied: UntiedParams = { kind: 'untied', n: 8, m: 5, E: given.W, D: given.W, b: given.b };
      const model = modelConfig(8, 5, { init: { kind: 'given', params: untied } });
      expect(() => initParams(model, createPrng(0))).toThrow(/^model\.init\.params\.kind: expected "tied"/);
    });
  });
});
