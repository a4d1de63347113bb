/**
 * Opens a sweep queue for the command-line operations (submit, status, collect): a BullMQ
 * `Queue` plus its Redis client, failing with one clear line when Redis cannot be reached.
 */
import { PolytoyError } from '@polytoy/core';
import { Queue } from 'bullmq';
import type { RedisClient } from 'bullmq';
import type { SweepConnectionOptions, SweepKeys } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, redisConnection, sweepKeys } from './connection.js';

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
  const queue = new Queue(name, { connection: redisConnection(opts.redis, 'client'), prefix });
  // Connection errors are reported through the PING below; without a listener they would
  // also be printed as unhandled 'error' events.
  queue.on('error', () => undefined);
  let client: RedisClient;
  try {
    client = await queue.client;
    // Any round trip proves the connection (the client interface has no PING).
    await client.hexists(sweepKeys(name, prefix).sweeps, 'ping');
  } catch (e) {
    await queue.close().catch(() => undefined);
    throw new PolytoyError(`cannot reach Redis at ${redactUrl(opts.redis)}: ${(e as Error).message}`);
  }
  return { queue, client, keys: sweepKeys(name, prefix), close: () => queue.close() };
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
