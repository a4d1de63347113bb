import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import type { InstanceResult, LossRecord, ModelParams, TrainResult } from '@polytoy/core';
import { PolytoyError, resolveTrainConfig, toRunRecord } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { readRunMetrics } from './run-metrics.js';
import { identityModel } from './test-utils/constructions.js';

const loss: LossRecord = { step: 10, instance: 0, loss: 0.5, reconstruction: 0.4, l1: 0.1 };

function runOf(configInput: object, params: ModelParams[], lambdas?: number[]): TrainResult {
  const config = resolveTrainConfig(configInput);
  const instances: InstanceResult[] = params.map((p, k) => ({
    instance: k,
    seed: 100 + k,
    lambda: lambdas?.[k] ?? config.model.l1.lambda,
    lr: 1e-3,
    status: 'capped',
    step: 10,
    params: p,
    finalLoss: { ...loss, instance: k },
    history: [{ ...loss, instance: k }],
  }));
  return {
    config,
    instances,
    diverged: [],
    stepsRun: 10,
    runtime: { backend: 'cpu', simd: false, threads: false, tfjsVersion: 'none', platform: 'node' },
    wallSeconds: 1,
  };
}

describe('readRunMetrics', () => {
  it('reads a polytoy.run/1 record (object or text) and gives every instance its metrics', () => {
    const result = runOf(
      { data: { n: 8 }, model: { l1: { lambda: 1e-3 } } },
      [sameSignConstruction({ n: 8 }), oppositeSignConstruction({ n: 8, m: 5 })],
      [1e-3, 0.1],
    );
    const text = JSON.stringify(toRunRecord(result));
    for (const json of [text, JSON.parse(text) as unknown]) {
      const run = readRunMetrics(json);
      expect(run.settings).toEqual({
        dataKind: 'half-split',
        n: 8,
        weights: 'tied',
        hiddenActivation: 'none',
        outputActivation: 'relu',
        l1Target: 'activations',
        lambda: 1e-3,
      });
      expect(run.instances.map((r) => r.analysis.taxonomy!.label)).toEqual(['same-sign', 'opposite-sign']);
      expect(run.instances.map((r) => r.analysis.taxonomy!.distance)).toEqual([0, 0]);
      expect(run.instances[1]!.seed).toBe(101);
      expect(run.instances[1]!.finalLoss.instance).toBe(1);
      // Each instance's own lambda: reference l1 3.0 and 2.0 (constructions.json).
      expect(run.instances[0]!.analysis.exactLoss!.loss).toBeCloseTo(3e-3, 9);
      expect(run.instances[1]!.analysis.exactLoss!.loss).toBeCloseTo(0.2, 9);
    }
  });

  it("uses the run's hidden activation", () => {
    const run = readRunMetrics(
      toRunRecord(runOf({ data: { n: 8 }, model: { hiddenActivation: 'relu', m: 6 } }, [reluTwoNeuronConstruction({ n: 8 })])),
    );
    expect(run.settings.hiddenActivation).toBe('relu');
    const [r] = run.instances;
    expect(r!.analysis.taxonomy!.label).toBe('relu-two-neuron');
    expect(r!.analysis.neurons!.evidence.cA).toBeCloseTo(0.5, 6);
    expect(r!.analysis.exactLoss!.reconstruction).toBeCloseTo(0, 12);
  });

  it('gives basis data the paper count and no half-split analysis; exact loss can be switched off', () => {
    const basis = readRunMetrics(
      toRunRecord(runOf({ data: { kind: 'basis', n: 6 }, batchSize: 6, model: { m: 8 } }, [identityModel(6, 8)])),
    );
    const a = basis.instances[0]!.analysis;
    expect(a.exactLoss).toBeNull();
    expect(a.taxonomy).toBeNull();
    expect(a.neurons).toBeNull();
    expect(a.paper.polysemantic).toBe(0);
    expect(a.expectedPolysemanticCount).toBeCloseTo(36 / 32, 12);
    const off = readRunMetrics(toRunRecord(runOf({ data: { n: 8 } }, [sameSignConstruction({ n: 8 })])), { exactLoss: false });
    expect(off.instances[0]!.analysis.exactLoss).toBeNull();
    expect(off.instances[0]!.analysis.taxonomy!.label).toBe('same-sign');
  });

  it('rejects what is not a run record, and invalid settings with the field named', () => {
    expect(() => readRunMetrics({ format: 'other' })).toThrow(PolytoyError);
    const rec = toRunRecord(runOf({ data: { n: 8 } }, [sameSignConstruction({ n: 8 })]));
    (rec.config as { model: { hiddenActivation: string } }).model.hiddenActivation = 'tanh';
    // An edited record fails its checksum first; without one the bad field itself is named.
    expect(() => readRunMetrics(rec)).toThrow(/checksum/);
    delete (rec as { checksum?: string }).checksum;
    expect(() => readRunMetrics(rec)).toThrow(/config\.model\.hiddenActivation: expected "none" \| "relu", received "tanh"/);
  });
});
