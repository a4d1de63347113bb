/**
 * The page side of the readout worker, with back-pressure: at most one request in flight; while
 * one is, only the newest snapshot waits (older ones are dropped), so the readout never lags
 * behind training by more than one analysis.
 */
import type { ModelParams } from '@polytoy/core';
import type { Readout, ReadoutContext } from './readout.js';
import type { ReadoutReply, ReadoutRequest } from './readout.worker.js';

/** Receives each analysis: the readouts, the step (or label) they belong to, and the run they belong to. */
export type ReadoutHandler = (readouts: Readout[] | string, tag: { run: number; step: number }) => void;

/** A started readout worker. */
export interface ReadoutClient {
  /** Asks for the readouts of these parameters (replacing any request still waiting). */
  read(params: ModelParams[], context: ReadoutContext, tag: { run: number; step: number }): void;
}

/**
 * Starts the worker.
 *
 * @example
 * const readout = startReadoutWorker((r, tag) => show(r, tag));
 * readout.read(snapshot.params, { data: 'half-split', hidden: 'none' }, { run: 1, step: 200 });
 */
export function startReadoutWorker(onReadout: ReadoutHandler): ReadoutClient {
  const worker = new Worker(new URL('./readout.worker.ts', import.meta.url), { type: 'module', name: 'polytoy-readout' });
  let nextId = 0;
  let inFlight: { id: number; tag: { run: number; step: number } } | null = null;
  let waiting: { params: ModelParams[]; context: ReadoutContext; tag: { run: number; step: number } } | null = null;
  const send = (params: ModelParams[], context: ReadoutContext, tag: { run: number; step: number }) => {
    inFlight = { id: ++nextId, tag };
    worker.postMessage({ id: inFlight.id, params, context } satisfies ReadoutRequest);
  };
  worker.onmessage = (event: MessageEvent<ReadoutReply>) => {
    const reply = event.data;
    if (!inFlight || reply.id !== inFlight.id) return;
    const tag = inFlight.tag;
    inFlight = null;
    onReadout('error' in reply ? reply.error : reply.readouts, tag);
    if (waiting) {
      const next = waiting;
      waiting = null;
      send(next.params, next.context, next.tag);
    }
  };
  worker.onerror = (event) =>
    onReadout(`WorkerError: ${event.message || 'the readout worker failed'}`, inFlight?.tag ?? { run: -1, step: -1 });
  return {
    read(params, context, tag) {
      if (inFlight) waiting = { params, context, tag };
      else send(params, context, tag);
    },
  };
}
