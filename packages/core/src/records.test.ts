import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from './config.js';
import { parseRunRecord, RUN_RECORD_FORMAT, toRunRecord } from './records.js';
import type { TrainResult } from './records.js';

const config = resolveTrainConfig({ data: { n: 4 }, model: { m: 3 }, instances: 2, steps: 10 });
const params = { kind: 'tied' as const, n: 4, m: 3, W: new Float32Array(12).fill(0.25), b: new Float32Array(4).fill(-0.5) };
const rec = (step: number, instance: number) => ({ step, instance, loss: 0.5, reconstruction: 0.4, l1: 10 });
const result: TrainResult = {
  config,
  instances: [
    {
      instance: 0,
      seed: 0,
      lambda: 1e-3,
      lr: 3e-3,
      status: 'converged',
      step: 8,
      params,
      finalLoss: rec(8, 0),
      history: [rec(0, 0), rec(8, 0)],
    },
  ],
  diverged: [
    {
      instance: 1,
      seed: 1,
      lambda: 1e-3,
      lr: 3e-3,
      status: 'diverged',
      step: 3,
      reason: 'blow-up',
      message: 'instance 1 diverged at step 3: loss 1e+3 > 100 × reference 4 (lr 0.003 may be too large)',
      history: [rec(0, 1)],
    },
  ],
  stepsRun: 8,
  runtime: { backend: 'wasm', simd: true, threads: false, tfjsVersion: '4.22.0', platform: 'node' },
  wallSeconds: 1,
};

describe('run records', () => {
  it('round-trip statuses, steps and diverged instances (without their parameters)', () => {
    const json = JSON.parse(JSON.stringify(toRunRecord(result, undefined, new Date(0))));
    expect(json.format).toBe(RUN_RECORD_FORMAT);
    const { record, params: back } = parseRunRecord(json);
    expect(record.instances.map((i) => [i.instance, i.status, i.step])).toEqual([[0, 'converged', 8]]);
    expect(record.diverged).toEqual(result.diverged);
    expect(record.stepsRun).toBe(8);
    expect(back).toHaveLength(1);
    expect(back[0]).toEqual(params);
  });

  it('carry a SHA-256 checksum: any change to the file is refused, a record without one is read as before', () => {
    const text = JSON.stringify(toRunRecord(result, { summary: { note: 'λ' } }, new Date(0)));
    expect(JSON.parse(text).checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parseRunRecord(JSON.parse(text)).params[0]).toEqual(params);
    const mismatch =
      'run record checksum: expected the SHA-256 of the contents, received a mismatch (the file is corrupt or was edited)';
    // One weight and the wall time changed.
    expect(text).toContain('"W":[0.25,');
    expect(() => parseRunRecord(JSON.parse(text.replace('"W":[0.25,', '"W":[0.26,')))).toThrow(mismatch);
    expect(() => parseRunRecord(JSON.parse(text.replace('"wallSeconds":1', '"wallSeconds":2')))).toThrow(mismatch);
    const { checksum: _c, ...unsealed } = JSON.parse(text);
    expect(parseRunRecord(unsealed).record.stepsRun).toBe(8);
  });

  it('reads polytoy.run/1 records as fixed-step runs: every instance capped at its last step', () => {
    const { stepsRun: _s, diverged: _d, checksum: _c, ...v2 } = JSON.parse(JSON.stringify(toRunRecord(result)));
    const v1 = {
      ...v2,
      format: 'polytoy.run/1',
      instances: v2.instances.map(({ status: _st, step: _sp, ...rest }: Record<string, unknown>) => rest),
    };
    const { record } = parseRunRecord(v1);
    expect(record.format).toBe('polytoy.run/2');
    expect(record.instances.map((i) => [i.status, i.step])).toEqual([['capped', 8]]);
    expect(record.diverged).toEqual([]);
    expect(record.stepsRun).toBe(8);
  });

  it('refuses other formats with one line', () => {
    expect(() => parseRunRecord({ format: 'polytoy.run/3' })).toThrow(
      'not a polytoy run record: expected format "polytoy.run/2" (or "polytoy.run/1"), received "polytoy.run/3"',
    );
  });
});
