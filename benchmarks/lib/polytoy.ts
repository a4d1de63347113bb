/**
 * Throughput of the trainer itself, end to end (`train` / `trainParallel`: data generation, the
 * step, the loss read back and NaN check every step, logging), measured in steady state: the
 * clock starts when every thread has done `warmup` updates (worker start-up excluded) and stops
 * when the last one is done.
 */
import type { Progress, TrainConfigInput } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import { trainParallel } from '@polytoy/trainer/node';

export interface Mode {
  label: string;
  threads: number;
  /** Undefined: `train()` in this thread. */
  split?: 'instances' | 'batch';
}

export interface RunRate {
  /** Updates per second. */
  rate: number;
  /** Process CPU seconds (all threads) per update. */
  cpuPerStep: number;
}

/** One run of `steps` updates; the rate is measured from update `warmup` to the end. */
export async function runOnce(config: TrainConfigInput, mode: Mode, warmup: number, steps: number): Promise<RunRate> {
  let tWarm = 0;
  let cWarm: NodeJS.CpuUsage | null = null;
  let warmDone = 0;
  let tEnd = 0;
  let cEnd: NodeJS.CpuUsage | null = null;
  const onProgress = (p: Progress): void => {
    if (!cWarm && p.done >= warmup) {
      tWarm = performance.now();
      cWarm = process.cpuUsage();
      warmDone = p.done;
    }
    if (p.done >= steps && !cEnd) {
      tEnd = performance.now();
      cEnd = process.cpuUsage();
    }
  };
  const full = { ...config, steps, logEvery: warmup };
  if (mode.split) await trainParallel(full, { workers: mode.threads, split: mode.split, onProgress });
  else await train(full, { onProgress });
  if (!cWarm || !cEnd) throw new Error('progress marks missing');
  const w = cWarm as NodeJS.CpuUsage;
  const e = cEnd as NodeJS.CpuUsage;
  const cpu = (e.user + e.system - w.user - w.system) / 1e6;
  const updates = steps - warmDone;
  return { rate: updates / ((tEnd - tWarm) / 1000), cpuPerStep: Math.max(cpu, 0) / updates };
}
