/**
 * Refuses a training request that cannot fit before anything is allocated: the wasm heap (and
 * the JS copies of parameters and optimizer state) hold float32 arrays whose size follows from
 * n, m, the batch and the instance count. The estimate counts per instance the parameters with
 * their gradient and two optimizer moments, and per batch row the input, hidden and output
 * activations with their gradients.
 */
import { ConfigError } from '@polytoy/core';

/** The most a training call may need: the 32-bit wasm heap cannot grow past 4 GiB. */
export const TRAIN_MEMORY_LIMIT = 2 * 1024 ** 3;

export interface TrainSize {
  n: number;
  m: number;
  batch: number;
  instances: number;
  untied?: boolean;
}

/** Estimated bytes a training call of this size needs. */
export function trainBytes(s: TrainSize): number {
  const params = (s.untied ? 2 : 1) * s.n * s.m + s.n;
  const perInstance = 4 * params + 2 * s.batch * (2 * s.n + s.m);
  return 4 * s.instances * perInstance;
}

/** "1.5 GiB", "812 MiB", ... */
export function formatMemory(bytes: number): string {
  if (bytes >= 1024 ** 4) return `${Number((bytes / 1024 ** 4).toPrecision(3))} TiB`;
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toPrecision(3)} GiB`;
  return `${(bytes / 1024 ** 2).toPrecision(3)} MiB`;
}

/** The sizes of a (possibly invalid) train config input, or undefined when they are not numbers yet. */
export function trainSizeOf(input: Record<string, unknown>): TrainSize | undefined {
  const data = (input.data ?? {}) as Record<string, unknown>;
  const model = (input.model ?? {}) as Record<string, unknown>;
  const n = data.n ?? 16;
  const m = model.m ?? (typeof n === 'number' ? n / 2 + 1 : undefined);
  const batch = data.kind === 'basis' ? n : (input.batchSize ?? 256);
  const instances = Array.isArray(input.instances) ? input.instances.length : (input.instances ?? 1);
  const nums = [n, m, batch, instances];
  if (!nums.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) return undefined;
  const weights = model.weights as { kind?: unknown } | undefined;
  return {
    n: n as number,
    m: m as number,
    batch: batch as number,
    instances: instances as number,
    untied: weights?.kind === 'untied',
  };
}

/**
 * @throws ConfigError naming the sizes and the memory they need when above the limit.
 * @example
 * checkTrainMemory({ n: 1e9, m: 8, batch: 256, instances: 1 }); // throws: needs 373 GiB
 */
export function checkTrainMemory(s: TrainSize, limit = TRAIN_MEMORY_LIMIT): void {
  const bytes = trainBytes(s);
  if (bytes > limit) {
    const sizes = `n=${s.n} m=${s.m} batch=${s.batch} instances=${s.instances}`;
    const e = new ConfigError(sizes, `at most ${formatMemory(limit)} of training memory`, bytes);
    e.message = `${sizes}: expected at most ${formatMemory(limit)} of training memory, received a request needing ~${formatMemory(bytes)}`;
    throw e;
  }
}
