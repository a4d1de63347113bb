/**
 * The native PyTorch comparison point: runs `torch/train_step.py` (the same model and step in
 * PyTorch) on a workload with Debian's `python3-torch`, and returns its best seconds per update
 * over thread settings and, for several instances, over batched einsum vs one instance after
 * another.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveTrainConfig } from '@polytoy/core';
import type { Workload } from './workloads.js';

/** Debian's python3 (where `python3-torch` installs); `POLYTOY_TORCH_PYTHON` overrides it. */
const PYTHONS = process.env.POLYTOY_TORCH_PYTHON ? [process.env.POLYTOY_TORCH_PYTHON] : ['/usr/bin/python3', 'python3'];
const SCRIPT = fileURLToPath(new URL('../torch/train_step.py', import.meta.url));

/** One measured setting. */
export interface TorchSetting {
  threads: number;
  mode: 'batched' | 'sequential';
  secondsPerStep: number;
  /** CPU seconds of the torch process (all threads) per step, from the same two run lengths. */
  cpuSecondsPerStep: number;
  runLengths: [number, number];
}

export interface TorchResult {
  workload: string;
  results: TorchSetting[];
  best: TorchSetting;
}

/**
 * The environment of the torch command: OpenBLAS tuning variables set for this machine's other
 * jobs (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) are removed so OpenBLAS picks its own kernels.
 * With `threads`, every thread pool is sized to it: Debian's torch calls OpenBLAS as a generic
 * BLAS, so `torch.set_num_threads` does not reach OpenBLAS's own pool, whose idle threads spin
 * and, on a busy 2-core machine, made one-thread torch several times slower. With more than one
 * thread the OpenMP workers sleep instead of spinning (OMP_WAIT_POLICY=PASSIVE): measured on the
 * shared machine at load ≈ 15, seed-64 with 2 threads ran at 46 steps/s passive, 2–8 spinning.
 */
function torchEnv(threads?: number): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (threads !== undefined) {
    for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) env[k] = String(threads);
    if (threads > 1) env.OMP_WAIT_POLICY = 'PASSIVE';
  }
  return env;
}

/** The python with torch, and torch's version; or why there is none (one line). */
export function findTorch(): { python: string; version: string } | { missing: string } {
  for (const python of PYTHONS) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: torchEnv() });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return {
    missing: `no python3 with torch (tried ${PYTHONS.join(', ')}; apt-get install -y python3-torch libopenblas0-pthread)`,
  };
}

/** What train_step.py needs of a workload, from the trainer's resolved config (one source). */
export function torchSpec(w: Workload): Record<string, unknown> {
  const c = resolveTrainConfig({ ...w.config, steps: 1 });
  const { model, optimizer } = c;
  if (optimizer.kind === 'sgd') throw new Error(`${w.name}: the torch step implements Adam/AdamW only`);
  if (model.hiddenNoise.kind !== 'none') throw new Error(`${w.name}: the torch step has no hidden noise`);
  return {
    name: w.name,
    n: model.n,
    m: model.m,
    batch: c.batchSize,
    instances: c.instances.length,
    data: c.data.kind,
    weights: model.weights.kind,
    hidden: model.hiddenActivation,
    outputBias: model.outputBias,
    outputRelu: model.outputActivation === 'relu',
    l1: { target: model.l1.target, lambda: c.instances[0]!.lambda },
    optimizer: {
      kind: optimizer.kind,
      lr: c.instances[0]!.lr,
      weightDecay: optimizer.kind === 'adamw' ? optimizer.weightDecay : 0,
    },
  };
}

/**
 * Measures one workload in PyTorch: each thread setting in `threads` in its own process (thread
 * pools sized by the environment, see {@link torchEnv}); both instance modes when the workload
 * has several instances. The best is the fastest of all.
 *
 * @param budget - seconds of the longer run length per measurement.
 */
export function measureTorch(
  python: string,
  w: Workload,
  plan: { budget: number; repeats: number; threads: number[] },
): TorchResult {
  const results: TorchSetting[] = [];
  for (const t of plan.threads) {
    const spec = { workloads: [torchSpec(w)], budget: plan.budget, repeats: plan.repeats, threads: [t] };
    const r = spawnSync(python, [SCRIPT, JSON.stringify(spec)], {
      encoding: 'utf8',
      env: torchEnv(t),
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`torch/train_step.py failed on ${w.name} (exit ${r.status})`);
    const lines = r.stdout.trim().split('\n');
    results.push(...(JSON.parse(lines[lines.length - 1]!) as TorchResult).results);
  }
  const best = results.reduce((a, b) => (b.secondsPerStep < a.secondsPerStep ? b : a));
  return { workload: w.name, results, best };
}
