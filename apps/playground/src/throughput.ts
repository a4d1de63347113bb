/**
 * Training throughput, measured the same way in Node and in the browser worker (the cross-
 * environment benchmark runs this very function in both).
 */
import type { TrainConfigInput } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import type { ThroughputResult } from './protocol.js';

/**
 * Trains `config` and times the updates after a warm-up: from the loss log at update
 * `warmupSteps` to the final log, i.e. `steps - warmupSteps` updates plus the final evaluation
 * (one forward/backward pass). Data generation, loss read-back and NaN checks are included: this
 * is the speed a user of `train()` sees. The backend must already be initialised (wasm + SIMD).
 *
 * @param config - a training config with `steps > warmupSteps`; its `logEvery` is replaced by
 *   `warmupSteps` so that a log (and timestamp) falls exactly on the end of the warm-up.
 * @param warmupSteps - updates excluded from the timing (JIT, allocator and cache warm-up).
 * @example
 * const r = await measureThroughput({ data: { n: 64 }, model: { m: 33 }, batchSize: 1024, steps: 220 }, 20);
 * r.stepsPerSecond; // e.g. 150
 */
export async function measureThroughput(config: TrainConfigInput, warmupSteps: number): Promise<ThroughputResult> {
  if (!Number.isSafeInteger(warmupSteps) || warmupSteps < 1)
    throw new ConfigError('warmupSteps', 'a positive integer', warmupSteps);
  const steps = config.steps ?? 0;
  if (!(steps > warmupSteps)) throw new ConfigError('steps', `more than warmupSteps (${warmupSteps})`, steps);
  let t0 = Number.NaN;
  let t1 = Number.NaN;
  const result = await train(
    { ...config, logEvery: warmupSteps },
    {
      onLog: (record) => {
        if (record.instance !== 0) return;
        if (record.step === warmupSteps) t0 = performance.now();
        if (record.step === steps) t1 = performance.now();
      },
    },
  );
  const seconds = (t1 - t0) / 1000;
  return { steps, warmupSteps, seconds, stepsPerSecond: (steps - warmupSteps) / seconds, runtime: result.runtime };
}
