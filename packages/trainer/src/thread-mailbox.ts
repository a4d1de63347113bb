/**
 * The parent's side of one trainer worker thread: its messages, in order, either handed to a
 * handler as they arrive or queued for `next(type)`; and worker errors re-created in this thread.
 */
import type { Worker } from 'node:worker_threads';
import { BackendError, DivergenceError, PolytoyError } from '@polytoy/core';
import type { KernelChoice } from './backend.js';
import { spawnTrainerWorker } from './worker-spawn.js';
import type { FromWorker, ToWorker, WorkerFailure } from './worker-protocol.js';

/** A worker with a typed message queue. */
export class Thread {
  readonly worker: Worker;
  private readonly queue: FromWorker[] = [];
  private waiter: (() => void) | null = null;
  exited = false;
  error: Error | null = null;
  /** The error the worker reported, if it failed. */
  failure: WorkerFailure | null = null;
  /** Receives every message once set (nothing is queued then). */
  onMessage: ((msg: FromWorker) => void) | null = null;

  constructor(kernels: KernelChoice) {
    this.worker = spawnTrainerWorker(kernels);
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'failed') this.failure ??= msg.error;
      if (this.onMessage) this.onMessage(msg);
      else this.queue.push(msg);
      this.wake();
    });
    this.worker.on('error', (e) => {
      this.error = e;
      this.wake();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /** The next queued message of `type` (a `failed` one throws). */
  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const msg = this.queue.splice(i, 1)[0]!;
        if (msg.type === 'failed') throw rebuildError(msg.error, 0);
        return msg as Extract<FromWorker, { type: T }>;
      }
      if (this.error) throw this.error;
      if (this.exited) throw new BackendError(`a trainer worker exited before sending "${type}"`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

/** Re-creates a worker's error in this thread (instance indices shifted by `offset`). */
export function rebuildError(e: WorkerFailure, offset: number): Error {
  if (e.name === 'DivergenceError' && e.step !== undefined && e.instance !== undefined) {
    const message = e.message.replace(/^instance \d+/, `instance ${e.instance + offset}`);
    return new DivergenceError(message, e.step, e.instance + offset);
  }
  const error = e.name === 'BackendError' ? new BackendError(e.message) : new PolytoyError(e.message);
  if (e.name !== error.name) Object.defineProperty(error, 'name', { value: e.name });
  return error;
}
