/**
 * Why the trainer flushes tiny Adam moments: the polytoy Adam kernel on normal, denormal and
 * flushed (zero) moments, and what the flush itself costs (the trainer's in-place JS loop).
 * Best of repeated calls, 262 144 parameters (paper-256 has 16× more).
 */
import { kernelsFor } from '@polytoy/kernels';
import { FLUSH_EVERY, FLUSH_THRESHOLD } from '@polytoy/trainer/internal';

export interface DenormalCheck {
  parameters: number;
  normalMs: number;
  denormalMs: number;
  flushedMs: number;
  /** One flush pass over the m and v moments, amortised over FLUSH_EVERY updates. */
  flushMsPerUpdate: number;
}

export function denormalCheck(): DenormalCheck {
  const N = 262144;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((16 * N) / 65536) + 1 });
  const k = kernelsFor(memory);
  const f = new Float32Array(memory.buffer);
  const [P, G, M, V] = [0, 4 * N, 8 * N, 12 * N];
  const best = (fill: (m: number, v: number) => [number, number], g: number): number => {
    let ms = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 15; r++) {
      for (let i = 0; i < N; i++) {
        const [m, v] = fill(i, 0);
        f[i] = 0.5;
        f[N + i] = g;
        f[2 * N + i] = m;
        f[3 * N + i] = v;
      }
      const t0 = performance.now();
      k.adam(P, G, M, V, N, 1e-3, 0.9, 0.1, 0.999, 0.001, 1e-8, 1.5, 1.1, 1);
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  const normalMs = best(() => [1e-4, 1e-8], 1e-3);
  const denormalMs = best(() => [1e-39, 1e-40], 0);
  const flushedMs = best(() => [0, 0], 0);
  // The flush loop of the fused engine over m and v (2N moments, half of them tiny).
  const t = Math.fround(FLUSH_THRESHOLD);
  let flush = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 10; r++) {
    for (let i = 0; i < 2 * N; i++) f[2 * N + i] = i % 2 ? 1e-39 : 1e-3;
    const t0 = performance.now();
    for (let e = 2 * N; e < 4 * N; e++) {
      const v = f[e]!;
      if (Math.abs(v) <= t) f[e] = v * 0;
    }
    flush = Math.min(flush, performance.now() - t0);
  }
  return { parameters: N, normalMs, denormalMs, flushedMs, flushMsPerUpdate: flush / FLUSH_EVERY };
}
