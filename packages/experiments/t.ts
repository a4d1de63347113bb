import { train, memoryCheckpointSink } from '@polytoy/trainer';
import { paperPolysemanticCount } from '@polytoy/metrics';
import { EXPERIMENTS, expandGrid, groupConfig, groupRuns } from '@polytoy/experiments';
const n = Number(process.argv[2]); const m = Number(process.argv[3]); const lr = Number(process.argv[4] ?? 1e-3); const steps = Number(process.argv[5] ?? 7500);
const def = { ...EXPERIMENTS.collisions!, sizes: { ...EXPERIMENTS.collisions!.sizes, small: { ...EXPERIMENTS.collisions!.sizes.small, n: [n], m: [m], lr: [lr], steps } } };
const g = groupRuns(expandGrid(def, 'small'))[0]!;
const sink = memoryCheckpointSink(500);
const t = performance.now();
const r = await train(groupConfig(g.specs), { checkpoint: sink });
console.log('n', n, 'm', m, 'lr', lr, 'time', ((performance.now() - t) / 1000).toFixed(0), 's', 'expected', n * n / (4 * m));
for (const cp of sink.checkpoints) {
  const counts = cp.params.map((p) => paperPolysemanticCount(p).polysemantic);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  console.log(cp.step, mean.toFixed(2), counts.join(','), 'loss', (cp.history[0]!.at(-1)!.loss).toFixed(4));
}
