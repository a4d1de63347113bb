/**
 * Experiment definitions are plain data: a name, a version, the base training config and, per
 * size, the grid of axes to sweep. {@link expandGrid} turns one into {@link RunSpec}s.
 */
import type {
  HiddenActivation,
  InstanceSpec,
  OptimizerConfig,
  OptimizerKind,
  TrainConfig,
  TrainConfigInput,
} from '@polytoy/core';

/** Grid sizes: `small` is the default (minutes on 2 cores), `full` is opt-in. */
export type ExperimentSize = 'small' | 'full';

/** The sizes in the order the CLI lists them. */
export const EXPERIMENT_SIZES: readonly ExperimentSize[] = ['small', 'full'];

/**
 * Hidden size, possibly relative to `n`: a plain number, `{ perHalf: k }` for `m = n/2 + k`, or
 * `{ ratio: r }` for `m = round(r * n)`.
 */
export type MSpec = number | { perHalf: number } | { ratio: number };

/** How instances start: random init (the config's `model.init`) or the seed's construction. */
export type StartSpec =
  | { kind: 'random' }
  | {
      kind: 'construction';
      /** Bias magnitude of the same-sign construction (SPEC §2; zero loss iff c >= 1/2). */
      c: number;
      /** Std of Gaussian noise added to every trainable parameter (per instance seed). */
      perturbation: number;
    };

/**
 * Optimizer choice on a grid axis, derived from core's optimizer configs: the kind and its own
 * options (the learning rate is its own axis; Adam's betas and epsilon keep their defaults).
 */
export type OptimizerChoice = {
  [K in OptimizerKind]: { kind: K } & Partial<
    Omit<Extract<OptimizerConfig, { kind: K }>, 'kind' | 'lr' | 'beta1' | 'beta2' | 'epsilon'>
  >;
}[OptimizerKind];

/**
 * Tied weights; untied with unit-norm decoder columns (SPEC §1: untied needs a constraint); or
 * `untied-free`: untied without the constraint, for grids that put a weight penalty in its place
 * (AdamW's weight decay): without one, activation L1 is degenerate (E shrinks, D grows).
 */
export type WeightsChoice = 'tied' | 'untied' | 'untied-free';

/** Which parameters a result line keeps (they dominate its size). */
export type ParamsStorage = 'all' | 'first-seed' | 'none';

/** The axes of one grid size. Every combination is a cell; each cell has `seeds` runs. */
export interface ExperimentGrid {
  n: number[];
  m: MSpec[];
  lambda: number[];
  lr: number[];
  optimizer: OptimizerChoice[];
  weights: WeightsChoice[];
  hiddenActivation: HiddenActivation[];
  start: StartSpec[];
  /** Runs per cell, with instance seeds `0 .. seeds-1`. */
  seeds: number;
  steps: number;
  /** Samples per step; `'n'` means the whole basis (required for basis data). */
  batchSize: number | 'n';
  /** Result lines keep parameters of every run, the first seed of each cell only, or none. */
  params: ParamsStorage;
  /** Cells to leave out (e.g. a construction start where it does not fit); see {@link CellFilter}. */
  exclude?: CellFilter[];
  /**
   * Sparse-uniform data: feature densities (1 − sparsity), one cell each. Set per instance, so
   * cells differing only in density (and importance) share a training call.
   */
  density?: number[];
  /** Sparse-uniform data: importance decays (feature i weighs `decay^i`), per instance like `density`. */
  importanceDecay?: number[];
  /**
   * More products in the same grid: each entry replaces the axes it names (the others, `seeds`,
   * `steps` and the rest are this grid's; its own `exclude`, if any, replaces this grid's) and
   * its cells are added after this grid's. A slice that varies one factor at a time around a
   * base product is a union like this; a cell in two products is run once (same run id).
   */
  also?: GridExtension[];
}

/** One extra product of a grid ({@link ExperimentGrid.also}): the axes it replaces. */
export type GridExtension = Partial<Omit<ExperimentGrid, 'also' | 'seeds' | 'steps' | 'batchSize' | 'params'>>;

/**
 * Matches cells: every field given must equal the cell's (`m` is resolved against the cell's
 * `n`; `startKind` and `optimizerKind` compare the start's and the optimizer's kind). A filter with no fields matches every cell.
 */
export interface CellFilter {
  n?: number;
  m?: MSpec;
  hiddenActivation?: HiddenActivation;
  weights?: WeightsChoice;
  lambda?: number;
  lr?: number;
  startKind?: StartSpec['kind'];
  /** Compares the optimizer's kind (e.g. keep a weight-penalised grid's AdamW away from tied cells). */
  optimizerKind?: OptimizerChoice['kind'];
}

/** A named, versioned experiment. Bump `version` whenever a change alters any run's results. */
export interface ExperimentDefinition {
  name: string;
  version: number;
  description: string;
  /** The SPEC §3 question (or §4 anchor) it answers, for reports. */
  question: string;
  /** Base training config shared by every run (data kind, L1 target, schedule, log interval…). */
  defaults: TrainConfigInput;
  sizes: Record<ExperimentSize, ExperimentGrid>;
}

/** A cell's coordinates: every axis but the seed. Values are JSON scalars (labels for objects). */
export interface CellCoordinates {
  n: number;
  m: number;
  hiddenActivation: HiddenActivation;
  weights: WeightsChoice;
  optimizer: string;
  start: string;
  lambda: number;
  lr: number;
  /** Only in grids with a `density` axis. */
  density?: number;
  /** Only in grids with an `importanceDecay` axis. */
  importanceDecay?: number;
}

/** One run: one instance of one cell, fully specified. */
export interface RunSpec {
  experiment: string;
  version: number;
  size: ExperimentSize;
  cell: CellCoordinates;
  /** The cell's key (stable string), shared by all seeds of the cell. */
  cellKey: string;
  seed: number;
  /** The normalised single-instance config (`instances` has one entry). JSON-safe. */
  config: TrainConfig;
  start: StartSpec;
  /** Whether the result line keeps this run's parameters. Not part of the run id. */
  keepParams: boolean;
}

/** The instance part of a spec (what differs between runs batched into one training call). */
export function instanceOf(spec: RunSpec): InstanceSpec {
  return spec.config.instances[0]!;
}
