/**
 * Memory checks, run in a child process each (clean RSS): prints one JSON line.
 *
 *   memory.ts rss <workload> <steps> [threads]  peak RSS of a run (process.resourceUsage().maxRSS)
 *   memory.ts growth <steps>                     seed-64, 1 thread: tfjs tensor count, wasm heap
 *                                                and RSS every 1000 updates
 */
import * as tf from '@tensorflow/tfjs-core';
import { train } from '@polytoy/trainer';
import { initNodeBackend, trainParallel } from '@polytoy/trainer/node';
import { WORKLOADS } from './workloads.js';

const [mode, a, b, c] = process.argv.slice(2);
await initNodeBackend();
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

if (mode === 'rss') {
  const w = WORKLOADS.find((x) => x.name === a);
  if (!w) throw new Error(`unknown workload ${a}`);
  const steps = Number(b);
  const threads = Number(c ?? 1);
  let rss = 0;
  const sample = (): void => {
    rss = Math.max(rss, process.memoryUsage().rss);
  };
  const cfg = { ...w.config, steps, logEvery: Math.max(1, Math.floor(steps / 20)) };
  if (threads > 1)
    await trainParallel(cfg, { workers: threads, split: w.instances > 1 ? 'instances' : 'batch', onProgress: sample });
  else await train(cfg, { onProgress: sample });
  sample();
  console.log(
    JSON.stringify({
      workload: a,
      steps,
      threads,
      peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
      sampledPeakRssMB: mb(rss),
    }),
  );
} else if (mode === 'growth') {
  const steps = Number(a);
  const w = WORKLOADS.find((x) => x.name === 'seed-64')!;
  const marks: { step: number; tensors: number; wasmHeapMB: number; rssMB: number }[] = [];
  const before = tf.memory().numTensors;
  const heap = (): number =>
    (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory.buffer.byteLength;
  await train(
    { ...w.config, steps, logEvery: 1000 },
    {
      onLog: (r) => {
        if (r.instance === 0)
          marks.push({
            step: r.step,
            tensors: tf.memory().numTensors,
            wasmHeapMB: mb(heap()),
            rssMB: mb(process.memoryUsage().rss),
          });
      },
    },
  );
  console.log(JSON.stringify({ steps, tensorsBefore: before, tensorsAfter: tf.memory().numTensors, marks }));
} else {
  throw new Error(`usage: memory.ts rss <workload> <steps> [threads] | growth <steps>`);
}
