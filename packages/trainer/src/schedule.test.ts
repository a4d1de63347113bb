import type { ScheduleConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { learningRate, scheduleFactor } from './schedule.js';

const constant = (warmupSteps = 0): ScheduleConfig => ({ kind: 'constant', warmupSteps });
const cosine = (warmupSteps: number, minFactor: number): ScheduleConfig => ({ kind: 'cosine', warmupSteps, minFactor });

describe('scheduleFactor', () => {
  it('constant is 1 at every step', () => {
    for (const step of [0, 1, 50, 99]) expect(scheduleFactor(step, 100, constant())).toBe(1);
  });

  it('linear warm-up reaches the full rate at step warmupSteps - 1', () => {
    expect([0, 1, 2, 3, 4, 10].map((s) => scheduleFactor(s, 100, constant(4)))).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
    expect([0, 3, 4].map((s) => scheduleFactor(s, 100, cosine(4, 0)))).toEqual([0.25, 1, 1]);
  });

  it('cosine falls from 1 to minFactor at the last step, through the midpoint value', () => {
    // steps 101, no warm-up: p = step / 100.
    const c = cosine(0, 0.1);
    expect(scheduleFactor(0, 101, c)).toBe(1);
    expect(scheduleFactor(50, 101, c)).toBeCloseTo(0.1 + 0.9 * 0.5, 15);
    expect(scheduleFactor(25, 101, c)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 15);
    expect(scheduleFactor(100, 101, c)).toBeCloseTo(0.1, 15);
    // with warm-up 10 and 111 steps, decay runs over steps 10..110.
    const w = cosine(10, 0.1);
    expect(scheduleFactor(4, 111, w)).toBe(0.5);
    expect(scheduleFactor(10, 111, w)).toBe(1);
    expect(scheduleFactor(60, 111, w)).toBeCloseTo(0.55, 15);
    expect(scheduleFactor(110, 111, w)).toBeCloseTo(0.1, 15);
  });

  it('is monotone non-increasing after warm-up and stays within [minFactor, 1]', () => {
    const c = cosine(5, 0.2);
    let previous = Infinity;
    for (let s = 5; s < 60; s++) {
      const f = scheduleFactor(s, 60, c);
      expect(f).toBeLessThanOrEqual(previous);
      expect(f).toBeGreaterThanOrEqual(0.2 - 1e-15);
      expect(f).toBeLessThanOrEqual(1);
      previous = f;
    }
  });

  it('edge sizes: one step, and warm-up covering all but the last step', () => {
    expect(scheduleFactor(0, 1, cosine(0, 0.3))).toBeCloseTo(0.3, 15);
    expect(scheduleFactor(0, 1, constant())).toBe(1);
    expect(scheduleFactor(4, 5, cosine(4, 0.5))).toBeCloseTo(0.5, 15);
  });
});

describe('learningRate', () => {
  it('scales the base rate', () => {
    expect(learningRate(0.02, 1, 100, constant(4))).toBeCloseTo(0.01, 17);
    expect(learningRate(1e-3, 100, 101, cosine(0, 0))).toBeCloseTo(0, 17);
  });
});
