/**
 * Runs a built-in experiment from the command line until `polytoy experiment` is available:
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/run-experiment.ts \
 *     <name> [--size small|full] [--out results.jsonl] [--shard i/N] [--max-instances K]
 *
 * Resumable: rerunning with the same --out skips the runs already in the file.
 */
import { EXPERIMENT_NAMES, getExperiment, parseShard, runExperiment } from '@polytoy/experiments';
import type { ExperimentSize } from '@polytoy/experiments';
import { jsonlStore } from '@polytoy/experiments/node';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : undefined;
};
const name = args[0];
if (!name || name.startsWith('--')) {
  console.error(`usage: run-experiment.ts <${EXPERIMENT_NAMES.join('|')}> [--size small|full] [--out file] [--shard i/N]`);
  process.exit(2);
}
const size = (flag('size') ?? 'small') as ExperimentSize;
const out = flag('out') ?? `${name}-${size}.jsonl`;
const shardText = flag('shard');
const maxInstances = flag('max-instances');
const controller = new AbortController();
process.on('SIGINT', () => controller.abort(new Error('interrupted (finished training calls are saved; rerun to resume)')));
const started = Date.now();
const fmt = (s: number) => (Number.isFinite(s) ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : '--');
let lastPrint = 0;
const report = await runExperiment(getExperiment(name), {
  size,
  store: jsonlStore(out),
  signal: controller.signal,
  ...(shardText ? { shard: parseShard(shardText) } : {}),
  ...(maxInstances ? { maxInstancesPerCall: Number(maxInstances) } : {}),
  onProgress: (p) => {
    const now = Date.now();
    if (now - lastPrint < 5000 && p.done < p.total) return;
    lastPrint = now;
    const elapsed = (now - started) / 1000;
    const frac = p.total > 0 ? p.done / p.total : 1;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
    console.error(`${(frac * 100).toFixed(1).padStart(5)}% ${p.message ?? ''} elapsed ${fmt(elapsed)} eta ${fmt(eta)}`);
  },
});
console.error(JSON.stringify(report));
