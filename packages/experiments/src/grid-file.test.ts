import { ConfigError } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { expandGrid, groupRuns, runIdOf } from './grid.js';
import { definitionFromGridFile, gridFileVersion, parseGridFile } from './grid-file.js';

const minimal = { name: 'mine', grid: { n: [8], steps: 100 } };

describe('parseGridFile', () => {
  it('fills every axis default and accepts a single value for a list', () => {
    const f = parseGridFile({ name: 'mine', grid: { n: 8, lambda: 0.01, steps: 100 } });
    expect(f.grid).toEqual({
      n: [8],
      m: [{ perHalf: 1 }],
      lambda: [0.01],
      lr: [1e-3],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 1,
      steps: 100,
      batchSize: 256,
      params: 'first-seed',
    });
    expect(f.version).toBe(1);
    expect(f.defaults).toEqual({});
  });

  it.each([
    [{ name: 'mine', grid: { n: [8] } }, 'g.grid.steps: expected a positive integer number of steps, received undefined'],
    [{ name: 'mine', grid: { n: [], steps: 1 } }, 'g.grid.n: expected a non-empty list of positive integers, received []'],
    [{ name: 'mine', grid: { n: [8], lr: [-1], steps: 1 } }, 'g.grid.lr.0: expected a learning rate > 0, received -1'],
    [{ name: 'mine', grid: { n: [8], steps: 1, sparsity: [0.9] } }, 'g.grid: expected no unknown fields, received "sparsity"'],
    [
      { name: 'Mine!', grid: { n: [8], steps: 1 } },
      'g.name: expected a name: lower-case letters, digits and dashes (at most 64), received "Mine!"',
    ],
    [
      { name: 'mine', grid: { n: [8], steps: 1, optimizer: [{ kind: 'rmsprop' }] } },
      'g.grid.optimizer.0.kind: expected "sgd" | "adam" | "adamw", received "rmsprop"',
    ],
    [
      { name: 'mine', grid: { n: [8], steps: 1, m: [{ half: 1 }] } },
      'g.grid.m.0: expected a positive integer, {perHalf: k} or {ratio: r}',
    ],
    [{ name: 'stability', grid: { n: [8], steps: 1 } }, 'g.name: expected a name other than the built-in experiments'],
  ])('rejects %j with one line naming the field', (value, message) => {
    let error: unknown;
    try {
      parseGridFile(value, 'g');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('gridFileVersion', () => {
  it('takes a weight penalty in place of the unit-norm constraint: untied-free, filtered by optimizer kind', () => {
    const f = parseGridFile({
      name: 'penalty',
      grid: {
        n: 8,
        weights: ['untied', 'untied-free'],
        optimizer: [{ kind: 'adam' }, { kind: 'adamw', weightDecay: 0.1 }],
        exclude: [{ weights: 'untied-free', optimizerKind: 'adam' }],
        steps: 10,
      },
    });
    const specs = expandGrid(definitionFromGridFile(f), 'small');
    expect(
      specs.map(
        (s) =>
          `${s.cell.weights} ${s.config.optimizer.kind} ${s.config.model.weights.kind === 'untied' ? s.config.model.weights.decoderNorm : ''}`,
      ),
    ).toEqual(['untied adam unit-columns', 'untied adamw unit-columns', 'untied-free adamw none']);
    expect(() => parseGridFile({ name: 'x', grid: { n: 8, steps: 1, exclude: [{ optimizerKind: 'rmsprop' }] } }, 'g')).toThrow(
      /g\.grid\.exclude\.0\.optimizerKind: expected "sgd" \| "adam" \| "adamw"/,
    );
  });

  it('is the same for the same content however written, and changes with any change of the grid', () => {
    const a = gridFileVersion(parseGridFile(minimal));
    const reordered = gridFileVersion(parseGridFile({ grid: { steps: 100, n: 8 }, name: 'mine' }));
    const explicit = gridFileVersion(parseGridFile({ ...minimal, version: 1, grid: { ...minimal.grid, seeds: 1 } }));
    expect(reordered).toBe(a);
    expect(explicit).toBe(a);
    expect(Number.isSafeInteger(a) && a >= 0 && a < 2 ** 32).toBe(true);
    expect(gridFileVersion(parseGridFile({ ...minimal, grid: { n: [8], steps: 101 } }))).not.toBe(a);
    expect(gridFileVersion(parseGridFile({ ...minimal, version: 2 }))).not.toBe(a);
    expect(gridFileVersion(parseGridFile({ ...minimal, name: 'other' }))).not.toBe(a);
  });
});

describe('definitionFromGridFile', () => {
  it('expands like a named grid, with the file name and hash version in every run (and its id)', () => {
    const file = parseGridFile({
      name: 'mine',
      defaults: { data: { kind: 'half-split' } },
      grid: { n: [8, 16], lambda: [0.001, 0.01], seeds: 2, steps: 100 },
      full: { seeds: 5 },
    });
    const def = definitionFromGridFile(file);
    const small = expandGrid(def, 'small');
    expect(small).toHaveLength(2 * 2 * 2);
    expect(new Set(small.map((s) => s.experiment))).toEqual(new Set(['mine']));
    expect(small.every((s) => s.version === gridFileVersion(file))).toBe(true);
    expect(small.map((s) => [s.cell.n, s.cell.lambda, s.seed])).toEqual([
      [8, 0.001, 0],
      [8, 0.001, 1],
      [8, 0.01, 0],
      [8, 0.01, 1],
      [16, 0.001, 0],
      [16, 0.001, 1],
      [16, 0.01, 0],
      [16, 0.01, 1],
    ]);
    expect(expandGrid(def, 'full')).toHaveLength(2 * 2 * 5);
    const other = definitionFromGridFile(parseGridFile({ ...file, grid: { ...file.grid, steps: 200 } }));
    const otherIds = new Set(expandGrid(other, 'small').map(runIdOf));
    expect(small.some((s) => otherIds.has(runIdOf(s)))).toBe(false);
  });

  it('adds the products of `also`, one factor at a time, and names a bad override by its index', () => {
    const file = parseGridFile({
      name: 'mine',
      defaults: { data: { kind: 'half-split' } },
      grid: { n: [8], lambda: [0.001], seeds: 2, steps: 100, also: [{ lambda: [0, 0.01] }, { n: 16, lr: 0.003 }] },
    });
    const cells = [...new Set(expandGrid(definitionFromGridFile(file), 'small').map((s) => s.cellKey))].map(
      (k) => JSON.parse(k) as { n: number; lambda: number; lr: number },
    );
    expect(cells.map((c) => [c.n, c.lambda, c.lr])).toEqual([
      [8, 0.001, 0.001],
      [8, 0, 0.001],
      [8, 0.01, 0.001],
      [16, 0.001, 0.003],
    ]);
    expect(() => parseGridFile({ name: 'mine', grid: { n: [8], steps: 100, also: [{ lr: -1 }] } }, 'mine.yaml')).toThrow(
      /mine\.yaml\.grid\.also\.0\.lr\.0: expected a learning rate > 0/,
    );
    expect(() => parseGridFile({ name: 'mine', grid: { n: [8], steps: 100, also: [{ seeds: 3 }] } }, 'mine.yaml')).toThrow(
      /mine\.yaml\.grid\.also\.0: expected no unknown fields, received "seeds"/,
    );
  });

  it('validates each cell’s config at expansion, naming the cell and the field', () => {
    const def = definitionFromGridFile(
      parseGridFile({ name: 'mine', defaults: { data: { kind: 'half-split' } }, grid: { n: [10], steps: 1 } }),
    );
    expect(() => expandGrid(def)).toThrow(/mine cell .*"n":10.*data\.n: expected a positive multiple of 4/);
  });
});

describe('per-instance density and importance axes', () => {
  it('expand to one cell per (density, decay) pair, all in one training call, the values in each instance', () => {
    const def = definitionFromGridFile(
      parseGridFile({
        name: 'tms',
        defaults: { data: { kind: 'sparse-uniform', density: 0.5 }, model: { outputActivation: 'relu' } },
        grid: { n: 20, m: 5, lambda: 0, density: [0.01, 0.1, 1], importanceDecay: [1, 0.7], seeds: 2, steps: 10 },
      }),
    );
    const specs = expandGrid(def);
    expect(specs).toHaveLength(3 * 2 * 2);
    expect(new Set(specs.map((s) => s.cellKey)).size).toBe(6);
    expect(specs.map((s) => [s.cell.density, s.cell.importanceDecay, s.seed]).slice(0, 4)).toEqual([
      [0.01, 1, 0],
      [0.01, 1, 1],
      [0.01, 0.7, 0],
      [0.01, 0.7, 1],
    ]);
    for (const s of specs) {
      expect(s.config.instances[0]).toMatchObject({
        density: s.cell.density,
        importanceDecay: s.cell.importanceDecay,
        seed: s.seed,
      });
      expect(s.config.data).toMatchObject({ kind: 'sparse-uniform', density: 0.5 });
    }
    expect(groupRuns(specs)).toHaveLength(1);
    expect(new Set(specs.map(runIdOf)).size).toBe(specs.length);
  });

  it('are refused for data without them, naming the cell', () => {
    const def = definitionFromGridFile(parseGridFile({ name: 'x', grid: { n: 8, density: [0.1], steps: 1 } }));
    expect(() => expandGrid(def)).toThrow(
      /x cell .*: instances\.0\.density: expected no per-instance data fields unless data\.kind is "sparse-uniform"/,
    );
  });
});
