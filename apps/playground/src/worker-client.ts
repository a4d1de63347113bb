/**
 * The page side of the training worker: starts it, initialises the backend and routes its
 * messages. Shared by the playground UI and the test/benchmark harness page.
 */
import type { RuntimeInfo } from '@polytoy/core';
import type { FromWorker, ToWorker } from './protocol.js';

/** A started training worker. */
export interface TrainerWorker {
  /** Resolves when wasm + SIMD is running in the worker; rejects with the worker's error otherwise. */
  ready: Promise<{ runtime: RuntimeInfo; inWorker: boolean }>;
  send(message: ToWorker): void;
  /** Adds a listener for every message; returns its remover. */
  listen(handler: (message: FromWorker) => void): () => void;
  /** A fresh run id. */
  nextRunId(): number;
}

/** Error re-created on the page from a worker `error` message. */
export class WorkerError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the worker and its backend. The `.wasm` files are expected under `wasm/` next to the
 * page (the app's Vite plugin serves them there).
 *
 * @example
 * const worker = startTrainerWorker();
 * const { runtime } = await worker.ready; // { backend: 'wasm', simd: true, ... }
 */
export function startTrainerWorker(wasmPaths = new URL('wasm/', document.baseURI).href): TrainerWorker {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'polytoy-trainer' });
  const handlers = new Set<(message: FromWorker) => void>();
  let runId = 0;
  const ready = new Promise<{ runtime: RuntimeInfo; inWorker: boolean }>((resolve, reject) => {
    const off = (message: FromWorker): void => {
      if (message.type === 'ready') resolve({ runtime: message.runtime, inWorker: message.inWorker });
      else if (message.type === 'error' && message.runId === null) reject(new WorkerError(message.name, message.message));
      else return;
      handlers.delete(off);
    };
    handlers.add(off);
    worker.onerror = (event) => reject(new WorkerError('WorkerError', event.message || 'the training worker failed to load'));
  });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    for (const handler of [...handlers]) handler(event.data);
  };
  worker.postMessage({ type: 'init', wasmPaths } satisfies ToWorker);
  return {
    ready,
    send: (message) => worker.postMessage(message),
    listen: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    nextRunId: () => ++runId,
  };
}
