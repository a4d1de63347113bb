import { createHash } from 'node:crypto';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './hash.js';

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on random strings of every length around the block boundaries', () => {
    const rng = createPrng(7);
    for (let len = 0; len < 200; len++) {
      const s = Array.from({ length: len }, () => String.fromCharCode(32 + rng.nextInt(300))).join('');
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(canonicalJson({ x: { z: 1, y: 2 } })).toBe(canonicalJson({ x: { y: 2, z: 1 } }));
  });

  it('writes typed arrays as arrays and rejects non-finite numbers', () => {
    expect(canonicalJson({ w: new Float32Array([0.5, -1]) })).toBe('{"w":[0.5,-1]}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
  });
});
