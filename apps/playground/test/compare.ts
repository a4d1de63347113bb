/**
 * Exact comparison of two `polytoy.run/1` records (as parsed JSON): every logged loss number and
 * every parameter, as float32 bit patterns.
 */
import type { RunRecord } from '@polytoy/core';

/** One difference between two runs. */
export interface Mismatch {
  path: string;
  a: number;
  b: number;
}

const f32bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;

/** Paths and values of every number in the histories and parameters of a run. */
export function runNumbers(record: RunRecord): Map<string, number> {
  const out = new Map<string, number>();
  record.instances.forEach((inst, i) => {
    inst.history.forEach((r, k) => {
      for (const key of ['step', 'loss', 'reconstruction', 'l1'] as const)
        out.set(`instances[${i}].history[${k}].${key}`, r[key]);
    });
    for (const key of ['loss', 'reconstruction', 'l1'] as const) out.set(`instances[${i}].finalLoss.${key}`, inst.finalLoss[key]);
    const params = inst.params as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(params)) {
      if (Array.isArray(value)) value.forEach((v: number, k) => out.set(`instances[${i}].params.${name}[${k}]`, v));
    }
  });
  return out;
}

/**
 * Every number that differs between two runs (float32 bit patterns, so -0 ≠ +0), plus missing
 * entries (reported with NaN).
 *
 * @example
 * expect(bitDifferences(nodeRecord, browserRecord)).toEqual([]);
 */
export function bitDifferences(a: RunRecord, b: RunRecord): Mismatch[] {
  const na = runNumbers(a);
  const nb = runNumbers(b);
  const out: Mismatch[] = [];
  for (const [path, x] of na) {
    const y = nb.get(path);
    if (y === undefined || f32bits(x) !== f32bits(y) || Object.is(x, y) === false) out.push({ path, a: x, b: y ?? Number.NaN });
  }
  for (const [path, y] of nb) if (!na.has(path)) out.push({ path, a: Number.NaN, b: y });
  return out;
}
