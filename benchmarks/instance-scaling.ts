/**
 * Per instance-step time of the seed-64 workload: one instance alone vs the 16-instance sweep,
 * on one thread (`train`) and on 1 or 2 worker threads (`trainParallel`, instances split).
 * A quick check of "many instances at full speed", not part of `npm run bench`:
 *
 *   node --conditions=@polytoy/source --import tsx instance-scaling.ts [rounds]
 *
 * Prints wall and CPU milliseconds per instance-step (median of `rounds`, default 3), measured
 * in steady state by `lib/polytoy.ts`. CPU time counts every thread, so it stays meaningful
 * when other jobs share the cores.
 */
import { initNodeBackend } from '@polytoy/trainer/node';
import type { Mode } from './lib/polytoy.js';
import { runOnce } from './lib/polytoy.js';
import { WORKLOADS } from './lib/workloads.js';

const rounds = Number(process.argv[2] ?? 3);
const seed64 = WORKLOADS.find((w) => w.name === 'seed-64')!;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  label: string;
  instances: number;
  mode: Mode;
  warmup: number;
  steps: number;
}
const cases: Case[] = [
  { label: '1 instance, train() on 1 thread', instances: 1, mode: { label: 'train', threads: 1 }, warmup: 100, steps: 1100 },
  { label: '16 instances, train() on 1 thread', instances: 16, mode: { label: 'train', threads: 1 }, warmup: 10, steps: 80 },
  {
    label: '16 instances, 1 worker',
    instances: 16,
    mode: { label: 'w1', threads: 1, split: 'instances' },
    warmup: 10,
    steps: 80,
  },
  {
    label: '16 instances, 2 workers',
    instances: 16,
    mode: { label: 'w2', threads: 2, split: 'instances' },
    warmup: 10,
    steps: 150,
  },
];

await initNodeBackend();
for (const c of cases) {
  const config = { ...seed64.config, instances: Array.from({ length: c.instances }, (_, i) => ({ seed: i })) };
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { rate, cpuPerStep } = await runOnce(config, c.mode, c.warmup, c.steps);
    wall.push(1000 / (rate * c.instances));
    cpu.push((1000 * cpuPerStep) / c.instances);
  }
  console.log(
    `${c.label.padEnd(36)} wall ${median(wall).toFixed(3)} ms/instance-step, CPU ${median(cpu).toFixed(3)} ms/instance-step`,
  );
}
console.log(
  `load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}`,
);
