/**
 * Grid files: a user's own experiment as data (JSON or YAML, parsed by the caller), validated by
 * a zod schema and turned into an {@link ExperimentDefinition}, so it runs on the same
 * resumable, shardable, queueable runner as the named grids. The results carry the file's
 * `name` and, as `version`, a number taken from the SHA-256 of the normalised file, so results
 * of two different files (or of an edited file) are never mixed: `merge` and resume tell them
 * apart, while reformatting a file or converting it between YAML and JSON changes nothing.
 */
import { ConfigError, DEFAULTS, LAMBDA_RULE, lambdaSchema, OPTIMIZER_KINDS } from '@polytoy/core';
import type { TrainConfigInput } from '@polytoy/core';
import { z } from 'zod';
import type { ExperimentDefinition, ExperimentGrid } from './definition.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { EXPERIMENT_NAMES } from './registry.js';

/** Format tag a grid file may carry (optional; other values are rejected). */
export const GRID_FILE_FORMAT = 'polytoy.grid/1' as const;

const positiveInt = (what: string) => z.number({ error: what }).refine((v) => Number.isSafeInteger(v) && v >= 1, { error: what });
const finite = (what: string) => z.number({ error: what }).refine(Number.isFinite, { error: what });
const nonNegative = (what: string) => finite(what).refine((v) => v >= 0, { error: what });
const positive = (what: string) => finite(what).refine((v) => v > 0, { error: what });

/** An axis: a non-empty list, or one value standing for a list of one. */
const axis = <T extends z.ZodType>(item: T, what: string) =>
  z.preprocess(
    (v) => (v === undefined || Array.isArray(v) ? v : [v]),
    z.array(item, { error: `a list of ${what}` }).min(1, {
      error: `a non-empty list of ${what}`,
    }),
  );

const mSpec = z.union(
  [
    positiveInt('m: a positive integer'),
    z.strictObject({ perHalf: z.number({ error: 'an integer k (m = n/2 + k)' }) }),
    z.strictObject({ ratio: positive('a ratio r > 0 (m = round(r n))') }),
  ],
  { error: 'a positive integer, {perHalf: k} or {ratio: r}' },
);

const optimizer = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('adam') }),
    z.strictObject({ kind: z.literal('adamw'), weightDecay: nonNegative('weight decay >= 0').optional() }),
    z.strictObject({
      kind: z.literal('sgd'),
      momentum: finite('momentum in [0, 1)')
        .refine((v) => v >= 0 && v < 1, { error: 'momentum in [0, 1)' })
        .optional(),
    }),
  ],
  { error: `optimizer.kind: expected ${OPTIMIZER_KINDS.map((k) => `"${k}"`).join(' | ')}` },
);

const start = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('random') }),
    z.strictObject({
      kind: z.literal('construction'),
      c: finite('the construction bias c'),
      perturbation: nonNegative('a perturbation std >= 0').default(DEFAULTS.grid.perturbation),
    }),
  ],
  { error: 'start.kind: expected "random" | "construction"' },
);

const weights = z.enum(['tied', 'untied', 'untied-free'], { error: '"tied" | "untied" | "untied-free"' });
const hidden = z.enum(['none', 'relu'], { error: '"none" | "relu"' });

const cellFilter = z.strictObject({
  n: positiveInt('a positive integer n').optional(),
  m: mSpec.optional(),
  hiddenActivation: hidden.optional(),
  weights: weights.optional(),
  lambda: lambdaSchema.optional(),
  lr: positive('a learning rate > 0').optional(),
  startKind: z.enum(['random', 'construction'], { error: '"random" | "construction"' }).optional(),
  optimizerKind: z.enum(['sgd', 'adam', 'adamw'], { error: '"sgd" | "adam" | "adamw"' }).optional(),
});

const gridAxes = {
  /** Features n (required). */
  n: axis(positiveInt('a positive integer n'), 'positive integers'),
  m: axis(mSpec, 'hidden sizes'),
  lambda: axis(lambdaSchema, `lambdas (each ${LAMBDA_RULE})`),
  lr: axis(positive('a learning rate > 0'), 'learning rates > 0'),
  optimizer: axis(optimizer, 'optimizers'),
  weights: axis(weights, '"tied" | "untied" | "untied-free"'),
  hiddenActivation: axis(hidden, '"none" | "relu"'),
  start: axis(start, 'starts'),
  seeds: positiveInt('a positive integer number of seeds per cell'),
  steps: positiveInt('a positive integer number of steps'),
  batchSize: z.union([positiveInt('a positive batch size'), z.literal('n')], { error: 'a positive integer or "n"' }),
  params: z.enum(['all', 'first-seed', 'none'], { error: '"all" | "first-seed" | "none"' }),
  exclude: z.array(cellFilter, { error: 'a list of cell filters' }),
  /** Sparse-uniform data: densities (per instance, so one batched call covers them). */
  density: axis(
    finite('a density in (0, 1]').refine((v) => v > 0 && v <= 1, { error: 'a density in (0, 1]' }),
    'densities in (0, 1]',
  ),
  /** Sparse-uniform data: importance decays (feature i weighs decay^i), per instance. */
  importanceDecay: axis(
    finite('an importance decay in (0, 1]').refine((v) => v > 0 && v <= 1, { error: 'an importance decay in (0, 1]' }),
    'importance decays in (0, 1]',
  ),
};

/** A fresh copy of a default axis (defaults are shared, results are the caller's to change). */
const copy = <T>(axis: readonly T[]): T[] => axis.map((v) => (typeof v === 'object' && v !== null ? { ...v } : v));

/** The grid of a file: `n` and `steps` are required, every other axis has a default (`DEFAULTS.grid`). */
export const gridSchema = z.strictObject({
  n: gridAxes.n,
  m: gridAxes.m.default(() => copy(DEFAULTS.grid.m)),
  lambda: gridAxes.lambda.default(() => copy(DEFAULTS.grid.lambda)),
  lr: gridAxes.lr.default(() => copy(DEFAULTS.grid.lr)),
  optimizer: gridAxes.optimizer.default(() => copy(DEFAULTS.grid.optimizer)),
  weights: gridAxes.weights.default(() => copy(DEFAULTS.grid.weights)),
  hiddenActivation: gridAxes.hiddenActivation.default(() => copy(DEFAULTS.grid.hiddenActivation)),
  start: gridAxes.start.default(() => copy(DEFAULTS.grid.start)),
  seeds: gridAxes.seeds.default(DEFAULTS.grid.seeds),
  steps: gridAxes.steps,
  batchSize: gridAxes.batchSize.default(DEFAULTS.grid.batchSize),
  params: gridAxes.params.default(DEFAULTS.grid.params),
  exclude: gridAxes.exclude.optional(),
  density: gridAxes.density.optional(),
  importanceDecay: gridAxes.importanceDecay.optional(),
  /** More products: each replaces the axes it names (ExperimentGrid.also). */
  also: z
    .array(
      z
        .strictObject({
          n: gridAxes.n,
          m: gridAxes.m,
          lambda: gridAxes.lambda,
          lr: gridAxes.lr,
          optimizer: gridAxes.optimizer,
          weights: gridAxes.weights,
          hiddenActivation: gridAxes.hiddenActivation,
          start: gridAxes.start,
          exclude: gridAxes.exclude,
          density: gridAxes.density,
          importanceDecay: gridAxes.importanceDecay,
        })
        .partial(),
      { error: 'a list of axis overrides' },
    )
    .optional(),
});

/** A grid file (see docs/GRIDS.md). `full` replaces axes of `grid` for `--size full`. */
export const gridFileSchema = z.strictObject({
  format: z.literal(GRID_FILE_FORMAT, { error: `"${GRID_FILE_FORMAT}"` }).optional(),
  name: z
    .string({ error: 'a name: lower-case letters, digits and dashes' })
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'a name: lower-case letters, digits and dashes (at most 64)' }),
  /** Part of the content hash: bump it to start a fresh set of results for an unchanged grid. */
  version: positiveInt('a positive integer version').default(1),
  description: z.string({ error: 'a string' }).default(''),
  question: z.string({ error: 'a string' }).default(''),
  /** Base training config of every run (data kind, L1 target, schedule, log interval, …). */
  defaults: z.record(z.string(), z.unknown(), { error: 'a training config object' }).default({}),
  grid: gridSchema,
  full: z.strictObject(gridAxes).partial().optional(),
});

/** A grid file as written (before defaults). */
export type GridFileInput = z.input<typeof gridFileSchema>;
/** A grid file with every default filled. */
export type GridFile = z.output<typeof gridFileSchema>;

function toError(error: z.ZodError, where: string): ConfigError {
  const issue = error.issues[0]!;
  const path = [where, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') return new ConfigError(path, 'no unknown fields', issue.keys.join(', '));
  let received: unknown = 'input' in issue ? issue.input : undefined;
  const last = issue.path[issue.path.length - 1];
  if (received && typeof received === 'object' && typeof last === 'string' && last in received) {
    received = (received as Record<string, unknown>)[last];
  }
  return new ConfigError(path, issue.message.replace(/^[\w.]+: expected /, ''), received);
}

/**
 * The version number results of a grid file carry: the first 8 hex digits of the SHA-256 of the
 * normalised file's canonical JSON, as an integer (< 2^32).
 *
 * @example
 * gridFileVersion(parseGridFile({ name: 'mine', grid: { n: [8], steps: 100 } })); // e.g. 2780316523
 */
export function gridFileVersion(file: GridFile): number {
  return Number.parseInt(sha256Hex(canonicalJson(file)).slice(0, 8), 16);
}

/**
 * Validates a parsed grid file (JSON or YAML) and fills its defaults.
 *
 * @param value - the parsed file.
 * @param where - prefix of error paths (e.g. the file name).
 * @throws ConfigError naming the first bad field, e.g. `mine.yaml.grid.lr.0: expected a learning rate > 0, received -1`.
 * @example
 * const file = parseGridFile({ name: 'mine', grid: { n: [8, 16], lambda: [0.001, 0.01], steps: 2000 } });
 * file.grid.seeds; // 1
 */
export function parseGridFile(value: unknown, where = 'grid file'): GridFile {
  const parsed = gridFileSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw toError(parsed.error, where);
  const file = parsed.data;
  if (EXPERIMENT_NAMES.includes(file.name)) {
    throw new ConfigError(
      `${where}.name`,
      `a name other than the built-in experiments (${EXPERIMENT_NAMES.join(', ')})`,
      file.name,
    );
  }
  return file;
}

/**
 * Turns a grid file into an experiment definition (`version` = {@link gridFileVersion}); its
 * `full` size is `grid` with the axes of `full` replaced. Every cell's config is validated when
 * the grid is expanded (`expandGrid`), with errors naming the cell and the field.
 *
 * @example
 * const def = definitionFromGridFile(parseGridFile(YAML.parse(text), 'mine.yaml'));
 * await runExperiment(def, { store: memoryStore() });
 */
export function definitionFromGridFile(file: GridFile): ExperimentDefinition {
  const small = file.grid as ExperimentGrid;
  const full = { ...small, ...(file.full ?? {}) } as ExperimentGrid;
  return {
    name: file.name,
    version: gridFileVersion(file),
    description: file.description,
    question: file.question,
    defaults: file.defaults as TrainConfigInput,
    sizes: { small, full },
  };
}
