/**
 * `trainParallel`: one run spread over worker threads (Node).
 *
 * - `split: 'instances'` (default): each worker trains a contiguous slice of the instances with
 *   `train()`. Instances never interact and every instance's randomness derives from its own
 *   seed, so the result — parameters, histories, checkpoints — equals the single-thread run bit
 *   for bit.
 * - `split: 'batch'`: every batch is split by rows across the main thread and `workers − 1`
 *   worker threads, which hold replicas of the parameters; each computes its rows' gradients
 *   with the fused step, publishes them in shared memory, and every replica sums them in replica
 *   order and applies the same update (`split-replica.ts`). Deterministic (bit-identical across
 *   repeated runs with the same thread count); it differs from the unsplit run only by float32
 *   reassociation of the sums over rows (see the README for the bound).
 *
 * The parts: `worker-spawn.ts` (where threads start from), `thread-mailbox.ts` (a thread's
 * messages), `checkpoint-slices.ts` (slicing and joining checkpoints and results),
 * `instance-split.ts` with `stop-agreement.ts`, and `batch-split.ts` (the two engines).
 */
import { availableParallelism } from 'node:os';
import type { TrainConfig, TrainConfigInput, TrainResult } from '@polytoy/core';
import { ConfigError, resolveTrainConfig } from '@polytoy/core';
import { isPolytoyKernelsRegistered } from '@polytoy/kernels';
import type { KernelChoice } from './backend.js';
import { initBackend } from './backend.js';
import { createSplitEngine } from './batch-split.js';
import { batchSplitSupports } from './fused-step.js';
import { trainInstanceSlices } from './instance-split.js';
import { asInput, checkResumable, positiveInt, runTraining } from './train.js';
import type { TrainOptions } from './train.js';
import { wasmDistDir } from './wasm-dist.js';

export { mergeCheckpoints, sliceCheckpoint } from './checkpoint-slices.js';
export { setTrainerWorkerEntry } from './worker-spawn.js';

/** Options of {@link trainParallel}, besides {@link TrainOptions}. */
export interface ParallelOptions {
  /**
   * Threads that train (default: `os.availableParallelism()`): worker threads for
   * `'instances'` (at most one per instance), the main thread plus `workers − 1` worker threads
   * for `'batch'` (at most one per batch row).
   */
  workers?: number;
  /** How the work is divided; see {@link trainParallel}. Default `'instances'`. */
  split?: 'instances' | 'batch';
}

/**
 * Trains a run on several worker threads (Node). Takes every option of `train` (callbacks,
 * abort signal, checkpoints, resume) plus `workers` and `split`:
 *
 * - `'instances'` (default): each worker trains a contiguous slice of the instances. The result,
 *   every logged record and every checkpoint equal a single-thread `train()` bit for bit (only
 *   wall times and `runtime.parallel` differ). Checkpoints are joined from the workers' slices at
 *   each step; on abort the workers first agree on one step (the furthest any has reached), so
 *   the last checkpoint is consistent.
 * - `'batch'`: every batch is split by rows across the main thread and `workers − 1` worker
 *   threads (tied or untied models without hidden noise, polytoy kernels: the fused step). Gradients are
 *   summed in a fixed order, so the run is deterministic, but it differs from the unsplit run by
 *   float32 reassociation.
 *
 * Workers start from this package's `worker-main` module, or — in a bundle — from the bundle
 * itself (see {@link setTrainerWorkerEntry} and `isTrainerWorker`).
 *
 * @throws ConfigError for bad options (and everything `train` throws).
 * @example
 * import { trainParallel } from '@polytoy/trainer/node';
 * const result = await trainParallel({ data: { n: 64 }, model: { m: 33 }, instances: 16, steps: 10_000 }, { workers: 2 });
 */
export async function trainParallel(
  input: TrainConfigInput | TrainConfig,
  opts: TrainOptions & ParallelOptions = {},
): Promise<TrainResult> {
  const config = resolveTrainConfig(asInput(input));
  const { workers: requested, split: splitOpt, ...trainOpts } = opts;
  const split = splitOpt ?? 'instances';
  if (split !== 'instances' && split !== 'batch') throw new ConfigError('split', '"instances" or "batch"', split);
  positiveInt(requested, 'workers');
  positiveInt(opts.checkEvery, 'checkEvery');
  positiveInt(opts.checkpoint?.every, 'checkpoint.every');
  if (opts.resumeFrom) checkResumable(opts.resumeFrom, config);
  await initBackend({ wasmPaths: wasmDistDir() });
  const kernels: KernelChoice = isPolytoyKernelsRegistered() ? 'polytoy' : 'stock';
  const wanted = requested ?? availableParallelism();
  if (split === 'batch') {
    if (kernels !== 'polytoy' || !batchSplitSupports(config)) {
      throw new ConfigError(
        'split',
        kernels !== 'polytoy'
          ? '"instances" for this run (a batch split needs the fused step: the polytoy kernels)'
          : '"instances" for this run (a batch split draws no hidden noise: its draws are per sample, in stream order)',
        '"batch"',
      );
    }
    const W = Math.min(wanted, config.batchSize);
    return runTraining(config, trainOpts, {
      createEngine: (start) => createSplitEngine(start, W, kernels),
      runtime: (info) => ({ ...info, parallel: { workers: W, split: 'batch' } }),
    });
  }
  return trainInstanceSlices(config, trainOpts, Math.min(wanted, config.instances.length), kernels);
}
