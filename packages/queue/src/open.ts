/**
 * Opens a sweep queue for the command-line operations (submit, status, collect): a BullMQ
 * `Queue` plus its Redis client, failing with one clear line when Redis cannot be reached.
 */
import { PolytoyError } from '@polytoy/core';
import { Queue } from 'bullmq';
import type { RedisClient } from 'bullmq';
import type { SweepConnectionOptions, SweepKeys } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, DEFAULT_TIMEOUT_MS, redisConnection, sweepKeys } from './connection.js';

/** An open queue; `close()` it when done. */
export interface OpenQueue {
  queue: Queue;
  client: RedisClient;
  keys: SweepKeys;
  close(): Promise<void>;
}

/** Opens the queue and checks Redis answers (PING). */
export async function openQueue(opts: SweepConnectionOptions): Promise<OpenQueue> {
  const name = opts.queue ?? DEFAULT_QUEUE;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const queue = new Queue(name, { connection: redisConnection(opts.redis, 'client', timeoutMs), prefix });
  // Connection errors are reported through the PING below; without a listener they would
  // also be printed as unhandled 'error' events.
  queue.on('error', () => undefined);
  let client: RedisClient;
  try {
    // Any round trip proves the connection (the client interface has no PING). A server that
    // accepts TCP but never answers would keep BullMQ waiting for "ready" forever: bounded.
    client = await withTimeout(
      (async () => {
        const c = await queue.client;
        await c.hexists(sweepKeys(name, prefix).sweeps, 'ping');
        return c;
      })(),
      timeoutMs,
      `no answer within ${timeoutMs} ms`,
    );
  } catch (e) {
    await forceClose(queue);
    throw new PolytoyError(`cannot reach Redis at ${redactUrl(opts.redis)}: ${(e as Error).message}`);
  }
  return {
    queue,
    client,
    keys: sweepKeys(name, prefix),
    close: async () => {
      // A server that stops answering mid-operation must not keep the process alive.
      await withTimeout(queue.close(), timeoutMs, 'close').catch(() => forceClose(queue));
    },
  };
}

/** Drops the connections at once (no QUIT round trip). */
async function forceClose(queue: Queue): Promise<void> {
  await withTimeout(queue.disconnect(), 1000, 'disconnect').catch(() => undefined);
  const client = await withTimeout(queue.client, 100, 'client').catch(() => undefined);
  (client as { disconnect?: () => void } | undefined)?.disconnect?.();
}

/**
 * `promise`, or a rejection with `message` after `ms` milliseconds.
 *
 * @example
 * await withTimeout(client.get(key), 10_000, 'GET timed out');
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A failure during a queue operation as one line: polytoy's own errors as they are, Redis and
 * network errors (timeouts, lost connections) named with the server.
 */
export function asQueueError(e: unknown, url: string): PolytoyError {
  if (e instanceof PolytoyError) return e;
  return new PolytoyError(`Redis at ${redactUrl(url)}: ${(e as Error)?.message ?? String(e)}`);
}

/** The URL without its password (for messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Runs `fn` over `items` in chunks of `size` concurrent calls. */
export async function inChunks<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
