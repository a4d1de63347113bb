/**
 * `npm run bench`: the reference workloads of SPEC §5 trained end to end by polytoy (one thread,
 * and two worker threads), against the same step on stock tfjs-backend-wasm, tfjs-backend-cpu
 * and plain TypeScript, plus the polytoy GEMM's one-core roofline and the memory checks. Prints
 * one table and writes `results/latest.json`. With a python3 that has torch, every workload is also
 * trained by the same step in native PyTorch (`torch/train_step.py`) in the same run; the Node vs
 * Chromium comparison (`browser/`) runs at the end.
 *
 * Options: `--quick` (shorter runs, 2k-step growth check), `--smoke` (tiny sizes, one short
 * repeat, no memory check or browser: seconds; checks the harness, numbers mean nothing),
 * `--only=seed-64,paper-256`, `--no-memory`, `--no-baselines`, `--no-torch`, `--no-browser`,
 * `--json=<file>` (instead of `results/latest.json`), `--record` (also replace the
 * `<!-- node:start -->` … `<!-- node:end -->` section of `RESULTS.md` with this run's table, and
 * let the browser benchmark replace its section).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfigInput } from '@polytoy/core';
import { resolveTrainConfig } from '@polytoy/core';
import { chooseEngine } from '@polytoy/trainer';
import { FLUSH_EVERY } from '@polytoy/trainer/internal';
import { initNodeBackend } from '@polytoy/trainer/node';
import type { Baseline } from './lib/baselines.js';
import { measureBaseline } from './lib/baselines.js';
import type { Mode } from './lib/polytoy.js';
import { runOnce } from './lib/polytoy.js';
import { denormalCheck } from './lib/denormals.js';
import type { Profile } from './lib/profile.js';
import { profileStep } from './lib/profile.js';
import { gemmRoofline } from './lib/roofline.js';
import { median } from './lib/stats.js';
import type { TorchResult } from './lib/torch.js';
import { findTorch, measureTorch } from './lib/torch.js';
import type { Workload } from './lib/workloads.js';
import { flopsPerInstanceStep, SMOKE_WORKLOADS, WORKLOADS } from './lib/workloads.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const smoke = args.has('smoke');
const quick = args.has('quick') || smoke;
const only = args.get('only')?.split(',');
const ALL = smoke ? SMOKE_WORKLOADS : WORKLOADS;
const selected = (name: string): boolean => !only || only.includes(name);
const REPEATS = smoke ? 1 : 3;
/** Seconds of steady-state training per polytoy repeat, and per baseline repeat. */
const BUDGET = smoke ? 0.05 : quick ? 1 : 2.5;
const BASE_BUDGET = smoke ? 0.02 : quick ? 0.6 : 1.5;
/** Seconds of torch's longer run length per measurement (the shorter one is a third of it). */
const TORCH_BUDGET = smoke ? 0.05 : quick ? 0.75 : 1.5;
const withMemory = !smoke && !args.has('no-memory');
const withBrowser = !smoke && !args.has('no-browser');
const jsonOut = args.get('json') ?? null;

const here = fileURLToPath(new URL('.', import.meta.url));
const t0 = performance.now();
const load0 = loadavg();
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface Row {
  workload: Workload['name'];
  implementation: string;
  threads: number;
  /** Instances actually trained while measuring (baselines of 16-instance workloads use fewer). */
  measuredInstances: number;
  stepsPerSec: number;
  instanceStepsPerSec: number;
  gflops: number;
  cpuMsPerInstanceStep: number;
  repeats: number[];
}

const rows: Row[] = [];
const runtime = await initNodeBackend();

function row(
  w: Workload,
  implementation: string,
  threads: number,
  measuredInstances: number,
  rates: number[],
  cpuPerStep: number[],
): Row {
  const stepsPerSec = (median(rates) * measuredInstances) / w.instances;
  const r: Row = {
    workload: w.name,
    implementation,
    threads,
    measuredInstances,
    stepsPerSec,
    instanceStepsPerSec: stepsPerSec * w.instances,
    gflops: (stepsPerSec * w.instances * flopsPerInstanceStep(w)) / 1e9,
    cpuMsPerInstanceStep: (median(cpuPerStep) * 1000) / measuredInstances,
    repeats: rates.map((x) => (x * measuredInstances) / w.instances),
  };
  rows.push(r);
  log(
    `  ${implementation.padEnd(34)} ${r.stepsPerSec.toFixed(2).padStart(9)} steps/s  ${r.gflops.toFixed(2).padStart(7)} GFLOP/s`,
  );
  return r;
}

async function polytoy(w: Workload, mode: Mode, estimate: number | null): Promise<number> {
  const warmup = smoke ? 2 : w.name === 'paper-256' ? 2 : w.name === 'seed-256' ? 10 : 40;
  let rate = estimate;
  if (rate === null) rate = (await runOnce(w.config, mode, warmup, warmup * 3)).rate;
  const steps = warmup + Math.max(warmup * 2, Math.ceil(rate * BUDGET));
  const results = [];
  for (let r = 0; r < REPEATS; r++) results.push(await runOnce(w.config, mode, warmup, steps));
  const res = row(
    w,
    mode.split === 'batch'
      ? `polytoy, ${mode.threads} threads (batch split)`
      : mode.split
        ? `polytoy, ${mode.threads} workers (instances split)`
        : // Which engine train() picks for this model (the public chooseEngine): fused step or tfjs ops.
          `polytoy (${chooseEngine(resolveTrainConfig({ ...w.config, steps: 1 })) === 'fused' ? 'fused step' : 'tfjs ops'}), 1 thread`,
    mode.threads,
    w.instances,
    results.map((x) => x.rate),
    results.map((x) => x.cpuPerStep),
  );
  return res.stepsPerSec;
}

async function baseline(w: Workload, which: Baseline): Promise<void> {
  // 16-instance workloads: fewer instances (they are independent: time scales with the count).
  const k = w.instances > 1 ? (w.name === 'paper-256' ? 1 : 2) : 1;
  const input: TrainConfigInput = { ...w.config, instances: k, steps: 1 };
  const config = resolveTrainConfig(input);
  if (which === 'plain-ts' && (config.model.weights.kind !== 'tied' || config.model.hiddenActivation !== 'none')) {
    log('  plain TypeScript: tied weights with a linear hidden layer only; skipped');
    return;
  }
  const probe = await measureBaseline(which, config, { warmup: 1, steps: 1, repeats: 1 });
  const steps = Math.max(1, Math.round(probe.rates[0]! * BASE_BUDGET));
  const m = await measureBaseline(which, config, { warmup: 0, steps, repeats: REPEATS });
  const name = {
    'stock-wasm': 'stock tfjs-backend-wasm (tfjs ops)',
    cpu: 'tfjs-backend-cpu (tfjs ops)',
    'plain-ts': 'plain TypeScript (Float32Array)',
  }[which];
  row(w, k < w.instances ? `${name}, ${k} of ${w.instances} inst.` : name, 1, k, m.rates, m.cpuPerStep);
}

log(
  `polytoy benchmarks — ${new Date().toISOString()}, load ${load0.map((x) => x.toFixed(2)).join(' / ')} on ${cpus().length} cores`,
);
log('roofline: polytoy GEMM on one core');
const roofline = gemmRoofline(smoke ? 5 : quick ? 200 : 500);
for (const r of roofline) log(`  ${r.shape.padEnd(44)} ${r.gflops.toFixed(1)} GFLOP/s`);

log('profile of one instance-step (1 thread, median times)');
const profiles: Profile[] = [];
for (const name of ['seed-64', 'seed-256', 'paper-256'] as const) {
  if (only && !only.some((o) => o === name || (name === 'seed-64' && /^(sweep|untied|relu)/.test(o)))) continue;
  const w = ALL.find((x) => x.name === name)!;
  const p = profileStep(w, smoke ? 2 : quick ? 5 : name === 'paper-256' ? 9 : 25);
  profiles.push(p);
  for (const part of p.parts)
    log(
      `  ${name.padEnd(10)} ${part.part.padEnd(58)} ${part.ms.toFixed(3).padStart(8)} ms${part.gflops ? `  ${part.gflops.toFixed(1)} GFLOP/s` : ''}`,
    );
}

const denormals = denormalCheck();
log(
  `denormals: Adam kernel over ${denormals.parameters} parameters: ${denormals.normalMs.toFixed(2)} ms normal, ${denormals.denormalMs.toFixed(2)} ms denormal, ${denormals.flushedMs.toFixed(2)} ms flushed`,
);

const torch = args.has('no-torch') ? { missing: '--no-torch' } : findTorch();
log('python' in torch ? `torch ${torch.version} (${torch.python})` : `torch: skipped: ${torch.missing}`);
const torchResults: TorchResult[] = [];
/** Notes on rows that could not run (one line each, printed under the table). */
const notes: string[] = [];

for (const w of ALL) {
  if (!selected(w.name)) continue;
  log(`${w.name}: ${w.description}`);
  const single = await polytoy(w, { label: '1', threads: 1 }, null);
  const split = w.instances > 1 ? 'instances' : 'batch';
  try {
    await polytoy(w, { label: '2', threads: 2, split }, single * 1.6);
  } catch (error) {
    // The trainer refuses a batch split for models with hidden noise (and without the polytoy kernels): record why.
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    notes.push(`${w.name}: polytoy with 2 threads (${split} split) did not run: ${why}`);
    log(`  2 threads: ${why}`);
  }
  if ('python' in torch) {
    // Torch's best thread setting is measured, not assumed (--smoke: one thread, to stay short).
    const t = measureTorch(torch.python, w, { budget: TORCH_BUDGET, repeats: REPEATS, threads: smoke ? [1] : [1, 2] });
    torchResults.push(t);
    const b = t.best;
    row(
      w,
      `native PyTorch ${torch.version} (${b.threads} thread${b.threads > 1 ? 's' : ''}${w.instances > 1 ? `, ${b.mode === 'batched' ? 'batched einsum' : 'one instance after another'}` : ''})`,
      b.threads,
      w.instances,
      [1 / b.secondsPerStep],
      [b.cpuSecondsPerStep],
    );
  }
  if (!args.has('no-baselines')) {
    for (const b of ['stock-wasm', 'cpu', 'plain-ts'] as const) await baseline(w, b);
  }
}

// Node vs Chromium: the browser benchmark in its own process (it builds the playground).
interface BrowserSummary {
  workload: string;
  node: number;
  chromium: number;
}
let browser: BrowserSummary[] | null = null;
if (withBrowser) {
  log('Node vs Chromium (browser/run.mjs)');
  // Its raw numbers go where RESULTS.md's browser section says (browser/results.json) with --record.
  const json = args.has('record') ? `${here}browser/results.json` : `${here}results/browser.json`;
  const r = spawnSync(
    process.execPath,
    [`${here}browser/run.mjs`, `--json=${json}`, ...(quick ? ['--quick'] : []), ...(args.has('record') ? ['--record'] : [])],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status === 0) {
    const j = JSON.parse(readFileSync(json, 'utf8')) as {
      workloads: { name: string; node: { stepsPerSecond: number }; chromium: { stepsPerSecond: number } }[];
    };
    browser = j.workloads.map((x) => ({ workload: x.name, node: x.node.stepsPerSecond, chromium: x.chromium.stepsPerSecond }));
  } else notes.push(`Node vs Chromium: browser/run.mjs failed (exit ${r.status})`);
}

// Memory: each check in its own process, so RSS is the run's own.
interface MemoryResults {
  rss: unknown[];
  growth: unknown;
}
const memory: MemoryResults = { rss: [], growth: null };
if (withMemory) {
  const child = (argv: string[]): unknown => {
    const out = execFileSync(
      process.execPath,
      ['--conditions=@polytoy/source', '--import', 'tsx', `${here}lib/memory.ts`, ...argv],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!);
  };
  log('memory: peak RSS of seed-256 (1 thread, 2 workers), tensor count over seed-64 updates');
  // Keep the whole benchmark under 10 minutes on a busy machine: shorten the checks if late.
  const late = quick || performance.now() - t0 > 7 * 60_000;
  memory.rss.push(child(['rss', 'seed-256', late ? '100' : '300', '1']));
  memory.rss.push(child(['rss', 'seed-256', late ? '100' : '300', '2']));
  memory.growth = child(['growth', late ? '2000' : '10000']);
  log(`  ${JSON.stringify(memory.rss)}`);
}

// Table.
const stock = (w: string): Row | undefined => rows.find((r) => r.workload === w && r.implementation.startsWith('stock'));
const cpuRow = (w: string): Row | undefined =>
  rows.find((r) => r.workload === w && r.implementation.startsWith('tfjs-backend-cpu'));
const plain = (w: string): Row | undefined => rows.find((r) => r.workload === w && r.implementation.startsWith('plain'));
const torchRow = (w: string): Row | undefined =>
  rows.find((r) => r.workload === w && r.implementation.startsWith('native PyTorch'));
const ratio = (r: Row, base: Row | undefined): string =>
  base && r !== base ? `${(r.stepsPerSec / base.stepsPerSec).toFixed(1)}×` : '';
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));
const header =
  '| workload | implementation | steps/s | instance-steps/s | GFLOP/s | CPU ms / inst.-step | cores busy | × torch | × stock wasm | × tfjs cpu | × plain TS |';
const lines = [header, '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
const ratio2 = (r: Row, base: Row | undefined): string =>
  base && r !== base ? `${(r.stepsPerSec / base.stepsPerSec).toFixed(2)}×` : '';
for (const r of rows) {
  const busy = (r.cpuMsPerInstanceStep * r.instanceStepsPerSec) / 1000;
  const cpu = Number.isFinite(r.cpuMsPerInstanceStep);
  lines.push(
    `| ${r.workload} | ${r.implementation} | ${fmt(r.stepsPerSec)} | ${fmt(r.instanceStepsPerSec)} | ${fmt(r.gflops)} | ${cpu ? fmt(r.cpuMsPerInstanceStep) : ''} | ${cpu ? busy.toFixed(2) : ''} | ${ratio2(r, torchRow(r.workload))} | ${ratio(r, stock(r.workload))} | ${ratio(r, cpuRow(r.workload))} | ${ratio(r, plain(r.workload))} |`,
  );
}

const best = (w: string): Row | undefined =>
  rows.filter((r) => r.workload === w && r.implementation.startsWith('polytoy')).sort((a, b) => b.stepsPerSec - a.stepsPerSec)[0];
const targets = ALL.filter((w) => w.target && selected(w.name)).map((w) => {
  const r = best(w.name);
  const t = w.target!;
  const value = !r ? 0 : t.metric === 'GFLOP/s' ? r.gflops : t.metric === 'steps/s' ? r.stepsPerSec : r.instanceStepsPerSec;
  return {
    workload: w.name,
    metric: t.metric,
    target: t.value,
    achieved: value,
    met: value >= t.value,
    by: r?.implementation ?? null,
  };
});
/** issue 14's targets: PASS / MISS, or `n/a` when this run did not measure what a target needs. */
interface IssueTarget {
  what: string;
  status: 'PASS' | 'MISS' | 'n/a';
  detail: string;
}
const issueTargets: IssueTarget[] = [];
for (const name of ['seed-64', 'seed-256', 'paper-256', 'sweep-16×seed-64']) {
  if (!selected(name)) continue;
  const p = best(name);
  const t = torchRow(name);
  const what = `polytoy ≥ 1.0× native PyTorch on ${name}`;
  if (!p || !t) issueTargets.push({ what, status: 'n/a', detail: t ? 'no polytoy row' : 'no torch row' });
  else {
    const r = p.stepsPerSec / t.stepsPerSec;
    issueTargets.push({
      what,
      status: r >= 1 ? 'PASS' : 'MISS',
      // Per CPU second as well: on a shared machine it shows how much of the gap is the load.
      detail: `${r.toFixed(2)}× (${fmt(p.stepsPerSec)} vs ${fmt(t.stepsPerSec)} steps/s; per CPU second ${(t.cpuMsPerInstanceStep / p.cpuMsPerInstanceStep).toFixed(2)}×)`,
    });
  }
}
for (const name of ['untied-64', 'relu-64']) {
  if (!selected(name)) continue;
  const tied = best('seed-64');
  const other = best(name);
  const what = `${name} within 1.5× of tied (seed-64)`;
  if (!tied || !other) issueTargets.push({ what, status: 'n/a', detail: 'needs seed-64 and this workload' });
  else {
    const r = tied.stepsPerSec / other.stepsPerSec;
    issueTargets.push({
      what,
      status: r <= 1.5 ? 'PASS' : 'MISS',
      detail: `tied/${name} = ${r.toFixed(2)} (${fmt(tied.stepsPerSec)} vs ${fmt(other.stepsPerSec)} steps/s; per CPU second ${(other.cpuMsPerInstanceStep / tied.cpuMsPerInstanceStep).toFixed(2)})`,
    });
  }
}
if (browser) {
  for (const b of browser) {
    const r = b.node / b.chromium;
    issueTargets.push({
      what: `Chromium within 1.2× of Node on ${b.workload}`,
      status: r <= 1.2 ? 'PASS' : 'MISS',
      detail: `Node/Chromium ${r.toFixed(2)} (${fmt(b.node)} vs ${fmt(b.chromium)} steps/s)`,
    });
  }
} else issueTargets.push({ what: 'Chromium within 1.2× of Node', status: 'n/a', detail: 'browser benchmark not run' });

const load1 = loadavg();
const roof = Math.max(...roofline.map((r) => r.gflops));

const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const machine = {
  cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  nproc: availableParallelism(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};

const out: string[] = [];
out.push('');
out.push(
  `Machine: ${machine.cpu} (/proc/cpuinfo), nproc ${machine.nproc}, ${machine.platform}, Node ${machine.node}; ${new Date().toISOString()}; load average ${load0.map((x) => x.toFixed(2)).join(' / ')} at the start.${smoke ? ' SMOKE RUN: tiny sizes, the numbers mean nothing.' : ''}`,
);
out.push('');
out.push(...lines);
out.push('');
out.push(
  `Roofline: the polytoy GEMM peaks at ${roof.toFixed(1)} GFLOP/s on one core (${roofline.map((r) => `${r.shape} ${r.gflops.toFixed(1)}`).join('; ')}), so ${cpus().length} cores bound a run at ≈ ${(roof * cpus().length).toFixed(0)} GFLOP/s.`,
);
out.push('');
out.push(
  'Profile of one instance-step, 1 thread (median ms of round-robin timings; each GEMM and elementwise pass timed alone on the step’s shapes, then the fused step as a whole):',
);
for (const p of profiles) {
  out.push(
    `  ${p.workload}: ${p.parts.map((x) => `${x.part} ${x.ms.toFixed(3)}${x.gflops ? ` (${x.gflops.toFixed(1)} GFLOP/s)` : ''}`).join('; ')}`,
  );
}
out.push('');
for (const note of notes) out.push(`Note: ${note}`);
if (!('python' in torch)) out.push(`Native PyTorch: skipped (${torch.missing}).`);
for (const t of torchResults) {
  out.push(
    `PyTorch ${t.workload}: ${t.results.map((s) => `${s.threads} thread${s.threads > 1 ? 's' : ''}${s.mode === 'sequential' ? ' one after another' : t.results.some((x) => x.mode === 'sequential') ? ' batched einsum' : ''} ${fmt(1 / s.secondsPerStep)} steps/s`).join('; ')} (seconds per step from run lengths ${t.best.runLengths.join(' and ')}).`,
  );
}
if (browser) {
  out.push(
    `Node vs Chromium (browser/run.mjs, single-threaded train() in both): ${browser.map((b) => `${b.workload} Node ${fmt(b.node)}, Chromium ${fmt(b.chromium)} steps/s (Chromium/Node ${(b.chromium / b.node).toFixed(2)})`).join('; ')}.`,
  );
}
out.push('');
out.push('Targets of issue 14 (ratios in this run; best polytoy row):');
for (const t of issueTargets) out.push(`  ${t.status.padEnd(4)} ${t.what}: ${t.detail}`);
out.push('');
out.push('Earlier throughput targets (best polytoy row):');
for (const t of targets) {
  out.push(`  ${t.met ? 'PASS' : 'MISS'} ${t.workload}: ${fmt(t.achieved)} ${t.metric} (target ${t.target})`);
}
if (memory.growth) {
  const g = memory.growth as {
    steps: number;
    tensorsBefore: number;
    tensorsAfter: number;
    marks: { step: number; tensors: number; wasmHeapMB: number; rssMB: number }[];
  };
  const counts = [...new Set(g.marks.map((m) => m.tensors))];
  const heaps = [...new Set(g.marks.map((m) => m.wasmHeapMB))];
  out.push('');
  out.push(
    `Memory: seed-256 peak RSS ${memory.rss.map((r) => `${(r as { peakRssMB: number }).peakRssMB} MB (${(r as { threads: number }).threads} thread${(r as { threads: number }).threads > 1 ? 's' : ''})`).join(', ')}; ` +
      `seed-64 over ${g.steps} updates: tfjs tensors ${counts.join(' → ')} at every 1000th update (${g.tensorsBefore} before, ${g.tensorsAfter} after), wasm heap ${heaps.join(' → ')} MB, RSS ${g.marks[0]!.rssMB} → ${g.marks[g.marks.length - 1]!.rssMB} MB.`,
  );
}
out.push('');
out.push(
  `Denormals: one Adam kernel call over ${denormals.parameters} parameters takes ${denormals.normalMs.toFixed(2)} ms with normal moments, ${denormals.denormalMs.toFixed(2)} ms (${(denormals.denormalMs / denormals.normalMs).toFixed(0)}×) when the moments are denormal (dead units, gradient 0), ${denormals.flushedMs.toFixed(2)} ms once flushed; flushing every ${FLUSH_EVERY} updates costs ${(denormals.flushMsPerUpdate * 1000).toFixed(1)} µs per update.`,
);
out.push('');
out.push(
  `Load average ${load0.map((x) => x.toFixed(2)).join(' / ')} at the start, ${load1.map((x) => x.toFixed(2)).join(' / ')} at the end (1/5/15 min) on ${cpus().length} cores; ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
);
process.stdout.write(`${out.join('\n')}\n`);

let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  // not a git checkout
}
const jsonFile = jsonOut ?? `${here}results/latest.json`;
mkdirSync(dirname(jsonFile), { recursive: true });
writeFileSync(
  jsonFile,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      machine,
      versions: { tfjs: tf.version_core, runtime },
      load: { start: load0, end: load1 },
      seconds: (performance.now() - t0) / 1000,
      quick,
      smoke,
      roofline,
      denormals,
      profiles,
      rows,
      targets,
      issueTargets,
      torch: { ...torch, results: torchResults },
      browser,
      notes,
      memory,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${jsonFile}`);

if (args.has('record')) {
  const file = `${here}RESULTS.md`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const section = [
    '<!-- node:start -->',
    '## Node: polytoy vs native PyTorch, stock tfjs-backend-wasm, tfjs-backend-cpu, plain TypeScript (`npm run bench`)',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} (commit ${commit || 'unknown'}) on ${machine.cpu}, ${machine.cores} cores, ${machine.platform}; Node ${machine.node}; tfjs-core and tfjs-backend-wasm ${tf.version_core}${quick ? '; --quick' : ''}.`,
    ...out,
    '',
    'Raw numbers: `benchmarks/results/latest.json`.',
    '<!-- node:end -->',
  ].join('\n');
  const start = text.indexOf('<!-- node:start -->');
  const end = text.indexOf('<!-- node:end -->');
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + '<!-- node:end -->'.length)}`
      : text.replace(/^(# [^\n]*\n)/, `$1\n${section}\n`);
  writeFileSync(file, next);
  log(`updated ${file}`);
}
