import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { ANALYSIS_VERSION, analyseModel, MONTE_CARLO_SAMPLES } from '@polytoy/metrics';
import { describe, expect, it } from 'vitest';
import { analyseRun, disambiguationUse, reanalyseLine, startAnalysis } from './analyse.js';
import type { ExperimentDefinition } from './definition.js';
import { expandGrid } from './grid.js';
import type { ResultLine } from './result.js';
import { compactParams } from './result.js';
import { startParams } from './start.js';

interface ReferenceRow {
  n: number;
  m: number;
  construction: string;
  hiddenActivation: 'none' | 'relu';
  reconstructionLoss: number;
  activationL1: number;
}
// Independent numpy values, a fixture of the conformance suite inside this repository.
const referenceUrl = new URL('../../../tools/conformance/fixtures/reference/constructions.json', import.meta.url);
const reference = JSON.parse(readFileSync(fileURLToPath(referenceUrl), 'utf8')) as { rows: ReferenceRow[] };

const def: ExperimentDefinition = {
  name: 'analyse-test',
  version: 1,
  description: '',
  question: '',
  defaults: { data: { kind: 'half-split' } },
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 1 }, { perHalf: 2 }],
      lambda: [1e-2],
      lr: [1e-3],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none', 'relu'],
      start: [
        { kind: 'construction', c: 0.5, perturbation: 0 },
        { kind: 'construction', c: 0.75, perturbation: 0 },
      ],
      seeds: 1,
      steps: 1,
      batchSize: 8,
      params: 'all',
      exclude: [{ hiddenActivation: 'relu', m: { perHalf: 1 } }],
    },
    full: {
      n: [16],
      m: [{ ratio: 1 }],
      lambda: [1e-3],
      lr: [1e-3],
      optimizer: [{ kind: 'adamw' }],
      weights: ['tied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 1,
      steps: 1,
      batchSize: 'n',
      params: 'none',
    },
  },
};

describe('analyseRun on the constructions (start parameters)', () => {
  const specs = expandGrid(def, 'small');

  it.each(
    specs.map((s) => [`${s.cell.weights} ${s.cell.hiddenActivation} n=${s.cell.n} m=${s.cell.m} ${s.cell.start}`, s] as const),
  )('%s: exact loss matches the reference, labelled as the construction, every untied output uses it', (_name, spec) => {
    const params = startParams(spec)!;
    const a = analyseRun(spec, params);
    const c = spec.start.kind === 'construction' ? spec.start.c : Number.NaN;
    const kind = spec.cell.hiddenActivation === 'relu' ? 'relu-hidden two-neuron' : 'same-sign';
    const row = reference.rows.find(
      (r) => r.n === spec.cell.n && r.construction === `${kind} c=${c}` && r.hiddenActivation === spec.cell.hiddenActivation,
    );
    expect(a.exactLoss!.reconstruction).toBeLessThan(1e-9);
    if (row) expect(a.exactLoss!.reconstruction).toBeCloseTo(row.reconstructionLoss, 6);
    if (row && spec.cell.weights === 'tied') {
      // float32 weights: the L1 agrees to float32 precision.
      expect(a.exactLoss!.l1).toBeCloseTo(row.activationL1, 5);
    }
    expect(a.exactLoss!.loss).toBeCloseTo(a.exactLoss!.reconstruction + spec.cell.lambda * a.exactLoss!.l1, 12);
    expect(a.classification).toBe(spec.cell.hiddenActivation === 'relu' ? 'relu-two-neuron' : 'same-sign');
    const t = a.details.taxonomy!;
    expect(t.distance).toBeLessThan(1e-5);
    expect(t.outputs.codes).toBe('s'.repeat(spec.cell.n));
    for (const v of t.outputs.shift) expect(v).toBeCloseTo(c, 5);
    expect(t.eps.exists).toBe(true);
    expect(a.details.version).toBe(ANALYSIS_VERSION);
    expect(a.exactLoss!.method).toBe('exact');
    expect(a.exactLoss!.standardError).toEqual({ loss: 0, reconstruction: 0 });
    expect(a.details.c).toBeCloseTo(c, 5);
    expect(a.details.biasMean).toBeCloseTo(-c, 6);
    expect(a.details.expectedPolysemanticCount).toBeNull();
    if (spec.cell.weights === 'untied') {
      const use = a.details.disambiguationUse!;
      expect(use.neurons).toHaveLength(spec.cell.hiddenActivation === 'relu' ? 2 : 1);
      expect(use.fraction).toBe(1);
      for (const s of use.shift) expect(s).toBeCloseTo(c, 5);
    } else {
      expect(a.details.disambiguationUse).toBeNull();
    }
  });
});

describe('disambiguationUse', () => {
  const cfg = (n: number, hidden: 'none' | 'relu' = 'none') =>
    resolveTrainConfig({ data: { n }, model: { hiddenActivation: hidden, m: n / 2 + 2 } });

  it('finds no ±eps neuron in opposite-sign pairs: no output uses one', () => {
    const u = disambiguationUse(analyseModel(oppositeSignConstruction({ n: 8 }), cfg(8)));
    expect(u).toEqual({ neurons: [], shift: new Array(8).fill(0), uses: new Array(8).fill(false), fraction: 0 });
  });

  it('sees an output whose decoder ignores the neuron (decoder entry zeroed) as not using it', () => {
    const spec = expandGrid(def, 'small').find((s) => s.cell.weights === 'untied' && s.cell.hiddenActivation === 'none')!;
    const p = startParams(spec)!;
    if (p.kind !== 'untied') throw new Error('expected untied');
    const [j] = disambiguationUse(analyseModel(p, spec.config)).neurons;
    p.D[3 * p.m + j!] = 0; // output 3 no longer reads the disambiguation neuron
    p.D[6 * p.m + j!] = -p.D[6 * p.m + j!]!; // output 6 reads it with the wrong sign
    const u = disambiguationUse(analyseModel(p, spec.config));
    expect(u.uses.map((x, i) => (x ? -1 : i)).filter((i) => i >= 0)).toEqual([3, 6]);
    expect(u.shift[3]).toBe(0);
    expect(u.shift[6]).toBeCloseTo(-0.5, 5);
    expect(u.fraction).toBe(6 / 8);
  });

  it('with a ReLU hidden layer each neuron counts on its active side only', () => {
    const u = disambiguationUse(analyseModel(reluTwoNeuronConstruction({ n: 8, c: 0.5 }), cfg(8, 'relu')));
    expect(u.neurons).toHaveLength(2);
    for (const s of u.shift) expect(s).toBeCloseTo(0.5, 5);
    // The single neuron of the same-sign construction behind a ReLU fires only when A is chosen:
    // it lifts A outputs by c then (shift (c - 0)/2) and pushes B outputs down by c then (shift
    // (0 - (-c))/2): half the linear model's shift for every output.
    const single = disambiguationUse(analyseModel(sameSignConstruction({ n: 8, c: 0.5 }), cfg(8, 'relu')));
    for (const s of single.shift) expect(s).toBeCloseTo(0.25, 6);
  });
});

describe('analyseRun at n = 64', () => {
  it('the population loss is a Monte-Carlo estimate with its standard error (the construction: 0 ± 0)', () => {
    const small = def.sizes.small;
    const grid = { ...def, sizes: { ...def.sizes, small: { ...small, n: [64], weights: ['tied'], hiddenActivation: ['none'] } } };
    const spec = expandGrid(grid as ExperimentDefinition, 'small').find(
      (s) => s.cell.m === 33 && s.start.kind === 'construction' && s.start.c === 0.5,
    )!;
    const a = analyseRun(spec, startParams(spec)!);
    expect(a.exactLoss!.method).toBe('monte-carlo');
    expect(a.exactLoss!.samples).toBe(MONTE_CARLO_SAMPLES);
    expect(a.exactLoss!.reconstruction).toBeLessThan(1e-12);
    expect(a.exactLoss!.standardError.reconstruction).toBeLessThan(1e-12);
    expect(a.exactLoss!.l1).toBeCloseTo(64 / 4 + Math.sqrt(0.5 * 64) / 2, 5);
    expect(a.details.start).toBeNull(); // the start's analytic facts need enumeration (n <= 32)
  });
});

describe('analyseRun on basis data', () => {
  it("reports the paper's count and n^2/(4m), no classification or exact loss", () => {
    const spec = expandGrid({ ...def, defaults: { data: { kind: 'basis' } } }, 'full')[0]!;
    const a = analyseRun(spec, { kind: 'tied', n: 16, m: 16, W: new Float32Array(256).fill(1), b: new Float32Array(16) });
    expect(a.classification).toBeNull();
    expect(a.exactLoss).toBeNull();
    expect(a.details.polysemanticCount).toBe(16);
    expect(a.details.expectedPolysemanticCount).toBe((16 * 16) / (4 * 16));
  });
});

describe('startAnalysis', () => {
  it('predicts where the symmetric flow from the construction goes (tied, linear hidden) and is cached per cell', () => {
    const specs = expandGrid(def, 'small');
    const spec = specs.find((s) => s.cell.weights === 'tied' && s.cell.hiddenActivation === 'none' && s.cell.n === 8)!;
    const a = startAnalysis(spec)!;
    expect(a.c).toBe(0.5);
    expect(a.exactLoss.reconstruction).toBeLessThan(1e-12);
    // L1 pulls at the construction: the point is not stationary, and the flow ends below c = 1/2
    // with a lower loss than the start.
    expect(a.verdict).toBe('not-stationary');
    expect(a.predicted!.c).toBeLessThan(0.5);
    expect(a.predicted!.loss).toBeLessThan(a.exactLoss.loss);
    expect(startAnalysis({ ...spec, seed: 3 })).toBe(a);
    const relu = specs.find((s) => s.cell.hiddenActivation === 'relu')!;
    expect(startAnalysis(relu)!.predicted).toBeNull();
    expect(startAnalysis({ ...spec, start: { kind: 'random' } })).toBeNull();
  });
});

describe('reanalyseLine', () => {
  it('recomputes the analysis from stored parameters and leaves lines without parameters alone', () => {
    const spec = expandGrid(def, 'small').find((s) => s.cell.weights === 'tied' && s.cell.hiddenActivation === 'none')!;
    const params = startParams(spec)!;
    const line = {
      format: 'polytoy.experiment-result/2',
      experiment: spec.experiment,
      version: 1,
      runId: 'x',
      spec,
      status: 'converged',
      step: 1000,
      divergence: null,
      finalLoss: 1,
      reconstruction: 1,
      l1: 1,
      exactLoss: null,
      classification: 'stale',
      evidence: null,
      analysis: null,
      params: compactParams(params),
      history: { step: [], loss: [], reconstruction: [], l1: [] },
      wallSeconds: 0,
      groupSize: 1,
      runtime: null,
      createdAt: '',
    } as const satisfies ResultLine;
    const fresh = reanalyseLine(line);
    expect(fresh.classification).toBe('same-sign');
    expect(fresh.analysis!.taxonomy!.name).toBe('same-sign');
    expect(fresh.analysis!.version).toBe(ANALYSIS_VERSION);
    expect(fresh.exactLoss!.reconstruction).toBeLessThan(1e-9);
    const noParams = { ...line, params: null };
    expect(reanalyseLine(noParams)).toBe(noParams);
  });
});
