/**
 * The few Redis operations polytoy adds to BullMQ's, as Lua scripts run through BullMQ's client
 * adapter (so they work with every client BullMQ supports). Each script is atomic in Redis.
 */
import type { RedisClient } from 'bullmq';
import type { SweepKeys } from './connection.js';

const COMMANDS = {
  // KEYS: results, duplicates; ARGV: runId, line. Writes the line unless the run id has one;
  // a second writer only counts the duplicate. Returns 1 when written.
  polytoyStoreResult1: {
    numberOfKeys: 2,
    lua: `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return 1 end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 0`,
  },
  // KEYS: plan; ARGV: json. Sets the plan unless one exists; returns the plan now stored.
  polytoySetPlan1: {
    numberOfKeys: 1,
    lua: `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`,
  },
  // KEYS: hash; ARGV: field, value. HSETNX.
  polytoyHsetnx1: { numberOfKeys: 1, lua: `return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])` },
  // KEYS: hash. HKEYS.
  polytoyHkeys1: { numberOfKeys: 1, lua: `return redis.call('HKEYS', KEYS[1])`, readOnly: true },
} as const;

type CommandName = keyof typeof COMMANDS;

const defined = new WeakSet<object>();

function run(client: RedisClient, name: CommandName, args: (string | number)[]): Promise<unknown> {
  if (!defined.has(client)) {
    for (const [n, def] of Object.entries(COMMANDS)) client.defineCommand(n, def);
    defined.add(client);
  }
  return client.runCommand(name, args);
}

/**
 * Stores a run's result line unless one is stored: exactly one line per run id, whatever the
 * number of attempts that finish. Returns true when this call wrote it.
 */
export async function storeResult(client: RedisClient, keys: SweepKeys, runId: string, line: string): Promise<boolean> {
  return Number(await run(client, 'polytoyStoreResult1', [keys.results, keys.duplicates, runId, line])) === 1;
}

/** Stores a sweep's plan unless it has one; returns the stored plan (this one or the earlier). */
export async function setPlan(client: RedisClient, keys: SweepKeys, sweepKey: string, planJson: string): Promise<string> {
  return String(await run(client, 'polytoySetPlan1', [keys.plan(sweepKey), planJson]));
}

/** HSETNX; true when the field was set. */
export async function hsetnx(client: RedisClient, key: string, field: string, value: string): Promise<boolean> {
  return Number(await run(client, 'polytoyHsetnx1', [key, field, value])) === 1;
}

/** HKEYS. */
export async function hkeys(client: RedisClient, key: string): Promise<string[]> {
  return (await run(client, 'polytoyHkeys1', [key])) as string[];
}
