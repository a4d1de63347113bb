/**
 * Hidden-layer noise (Lecomte et al.), drawn in plain TypeScript from our {@link Prng} (never
 * tfjs random ops) so Node and the browser see identical noise for the same seeds.
 */
import type { ModelConfig, Prng } from '@polytoy/core';

/**
 * One step's hidden noise for I instances.
 *
 * - `gaussian`: `values` are the additive perturbations `std·z` (already scaled), applied as
 *   `h ← h + values`.
 * - `bernoulli`: `values` is a 0/1 keep-mask (keep with probability `1 − p`), applied as
 *   `h ← h · values`, without rescaling.
 */
export interface HiddenNoiseSample {
  kind: 'gaussian' | 'bernoulli';
  /** [I, B, m] row-major. */
  values: Float32Array;
}

/**
 * Draws one step's hidden noise, `batchSize · m` values per instance from that instance's own
 * stream (row-major [B, m]), so instance i's noise does not depend on how many instances run.
 *
 * @param model - resolved model config; `hiddenNoise.kind === 'none'` returns `null` (no draws).
 * @param rngs - one stream per instance (each advanced by `batchSize · m` draws; gaussian
 *   draws use `normal()`, bernoulli draws one `nextFloat()` each: dropped when `< p`).
 * @param batchSize - B.
 * @example
 * const noise = sampleHiddenNoise(model, [createPrng(1)], 64); // null when hiddenNoise is none
 */
export function sampleHiddenNoise(model: ModelConfig, rngs: Prng[], batchSize: number): HiddenNoiseSample | null {
  const cfg = model.hiddenNoise;
  if (cfg.kind === 'none') return null;
  const per = batchSize * model.m;
  const values = new Float32Array(rngs.length * per);
  rngs.forEach((rng, i) => {
    const base = i * per;
    if (cfg.kind === 'gaussian') {
      for (let k = 0; k < per; k++) values[base + k] = cfg.std * rng.normal();
    } else {
      for (let k = 0; k < per; k++) values[base + k] = rng.nextFloat() < cfg.p ? 0 : 1;
    }
  });
  return { kind: cfg.kind, values };
}
