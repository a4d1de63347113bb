/**
 * The readout worker: analyses parameter snapshots with `@polytoy/metrics` (through ./readout.ts)
 * off the page's thread and off the training worker, so that neither the page's frames nor the
 * training steps wait for it.
 */
import type { ModelParams } from '@polytoy/core';
import type { Readout, ReadoutContext } from './readout.js';
import { readModel } from './readout.js';

/** Page → readout worker. */
export interface ReadoutRequest {
  id: number;
  params: ModelParams[];
  context: ReadoutContext;
}

/** Readout worker → page. */
export type ReadoutReply = { id: number; readouts: Readout[] } | { id: number; error: string };

interface WorkerScope {
  postMessage(message: ReadoutReply): void;
  onmessage: ((event: MessageEvent<ReadoutRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, params, context } = event.data;
  try {
    scope.postMessage({ id, readouts: params.map((p) => readModel(p, context)) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ id, error: `${e.name}: ${e.message}` });
  }
};
