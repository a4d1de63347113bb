/**
 * Deterministic grid expansion: definition + size → ordered {@link RunSpec}s with stable run
 * ids; grouping of compatible runs into multi-instance training calls; `--shard i/N` slicing.
 */
import { ConfigError, DEFAULTS, resolveTrainConfig } from '@polytoy/core';
import type { TrainConfig, WeightsConfig } from '@polytoy/core';
import type {
  CellCoordinates,
  CellFilter,
  ExperimentDefinition,
  ExperimentGrid,
  ExperimentSize,
  MSpec,
  OptimizerChoice,
  RunSpec,
  StartSpec,
  WeightsChoice,
} from './definition.js';
import { canonicalJson, sha256Hex } from './hash.js';

/** Resolves an {@link MSpec} for `n`. */
export function resolveM(spec: MSpec, n: number): number {
  if (typeof spec === 'number') return spec;
  if ('perHalf' in spec) return n / 2 + spec.perHalf;
  return Math.round(spec.ratio * n);
}

/** The model's weights config of a grid's weights choice. */
export function weightsConfigOf(w: WeightsChoice): WeightsConfig {
  if (w === 'tied') return { kind: 'tied' };
  return { kind: 'untied', decoderNorm: w === 'untied' ? 'unit-columns' : 'none' };
}

/** Short label of an optimizer choice, e.g. `adam`, `sgd(momentum=0.9)`. */
export function optimizerLabel(o: OptimizerChoice): string {
  const extra = Object.entries(o)
    .filter(([k, v]) => k !== 'kind' && v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v)}`);
  return extra.length ? `${o.kind}(${extra.join(',')})` : o.kind;
}

/** Short label of a start, e.g. `random`, `construction(c=0.5,perturbation=0.01)`. */
export function startLabel(s: StartSpec): string {
  return s.kind === 'random' ? 'random' : `construction(c=${s.c},perturbation=${s.perturbation})`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Deep merge of plain objects (arrays and scalars in `b` replace those in `a`). */
export function mergeDeep(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeDeep(a[k], v);
  return out;
}

function checkGrid(grid: ExperimentGrid, path: string): void {
  const axes = ['n', 'm', 'lambda', 'lr', 'optimizer', 'weights', 'hiddenActivation', 'start'] as const;
  for (const axis of axes) {
    if (!Array.isArray(grid[axis]) || grid[axis].length === 0) {
      throw new ConfigError(`${path}.${axis}`, 'a non-empty array', grid[axis]);
    }
  }
  if (!Number.isSafeInteger(grid.seeds) || grid.seeds < 1)
    throw new ConfigError(`${path}.seeds`, 'a positive integer', grid.seeds);
}

/** The cell key: canonical JSON of the coordinates (stable, human-readable). */
export function cellKeyOf(cell: CellCoordinates): string {
  return canonicalJson(cell);
}

/**
 * Expands a definition's grid into run specs, in a fixed order: n, m, hidden activation,
 * weights, optimizer, start, lambda, lr, density, importance decay, seed (seed innermost, so the seeds of a cell and the
 * cells that can share a training call are adjacent). Duplicate m values for one n, and runs
 * with equal ids, are kept once (first occurrence).
 *
 * @param def - the experiment definition.
 * @param size - `small` (default) or `full`.
 * @throws ConfigError for an empty axis, a bad seed count, or a config that does not validate
 *   (the message names the offending field, prefixed by the cell).
 * @example
 * const specs = expandGrid(EXPERIMENTS['finds-solution'], 'small');
 * specs[0].cell; // { n: 8, m: 4, hiddenActivation: 'none', weights: 'tied', … }
 */
export function expandGrid(def: ExperimentDefinition, size: ExperimentSize = 'small'): RunSpec[] {
  const base = def.sizes[size];
  if (!base) throw new ConfigError('size', '"small" | "full"', size);
  const specs: RunSpec[] = [];
  const seen = new Set<string>();
  const products = [base, ...(base.also ?? []).map((extra): ExperimentGrid => ({ ...base, exclude: undefined, ...extra }))];
  products.forEach((grid, k) => {
    checkGrid(grid, k === 0 ? `${def.name}.sizes.${size}` : `${def.name}.sizes.${size}.also[${k - 1}]`);
    expandProduct(def, size, grid, specs, seen);
  });
  return specs;
}

/** Appends the runs of one product of axes to `specs` (skipping ids already in `seen`). */
function expandProduct(
  def: ExperimentDefinition,
  size: ExperimentSize,
  grid: ExperimentGrid,
  specs: RunSpec[],
  seen: Set<string>,
): void {
  for (const n of grid.n) {
    const ms = [...new Set(grid.m.map((s) => resolveM(s, n)))];
    for (const m of ms) {
      for (const hiddenActivation of grid.hiddenActivation) {
        for (const weights of grid.weights) {
          for (const optimizer of grid.optimizer) {
            for (const start of grid.start) {
              for (const lambda of grid.lambda) {
                for (const lr of grid.lr) {
                  for (const data of dataAxes(grid)) {
                    const cell: CellCoordinates = {
                      n,
                      m,
                      hiddenActivation,
                      weights,
                      optimizer: optimizerLabel(optimizer),
                      start: startLabel(start),
                      lambda,
                      lr,
                      ...data,
                    };
                    if (grid.exclude?.some((f) => matchesFilter(f, cell, start, optimizer))) continue;
                    const cellKey = cellKeyOf(cell);
                    // Resolve once per cell; the seeds differ only in the instance.
                    const base = configFor(def, grid, cell, optimizer, 0);
                    for (let seed = 0; seed < grid.seeds; seed++) {
                      const config: TrainConfig = { ...base, instances: [{ ...base.instances[0]!, seed }] };
                      const spec: RunSpec = {
                        experiment: def.name,
                        version: def.version,
                        size,
                        cell,
                        cellKey,
                        seed,
                        config,
                        start,
                        keepParams: grid.params === 'all' || (grid.params === 'first-seed' && seed === 0),
                      };
                      const id = runIdOf(spec);
                      if (seen.has(id)) continue;
                      seen.add(id);
                      specs.push(spec);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/** The per-instance data coordinates of a grid: every (density, importanceDecay) pair given. */
function dataAxes(grid: ExperimentGrid): Pick<CellCoordinates, 'density' | 'importanceDecay'>[] {
  const densities: (number | undefined)[] = grid.density ?? [undefined];
  const decays: (number | undefined)[] = grid.importanceDecay ?? [undefined];
  return densities.flatMap((density) =>
    decays.map((importanceDecay) => ({
      ...(density !== undefined ? { density } : {}),
      ...(importanceDecay !== undefined ? { importanceDecay } : {}),
    })),
  );
}

/** Whether a cell matches a {@link CellFilter}. */
export function matchesFilter(f: CellFilter, cell: CellCoordinates, start: StartSpec, optimizer: OptimizerChoice): boolean {
  if (f.n !== undefined && f.n !== cell.n) return false;
  if (f.m !== undefined && resolveM(f.m, cell.n) !== cell.m) return false;
  if (f.hiddenActivation !== undefined && f.hiddenActivation !== cell.hiddenActivation) return false;
  if (f.weights !== undefined && f.weights !== cell.weights) return false;
  if (f.lambda !== undefined && f.lambda !== cell.lambda) return false;
  if (f.lr !== undefined && f.lr !== cell.lr) return false;
  if (f.startKind !== undefined && f.startKind !== start.kind) return false;
  if (f.optimizerKind !== undefined && f.optimizerKind !== optimizer.kind) return false;
  return true;
}

function configFor(
  def: ExperimentDefinition,
  grid: ExperimentGrid,
  cell: CellCoordinates,
  optimizer: OptimizerChoice,
  seed: number,
): TrainConfig {
  const { n, m, lambda, lr } = cell;
  const overrides = {
    seed: 0,
    steps: grid.steps,
    batchSize: grid.batchSize === 'n' ? n : grid.batchSize,
    instances: [
      {
        seed,
        lambda,
        lr,
        ...(cell.density !== undefined ? { density: cell.density } : {}),
        ...(cell.importanceDecay !== undefined ? { importanceDecay: cell.importanceDecay } : {}),
      },
    ],
    data: { n },
    model: {
      m,
      hiddenActivation: cell.hiddenActivation,
      weights: weightsConfigOf(cell.weights),
      l1: { lambda },
    },
    optimizer: { ...optimizer, lr },
  };
  try {
    // Experiments train until converged unless a definition says otherwise; `steps` is the cap.
    const base = { convergence: DEFAULTS.experiments.convergence };
    const config = resolveTrainConfig(mergeDeep(mergeDeep(base, def.defaults), overrides));
    // JSON round trip: the spec must equal what a results file gives back.
    return JSON.parse(JSON.stringify(config)) as TrainConfig;
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new ConfigError(`${def.name} cell ${cellKeyOf(cell)}: ${e.path}`, e.expected, e.received);
    }
    throw e;
  }
}

/**
 * The run's stable id: the first 16 hex digits of SHA-256 over the canonical JSON of
 * `{ experiment, version, config, start }`. The same run gets the same id in any process or
 * order of expansion; changing the experiment's version changes every id (old results are then
 * not taken for new ones).
 *
 * @example
 * runIdOf(expandGrid(def)[0]); // e.g. '3f9c0a1be2d47a55'
 */
export function runIdOf(spec: Pick<RunSpec, 'experiment' | 'version' | 'config' | 'start'>): string {
  return sha256Hex(
    canonicalJson({ experiment: spec.experiment, version: spec.version, config: spec.config, start: spec.start }),
  ).slice(0, 16);
}

/**
 * Runs may share one multi-instance training call when everything but the instance (seed,
 * lambda, lr, and for sparse-uniform data density and importance decay) is equal. The key is the canonical JSON of the config without those fields.
 */
export function groupKeyOf(spec: RunSpec): string {
  const { instances: _i, seed: _s, ...rest } = spec.config;
  const model = { ...rest.model, l1: { ...rest.model.l1, lambda: undefined } };
  const optimizer = { ...rest.optimizer, lr: undefined };
  return canonicalJson({ ...rest, model, optimizer, start: spec.start });
}

/** A batch of compatible runs trained in one call. */
export interface RunGroup {
  /** Position in the full plan (before resume/shard filtering): stable across processes. */
  index: number;
  specs: RunSpec[];
}

/**
 * Groups specs into training calls: runs with equal {@link groupKeyOf}, in order of first
 * appearance, chunked to at most `maxInstances` per call.
 *
 * @example
 * groupRuns(expandGrid(def), 64).length; // number of train() calls
 */
export function groupRuns(specs: readonly RunSpec[], maxInstances = 64): RunGroup[] {
  if (!Number.isSafeInteger(maxInstances) || maxInstances < 1) {
    throw new ConfigError('maxInstances', 'a positive integer', maxInstances);
  }
  const byKey = new Map<string, RunSpec[]>();
  for (const s of specs) {
    const key = groupKeyOf(s);
    const list = byKey.get(key);
    if (list) list.push(s);
    else byKey.set(key, [s]);
  }
  const groups: RunGroup[] = [];
  for (const list of byKey.values()) {
    for (let i = 0; i < list.length; i += maxInstances) {
      groups.push({ index: groups.length, specs: list.slice(i, i + maxInstances) });
    }
  }
  return groups;
}

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--shard i/N` (1-based, as in Playwright): `'2/4'` → `{ index: 2, count: 4 }`.
 *
 * @throws ConfigError unless `1 <= i <= N`.
 * @example
 * parseShard('1/2'); // { index: 1, count: 2 }
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count) throw new ConfigError('shard', '"i/N" with 1 <= i <= N', text);
  return { index, count };
}

/** Whether a group belongs to a shard: group `g` goes to shard `(g mod N) + 1`. */
export function inShard(group: RunGroup, shard: Shard | undefined): boolean {
  return !shard || group.index % shard.count === shard.index - 1;
}
