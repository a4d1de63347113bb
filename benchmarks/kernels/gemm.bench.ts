// GEMM throughput: the polytoy AssemblyScript kernel (registered as tfjs-backend-wasm's
// BatchMatMul) vs the stock tfjs-backend-wasm 4.22 BatchMatMul vs a plain Float32Array triple
// loop, for the training step's products of the SPEC workloads and 512³, in all three layouts.
//
// Run (from the repo root; one core is used, so keep the machine otherwise idle):
//   npx tsx --conditions=@polytoy/source benchmarks/kernels/gemm.bench.ts [--budget-ms=400] [--no-js]
//
// Each cell is the best (minimum) CPU time per call over repeated samples within the time budget,
// reported as GFLOP/s = 2·batch·m·n·k / time (the plain-JS column: one call). Results are also checked against each other:
// polytoy vs stock within the float32 reassociation bound K·2⁻²³·Σ|a||b| (sampled).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createPrng } from '@polytoy/core';
import { registerPolytoyKernels, unregisterPolytoyKernels, getPolytoyKernelStats } from '@polytoy/kernels';

interface Product {
  workload: string;
  name: string;
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [key, value] = a.replace(/^--/, '').split('=');
    return [key!, value ?? 'true'] as const;
  }),
);
const budgetMs = Number(args.get('budget-ms') ?? 400);
const runJs = !args.has('no-js');

/** The five products of a tied training step: h = x Wᵀ, z = h W, dW_dec = hᵀ dz, dh = dz Wᵀ, dW_enc = dhᵀ x. */
function trainingStep(workload: string, I: number, B: number, n: number, m: number): Product[] {
  return [
    { workload, name: 'h = x Wᵀ (A·Bᵀ)', batch: I, m: B, n: m, k: n, transA: false, transB: true },
    { workload, name: 'z = h W (A·B)', batch: I, m: B, n, k: m, transA: false, transB: false },
    { workload, name: 'dW_dec = hᵀ dz (Aᵀ·B)', batch: I, m, n, k: B, transA: true, transB: false },
    { workload, name: 'dh = dz Wᵀ (A·Bᵀ)', batch: I, m: B, n: m, k: n, transA: false, transB: true },
    { workload, name: 'dW_enc = dhᵀ x (Aᵀ·B)', batch: I, m, n, k: B, transA: true, transB: false },
  ];
}

const PRODUCTS: Product[] = [
  ...trainingStep('seed-64', 1, 1024, 64, 33),
  ...trainingStep('seed-256', 1, 1024, 256, 129),
  ...trainingStep('paper-256', 16, 256, 256, 1024),
  { workload: '512³', name: 'A·B', batch: 1, m: 512, n: 512, k: 512, transA: false, transB: false },
  { workload: '512³', name: 'Aᵀ·B', batch: 1, m: 512, n: 512, k: 512, transA: true, transB: false },
  { workload: '512³', name: 'A·Bᵀ', batch: 1, m: 512, n: 512, k: 512, transA: false, transB: true },
];

function randomTensor(seed: number, shape: number[]): tf.Tensor {
  const rng = createPrng(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.nextFloat() * 2 - 1;
  return tf.tensor(v, shape);
}

/** CPU time of this process in ms (user + system): robust to other processes on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Best time per call (ms) of `fn`: samples of enough calls to last >= 5 ms, repeated within the
 * budget (at least 3 samples after a warm-up). Measured in process CPU time, so a busy machine
 * slows the clock less than it would wall time (the wasm backend runs on one thread in Node).
 */
function bestTime(fn: () => void): number {
  fn();
  const t0 = cpuMs();
  fn();
  const once = Math.max(cpuMs() - t0, 0.01);
  const perSample = Math.max(1, Math.ceil(5 / once));
  let best = Infinity;
  let spent = 0;
  for (let samples = 0; samples < 3 || (spent < budgetMs && samples < 100); samples++) {
    const s0 = cpuMs();
    for (let i = 0; i < perSample; i++) fn();
    const dt = cpuMs() - s0;
    best = Math.min(best, dt / perSample);
    spent += dt;
  }
  return best;
}

/**
 * Plain JS: for each batch matrix, the textbook i-j-k triple loop over Float32Arrays (float64
 * accumulator), with index strides chosen once per layout.
 */
function jsGemm(a: Float32Array, b: Float32Array, c: Float32Array, p: Product): void {
  const { batch, m, n, k, transA, transB } = p;
  // op(A)[i, kk] = a[i*ra + kk*ka]; op(B)[kk, j] = b[kk*kb + j*cb]
  const [ra, ka] = transA ? [1, m] : [k, 1];
  const [kb, cb] = transB ? [1, k] : [n, 1];
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k;
    const bo = t * k * n;
    const co = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let kk = 0; kk < k; kk++) acc += a[ao + i * ra + kk * ka]! * b[bo + kk * kb + j * cb]!;
        c[co + i * n + j] = acc;
      }
    }
  }
}

function shapes(p: Product): { a: number[]; b: number[] } {
  const lead = p.batch > 1 ? [p.batch] : [];
  return {
    a: [...lead, ...(p.transA ? [p.k, p.m] : [p.m, p.k])],
    b: [...lead, ...(p.transB ? [p.n, p.k] : [p.k, p.n])],
  };
}

/** max over sampled outputs of |x - y| / (K·2⁻²³·Σ|a||b|); <= 1 means within the reassociation bound. */
function boundRatio(x: tf.Tensor, y: tf.Tensor, a: tf.Tensor, b: tf.Tensor, p: Product): number {
  const abs = tf.tidy(() => tf.matMul(tf.abs(a), tf.abs(b), p.transA, p.transB).dataSync());
  const xv = x.dataSync();
  const yv = y.dataSync();
  let worst = 0;
  const stride = Math.max(1, Math.floor(xv.length / 5000));
  for (let i = 0; i < xv.length; i += stride) {
    const err = Math.abs(xv[i]! - yv[i]!);
    if (err > 0) worst = Math.max(worst, err / (p.k * 2 ** -23 * abs[i]!));
  }
  return worst;
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend('wasm');
  console.log(`# GEMM GFLOP/s (one core, best per-call CPU time, ${budgetMs} ms budget per cell)`);
  console.log(`node ${process.version}, tfjs-backend-wasm ${tf.version_core}, ${new Date().toISOString()}`);
  console.log('');
  console.log('| workload | product | batch×[m×k]·[k×n] | polytoy | stock wasm | plain JS | polytoy/stock | max |Δ|/bound |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [idx, p] of PRODUCTS.entries()) {
    const { a: aShape, b: bShape } = shapes(p);
    const a = randomTensor(2 * idx + 1, aShape);
    const b = randomTensor(2 * idx + 2, bShape);
    const flops = 2 * p.batch * p.m * p.n * p.k;
    const gflops = (ms: number): number => flops / ms / 1e6;

    registerPolytoyKernels();
    const calls = getPolytoyKernelStats().gemmCalls;
    const ours = tf.matMul(a, b, p.transA, p.transB);
    if (getPolytoyKernelStats().gemmCalls !== calls + 1) throw new Error('polytoy kernel was not used');
    const tOurs = bestTime(() => tf.matMul(a, b, p.transA, p.transB).dispose());

    unregisterPolytoyKernels();
    const stock = tf.matMul(a, b, p.transA, p.transB);
    const tStock = bestTime(() => tf.matMul(a, b, p.transA, p.transB).dispose());
    const ratio = boundRatio(ours, stock, a, b, p);

    let jsCell = '–';
    if (runJs) {
      const av = a.dataSync() as Float32Array;
      const bv = b.dataSync() as Float32Array;
      const cv = new Float32Array(p.batch * p.m * p.n);
      const t0 = cpuMs();
      jsGemm(av, bv, cv, p); // one call: the plain loop is slow on the big shapes
      jsCell = gflops(cpuMs() - t0).toFixed(2);
    }
    const shape = `${p.batch}×[${p.m}×${p.k}]·[${p.k}×${p.n}]`;
    console.log(
      `| ${p.workload} | ${p.name} | ${shape} | ${gflops(tOurs).toFixed(1)} | ${gflops(tStock).toFixed(1)} | ${jsCell} | ${(tStock / tOurs).toFixed(1)}× | ${ratio.toFixed(3)} |`,
    );
    tf.dispose([a, b, ours, stock]);
  }
}

await main();
