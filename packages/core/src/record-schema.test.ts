import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from './config.js';
import { runRecordSchema } from './record-schema.js';
import { toRunRecord } from './records.js';

describe('runRecordSchema', () => {
  const config = resolveTrainConfig({ data: { n: 4 }, model: { m: 2 }, steps: 1 });
  const rec = { step: 1, instance: 0, loss: 0.5, reconstruction: 0.4, l1: 0.1 };
  const record = toRunRecord({
    config,
    runtime: { backend: 'wasm', simd: true, threads: false, tfjsVersion: '4.22.0', platform: 'node' },
    wallSeconds: 0.1,
    stepsRun: 1,
    diverged: [],
    instances: [
      {
        instance: 0,
        seed: 0,
        lambda: 1e-3,
        lr: 1e-3,
        status: 'capped',
        step: 1,
        params: { kind: 'tied', n: 4, m: 2, W: new Float32Array(8), b: new Float32Array(4) },
        finalLoss: rec,
        history: [rec],
      },
    ],
  });

  it('accepts what toRunRecord writes, after a JSON round trip', () => {
    expect(runRecordSchema.safeParse(JSON.parse(JSON.stringify(record))).success).toBe(true);
  });

  it('rejects another format, a missing status, or parameters of the wrong kind', () => {
    expect(runRecordSchema.safeParse({ ...record, format: 'polytoy.run/1' }).success).toBe(false);
    const { status: _s, ...noStatus } = record.instances[0]!;
    expect(runRecordSchema.safeParse({ ...record, instances: [noStatus] }).success).toBe(false);
    const bad = { ...record.instances[0]!, params: { kind: 'tied', n: 4, m: 2, E: [], b: [] } };
    expect(runRecordSchema.safeParse({ ...record, instances: [bad] }).success).toBe(false);
  });
});
