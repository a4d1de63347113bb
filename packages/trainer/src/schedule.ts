/**
 * Learning-rate schedules as pure functions of (step, config): the trainer evaluates them in
 * float64 on the CPU once per step, per instance, so they are exact and identical everywhere.
 */
import type { ScheduleConfig } from '@polytoy/core';

/**
 * The factor multiplying the base learning rate at update `step` (0-based) of `totalSteps`.
 *
 * - Linear warm-up: for `step < warmupSteps` the factor is `(step + 1) / warmupSteps`, so the
 *   first update uses `lr / warmupSteps` and update `warmupSteps - 1` the full `lr`.
 * - `constant`: 1 after warm-up.
 * - `cosine`: after warm-up, `minFactor + (1 - minFactor) · (1 + cos(π p)) / 2` with
 *   `p = (step - warmupSteps) / (totalSteps - 1 - warmupSteps)`: 1 at the first update after
 *   warm-up, exactly `minFactor` at the last update (`step = totalSteps - 1`). When no update
 *   is left after warm-up but the last, that update uses `minFactor`.
 *
 * @param step - index of the update, `0 <= step < totalSteps`.
 * @param totalSteps - the run's number of updates (`config.steps`).
 * @example
 * scheduleFactor(99, 100, { kind: 'cosine', warmupSteps: 0, minFactor: 0.1 }); // 0.1
 * scheduleFactor(0, 100, { kind: 'constant', warmupSteps: 4 }); // 0.25
 */
export function scheduleFactor(step: number, totalSteps: number, schedule: ScheduleConfig): number {
  const warmup = schedule.warmupSteps;
  if (step < warmup) return (step + 1) / warmup;
  if (schedule.kind === 'constant') return 1;
  const span = totalSteps - 1 - warmup;
  const p = span <= 0 ? 1 : Math.min(1, (step - warmup) / span);
  return schedule.minFactor + (1 - schedule.minFactor) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/**
 * The learning rate of one instance at update `step`: `lr · scheduleFactor(step, …)`.
 *
 * @param lr - the instance's base learning rate (`InstanceSpec.lr`).
 * @example
 * learningRate(1e-2, 0, 1000, { kind: 'cosine', warmupSteps: 0, minFactor: 0 }); // 1e-2
 */
export function learningRate(lr: number, step: number, totalSteps: number, schedule: ScheduleConfig): number {
  return lr * scheduleFactor(step, totalSteps, schedule);
}
