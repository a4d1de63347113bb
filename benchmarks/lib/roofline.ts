/**
 * The roofline: the best GFLOP/s of the polytoy GEMM on one core, called directly on its own
 * WebAssembly memory (no tfjs), for square products in the three layouts the training step uses
 * and the step's own shapes. Best (minimum) wall time of repeated calls.
 */
import { kernelsFor } from '@polytoy/kernels';
import { createPrng } from '@polytoy/core';

export interface GemmRate {
  shape: string;
  gflops: number;
}

export function gemmRoofline(budgetMs = 400): GemmRate[] {
  const shapes: { shape: string; m: number; n: number; k: number; tA: number; tB: number }[] = [
    { shape: '512³ A·B', m: 512, n: 512, k: 512, tA: 0, tB: 0 },
    { shape: '512³ Aᵀ·B', m: 512, n: 512, k: 512, tA: 1, tB: 0 },
    { shape: '512³ A·Bᵀ', m: 512, n: 512, k: 512, tA: 0, tB: 1 },
    { shape: 'seed-256 h = x·Wᵀ [1024×256]·[256×129]', m: 1024, n: 129, k: 256, tA: 0, tB: 1 },
    { shape: 'seed-256 dW = [h;dh]ᵀ[dz;x] K=2048', m: 129, n: 256, k: 2048, tA: 1, tB: 0 },
    { shape: 'paper-256 z = h·W [256×1024]·[1024×256]', m: 256, n: 256, k: 1024, tA: 0, tB: 0 },
  ];
  const largest = Math.max(...shapes.map((s) => s.m * s.k + s.k * s.n + s.m * s.n));
  const memory = new WebAssembly.Memory({ initial: Math.ceil((largest * 4 + 16 * 1024 * 1024) / 65536) });
  const k = kernelsFor(memory);
  const f32 = new Float32Array(memory.buffer);
  const rng = createPrng(1);
  for (let i = 0; i < largest; i++) f32[i] = rng.nextFloat() - 0.5;
  return shapes.map((s) => {
    const a = 0;
    const b = 4 * s.m * s.k;
    const c = b + 4 * s.k * s.n;
    const scratch = c + 4 * s.m * s.n;
    k.gemm(a, b, c, s.m, s.n, s.k, s.tA, s.tB, scratch);
    let best = Number.POSITIVE_INFINITY;
    const until = performance.now() + budgetMs;
    let calls = 0;
    while (performance.now() < until || calls < 5) {
      const t0 = performance.now();
      k.gemm(a, b, c, s.m, s.n, s.k, s.tA, s.tB, scratch);
      best = Math.min(best, performance.now() - t0);
      calls++;
    }
    return { shape: s.shape, gflops: (2 * s.m * s.n * s.k) / best / 1e6 };
  });
}
