/**
 * The live loss curve: total loss and reconstruction loss against step, log-scaled y axis.
 */
import type { LossRecord } from '@polytoy/core';

/** Y range on a log10 scale: whole decades around the positive finite values. */
export interface LogRange {
  /** log10 of the bottom of the axis. */
  lo: number;
  /** log10 of the top of the axis. */
  hi: number;
}

/**
 * Whole-decade log10 range covering the positive finite values (default [1e-3, 1] when there are none).
 *
 * @example
 * logRange([0.02, 3]); // { lo: -2, hi: 1 }
 */
export function logRange(values: readonly number[]): LogRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    lo = Math.min(lo, Math.log10(v));
    hi = Math.max(hi, Math.log10(v));
  }
  if (lo === Infinity) return { lo: -3, hi: 0 };
  // `|| 0` turns -0 (ceil of a value in (-1, 0)) into 0.
  const out = { lo: Math.floor(lo) || 0, hi: Math.ceil(hi) || 0 };
  if (out.hi === out.lo) out.hi += 1;
  return out;
}

/**
 * Smallest 1, 2 or 5 × 10^k that is >= `value` (the loss chart's x axis grows in these steps).
 *
 * @example
 * niceCeil(340); // 500
 */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const decade = 10 ** Math.floor(Math.log10(value));
  for (const f of [1, 2, 5, 10]) if (f * decade >= value * (1 - 1e-12)) return f * decade;
  return 10 * decade;
}

const SERIES = [
  { key: 'loss', label: 'loss', colour: '#b2182b' },
  { key: 'reconstruction', label: 'reconstruction', colour: '#2166ac' },
] as const;

/**
 * Draws the records of one instance (in step order) as two polylines. The x axis runs from 0 to
 * {@link niceCeil} of the last logged step, so the curve fills the chart while training runs.
 *
 * @param totalSteps - the run's length, shown in the corner.
 * @example
 * drawLossChart(canvas, [{ step: 0, instance: 0, loss: 1, reconstruction: 1, l1: 0 }], 100);
 */
export function drawLossChart(canvas: HTMLCanvasElement, records: readonly LossRecord[], totalSteps: number): void {
  const W = canvas.width;
  const H = canvas.height;
  const pad = { left: 48, right: 12, top: 18, bottom: 28 };
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const range = logRange(records.flatMap((r) => [r.loss, r.reconstruction]));
  const xmax = niceCeil(Math.max(1, records[records.length - 1]?.step ?? totalSteps));
  const x = (step: number) => pad.left + (step / xmax) * (W - pad.left - pad.right);
  const y = (v: number) => {
    const t = (Math.log10(Math.max(v, 10 ** range.lo)) - range.lo) / (range.hi - range.lo);
    return H - pad.bottom - t * (H - pad.top - pad.bottom);
  };
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#ddd';
  ctx.fillStyle = '#444';
  ctx.textAlign = 'right';
  for (let d = range.lo; d <= range.hi; d++) {
    const yy = y(10 ** d);
    ctx.beginPath();
    ctx.moveTo(pad.left, yy);
    ctx.lineTo(W - pad.right, yy);
    ctx.stroke();
    ctx.fillText(`1e${d}`, pad.left - 6, yy + 4);
  }
  ctx.textAlign = 'center';
  ctx.fillText('0', x(0), H - 10);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${xmax} (run: ${totalSteps} steps)`, x(xmax), H - 10);
  for (const s of SERIES) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    records.forEach((r, i) => {
      const v = r[s.key];
      if (i === 0) ctx.moveTo(x(r.step), y(v));
      else ctx.lineTo(x(r.step), y(v));
    });
    ctx.stroke();
  }
  ctx.textAlign = 'left';
  SERIES.forEach((s, i) => {
    ctx.fillStyle = s.colour;
    ctx.fillRect(pad.left + 8 + i * 120, 6, 10, 3);
    ctx.fillStyle = '#222';
    ctx.fillText(s.label, pad.left + 22 + i * 120, 11);
  });
  const last = records[records.length - 1];
  if (last) {
    ctx.textAlign = 'right';
    ctx.fillText(`loss ${last.loss.toPrecision(4)} · recon ${last.reconstruction.toPrecision(4)}`, W - pad.right, 11);
  }
}
