/**
 * Config schemas (zod): they validate user input, document every field, and fill defaults.
 * Every field carries an explicit "expected …" message so that a bad value produces one line
 * naming the field, what was expected and what was received (see {@link ConfigError}).
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';

const finite = (expected: string) => z.number({ error: expected }).refine(Number.isFinite, { error: expected });
const positive = (expected = 'a positive finite number') => finite(expected).refine((v) => v > 0, { error: expected });
const nonNegative = (expected = 'a finite number >= 0') => finite(expected).refine((v) => v >= 0, { error: expected });
const positiveInt = (expected = 'a positive integer') =>
  z.number({ error: expected }).refine((v) => Number.isSafeInteger(v) && v >= 1, { error: expected });
const nonNegativeInt = (expected = 'an integer >= 0') =>
  z.number({ error: expected }).refine((v) => Number.isSafeInteger(v) && v >= 0, { error: expected });
const probability = (expected = 'a probability in [0, 1)') =>
  finite(expected).refine((v) => v >= 0 && v < 1, { error: expected });
/** The one lambda rule (the L1 coefficient), for every package that takes a lambda. */
export const LAMBDA_RULE = 'a finite lambda >= 0';
/** Validates a lambda; {@link checkLambda} applies it to a bare number. */
export const lambdaSchema = nonNegative(LAMBDA_RULE);
const seedSchema = z.number({ error: 'an integer seed' }).refine(Number.isSafeInteger, { error: 'an integer seed' });

/** Adds `kind: fallback` to an object that lacks it, so `{ lr: 0.01 }` means the default kind. */
const withKind = <T extends z.ZodType>(fallback: string, schema: T) =>
  z.preprocess((v) => (v && typeof v === 'object' && !('kind' in v) ? { kind: fallback, ...v } : v), schema);

const n = positiveInt('a positive integer number of features').default(DEFAULTS.data.n);

export const dataConfigSchema = withKind(
  DEFAULTS.data.kind,
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('half-split'),
        n: positiveInt('a positive multiple of 4 (half-split data puts n/4 ones in one half)')
          .refine((v) => v % 4 === 0, { error: 'a positive multiple of 4 (half-split data puts n/4 ones in one half)' })
          .default(DEFAULTS.data.n),
      }),
      z.strictObject({ kind: z.literal('basis'), n }),
      z.strictObject({
        kind: z.literal('sparse-uniform'),
        n,
        /** Probability that each feature is present (1 - sparsity). */
        density: finite('a density in (0, 1]')
          .refine((v) => v > 0 && v <= 1, { error: 'a density in (0, 1]' })
          .default(DEFAULTS.data.density),
        /** Feature i has importance `importanceDecay^i` (Toy Models of Superposition). */
        importanceDecay: finite('an importance decay in (0, 1]')
          .refine((v) => v > 0 && v <= 1, {
            error: 'an importance decay in (0, 1]',
          })
          .default(DEFAULTS.data.importanceDecay),
      }),
    ],
    { error: 'data.kind: expected "half-split" | "basis" | "sparse-uniform"' },
  ),
);

const weightsSchema = withKind(
  DEFAULTS.model.weights,
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('tied') }),
      z.strictObject({
        kind: z.literal('untied'),
        /** Untied + activation L1 is degenerate without a decoder constraint (SPEC §1). */
        decoderNorm: z.enum(['unit-columns', 'none'], { error: '"unit-columns" | "none"' }).default(DEFAULTS.model.decoderNorm),
      }),
    ],
    { error: 'weights.kind: expected "tied" | "untied"' },
  ),
);

const noiseSchema = withKind(
  'none',
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('gaussian'), std: positive('a positive noise std') }),
      z.strictObject({ kind: z.literal('bernoulli'), p: probability('a drop probability in [0, 1)') }),
    ],
    { error: 'hiddenNoise.kind: expected "none" | "gaussian" | "bernoulli"' },
  ),
);

const paramsLike = z.custom<unknown>((v) => v != null && typeof v === 'object', { error: 'model parameters' });

const initSchema = withKind(
  DEFAULTS.model.init,
  z.discriminatedUnion(
    'kind',
    [
      /** normal(0, std); std defaults to 1/sqrt(m) (Lecomte et al.). */
      z.strictObject({ kind: z.literal('normal'), std: positive('a positive init std').optional() }),
      z.strictObject({ kind: z.literal('xavier') }),
      z.strictObject({
        kind: z.literal('given'),
        params: paramsLike,
        perturbation: nonNegative().default(DEFAULTS.model.perturbation),
      }),
    ],
    { error: 'init.kind: expected "normal" | "xavier" | "given"' },
  ),
);

export const modelConfigSchema = z.strictObject({
  /** Optional; always equals `data.n` (present in normalised configs, so resolving is idempotent). */
  n: positiveInt('a positive integer equal to data.n').optional(),
  /** Hidden neurons `m`; defaults to n/2 + 1 (the seed construction's size). */
  m: positiveInt('a positive integer number of hidden neurons (m >= 1)').optional(),
  weights: weightsSchema.prefault({}),
  hiddenActivation: z.enum(['none', 'relu'], { error: '"none" | "relu"' }).default(DEFAULTS.model.hiddenActivation),
  outputActivation: z.enum(['relu', 'none'], { error: '"relu" | "none"' }).default(DEFAULTS.model.outputActivation),
  outputBias: z.boolean({ error: 'true | false' }).default(DEFAULTS.model.outputBias),
  l1: z
    .object({
      target: z.enum(['activations', 'weights'], { error: '"activations" | "weights"' }).default(DEFAULTS.model.l1Target),
      lambda: lambdaSchema.default(DEFAULTS.model.lambda),
    })
    .prefault({}),
  hiddenNoise: noiseSchema.prefault({}),
  init: initSchema.prefault({}),
});

const betas = {
  beta1: probability('beta1 in [0, 1)').default(0.9),
  beta2: probability('beta2 in [0, 1)').default(0.999),
  epsilon: positive('a positive epsilon').default(1e-8),
};
const lr = positive('a learning rate > 0').default(DEFAULTS.optimizer.lr);

/** One schema per optimizer kind; {@link OPTIMIZER_KINDS} and the error text are derived from it. */
const optimizerVariants = [
  z.strictObject({ kind: z.literal('sgd'), lr, momentum: probability('momentum in [0, 1)').default(0) }),
  z.strictObject({ kind: z.literal('adam'), lr, ...betas }),
  z.strictObject({ kind: z.literal('adamw'), lr, ...betas, weightDecay: nonNegative('weight decay >= 0').default(0.01) }),
] as const;

/** Every optimizer kind the config accepts, in schema order (the one hand-written list). */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = optimizerVariants.map((v) => v.shape.kind.value);

/** An optimizer kind: `OPTIMIZER_KINDS[number]`. */
export type OptimizerKind = (typeof optimizerVariants)[number]['shape']['kind']['value'];

export const optimizerConfigSchema = withKind(
  DEFAULTS.optimizer.kind,
  z.discriminatedUnion('kind', optimizerVariants, {
    error: `optimizer.kind: expected ${OPTIMIZER_KINDS.map((k) => `"${k}"`).join(' | ')}`,
  }),
);

export const scheduleConfigSchema = withKind(
  DEFAULTS.schedule.kind,
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('constant'), warmupSteps: nonNegativeInt().default(DEFAULTS.schedule.warmupSteps) }),
      z.strictObject({
        kind: z.literal('cosine'),
        warmupSteps: nonNegativeInt().default(DEFAULTS.schedule.warmupSteps),
        /** The lr decays to `minFactor * lr` at the last step. */
        minFactor: finite('minFactor in [0, 1]')
          .refine((v) => v >= 0 && v <= 1, { error: 'minFactor in [0, 1]' })
          .default(DEFAULTS.schedule.minFactor),
      }),
    ],
    { error: 'schedule.kind: expected "constant" | "cosine"' },
  ),
);

/**
 * When training stops. `off`: after exactly `steps` updates. `plateau`: each instance stops
 * (its parameters frozen) at the end of the first `window`-step window whose mean minibatch
 * loss and mean L1 both differ from those of the window that ended at half the elapsed steps by
 * at most `tolerance × max(|earlier mean|, floor)`; `steps` is then the cap (an instance that
 * reaches it is `capped`, not converged). See the trainer README, "Convergence".
 */
export const convergenceConfigSchema = withKind(
  DEFAULTS.convergence.kind,
  z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('off') }),
      z.strictObject({
        kind: z.literal('plateau'),
        /** Steps per window mean (windows are aligned at step 0). */
        window: positiveInt('a positive integer window (steps)').default(DEFAULTS.plateau.window),
        /** Largest relative change of both window means that counts as converged. */
        tolerance: positive('a positive tolerance').default(DEFAULTS.plateau.tolerance),
        /** Below this magnitude a mean counts as this (losses that go to 0, e.g. lambda = 0). */
        floor: positive('a positive floor').default(DEFAULTS.plateau.floor),
      }),
    ],
    { error: 'convergence.kind: expected "off" | "plateau"' },
  ),
);

/** Divergence detection (always on): NaN/Inf, or a loss above `blowUp` × the instance's reference. */
export const divergenceConfigSchema = z.strictObject({
  blowUp: finite('a blow-up factor > 1')
    .refine((v) => v > 1, { error: 'a blow-up factor > 1' })
    .default(DEFAULTS.divergence.blowUp),
});

const instanceSchema = z.strictObject({
  seed: seedSchema.optional(),
  lambda: lambdaSchema.optional(),
  lr: positive('a learning rate > 0').optional(),
  /** Sparse-uniform data only: this instance's feature density, overriding `data.density`. */
  density: finite('a density in (0, 1]')
    .refine((v) => v > 0 && v <= 1, { error: 'a density in (0, 1]' })
    .optional(),
  /** Sparse-uniform data only: this instance's importance decay, overriding `data.importanceDecay`. */
  importanceDecay: finite('an importance decay in (0, 1]')
    .refine((v) => v > 0 && v <= 1, { error: 'an importance decay in (0, 1]' })
    .optional(),
});

export const trainConfigSchema = z.strictObject({
  seed: seedSchema.default(DEFAULTS.train.seed),
  /** Updates to train; with `convergence.kind = 'plateau'` the most any instance trains (the cap). */
  steps: nonNegativeInt('an integer number of steps >= 0').default(DEFAULTS.train.steps),
  batchSize: positiveInt('a positive integer batch size').default(DEFAULTS.train.batchSize),
  /** Log loss components every `logEvery` steps (and at the last step). */
  logEvery: positiveInt('a positive integer log interval').default(DEFAULTS.train.logEvery),
  /** Independent instances trained together: a count, or one override object per instance. */
  instances: z
    .union([positiveInt('a positive instance count'), z.array(instanceSchema).min(1)], {
      error: 'a positive instance count or a non-empty array of {seed?, lambda?, lr?, density?, importanceDecay?}',
    })
    .default(DEFAULTS.train.instances),
  data: dataConfigSchema.prefault({}),
  model: modelConfigSchema.prefault({}),
  optimizer: optimizerConfigSchema.prefault({}),
  schedule: scheduleConfigSchema.prefault({}),
  convergence: convergenceConfigSchema.prefault({}),
  divergence: divergenceConfigSchema.prefault({}),
});
