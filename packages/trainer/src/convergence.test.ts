import { createPrng } from '@polytoy/core';
import type { PlateauConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { addPlateauStep, emptyPlateauState, plateauReached } from './convergence.js';
import type { PlateauState } from './convergence.js';

const config = (window: number, tolerance = 1e-2, floor = 1e-3): PlateauConfig => ({ kind: 'plateau', window, tolerance, floor });

/** The step (number of updates) at which the criterion stops a sequence, or null. */
function convergedAt(
  c: PlateauConfig,
  steps: number,
  at: (t: number) => [number, number],
  state = emptyPlateauState(),
): number | null {
  for (let t = 0; t < steps; t++) {
    const [loss, l1] = at(t);
    if (addPlateauStep(c, state, loss, l1)) return t + 1;
  }
  return null;
}

describe('the plateau criterion', () => {
  it('stops a flat sequence at the end of the second window (window 1 against window 0)', () => {
    expect(convergedAt(config(100), 1000, () => [0.3, 4])).toBe(200);
    expect(convergedAt(config(7), 1000, () => [0.3, 4])).toBe(14);
  });

  it('compares with the window that ended at half the elapsed steps', () => {
    // means of windows 0..5; at k = 5 the reference is window 2 (steps 200..300 of 600).
    const means: [number, number][] = [
      [9, 9],
      [5, 5],
      [1, 4],
      [0.7, 4],
      [1.005, 4.02],
      [1.009, 4.03],
    ];
    expect(plateauReached(config(100), means)).toBe(true);
    expect(plateauReached(config(100), means.slice(0, 5))).toBe(false); // k = 4 against window 1
    expect(plateauReached(config(100), means.slice(0, 1))).toBe(false);
  });

  it('does not stop a sequence that is still falling: L1 5.17 → 4.80 → 4.52 per 1000 steps', () => {
    // The n16 m9 lambda 1e-2 Adam run: the loss looks flat, L1 falls ~6% per 1000 steps.
    const l1 = (t: number) => 5.17 * Math.exp(-t * 6.7e-5);
    expect(convergedAt(config(1000), 20_000, (t) => [0.05, l1(t)])).toBeNull();
    // With the loss alone it would have stopped at once.
    expect(convergedAt(config(1000), 20_000, () => [0.05, 5])).toBe(2000);
  });

  it('stops a decaying curve once the last half of training changed it by less than the tolerance', () => {
    // L1 = 4 + 2/(1 + t/1000): relative change over [t/2, t] is about 2·500/t / 4.
    const at = (t: number): [number, number] => [0.1, 4 + 2 / (1 + t / 1000)];
    const t = convergedAt(config(1000), 400_000, at)!;
    expect(t).toBeGreaterThan(20_000);
    expect(t).toBeLessThan(60_000);
    // and training 4× longer changes L1 by less than the tolerance.
    expect((at(t)[1] - at(4 * t)[1]) / at(4 * t)[1]).toBeLessThan(1e-2);
  });

  it('lets a noisy plateau converge with a window long enough to average the noise', () => {
    const rng = createPrng(1);
    const noise = Array.from({ length: 20_000 }, () => rng.normal());
    // Minibatch noise of 10% per step: means of 1000 steps vary by 0.3%.
    const noisy = (t: number): [number, number] => [1 + 0.1 * noise[t]!, 4 + 0.2 * noise[(t * 7) % 20_000]!];
    expect(convergedAt(config(1000), 20_000, noisy)).toBe(2000);
    // A falling curve under the same noise does not converge while it falls.
    const falling = (t: number): [number, number] => [Math.exp(-t / 2000) + 0.1 * noise[t]!, 4];
    expect(convergedAt(config(1000), 4000, falling)).toBeNull();
  });

  it('uses the floor for a loss that goes to 0 (lambda = 0)', () => {
    const zero = (t: number): [number, number] => [Math.exp(-t / 100), 4];
    // |Δ| <= tolerance · floor = 1e-5 once the loss is about 1e-5: at t ≈ 100·ln(1e5) ≈ 1150 …
    const t = convergedAt(config(100), 10_000, zero)!;
    expect(t).toBeGreaterThan(1000);
    expect(t).toBeLessThan(3000);
    // … while without a floor the relative change of an exponential never shrinks.
    expect(convergedAt(config(100, 1e-2, 1e-300), 10_000, zero)).toBeNull();
    // An exact 0 from the start converges at once.
    expect(convergedAt(config(100), 1000, () => [0, 0])).toBe(200);
  });

  it('decides the same when fed in pieces through a JSON round trip (checkpoints)', () => {
    const rng = createPrng(2);
    const values = Array.from({ length: 30_000 }, (_, t): [number, number] => [2 + 1 / (1 + t / 100) + 0.05 * rng.normal(), 3]);
    const c = config(500);
    const whole = convergedAt(c, values.length, (t) => values[t]!);
    const state = emptyPlateauState();
    expect(convergedAt(c, 1234, (t) => values[t]!, state)).toBeNull();
    const back = JSON.parse(JSON.stringify(state)) as PlateauState;
    const rest = convergedAt(c, values.length - 1234, (t) => values[t + 1234]!, back);
    expect(whole).not.toBeNull();
    expect(rest! + 1234).toBe(whole);
  });
});
