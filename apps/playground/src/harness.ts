/**
 * A page without UI for the browser tests and the cross-environment benchmark: it starts the
 * same training worker as the playground and exposes promise-returning calls on
 * `window.polytoyHarness` (driven with playwright-core's `page.evaluate`).
 */
import type { RunRecord, RuntimeInfo, TrainConfigInput } from '@polytoy/core';
import type { FromWorker, ThroughputResult, ToWorker } from './protocol.js';
import { startTrainerWorker, WorkerError } from './worker-client.js';

/** What the harness page exposes. */
export interface Harness {
  /** Backend facts from the worker, or the start-up error message. */
  ready: Promise<{ runtime: RuntimeInfo; inWorker: boolean }>;
  /** Trains a config in the worker; resolves to its `polytoy.run/1` record. */
  train(config: TrainConfigInput): Promise<RunRecord>;
  /** Steps per second of a config after `warmupSteps` updates (see `measureThroughput`). */
  throughput(config: TrainConfigInput, warmupSteps: number): Promise<ThroughputResult>;
}

declare global {
  interface Window {
    polytoyHarness?: Harness;
  }
}

const worker = startTrainerWorker();

function request<T>(message: (runId: number) => ToWorker, pick: (m: FromWorker) => T | undefined): Promise<T> {
  const runId = worker.nextRunId();
  return new Promise<T>((resolve, reject) => {
    const off = worker.listen((m) => {
      if (!('runId' in m) || m.runId !== runId) return;
      if (m.type === 'error') {
        off();
        reject(new WorkerError(m.name, m.message));
        return;
      }
      const value = pick(m);
      if (value !== undefined) {
        off();
        resolve(value);
      }
    });
    worker.send(message(runId));
  });
}

window.polytoyHarness = {
  ready: worker.ready,
  train: (config) =>
    request(
      (runId) => ({ type: 'train', runId, config, snapshotEvery: Math.max(1, config.steps ?? 1) }),
      (m) => (m.type === 'done' ? m.record : undefined),
    ),
  throughput: (config, warmupSteps) =>
    request(
      (runId) => ({ type: 'throughput', runId, config, warmupSteps }),
      (m) => (m.type === 'throughput' ? m.result : undefined),
    ),
};
document.body.dataset.state = 'loaded';
