import type { LossRecord } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { DecimatedHistory } from './history.js';

const rec = (step: number): LossRecord => ({ step, instance: 0, loss: 1 / (1 + step), reconstruction: 0.5, l1: 1 });

describe('DecimatedHistory', () => {
  it('keeps everything while it fits', () => {
    const h = new DecimatedHistory(8);
    for (let s = 0; s < 7; s++) h.push(rec(s));
    expect(h.points().map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('stays bounded however long the run, evenly spaced, with the first and the latest record', () => {
    const h = new DecimatedHistory(16);
    for (let s = 0; s < 100_000; s++) {
      h.push(rec(s));
      if (s % 97 === 0) expect(h.points().length).toBeLessThanOrEqual(17);
    }
    const steps = h.points().map((r) => r.step);
    expect(steps[0]).toBe(0);
    expect(steps[steps.length - 1]).toBe(99_999);
    // Kept records are every stride-th one: 100 000 records into 16 slots → stride 8192.
    const gaps = new Set(steps.slice(1, -1).map((s, i) => s - steps[i]!));
    expect(gaps).toEqual(new Set([8192]));
    expect(h.count).toBe(100_000);
  });

  it('rejects a capacity it cannot halve', () => {
    expect(() => new DecimatedHistory(5)).toThrow(RangeError);
    expect(() => new DecimatedHistory(2)).toThrow(RangeError);
  });
});
