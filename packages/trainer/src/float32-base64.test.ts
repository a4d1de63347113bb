import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { decodeFloat32, encodeFloat32 } from './float32-base64.js';

describe('float32 base64', () => {
  it('encodes known values by hand (little-endian IEEE 754 bytes)', () => {
    // 1.0f = 00 00 80 3f → "AACAPw=="; −2.0f = 00 00 00 c0 → "AAAAwA=="
    expect(encodeFloat32(new Float32Array([1]))).toBe('AACAPw==');
    expect(encodeFloat32(new Float32Array([1, -2]))).toBe('AACAPwAAAMA=');
    expect(encodeFloat32(new Float32Array([]))).toBe('');
    expect(Array.from(decodeFloat32('AACAPwAAAMA=', 2))).toEqual([1, -2]);
  });

  it('round-trips every bit pattern class exactly, at every padding length', () => {
    const rng = createPrng(3);
    const special = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-40, 3.4028234663852886e38, 1.1754943508222875e-38];
    for (let len = 0; len < 40; len++) {
      const bits = new Uint32Array(len);
      for (let i = 0; i < len; i++) bits[i] = rng.nextUint32();
      const values = new Float32Array(bits.buffer);
      special.slice(0, len).forEach((v, i) => (values[i] = v));
      const back = decodeFloat32(encodeFloat32(values), len);
      expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(values.buffer));
    }
  });

  it('rejects malformed input and wrong lengths', () => {
    expect(() => decodeFloat32('AACAPw=', 1)).toThrow(RangeError);
    expect(() => decodeFloat32('AACAPw==', 2)).toThrow('expected 2 float32 values, received 1');
    expect(() => decodeFloat32('AA*APw==')).toThrow('invalid base64 character at 2');
    expect(() => decodeFloat32('AA=APw==')).toThrow('invalid base64 character at 2');
    expect(() => decodeFloat32('AACA')).toThrow('multiple of 4 bytes');
  });
});
