import { createPrng, Prng } from '@polytoy/core';
import { createDataSource, halfSplitBatch } from '@polytoy/data';
import { describe, expect, it } from 'vitest';
import { createTrainingData, fillHalfSplit } from './fast-data.js';

describe('createTrainingData (half-split fast path)', () => {
  it.each([4, 8, 16, 64, 256, 512])('n=%i: every batch and the stream state equal halfSplitBatch on Prng, bit for bit', (n) => {
    const slow = createPrng(11).fork(2);
    const fast = createTrainingData({ kind: 'half-split', n }, createPrng(11).fork(2));
    // Odd batch sizes and several batches in a row (the state carries over).
    for (const batch of [1, 7, 64, 3]) {
      const want = halfSplitBatch(slow, n, batch);
      const got = new Float32Array(batch * n).fill(5); // stale values must be cleared
      fast.next(batch, got);
      expect(got).toEqual(want);
      expect(fast.state()).toEqual(slow.state());
    }
    // rng() is a copy at the current state: using it does not advance the stream.
    const copy = fast.rng();
    copy.nextUint32();
    expect(fast.state()).toEqual(slow.state());
    expect(fast.rng().fork(1000).state()).toEqual(slow.fork(1000).state());
  });

  it('takes the rejection branch of nextInt exactly like Prng (a draw of 2^32 − 1 is redrawn)', () => {
    // xoshiro128** outputs rotl(s1·5, 7)·9; choose the state after the first draw (the sample's
    // half) so that the second draw — nextInt(6) for n = 12, limit 2^32 − 4 — is 2^32 − 1.
    const rotr = (x: number, k: number): number => ((x >>> k) | (x << (32 - k))) >>> 0;
    const target = Math.imul(rotr(Math.imul(0xffffffff, 0x38e38e39) >>> 0, 7), 0xcccccccd) >>> 0; // inverses of 9 and 5
    expect(Math.imul(((Math.imul(target, 5) << 7) | (Math.imul(target, 5) >>> 25)) >>> 0, 9) >>> 0).toBe(0xffffffff);
    // One step sets s1' = s1 ^ s2 ^ s0.
    const s0 = 0x12345678;
    const s1 = 0x9abcdef0;
    const state = [s0, s1, (target ^ s1 ^ s0) >>> 0, 0x0badf00d] as const;
    const slow = Prng.fromState(state);
    const probe = Prng.fromState(state);
    probe.nextUint32();
    expect(probe.nextUint32()).toBe(0xffffffff);
    const s = Int32Array.from(state);
    const got = new Float32Array(12 * 3);
    fillHalfSplit(s, 12, 3, got);
    expect(got).toEqual(halfSplitBatch(slow, 12, 3));
    expect(Array.from(s, (v) => v >>> 0)).toEqual(slow.state());
  });

  it('other data kinds go through createDataSource unchanged', () => {
    const config = { kind: 'sparse-uniform' as const, n: 10, density: 0.3, importanceDecay: 0.9 };
    const a = createTrainingData(config, createPrng(3));
    const b = createDataSource(config, createPrng(3));
    const x = new Float32Array(40);
    a.next(4, x);
    expect(x).toEqual(b.next(4));
    expect(a.importance).toEqual(b.importance);
    const basis = createTrainingData({ kind: 'basis', n: 3 }, createPrng(0));
    const eye = new Float32Array(9);
    basis.next(3, eye);
    expect(Array.from(eye)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => fillHalfSplit(new Int32Array([1, 2, 3, 4]), 8, 2, new Float32Array(15))).toThrow(/length 16/);
  });
});
