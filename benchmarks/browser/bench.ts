/**
 * The cross-environment benchmark (run it with `node benchmarks/browser/run.mjs`): for each
 * reference workload (SPEC §5) it measures training steps/s in Node and in headless Chromium with
 * the same function (`measureThroughput` from the playground, run in Node directly and in the
 * browser inside the playground's Web Worker), alternating environments over a few rounds. It
 * prints a table, writes `results.json` beside this file (or `--json=<file>`), and with
 * `--record` updates the `<!-- browser:start -->` … `<!-- browser:end -->` section of
 * `benchmarks/RESULTS.md`. `npm run bench` runs it at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainConfigInput } from '@polytoy/core';
import { initNodeBackend } from '@polytoy/trainer/node';
import { buildApp } from '../../apps/playground/harness/build-app.js';
import { chromiumVersion, launchChromium } from '../../apps/playground/harness/chromium.js';
import { serveStatic } from '../../apps/playground/harness/static-server.js';
import type { ThroughputResult } from '../../apps/playground/src/protocol.js';
import { measureThroughput } from '../../apps/playground/src/throughput.js';

/** A reference workload and how long to run it. */
interface Workload {
  name: string;
  description: string;
  n: number;
  m: number;
  batch: number;
  warmupSteps: number;
  measuredSteps: number;
}

const quick = process.argv.includes('--quick');
const record = process.argv.includes('--record');
const jsonArg = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const ROUNDS = quick ? 1 : 3;

/** SPEC §5: seed data, tied, linear hidden layer, Adam lr 1e-3, lambda 1e-3, batch 1024. */
const WORKLOADS: Workload[] = [
  {
    name: 'seed-64',
    description: 'n=64, m=33, batch 1024, tied, Adam lr 1e-3, λ 1e-3',
    n: 64,
    m: 33,
    batch: 1024,
    warmupSteps: 20,
    measuredSteps: quick ? 50 : 200,
  },
  {
    name: 'seed-256',
    description: 'n=256, m=129, batch 1024, tied, Adam lr 1e-3, λ 1e-3',
    n: 256,
    m: 129,
    batch: 1024,
    warmupSteps: 5,
    measuredSteps: quick ? 10 : 40,
  },
];

function configOf(w: Workload): TrainConfigInput {
  return {
    seed: 0,
    steps: w.warmupSteps + w.measuredSteps,
    batchSize: w.batch,
    data: { kind: 'half-split', n: w.n },
    model: { m: w.m, weights: { kind: 'tied' }, l1: { target: 'activations', lambda: 1e-3 } },
    optimizer: { kind: 'adam', lr: 1e-3 },
  };
}

/** SPEC §5: about 10 · batch · n · m floating-point operations per step (tied, linear hidden). */
const flopsPerStep = (w: Workload): number => 10 * w.batch * w.n * w.m;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

function machine(): Record<string, string | number> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const tfjs = JSON.parse(
    readFileSync(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'utf8'),
  ) as { version: string };
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: model,
    node: process.version,
    chromium: chromiumVersion(),
    tfjsBackendWasm: tfjs.version,
  };
}

/** A throughput result plus the CPU time the whole call used in its process(es). */
interface Measurement extends ThroughputResult {
  /** CPU seconds (user + system, all threads) of the whole call, warm-up and set-up included. */
  cpuSeconds: number;
  /** (steps + final evaluation) / cpuSeconds: robust to other jobs competing for the cores. */
  stepsPerCpuSecond: number;
}

interface Row {
  workload: Workload;
  node: Measurement[];
  chromium: Measurement[];
}

function nodeCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const fmt = (x: number, digits = 3): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(digits));

function table(rows: Row[]): string {
  const lines = [
    '| workload | Node steps/s | Chromium steps/s | Chromium / Node | Node steps/CPU-s | Chromium steps/CPU-s | Chromium / Node (CPU) | Node GFLOP/CPU-s | Chromium GFLOP/CPU-s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const a = median(r.node.map((x) => x.stepsPerSecond));
    const b = median(r.chromium.map((x) => x.stepsPerSecond));
    const ca = median(r.node.map((x) => x.stepsPerCpuSecond));
    const cb = median(r.chromium.map((x) => x.stepsPerCpuSecond));
    const g = flopsPerStep(r.workload) / 1e9;
    lines.push(
      `| \`${r.workload.name}\` (${r.workload.description}) | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)} | ${fmt(ca)} | ${fmt(cb)} | ${(cb / ca).toFixed(2)} | ${fmt(ca * g)} | ${fmt(cb * g)} |`,
    );
  }
  return lines.join('\n');
}

function summary(ms: Measurement[]): Record<string, number | number[]> {
  return {
    stepsPerSecond: median(ms.map((x) => x.stepsPerSecond)),
    stepsPerCpuSecond: median(ms.map((x) => x.stepsPerCpuSecond)),
    runsStepsPerSecond: ms.map((x) => x.stepsPerSecond),
    runsStepsPerCpuSecond: ms.map((x) => x.stepsPerCpuSecond),
    runsCpuSeconds: ms.map((x) => x.cpuSeconds),
  };
}

function updateResultsMd(section: string): string {
  const path = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  const start = '<!-- browser:start -->';
  const end = '<!-- browser:end -->';
  const block = `${start}\n${section.trim()}\n${end}`;
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const i = old.indexOf(start);
  const j = old.indexOf(end);
  const next = i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + end.length) : `${old.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
  return path;
}

async function main(): Promise<void> {
  const info = machine();
  const loadStart = loadavg().map((x) => Number(x.toFixed(2)));
  const outDir = mkdtempSync(join(tmpdir(), 'polytoy-bench-'));
  process.stderr.write('building the playground…\n');
  try {
    await buildApp(outDir);
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
  const server = await serveStatic(outDir);
  const browser = await launchChromium();
  const cdp = await browser.newBrowserCDPSession();
  /** CPU seconds of Chromium's renderer processes (the harness page and its worker live in one). */
  const rendererCpuSeconds = async (): Promise<number> => {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    return processInfo.filter((p) => p.type === 'renderer').reduce((a, p) => a + p.cpuTime, 0);
  };
  const rows: Row[] = WORKLOADS.map((workload) => ({ workload, node: [], chromium: [] }));
  try {
    const nodeRuntime = await initNodeBackend();
    const page = await browser.newPage();
    await page.goto(`${server.url}harness.html`);
    const { runtime: browserRuntime } = await page.evaluate(() => window.polytoyHarness!.ready);
    for (const rt of [nodeRuntime, browserRuntime]) {
      if (rt.backend !== 'wasm' || !rt.simd || rt.threads)
        throw new Error(`expected single-threaded wasm + SIMD, got ${JSON.stringify(rt)}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        const config = configOf(row.workload);
        const { warmupSteps } = row.workload;
        // Alternate which environment goes first, so drift on a shared machine hits both.
        const order = round % 2 === 0 ? (['node', 'chromium'] as const) : (['chromium', 'node'] as const);
        for (const env of order) {
          const cpu0 = env === 'node' ? nodeCpuSeconds() : await rendererCpuSeconds();
          const r =
            env === 'node'
              ? await measureThroughput(config, warmupSteps)
              : await page.evaluate(([c, w]) => window.polytoyHarness!.throughput(c, w), [config, warmupSteps] as const);
          const cpu = (env === 'node' ? nodeCpuSeconds() : await rendererCpuSeconds()) - cpu0;
          const m: Measurement = { ...r, cpuSeconds: cpu, stepsPerCpuSecond: (config.steps! + 1) / cpu };
          row[env].push(m);
          process.stderr.write(
            `round ${round + 1}/${ROUNDS} ${row.workload.name} ${env}: ${fmt(r.stepsPerSecond)} steps/s, ${fmt(m.stepsPerCpuSecond)} steps/CPU-s\n`,
          );
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }

  const date = new Date().toISOString();
  const load = { start: loadStart, end: loadavg().map((x) => Number(x.toFixed(2))) };
  const results = {
    date,
    machine: info,
    loadAverage: load,
    method:
      'measureThroughput (apps/playground/src/throughput.ts): train() on tfjs-backend-wasm SIMD, single-threaded; timed from the log at the end of the warm-up to the final log; median over rounds, Node and Chromium alternating',
    rounds: ROUNDS,
    workloads: rows.map((r) => ({
      name: r.workload.name,
      description: r.workload.description,
      warmupSteps: r.workload.warmupSteps,
      measuredSteps: r.workload.measuredSteps,
      flopsPerStep: flopsPerStep(r.workload),
      node: summary(r.node),
      chromium: summary(r.chromium),
    })),
  };
  const json = jsonArg ?? fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);

  const t = table(rows);
  process.stdout.write(`\n${t}\n\n`);
  if (!record) {
    process.stdout.write(`wrote ${json}\n`);
    return;
  }
  const md = updateResultsMd(`## Node vs Chromium (tfjs WASM SIMD, single-threaded)

Measured by \`node benchmarks/browser/run.mjs\`${quick ? ' --quick' : ''} on ${date.slice(0, 10)}: ${info.nproc} cores (\`nproc\`), ${info.cpu};
Node ${info.node}; ${info.chromium} (headless, in the playground's Web Worker); tfjs-backend-wasm ${info.tfjsBackendWasm}.
Steps/s = median over ${ROUNDS} round(s) (environments alternating) of \`train()\` updates per wall-clock second after a
warm-up (data generation, loss read-back and NaN checks included). Steps/CPU-s = the whole call's steps (warm-up included)
per CPU second of the process doing the work (Node: \`process.cpuUsage()\`; Chromium: its renderer processes, via CDP
\`SystemInfo.getProcessInfo\`), which stays meaningful when other jobs compete for the cores. GFLOP uses SPEC §5's
10·batch·n·m per step.
Load average (1/5/15 min) was ${load.start.join(' / ')} at the start and ${load.end.join(' / ')} at the end on ${info.nproc} cores:
other jobs share the machine, so compare the two columns (measured alternately, under the same load) more than
absolute numbers. Raw numbers: \`benchmarks/browser/results.json\`.

${t}`);
  process.stdout.write(`wrote ${json}\nupdated ${md}\n`);
}

await main();
