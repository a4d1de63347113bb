/**
 * Where a sweep lives: a Redis URL, a BullMQ queue name and key prefix, and the names of the
 * few keys polytoy keeps beside BullMQ's own (results, sweep plans).
 */
import { ConfigError } from '@polytoy/core';
import type { ConnectionOptions } from 'bullmq';

/** The queue every command uses unless told otherwise. */
export const DEFAULT_QUEUE = 'polytoy';

/** BullMQ's default key prefix (use `{polytoy}`-style hash tags on Redis Cluster). */
export const DEFAULT_PREFIX = 'bull';

/** How to reach a sweep's queue. */
export interface SweepConnectionOptions {
  /** Redis URL: `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  redis: string;
  /** BullMQ queue name (default {@link DEFAULT_QUEUE}). */
  queue?: string;
  /** BullMQ key prefix (default {@link DEFAULT_PREFIX}). */
  prefix?: string;
  /**
   * Command-line operations (submit, status, collect): the most any Redis round trip may take,
   * ms (default {@link DEFAULT_TIMEOUT_MS}); a server that accepts connections but never
   * answers fails with one line instead of hanging.
   */
  timeoutMs?: number;
}

/** Default bound on one Redis round trip of a command-line operation. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Connection options for BullMQ from a Redis URL. `worker` connections retry forever (a worker
 * outlives a Redis restart, and BullMQ requires `maxRetriesPerRequest: null` for blocking
 * commands); command-line connections give up after a few seconds with an error.
 *
 * @throws ConfigError for a URL that is not `redis://` or `rediss://`.
 * @example
 * redisConnection('redis://127.0.0.1:6379/2', 'client'); // { host: '127.0.0.1', port: 6379, db: 2, … }
 */
export function redisConnection(url: string, role: 'worker' | 'client', timeoutMs = DEFAULT_TIMEOUT_MS): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('--redis', 'a URL like redis://host:6379', url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError('--redis', 'a redis:// or rediss:// URL', url);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) throw new ConfigError('--redis', 'a database number after the host (/0, /1, …)', url);
  const options: ConnectionOptions = {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    connectTimeout: 5000,
  };
  if (role === 'worker') return { ...options, maxRetriesPerRequest: null };
  // Fail fast: three reconnection attempts, then commands reject instead of queueing forever.
  return {
    ...options,
    connectTimeout: Math.min(5000, timeoutMs),
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => (times > 3 ? null : 250 * times),
  };
}

/** Redis keys polytoy keeps next to the queue (all under the queue's prefix). */
export interface SweepKeys {
  /** Hash: run id → its result line (JSON). Written with HSETNX: once per run id. */
  results: string;
  /** Hash: run id → how many finished attempts found the result already stored. */
  duplicates: string;
  /** Hash: sweep key → {@link SweepMeta} (JSON). */
  sweeps: string;
  /** String per sweep: the JSON array of its run ids in the order a local run writes them. */
  plan(sweepKey: string): string;
}

/** The key names for a queue. */
export function sweepKeys(queue = DEFAULT_QUEUE, prefix = DEFAULT_PREFIX): SweepKeys {
  const base = `${prefix}:${queue}:polytoy`;
  return {
    results: `${base}:results`,
    duplicates: `${base}:duplicates`,
    sweeps: `${base}:sweeps`,
    plan: (sweepKey) => `${base}:plan:${sweepKey}`,
  };
}
