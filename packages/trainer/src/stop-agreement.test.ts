import { describe, expect, it } from 'vitest';
import { StopAgreement } from './stop-agreement.js';

describe('StopAgreement', () => {
  it('stops at the furthest step once every slice has paused', () => {
    const a = new StopAgreement(3);
    expect(a.request([null, null, null])).toBeNull();
    expect(a.paused(1, 120)).toBeNull();
    expect(a.paused(0, 100)).toBeNull();
    expect(a.paused(2, 110)).toBe(120);
    expect(a.stopAt).toBe(120);
  });

  it('counts a slice that had finished before the abort with its last step', () => {
    const a = new StopAgreement(2);
    expect(a.request([640, null])).toBeNull();
    expect(a.paused(1, 1001)).toBe(1001);
  });

  it('counts a slice whose result arrives after the abort, before any slice paused', () => {
    // The race that hung the run: slice 0 finished while the pause was on its way, so it never
    // pauses; its result came in while no other slice had answered yet.
    const a = new StopAgreement(2);
    expect(a.request([null, null])).toBeNull();
    expect(a.finished(0, 640)).toBeNull();
    expect(a.paused(1, 1001)).toBe(1001);
  });

  it('counts a slice whose result arrives after the other slices paused', () => {
    const a = new StopAgreement(2);
    a.request([null, null]);
    expect(a.paused(1, 1001)).toBeNull();
    expect(a.finished(0, 1200)).toBe(1200);
  });

  it('ignores results without an abort, and answers after the decision', () => {
    const a = new StopAgreement(2);
    expect(a.finished(0, 50)).toBeNull();
    expect(a.stopping).toBe(false);
    expect(a.request([null, null])).toBeNull();
    expect(a.stopping).toBe(true);
    a.paused(0, 60);
    expect(a.paused(1, 70)).toBe(70);
    expect(a.finished(1, 90)).toBeNull();
    expect(a.stopAt).toBe(70);
  });
});
