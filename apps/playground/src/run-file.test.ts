import { PolytoyError, RUN_RECORD_FORMAT } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { loadRunFile } from './run-file.js';

const record = {
  format: RUN_RECORD_FORMAT,
  createdAt: '2024-01-01T00:00:00.000Z',
  config: {
    seed: 3,
    steps: 500,
    batchSize: 64,
    logEvery: 10,
    instances: [{ seed: 3, lambda: 0.01, lr: 0.003 }],
    data: { kind: 'half-split', n: 8 },
    model: {
      m: 5,
      weights: { kind: 'untied', decoderNorm: 'unit-columns' },
      hiddenActivation: 'relu',
      l1: { target: 'activations', lambda: 0.01 },
    },
    optimizer: { kind: 'sgd', lr: 0.003, momentum: 0.5 },
  },
  runtime: null,
  wallSeconds: 1,
  instances: [
    {
      seed: 3,
      history: [],
      finalLoss: { loss: 1, reconstruction: 1, l1: 0 },
      params: { kind: 'tied', n: 8, m: 5, W: Array(40).fill(0), b: Array(8).fill(0) },
    },
  ],
};

describe('loadRunFile', () => {
  it('reads a run record and the controls that reproduce it', () => {
    const loaded = loadRunFile(JSON.stringify(record), 'run.json');
    expect(loaded.params).toHaveLength(1);
    expect(loaded.params[0]!.kind).toBe('tied');
    expect(loaded.settings).toMatchObject({
      n: 8,
      m: 5,
      weights: 'untied',
      hidden: 'relu',
      optimizer: 'sgd',
      momentum: 0.5,
      lr: 0.003,
      lambda: 0.01,
      seed: 3,
      steps: 500,
      instances: 1,
    });
  });

  it('fails with one line naming the file and what is wrong', () => {
    expect(() => loadRunFile('{"format": 1', 'bad.json')).toThrow(PolytoyError);
    expect(() => loadRunFile('{"format": 1', 'bad.json')).toThrow(/^bad\.json: not JSON \(/);
    expect(() => loadRunFile('{"format": "x"}', 'x.json')).toThrow(
      'x.json: not a polytoy run record: expected format "polytoy.run/2" (or "polytoy.run/1"), received "x"',
    );
    const broken = { ...record, instances: [{ ...record.instances[0], params: { kind: 'tied', n: 8, m: 5, W: [1], b: [] } }] };
    const err = (() => {
      try {
        loadRunFile(JSON.stringify(broken), 'w.json');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toMatch(/^w\.json: instances\[0\]\.params/);
    expect(err?.message).not.toContain('\n');
  });
});
