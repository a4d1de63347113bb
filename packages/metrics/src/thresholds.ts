/**
 * Every threshold the metrics use, in one place, with the reasoning behind each default.
 * Weights are on the task's natural scale: a feature reconstructed through one neuron needs
 * gain `E·D ≈ 1` (tied: weight ≈ 1), whatever n and m are, so absolute thresholds on effective
 * weights are meaningful; the disambiguation weight `eps = sqrt(4c/n)` shrinks with n, so its
 * tests are relative (sign pattern and spread) plus a floor on the implied c, never on eps.
 */
import { ConfigError } from '@polytoy/core';

export interface MetricThresholds {
  /** Feature i is written on neuron j when `|w[j,i]| >= relativeThreshold * max_j' |w[j',i]|` ... */
  relativeThreshold: number;
  /** ... and `|w[j,i]| >= minWeight` (so noise on a near-zero column is not an assignment). */
  minWeight: number;
  /** A feature is dead when its gain outside disambiguation neurons, `sum_j w[j,i]^2`, is below this. */
  deadGain: number;
  /** Disambiguation: fraction of each half's weights that must carry the half's sign. */
  minSignAgreement: number;
  /** Disambiguation: largest coefficient of variation (std / mean) of the oriented weights. */
  maxCv: number;
  /** Disambiguation: smallest implied `c = eps^2 n / 4` (smaller neurons shift outputs by < minC). */
  minC: number;
  /** Mirrored pair (SPEC §2c): largest ratio between the two neurons' eps. */
  maxMirrorRatio: number;
  /** Functional classification: largest relative distance of (WᵀW, b) to the nearest family member. */
  functionalTolerance: number;
}

/**
 * The defaults. relativeThreshold 0.5: "at least half the feature's largest weight", so a
 * same-sign pair weight ~0.9–1.1 is assigned and leakage of a few hundredths is not; minWeight
 * 0.05: above ±0.02 noise; deadGain 0.1: a feature with gain < 0.1 reaches at most 10% of its
 * target (construction features have gain 1); minSignAgreement 0.85: one stray weight per half
 * is tolerated from n = 16 up (7/8), none below; maxCv 0.35: a noisy `±eps` row passes, a
 * random row (folded-normal CV ≈ 0.76) does not; minC 0.1: a fifth of the
 * seed's c = 1/2; maxMirrorRatio 1.5; functionalTolerance 0.2: ±0.02 weight noise moves
 * (WᵀW, b) by a few percent, while the reflection solution (zero loss, outside the families)
 * stays 0.24–0.54 away for n = 8..64.
 */
export const DEFAULT_THRESHOLDS: Readonly<MetricThresholds> = Object.freeze({
  relativeThreshold: 0.5,
  minWeight: 0.05,
  deadGain: 0.1,
  minSignAgreement: 0.85,
  maxCv: 0.35,
  minC: 0.1,
  maxMirrorRatio: 1.5,
  functionalTolerance: 0.2,
});

/**
 * Fills defaults and validates user thresholds.
 *
 * @throws ConfigError naming the bad field, e.g. `thresholds.relativeThreshold`.
 * @example
 * resolveThresholds({ relativeThreshold: 0.3 }).minWeight; // 0.05
 */
export function resolveThresholds(partial: Partial<MetricThresholds> = {}): MetricThresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...partial };
  const check = (key: keyof MetricThresholds, ok: (v: number) => boolean, expected: string): void => {
    const v = t[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new ConfigError(`thresholds.${key}`, expected, v);
  };
  check('relativeThreshold', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  check('minWeight', (v) => v >= 0, 'a number >= 0');
  check('deadGain', (v) => v >= 0, 'a number >= 0');
  check('minSignAgreement', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  check('maxCv', (v) => v >= 0, 'a number >= 0');
  check('minC', (v) => v >= 0, 'a number >= 0');
  check('maxMirrorRatio', (v) => v >= 1, 'a number >= 1');
  check('functionalTolerance', (v) => v >= 0, 'a number >= 0');
  return t;
}
