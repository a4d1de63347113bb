/**
 * Every threshold the metrics use, in one place, with the reasoning behind each default.
 * Weights are on the task's natural scale: a feature reconstructed through one neuron needs
 * gain `E·D ≈ 1` (tied: weight ≈ 1), whatever n and m are, so absolute thresholds on effective
 * weights are meaningful; the disambiguation weight `eps = sqrt(4c/n)` shrinks with n, so its
 * tests are relative (sign pattern and spread) plus a floor on the implied c, never on eps.
 *
 * The taxonomy's distances are in the data's own units: d_i² = E_x(z_i − z*_i)² / E[x_i²]. One
 * stray weight w on one feature gives exactly d_i = |w| (E[x_k²] = E[x_i²]), so a tolerance
 * of 0.25 reads "as far from the template as one stray weight of a quarter of the partner's".
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
  /** Taxonomy: smallest |partner weight| of a same-sign or opposite-sign template (smaller: monosemantic). */
  minPartnerWeight: number;
  /** Taxonomy: an output whose gain (own feature on minus off, on the support) is below this is dead. */
  deadOutputGain: number;
  /** Taxonomy: largest distance d_i of one output to its mechanism's template (units of RMS x_i). */
  outputTolerance: number;
  /** Taxonomy: largest RMS distance of the whole model to a family (units of RMS x_i). */
  familyTolerance: number;
  /** Taxonomy: largest neuron-level relative distance for a family to count as neuron-aligned. */
  alignedTolerance: number;
  /** Taxonomy: mean `2(b_i + c_i)` of the same-sign outputs from which they are in the m = n/2 form. */
  mHalfForm: number;
  /** Taxonomy: singular values below this fraction of the largest do not count in the rank. */
  rankTolerance: number;
  /** Taxonomy: exact reconstruction per sample at most this is "near-zero loss". */
  nearZeroReconstruction: number;
  /** Taxonomy: a live output off every template whose per-output loss is at most this is `distributed` (else `other`). */
  exactOutputLoss: number;
  /** ±eps neuron: smallest |cosine| of its encoder row with u = (+1 on A, −1 on B). */
  epsCosine: number;
  /** ±eps neuron: an output reads it when its shift c_ij on the output is at least this. */
  readShift: number;
  /** ±eps neuron: it disambiguates when its readers keep at least this fraction of its shift. */
  epsCarries: number;
  /** ±eps neuron: its shift is cancelled when its readers keep at most this fraction. */
  epsCancelled: number;
  /** Half detector (ReLU): largest std on its half, and mean + std on the other, as fractions of its mean activation. */
  detectorSpread: number;
}

/**
 * The defaults.
 *
 * Neuron-level reading: relativeThreshold 0.5: "at least half the feature's largest weight", so
 * a same-sign pair weight ~0.9–1.1 is assigned and leakage of a few hundredths is not;
 * minWeight 0.05: above ±0.02 noise; deadGain 0.1: a feature with gain < 0.1 reaches at most
 * 10% of its target (construction features have gain 1); minSignAgreement 0.85: one stray
 * weight per half is tolerated from n = 16 up (7/8), none below; maxCv 0.35: a noisy `±eps` row
 * passes, a random row (folded-normal CV ≈ 0.76) does not; minC 0.1: a fifth of the seed's
 * c = 1/2 (also the floor below which a ±eps row is too small to report); maxMirrorRatio 1.5.
 *
 * Taxonomy: minPartnerWeight 0.5 and deadOutputGain 0.5: halfway between the constructions' 1
 * and 0, the nearest-template boundary; outputTolerance and familyTolerance 0.25: one stray
 * weight of a quarter of the partner's (see above). Exact constructions sit at 0 (1e-9 float64,
 * 1e-5 float32); λ-relaxed ones (weights shrunk by O(λ), c just below 1/2) at 0.001–0.01 for
 * λ <= 1e-2; the committed construction-start runs at 0.001–0.2; unstructured zero-loss
 * solutions (dense other-half rows) at 0.3–0.7, random maps (even with M_ii = 1) at 0.6 and more
 * (growing like √n). The committed runs
 * spread continuously between 0.05 and 0.5 (unconverged), so 0.25 is a convention, stated in
 * the units above, not a gap in the data. alignedTolerance 0.25: the neuron-level relative
 * distance of a ±0.02-noisy construction is a few hundredths, of a random rotation 0.7–1.4.
 * mHalfForm 0.5: halfway between the seed's form (0) and the m = n/2 form (1). rankTolerance
 * 0.05: L1 drives unused directions towards 0 but training leaves them at ~1e-3 of the largest.
 * nearZeroReconstruction 1e-3: the success threshold the findings use. exactOutputLoss 1e-4:
 * an output's mean (x_i − y_i)² of 1e-4 is an RMS error of 0.01 per sample, 4e-4 of a dead
 * output's loss E[x_i²] = 1/4, and at most nearZeroReconstruction / n for n <= 10 (n outputs
 * at this bound stay within the run-level budget there; beyond, the run-level test still
 * applies to the sum). In the committed runs the off-template outputs' losses have their
 * least density near 1e-4 (n = 8: most at 1e-6…1e-5 or at 1e-3…1e-2), and the outputs that
 * do match a template in near-zero-loss runs reach at most 1.1e-4 (λ = 1e-2; median 4e-6), so
 * an off-template output is held to the exactness the template outputs show. Near-zero-loss
 * runs with one output at 1e-4…3e-4 (λ = 1e-2, ReLU) stay `unmatched` with that output `other`.
 *
 * ±eps neuron: epsCosine 0.9 (a cv <= 0.35 row has cosine >= 0.94; a random unit row reaches
 * 0.9 with probability ~3e-3 at n = 8 and less beyond); readShift 0.1: a fifth of c = 1/2,
 * below the quarter each of the two ReLU half detectors contributes; epsCarries 0.75 and
 * epsCancelled 0.25: the function keeps most, or little, of the neuron's own shift;
 * detectorSpread 0.25: the two-neuron construction's detectors are exactly constant (0) and
 * silent (0) — a quarter of the mean leaves room for training noise.
 */
export const DEFAULT_THRESHOLDS: Readonly<MetricThresholds> = Object.freeze({
  relativeThreshold: 0.5,
  minWeight: 0.05,
  deadGain: 0.1,
  minSignAgreement: 0.85,
  maxCv: 0.35,
  minC: 0.1,
  maxMirrorRatio: 1.5,
  minPartnerWeight: 0.5,
  deadOutputGain: 0.5,
  outputTolerance: 0.25,
  familyTolerance: 0.25,
  alignedTolerance: 0.25,
  mHalfForm: 0.5,
  rankTolerance: 0.05,
  nearZeroReconstruction: 1e-3,
  exactOutputLoss: 1e-4,
  epsCosine: 0.9,
  readShift: 0.1,
  epsCarries: 0.75,
  epsCancelled: 0.25,
  detectorSpread: 0.25,
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
  check('minPartnerWeight', (v) => v > 0, 'a number > 0');
  check('deadOutputGain', (v) => v >= 0, 'a number >= 0');
  check('outputTolerance', (v) => v > 0, 'a number > 0');
  check('familyTolerance', (v) => v > 0, 'a number > 0');
  check('alignedTolerance', (v) => v > 0, 'a number > 0');
  check('mHalfForm', (v) => v > 0 && v < 1, 'a number in (0, 1)');
  check('rankTolerance', (v) => v > 0 && v < 1, 'a number in (0, 1)');
  check('nearZeroReconstruction', (v) => v >= 0, 'a number >= 0');
  check('exactOutputLoss', (v) => v >= 0, 'a number >= 0');
  check('epsCosine', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  check('readShift', (v) => v >= 0, 'a number >= 0');
  check('epsCarries', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  check('epsCancelled', (v) => v >= 0 && v < t.epsCarries, 'a number >= 0 below epsCarries');
  check('detectorSpread', (v) => v >= 0, 'a number >= 0');
  return t;
}
