/**
 * The instance-split run: each worker thread trains a contiguous slice of the instances with
 * `train()`. Instances never interact and each one's randomness derives from its own seed, so
 * the joined result, log records and checkpoints equal a single-thread run bit for bit.
 */
import type { TrainConfig, TrainResult } from '@polytoy/core';
import { BackendError } from '@polytoy/core';
import type { KernelChoice } from './backend.js';
import type { Checkpoint } from './checkpoint.js';
import { mergeCheckpoints, mergeResults, relabel, remap, sliceCheckpoint, slices } from './checkpoint-slices.js';
import { TrainingAbortedError } from './errors.js';
import { StopAgreement } from './stop-agreement.js';
import { rebuildError, Thread } from './thread-mailbox.js';
import type { TrainOptions } from './train.js';

/** Trains `config` on `W` worker threads, slice k of the instances on thread k. */
export async function trainInstanceSlices(
  config: TrainConfig,
  opts: TrainOptions,
  W: number,
  kernels: KernelChoice,
): Promise<TrainResult> {
  const started = performance.now();
  const resume = opts.resumeFrom;
  const elapsed = (): number => (resume?.wallSeconds ?? 0) + (performance.now() - started) / 1000;
  const I = config.instances.length;
  const { steps } = config;
  const bounds = slices(I, W);
  const offsets = bounds.map(([a]) => a);
  const threads = bounds.map(() => new Thread(kernels));
  const sink = opts.checkpoint;

  try {
    return await new Promise<TrainResult>((resolve, reject) => {
      let settled = false;
      const results: (TrainResult | null)[] = bounds.map(() => null);
      const done = bounds.map(() => resume?.step ?? 0);
      const losses: (number | undefined)[] = bounds.map(() => undefined);
      const pendingCheckpoints = new Map<number, (Checkpoint | null)[]>();
      let writes: Promise<void> = Promise.resolve();
      const aborted: (Checkpoint | null)[] = bounds.map(() => null);
      /** Each slice's latest checkpoint (its final one once it has finished). */
      const last: (Checkpoint | null)[] = bounds.map(() => null);
      const agreement = new StopAgreement(W);
      /** Has slice k been sent its job? */
      const posted = bounds.map(() => false);
      /** Set on abort; every worker reads it before each update (see `pauseFlag`). */
      const pauseFlag = new SharedArrayBuffer(4);

      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const write = (cp: Checkpoint): void => {
        if (!sink) return;
        writes = writes.then(() => sink.write(cp));
        writes.catch(fail);
      };
      /** Writes the pending checkpoints that are complete, finished slices standing in with their last one. */
      const flushCheckpoints = (): void => {
        for (const step of [...pendingCheckpoints.keys()].sort((x, y) => x - y)) {
          const parts = pendingCheckpoints.get(step)!;
          results.forEach((r, j) => {
            if (r && !parts[j] && last[j]!.step <= step) parts[j] = relabel(last[j]!, step);
          });
          if (parts.every((p) => p !== null)) {
            pendingCheckpoints.delete(step);
            write(mergeCheckpoints(parts as Checkpoint[], offsets, config, elapsed()));
          }
        }
      };
      /** Once every slice has finished or stopped: the merged result, or the abort with a merged checkpoint. */
      const settle = (): void => {
        if (!results.every((r, j) => r !== null || aborted[j] !== null)) return;
        if (aborted.some((c) => c !== null)) {
          const parts = aborted.map((c, j) => c ?? relabel(last[j]!, agreement.stopAt!));
          const cp = mergeCheckpoints(parts, offsets, config, elapsed());
          // The slices' sinks already sent this step's checkpoint (merged and written above).
          writes.then(() => fail(new TrainingAbortedError(cp.step, cp, sink !== undefined)), fail);
          return;
        }
        const merged = mergeResults(results as TrainResult[], offsets, config, { workers: W, split: 'instances' }, elapsed());
        writes.then(() => {
          if (!settled) {
            settled = true;
            resolve(merged);
          }
        }, fail);
      };
      const progress = (): void => {
        if (!opts.onProgress) return;
        const known = losses.every((l) => l !== undefined);
        const loss = known ? losses.reduce((s: number, l, k) => s + l! * (bounds[k]![1] - bounds[k]![0]), 0) / I : undefined;
        opts.onProgress({ done: Math.min(...done), total: steps, ...(loss !== undefined ? { loss } : {}) });
      };
      /** Sends the agreed step (if `stopAt` just got decided) to the slices still training. */
      const stopAll = (stopAt: number | null): void => {
        if (stopAt === null) return;
        threads.forEach((t, k) => {
          if (!results[k] && posted[k]) t.post({ type: 'stop-at', step: stopAt });
        });
      };
      const onAbort = (): void => {
        Atomics.store(new Int32Array(pauseFlag), 0, 1);
        stopAll(agreement.request(results.map((r, k) => (r ? last[k]!.step : null))));
      };

      threads.forEach((thread, k) => {
        const offset = offsets[k]!;
        const [a, b] = bounds[k]!;
        const sub: TrainConfig = { ...config, instances: config.instances.slice(a, b) };
        thread.onMessage = (msg) => {
          if (settled) return;
          switch (msg.type) {
            case 'ready':
              thread.post({
                type: 'train',
                config: sub,
                resume: resume ? sliceCheckpoint(resume, a, b, sub) : null,
                checkEvery: opts.checkEvery,
                // Without a sink, still the final checkpoint: a slice that finishes early (all
                // its instances converged or diverged) stands in for later steps with it.
                checkpointEvery: sink?.every ?? Number.MAX_SAFE_INTEGER,
                flushEvery: undefined,
                pauseFlag,
              });
              posted[k] = true;
              break;
            case 'log':
              opts.onLog?.(remap(msg.record, offset));
              break;
            case 'progress':
              done[k] = msg.done;
              losses[k] = msg.loss;
              progress();
              break;
            case 'checkpoint': {
              const step = msg.checkpoint.step;
              last[k] = msg.checkpoint;
              if (!sink) break;
              const parts = pendingCheckpoints.get(step) ?? bounds.map(() => null);
              parts[k] = msg.checkpoint;
              pendingCheckpoints.set(step, parts);
              flushCheckpoints();
              break;
            }
            case 'paused':
              stopAll(agreement.paused(k, msg.step));
              break;
            case 'result': {
              results[k] = msg.result;
              // A slice that stopped early (converged or diverged) no longer holds progress back.
              done[k] = steps;
              // It may have finished before it saw the pause: then its last step is its answer.
              stopAll(agreement.finished(k, last[k]!.step));
              flushCheckpoints();
              settle();
              break;
            }
            case 'failed': {
              const e = msg.error;
              if (e.name === 'TrainingAbortedError' && e.checkpoint) {
                aborted[k] = e.checkpoint;
                settle();
                break;
              }
              fail(rebuildError(e, offset));
              break;
            }
          }
        };
        thread.worker.on('error', fail);
        thread.worker.on('exit', (code) => {
          // Messages sent just before exiting may still be queued: look after they are handled.
          setTimeout(() => {
            if (!results[k] && !aborted[k] && !thread.failure) {
              fail(new BackendError(`trainer worker ${k} exited (code ${code}) before finishing`));
            }
          }, 50);
        });
      });
      if (opts.signal) {
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  } finally {
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
