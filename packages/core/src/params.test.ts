import { describe, expect, it } from 'vitest';
import { deserializeParams, serializeParams, decoderRowsOf } from './params.js';
import type { ModelParams } from './params.js';

describe('params serialization', () => {
  it('round-trips float32 values exactly through JSON', () => {
    const p: ModelParams = { kind: 'tied', n: 2, m: 1, W: Float32Array.of(0.1, -1 / 3), b: Float32Array.of(1e-7, 2) };
    const back = deserializeParams(JSON.parse(JSON.stringify(serializeParams(p))));
    expect(back).toEqual(p);
  });

  it('rejects wrong shapes and non-finite values with the field named', () => {
    expect(() => deserializeParams({ kind: 'tied', n: 2, m: 1, W: [1], b: [0, 0] })).toThrow(
      /params\.W: expected an array of length 2/,
    );
    expect(() => deserializeParams({ kind: 'tied', n: 1, m: 1, W: [null], b: [0] })).toThrow(
      /params\.W\[0\]: expected a finite number/,
    );
    expect(() => deserializeParams({ kind: 'other', n: 1, m: 1 })).toThrow(/params\.kind/);
  });

  it('transposes an untied decoder [n, m] into neuron rows [m, n]', () => {
    const p: ModelParams = {
      kind: 'untied',
      n: 2,
      m: 3,
      E: new Float32Array(6),
      D: Float32Array.of(1, 2, 3, 4, 5, 6),
      b: new Float32Array(2),
    };
    expect(Array.from(decoderRowsOf(p))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
