/**
 * Gathers the runs a worker holds into multi-instance training calls. Training one small run
 * alone wastes most of a call (measured for `finds-solution` n = 8: ~4× more time per run
 * than 32 runs in one call), so a worker takes several jobs and trains the compatible ones
 * (equal `groupKeyOf`) together, one call at a time. Each job still succeeds or fails on its
 * own: the batcher hands every run its own outcome.
 */
import { groupKeyOf } from '@polytoy/experiments';
import type { RunSpec } from '@polytoy/experiments';
import type { RunOutcome } from './run-line.js';

/** Options of {@link createBatcher}. */
export interface BatcherOptions {
  /** Most runs per training call. */
  maxBatch: number;
  /** How long to wait for more compatible runs after the first one arrives, ms. */
  gatherMs: number;
  /** Trains compatible runs together; outcomes in the order of `specs`. */
  trainBatch(specs: RunSpec[]): Promise<RunOutcome[]>;
  /** Called with each batch before it trains (for logs). */
  onBatch?(specs: RunSpec[]): void;
}

/** Hands runs to {@link BatcherOptions.trainBatch} in batches. */
export interface Batcher {
  /** Resolves with this run's outcome once its batch has trained (rejects if the batch failed). */
  run(spec: RunSpec): Promise<RunOutcome>;
}

interface Entry {
  spec: RunSpec;
  key: string;
  at: number;
  resolve(o: RunOutcome): void;
  reject(e: unknown): void;
}

/**
 * Creates a batcher: one training call at a time; the next call takes the oldest waiting run
 * and up to `maxBatch - 1` compatible ones, as soon as `maxBatch` are there or `gatherMs`
 * after the oldest arrived.
 *
 * @example
 * const b = createBatcher({ maxBatch: 32, gatherMs: 200, trainBatch: (s) => trainRuns(s) });
 * const { line } = await b.run(spec);
 */
export function createBatcher(opts: BatcherOptions): Batcher {
  const waiting: Entry[] = [];
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (busy || waiting.length === 0) return;
    busy = true;
    const key = waiting[0]!.key;
    const batch: Entry[] = [];
    for (let i = 0; i < waiting.length && batch.length < opts.maxBatch; ) {
      if (waiting[i]!.key === key) batch.push(...waiting.splice(i, 1));
      else i++;
    }
    try {
      const specs = batch.map((e) => e.spec);
      opts.onBatch?.(specs);
      const outcomes = await opts.trainBatch(specs);
      batch.forEach((e, i) => e.resolve(outcomes[i]!));
    } catch (err) {
      for (const e of batch) e.reject(err);
    } finally {
      busy = false;
      schedule();
    }
  };

  const schedule = (): void => {
    if (busy || waiting.length === 0) return;
    const first = waiting[0]!;
    const compatible = waiting.filter((e) => e.key === first.key).length;
    const wait = first.at + opts.gatherMs - Date.now();
    if (compatible >= opts.maxBatch || wait <= 0) {
      void flush();
      return;
    }
    timer ??= setTimeout(() => void flush(), wait);
  };

  return {
    run(spec) {
      return new Promise<RunOutcome>((resolve, reject) => {
        waiting.push({ spec, key: groupKeyOf(spec), at: Date.now(), resolve, reject });
        schedule();
      });
    },
  };
}
