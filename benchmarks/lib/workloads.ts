/**
 * The reference workloads of SPEC §5, as trainer configs.
 */
import type { TrainConfigInput } from '@polytoy/core';

export type WorkloadName = 'seed-64' | 'seed-256' | 'paper-256' | 'sweep-16×seed-64' | 'untied-64' | 'relu-64';

export interface Workload {
  name: WorkloadName;
  description: string;
  /** The config (steps and logEvery are set per measurement). */
  config: TrainConfigInput;
  instances: number;
  batch: number;
  n: number;
  m: number;
  /** SPEC §5 target, if any. */
  target?: { metric: 'GFLOP/s' | 'steps/s' | 'instance-steps/s'; value: number };
}

const seed = (
  n: number,
  m: number,
  instances: number,
  model: TrainConfigInput['model'] = {},
  batchSize = 1024,
): TrainConfigInput => ({
  data: { kind: 'half-split', n },
  model: { m, l1: { target: 'activations', lambda: 1e-3 }, ...model },
  batchSize,
  optimizer: { kind: 'adam', lr: 1e-3 },
  instances,
});

export const WORKLOADS: Workload[] = [
  {
    name: 'seed-64',
    description: 'seed data, n=64, m=33, batch 1024, tied, Adam lr 1e-3, λ 1e-3',
    config: seed(64, 33, 1),
    instances: 1,
    batch: 1024,
    n: 64,
    m: 33,
    target: { metric: 'steps/s', value: 1200 },
  },
  {
    name: 'seed-256',
    description: 'seed data, n=256, m=129, batch 1024, tied, Adam lr 1e-3, λ 1e-3',
    config: seed(256, 129, 1),
    instances: 1,
    batch: 1024,
    n: 256,
    m: 129,
    target: { metric: 'GFLOP/s', value: 40 },
  },
  {
    name: 'paper-256',
    description: 'basis vectors, n=256, m=1024, 16 instances, batch 256, no bias, L1 on W λ 1e-3, AdamW lr 1e-3',
    config: {
      data: { kind: 'basis', n: 256 },
      model: {
        m: 1024,
        outputBias: false,
        hiddenActivation: 'none',
        outputActivation: 'relu',
        l1: { target: 'weights', lambda: 1e-3 },
      },
      batchSize: 256,
      optimizer: { kind: 'adamw', lr: 1e-3 },
      instances: 16,
    },
    instances: 16,
    batch: 256,
    n: 256,
    m: 1024,
    target: { metric: 'GFLOP/s', value: 40 },
  },
  {
    name: 'sweep-16×seed-64',
    description: '16 instances of seed-64 (seeds 0–15), independent',
    config: seed(64, 33, 16),
    instances: 16,
    batch: 1024,
    n: 64,
    m: 33,
    target: { metric: 'instance-steps/s', value: 1500 },
  },
  {
    name: 'untied-64',
    description: 'seed-64 with untied weights (encoder E, unit-norm decoder columns D)',
    config: seed(64, 33, 1, { weights: { kind: 'untied', decoderNorm: 'unit-columns' } }),
    instances: 1,
    batch: 1024,
    n: 64,
    m: 33,
  },
  {
    name: 'relu-64',
    description: 'seed-64 with a ReLU hidden layer (tied)',
    config: seed(64, 33, 1, { hiddenActivation: 'relu' }),
    instances: 1,
    batch: 1024,
    n: 64,
    m: 33,
  },
];

/**
 * `--smoke`: the same workloads (names, data, model options, optimizers) shrunk to sizes that
 * train in milliseconds, so the whole harness runs in seconds. Their numbers mean nothing.
 */
export const SMOKE_WORKLOADS: Workload[] = WORKLOADS.map((w) => {
  const instances = Math.min(w.instances, 2);
  const data = (w.config.data ?? {}) as { kind?: string };
  const basis = data.kind === 'basis';
  const n = 8;
  const m = basis ? 16 : 5;
  const batch = basis ? n : 16;
  return {
    ...w,
    description: `smoke: ${w.name} shrunk to n=${n}, m=${m}, batch ${batch}, ${instances} instance(s)`,
    config: {
      ...w.config,
      data: { ...data, n } as TrainConfigInput['data'],
      model: { ...w.config.model, m },
      batchSize: batch,
      instances,
    },
    instances,
    batch,
    n,
    m,
  };
});

/** SPEC §5: FLOPs of one update of one instance, 10·B·n·m (2 forward + 3 backward products). */
export function flopsPerInstanceStep(w: Pick<Workload, 'batch' | 'n' | 'm'>): number {
  return 10 * w.batch * w.n * w.m;
}
