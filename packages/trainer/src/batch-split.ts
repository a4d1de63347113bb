/**
 * The batch-split engine: every batch is split by rows across the main thread and worker
 * threads holding replicas of the parameters; gradients are summed in replica order in shared
 * memory and every replica applies the same update (`split-replica.ts`).
 */
import { BackendError, ConfigError } from '@polytoy/core';
import type { KernelChoice } from './backend.js';
import { lossesFrom } from './engine.js';
import type { EngineStart, StepLosses, TrainEngine } from './engine.js';
import { createSplitBuffers, SplitReplica, splitRows, splitViews } from './split-replica.js';
import { rebuildError, Thread } from './thread-mailbox.js';
import { CMD, CTRL } from './worker-protocol.js';

/**
 * The batch-split engine: the main thread is replica 0 and starts `threads − 1` worker threads
 * (replicas 1 …); every update is one command in shared memory and one barrier (see
 * `split-replica.ts`). The main thread also draws the next batch while the workers compute,
 * so it takes fewer rows (`splitRows`).
 */
export async function createSplitEngine(start: EngineStart, threads: number, kernels: KernelChoice): Promise<TrainEngine> {
  const { config } = start;
  const I = config.instances.length;
  const lambda = config.instances.map((s) => s.lambda);
  const weightsL1 = config.model.l1.target === 'weights';
  const shared = createSplitBuffers(config, threads);
  const v = splitViews(shared);
  const { ctrl } = v;
  const rows = splitRows(config, threads);
  const main = new SplitReplica(config, 0, threads, rows[0]!, start, v);
  const workers = Array.from({ length: threads - 1 }, () => new Thread(kernels));
  const W = workers.length;
  try {
    await Promise.all(workers.map((t) => t.next('ready')));
    workers.forEach((t, k) =>
      t.post({
        type: 'split',
        index: k + 1,
        replicas: threads,
        rows: rows[k + 1]!,
        config,
        params: start.params,
        optimizer: start.optimizer,
        importance: start.importance,
        shared,
      }),
    );
    await Promise.all(workers.map((t) => t.next('ready')));
  } catch (error) {
    await Promise.all(workers.map((t) => t.worker.terminate()));
    main.dispose();
    throw error;
  }

  /** The error of the thread that failed (its message may still be on its way). */
  const failure = async (): Promise<Error> => {
    for (let tries = 0; tries < 100; tries++) {
      const t = workers.find((th) => th.failure);
      if (t?.failure) return rebuildError(t.failure, 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return new BackendError('batch split: a worker failed');
  };
  /** Waits for `ctrl[index] >= target`, yielding to the event loop now and then (worker exits). */
  const waitFor = async (index: number, target: number): Promise<void> => {
    for (;;) {
      const value = Atomics.load(ctrl, index);
      if (Atomics.load(ctrl, CTRL.failed) !== 0) throw await failure();
      if (value >= target) return;
      if (Atomics.wait(ctrl, index, value, 200) === 'timed-out') {
        await new Promise((resolve) => setImmediate(resolve));
        const gone = workers.find((t) => t.exited || t.error);
        if (gone) throw gone.error ?? new BackendError('batch split: a worker exited');
      }
    }
  };
  let issued = 0;
  const command = async (cmd: number): Promise<void> => {
    // The ring holds CTRL.ring commands: never overwrite one a worker has not read. (Checked
    // synchronously first: the command must go out before the main thread starts computing.)
    const needed = W * (issued + 1 - CTRL.ring);
    if (needed > 0 && Atomics.load(ctrl, CTRL.done) < needed) await waitFor(CTRL.done, needed);
    issued += 1;
    v.commands[issued % CTRL.ring] = cmd;
    Atomics.store(ctrl, CTRL.go, issued);
    Atomics.notify(ctrl, CTRL.go);
  };
  let pending: 'step' | 'evaluate' | null = null;
  let barrierTarget = 0;
  let ready: Promise<void> = Promise.resolve();

  const losses = (): StepLosses => {
    const rec = new Float64Array(I);
    const l1 = new Float64Array(I);
    for (let k = 0; k < threads; k++) {
      for (let i = 0; i < I; i++) {
        rec[i] = rec[i]! + v.sums[k * 3 * I + i]!;
        l1[i] = l1[i]! + v.sums[k * 3 * I + I + i]!;
      }
    }
    if (weightsL1) for (let i = 0; i < I; i++) l1[i] = v.sums[2 * I + i]!;
    return lossesFrom(rec, l1, lambda);
  };

  return {
    kind: 'split',
    overlapsData: true,
    submit(batch, noise, rates) {
      if (noise) throw new ConfigError('model.hiddenNoise', '"none" for a batch split', noise.kind);
      v.x.set(batch);
      if (rates) {
        v.lr.set(rates, (main.updates % 2) * I);
        pending = 'step';
        ready = command(CMD.step);
        // The main thread's own rows, while the workers compute theirs.
        main.compute(true);
        barrierTarget = main.arrive();
      } else {
        pending = 'evaluate';
        ready = command(CMD.evaluate);
        main.compute(false);
      }
    },
    async collect(): Promise<StepLosses> {
      await ready;
      if (pending === 'step') {
        await waitFor(CTRL.arrived, barrierTarget);
        const out = losses();
        main.update();
        pending = null;
        return out;
      }
      await waitFor(CTRL.done, W * issued);
      pending = null;
      return losses();
    },
    async flush() {
      main.flush();
      await command(CMD.flush);
    },
    finite: () => main.finite(),
    params: () => main.exportParams(),
    optimizerState: () => main.exportState(),
    async dispose() {
      try {
        await command(CMD.exit);
        await waitFor(CTRL.done, W * issued);
      } catch {
        // terminating anyway
      } finally {
        await Promise.all(workers.map((t) => t.worker.terminate()));
        main.dispose();
      }
    },
  };
}
