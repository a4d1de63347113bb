import { ConfigError } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import type { ExperimentDefinition, RunSpec } from './definition.js';
import { expandGrid, groupKeyOf, groupRuns, inShard, parseShard, resolveM, runIdOf } from './grid.js';
import { EXPERIMENTS, getExperiment } from './registry.js';

const tiny: ExperimentDefinition = {
  name: 'tiny',
  version: 1,
  description: 'test grid',
  question: 'none',
  defaults: { data: { kind: 'half-split' }, logEvery: 10 },
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 0 }, { perHalf: 1 }, 5],
      lambda: [1e-3, 1e-2],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 3,
      steps: 20,
      batchSize: 32,
      params: 'first-seed',
    },
    full: {
      n: [8],
      m: [4],
      lambda: [0],
      lr: [1],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 1,
      steps: 1,
      batchSize: 8,
      params: 'none',
    },
  },
};

describe('expandGrid', () => {
  it('is complete: every combination of the axes exactly once, duplicate m values merged', () => {
    const specs = expandGrid(tiny, 'small');
    // n=8: m ∈ {4, 5} (perHalf 1 and the literal 5 coincide); n=16: m ∈ {8, 9, 5}.
    const expected = (2 + 3) * 2 /* lambda */ * 2 /* optimizer */ * 2 /* weights */ * 3 /* seeds */;
    expect(specs).toHaveLength(expected);
    const keys = new Set(specs.map((s) => `${s.cellKey}#${s.seed}`));
    expect(keys.size).toBe(expected);
    const ms = (n: number) => [...new Set(specs.filter((s) => s.cell.n === n).map((s) => s.cell.m))];
    expect(ms(8)).toEqual([4, 5]);
    expect(ms(16)).toEqual([8, 9, 5]);
    for (const s of specs) {
      expect(s.config.instances).toEqual([{ seed: s.seed, lambda: s.cell.lambda, lr: s.cell.lr }]);
      expect(s.config.model.m).toBe(s.cell.m);
      expect(s.config.data.n).toBe(s.cell.n);
      expect(s.config.optimizer.kind).toBe(s.cell.optimizer.split('(')[0]);
      expect(s.config.model.weights.kind).toBe(s.cell.weights);
      expect(s.keepParams).toBe(s.seed === 0);
    }
  });

  it('is deterministic, with the seed innermost and n outermost', () => {
    const a = expandGrid(tiny, 'small');
    expect(expandGrid(tiny, 'small')).toEqual(a);
    expect(a.slice(0, 3).map((s) => s.seed)).toEqual([0, 1, 2]);
    expect(new Set(a.slice(0, 3).map((s) => s.cellKey)).size).toBe(1);
    const firstN16 = a.findIndex((s) => s.cell.n === 16);
    expect(a.slice(firstN16).every((s) => s.cell.n === 16)).toBe(true);
  });

  it('resolves relative hidden sizes', () => {
    expect(resolveM({ perHalf: 2 }, 16)).toBe(10);
    expect(resolveM({ ratio: 4 }, 64)).toBe(256);
    expect(resolveM(7, 64)).toBe(7);
  });

  it('drops excluded cells', () => {
    const def = getExperiment('stability');
    // Small: the seed's linear model at m = n/2 + 1; 2 n × 6 starts × 3 λ × 2 optimizers × 4 seeds.
    const small = expandGrid(def, 'small');
    for (const s of small) expect([s.cell.hiddenActivation, s.cell.m]).toEqual(['none', s.cell.n / 2 + 1]);
    expect(small).toHaveLength(2 * 6 * 3 * 2 * 4);
    // Full size: linear hidden at m = n/2 + 1, ReLU hidden at n/2 + 2 (the other m excluded).
    const full = expandGrid(def, 'full');
    for (const s of full) expect(s.cell.hiddenActivation === 'none' || s.cell.m === s.cell.n / 2 + 2).toBe(true);
    // 3 n × (2 m for linear + 1 for ReLU) × 15 starts × 4 lambda × 2 lr × 2 optimizers × 8 seeds
    expect(full).toHaveLength(3 * 3 * 15 * 4 * 2 * 2 * 8);
    // The phase diagram's slice. Base: n = 8: 2 m × 2 λ × 2 optimizers × 2 activations; n = 16:
    // 3 m × 2 λ × 2 optimizers, linear hidden only. Then one factor at a time: λ (n = 8: 2 m × 4;
    // n = 16: 4), n = 24, 32 (2 m × 2 λ each), n = 64 (2 λ), plain SGD and Adam at lr 3e-3
    // (2 n × 2 λ each), ReLU at n = 16 (2 m × 2 λ), wide m (2 n × 2 m); 64 seeds each.
    const phase = expandGrid(getExperiment('phase-diagram'), 'small');
    const base = 2 * 2 * 2 * 2 + 3 * 2 * 2;
    expect(phase).toHaveLength((base + 8 + 4 + 8 + 2 + 4 + 4 + 4 + 4) * 64);
    for (const s of phase.filter((p) => p.cell.n === 16 && p.cell.hiddenActivation === 'relu')) {
      expect([s.cell.optimizer, s.cell.m]).toEqual(['adam', s.cell.m === 10 ? 10 : 12]);
    }
  });

  it('adds the products of `also` after the base product, each replacing only the axes it names', () => {
    const base = { ...tiny.sizes.small, n: [8], m: [{ perHalf: 1 }], weights: ['tied' as const] };
    const plain = expandGrid({ ...tiny, sizes: { ...tiny.sizes, small: base } }, 'small');
    const def: ExperimentDefinition = {
      ...tiny,
      sizes: {
        ...tiny.sizes,
        small: {
          ...base,
          exclude: [{ lambda: 1e-2 }],
          also: [
            // A new λ and n: its own product over the base's other axes (the base's exclude not applied).
            { n: [16], lambda: [0, 1e-2] },
            // Entirely inside the base product: adds nothing (same run ids).
            { lambda: [1e-3] },
            // Its own exclude.
            { lr: [3e-3], exclude: [{ optimizerKind: 'sgd' }] },
          ],
        },
      },
    };
    const specs = expandGrid(def, 'small');
    const cells = (list: RunSpec[]) => [...new Set(list.map((s) => s.cellKey))];
    // Base: 1 n × 1 m × 2 optimizers × λ 1e-3 only (1e-2 excluded) = 2 cells.
    const baseCells = cells(plain).filter((k) => JSON.parse(k).lambda === 1e-3);
    expect(cells(specs).slice(0, 2)).toEqual(baseCells);
    // also[0]: n = 16 × 2 optimizers × 2 λ = 4 cells; also[1]: none new; also[2]: adam at lr 3e-3, λ 1e-3 and 1e-2 = 2.
    expect(cells(specs)).toHaveLength(2 + 4 + 2);
    const extra = cells(specs)
      .slice(2)
      .map((k) => JSON.parse(k) as RunSpec['cell']);
    expect(extra.slice(0, 4).map((c) => [c.n, c.lambda])).toEqual([
      [16, 0],
      [16, 1e-2],
      [16, 0],
      [16, 1e-2],
    ]);
    expect(extra.slice(4).map((c) => [c.n, c.optimizer, c.lr, c.lambda])).toEqual([
      [8, 'adam', 3e-3, 1e-3],
      [8, 'adam', 3e-3, 1e-2],
    ]);
    expect(new Set(specs.map((s) => runIdOf(s))).size).toBe(specs.length);
    // An empty axis in an extension is named by its index.
    const bad = { ...def, sizes: { ...def.sizes, small: { ...def.sizes.small, also: [{ lambda: [] }] } } };
    expect(() => expandGrid(bad, 'small')).toThrow(/tiny\.sizes\.small\.also\[0\]\.lambda: expected a non-empty array/);
  });

  it('drops cells by optimizer kind, and maps untied-free to an unconstrained decoder', () => {
    const specs = expandGrid(getExperiment('untied-choice'), 'small');
    const combos = new Set(specs.map((s) => `${s.cell.weights} ${s.cell.optimizer}`));
    expect([...combos].sort()).toEqual([
      'untied adam',
      'untied adamw(weightDecay=0.1)',
      'untied sgd(momentum=0.9)',
      'untied-free adamw(weightDecay=0.1)',
    ]);
    for (const s of specs) {
      expect(s.config.model.weights).toEqual({
        kind: 'untied',
        decoderNorm: s.cell.weights === 'untied-free' ? 'none' : 'unit-columns',
      });
    }
  });

  it('rejects empty axes, bad seed counts and invalid configs with one-line ConfigErrors', () => {
    const bad = (patch: Partial<ExperimentDefinition['sizes']['small']>) => () =>
      expandGrid({ ...tiny, sizes: { ...tiny.sizes, small: { ...tiny.sizes.small, ...patch } } }, 'small');
    expect(bad({ lambda: [] })).toThrow(/tiny\.sizes\.small\.lambda: expected a non-empty array/);
    expect(bad({ seeds: 0 })).toThrow(ConfigError);
    expect(bad({ n: [10] })).toThrow(/data\.n: expected a positive multiple of 4/);
    expect(() => getExperiment('nope')).toThrow(/experiment: expected "phase-diagram" \| "finds-solution"/);
  });

  it('expands every built-in experiment into distinct run ids', () => {
    const owner = new Map<string, string>();
    for (const def of Object.values(EXPERIMENTS)) {
      const small = expandGrid(def, 'small').map(runIdOf);
      // Full grids with 64 seeds per cell (the phase diagram's has ~276 000 runs) are checked
      // with one seed per cell (seeds only vary the instance seed, checked below).
      const oneSeed = def.sizes.full.seeds >= 64;
      const fullDef = oneSeed ? { ...def, sizes: { ...def.sizes, full: { ...def.sizes.full, seeds: 1 } } } : def;
      const fullSpecs = expandGrid(fullDef, 'full');
      // Every (cell, seed) once in the full grid; ids of every 5th full run (all of small) hashed.
      expect(new Set(fullSpecs.map((s) => `${s.cellKey}#${s.seed}`)).size).toBe(fullSpecs.length);
      const full = fullSpecs.filter((_, k) => k % 5 === 0).map(runIdOf);
      for (const ids of [small, full]) {
        expect(ids.length).toBeGreaterThan(0);
        expect(new Set(ids).size).toBe(ids.length);
      }
      for (const id of [...small, ...full]) {
        expect(owner.get(id) ?? def.name).toBe(def.name);
        owner.set(id, def.name);
      }
    }
    // A run in both sizes has one id (size is not part of the run): resuming full reuses it.
    const base = EXPERIMENTS['finds-solution']!;
    const both: ExperimentDefinition = { ...base, sizes: { small: base.sizes.small, full: { ...base.sizes.small, seeds: 20 } } };
    const fullIds = new Set(expandGrid(both, 'full').map(runIdOf));
    expect(expandGrid(both, 'small').every((s) => fullIds.has(runIdOf(s)))).toBe(true);
  });

  it('the seeds of a cell get configs that differ only in the instance seed', () => {
    const specs = expandGrid(tiny, 'small');
    const [a, b] = [specs[0]!, specs[1]!];
    expect(a.cellKey).toBe(b.cellKey);
    expect({ ...a.config, instances: [] }).toEqual({ ...b.config, instances: [] });
    expect(a.config.instances).toEqual([{ seed: 0, lambda: 1e-3, lr: 1e-2 }]);
    expect(b.config.instances).toEqual([{ seed: 1, lambda: 1e-3, lr: 1e-2 }]);
  });
});

describe('runIdOf', () => {
  const spec = expandGrid(tiny, 'small')[0]!;

  it('is pinned: the id of a known run never changes silently', () => {
    expect(runIdOf(spec)).toMatch(/^[0-9a-f]{16}$/);
    // Changed once on purpose: configs gained convergence and divergence (every run's meaning changed).
    expect(runIdOf(spec)).toBe('7eadd6d0326add4e');
  });

  it('ignores key order and JSON round trips, and changes with anything that changes the run', () => {
    const reordered = JSON.parse(JSON.stringify({ start: spec.start, config: spec.config, version: 1, experiment: 'tiny' }));
    expect(runIdOf(reordered)).toBe(runIdOf(spec));
    const id = runIdOf(spec);
    const variant = (f: (s: RunSpec) => void) => {
      const s = structuredClone(spec);
      f(s);
      return runIdOf(s);
    };
    expect(
      variant((s) => {
        s.version = 2;
      }),
    ).not.toBe(id);
    expect(
      variant((s) => {
        s.config.instances[0]!.seed = 99;
      }),
    ).not.toBe(id);
    expect(
      variant((s) => {
        s.config.instances[0]!.lambda = 0.5;
      }),
    ).not.toBe(id);
    expect(
      variant((s) => {
        s.config.steps = 21;
      }),
    ).not.toBe(id);
    expect(
      variant((s) => {
        s.start = { kind: 'construction', c: 0.5, perturbation: 0 };
      }),
    ).not.toBe(id);
    // Storage choices are not part of the run.
    expect(
      variant((s) => {
        s.keepParams = !s.keepParams;
      }),
    ).toBe(id);
  });
});

describe('groupRuns', () => {
  const specs = expandGrid(tiny, 'small');

  it('batches exactly the runs that differ only in seed, lambda and lr', () => {
    const groups = groupRuns(specs, 64);
    // cells without lambda: 5 (n, m) × 2 optimizers × 2 weights = 20 groups of 2 lambda × 3 seeds
    expect(groups).toHaveLength(20);
    expect(groups.map((g) => g.index)).toEqual(groups.map((_, i) => i));
    for (const g of groups) {
      expect(g.specs).toHaveLength(6);
      const key = groupKeyOf(g.specs[0]!);
      for (const s of g.specs) {
        expect(groupKeyOf(s)).toBe(key);
        expect(s.cell.n).toBe(g.specs[0]!.cell.n);
        expect(s.cell.m).toBe(g.specs[0]!.cell.m);
        expect(s.cell.optimizer).toBe(g.specs[0]!.cell.optimizer);
      }
    }
    expect(groups.flatMap((g) => g.specs)).toHaveLength(specs.length);
  });

  it('chunks groups to at most maxInstances runs', () => {
    const groups = groupRuns(specs, 4);
    expect(groups).toHaveLength(40);
    expect(groups.every((g) => g.specs.length <= 4)).toBe(true);
    expect(new Set(groups.flatMap((g) => g.specs.map(runIdOf))).size).toBe(specs.length);
  });
});

describe('shards', () => {
  it('parses i/N (1-based) and rejects anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/shard: expected "i\/N"/);
  });

  it('partitions the groups: every group in exactly one shard', () => {
    const groups = groupRuns(expandGrid(tiny, 'small'), 4);
    const counts = groups.map((g) => [1, 2, 3].filter((i) => inShard(g, { index: i, count: 3 })).length);
    expect(counts.every((c) => c === 1)).toBe(true);
    expect(groups.every((g) => inShard(g, undefined))).toBe(true);
  });
});
