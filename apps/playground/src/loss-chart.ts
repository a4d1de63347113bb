/**
 * The live loss chart: each instance's total loss and reconstruction loss against step, log y axis.
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

/** One instance's line style. */
export interface LineStyle {
  colour: string;
  dash: readonly number[];
}

/**
 * Draws each instance's loss (solid) and reconstruction loss (dashed, lighter) against step, on
 * a whole-decade log axis. The x axis runs from 0 to {@link niceCeil} of the latest step, so the
 * curves fill the chart while training runs (to the last step exactly once the run is done). Histories are decimated by the caller
 * (`DecimatedHistory`): the cost of a frame does not grow with the run.
 *
 * @param totalSteps - the run's length, shown under the axis.
 * @example
 * drawLossChart(canvas, [[{ step: 0, instance: 0, loss: 1, reconstruction: 1, l1: 0 }]], 100, [{ colour: '#4e79a7', dash: [] }]);
 */
export function drawLossChart(
  canvas: HTMLCanvasElement,
  histories: readonly (readonly LossRecord[])[],
  totalSteps: number,
  styles: readonly LineStyle[],
): void {
  const W = canvas.width;
  const H = canvas.height;
  const pad = { left: 48, right: 14, top: 10, bottom: 30 };
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const all = histories.flatMap((h) => h.flatMap((r) => [r.loss, r.reconstruction]));
  const range = logRange(all);
  const lastStep = Math.max(1, ...histories.map((h) => h[h.length - 1]?.step ?? 0));
  // A finished run fills the chart exactly; a running one grows in 1-2-5 steps.
  const xmax = lastStep >= totalSteps ? totalSteps : niceCeil(histories.some((h) => h.length > 0) ? lastStep : totalSteps);
  const x = (step: number) => pad.left + (step / xmax) * (W - pad.left - pad.right);
  const y = (v: number) => {
    const t = (Math.log10(Math.max(v, 10 ** range.lo)) - range.lo) / (range.hi - range.lo);
    return H - pad.bottom - t * (H - pad.top - pad.bottom);
  };
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#e4e4e4';
  ctx.lineWidth = 1;
  ctx.fillStyle = '#444';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let d = range.lo; d <= range.hi; d++) {
    const yy = Math.round(y(10 ** d)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(pad.left, yy);
    ctx.lineTo(W - pad.right, yy);
    ctx.stroke();
    ctx.fillText(`1e${d}`, pad.left - 6, yy);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText('0', x(0), H - 12);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${xmax.toLocaleString('en-US')}`, x(xmax), H - 12);
  ctx.textAlign = 'center';
  ctx.fillText(`run: ${totalSteps.toLocaleString('en-US')} steps`, (pad.left + W - pad.right) / 2, H - 12);
  histories.forEach((records, k) => {
    const style = styles[k % styles.length]!;
    for (const key of ['reconstruction', 'loss'] as const) {
      ctx.strokeStyle = style.colour;
      ctx.globalAlpha = key === 'loss' ? 1 : 0.55;
      ctx.lineWidth = key === 'loss' ? 1.6 : 1.2;
      ctx.setLineDash(key === 'loss' ? [...style.dash] : [4, 3]);
      ctx.beginPath();
      records.forEach((r, i) => {
        if (i === 0) ctx.moveTo(x(r.step), y(r[key]));
        else ctx.lineTo(x(r.step), y(r[key]));
      });
      ctx.stroke();
    }
  });
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}
