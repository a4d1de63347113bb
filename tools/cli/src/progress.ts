/**
 * A terminal progress bar on stderr. On a TTY it redraws one line; otherwise it prints a line
 * every 10% so CI logs stay short. It only ever writes to its stream (stderr), so a command's
 * stdout (e.g. `--json`) never contains it.
 */
import { createEtaEstimator } from './eta.js';

export interface ProgressBar {
  update(done: number, info?: string): void;
  finish(info?: string): void;
}

/** Where the bar draws: a writable with an optional `isTTY` (process.stderr, or a test's fake). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link createProgressBar}. */
export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Draw nothing. */
  quiet?: boolean;
  /** Show "done/total" (off when the units are abstract, e.g. FLOP-weighted work). Default true. */
  counts?: boolean;
  /** Clock in milliseconds (default `Date.now`; tests pass a fake). */
  now?: () => number;
}

/**
 * Formats seconds as `42s`, `1m05s`, `2h03m07s` (rounded to whole seconds first, so never
 * `1m60s`); `--` for NaN or infinity.
 *
 * @example
 * formatDuration(119.6); // '2m00s'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const s = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${s}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m${s}s`;
}

/**
 * Creates a progress bar over `total` units. `done` is clamped to `[0, total]`, so the count
 * never exceeds the total and the percentage and the count always agree; the ETA comes from
 * {@link createEtaEstimator} (the first update is its baseline, so resumed work is not taken for
 * speed).
 *
 * @example
 * const bar = createProgressBar(1000, 'train');
 * bar.update(250, 'loss 0.12');
 * bar.finish('loss 0.05');
 */
export function createProgressBar(total: number, label: string, opts: ProgressOptions = {}): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const counts = opts.counts ?? true;
  const start = now();
  const eta = createEtaEstimator();
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  const clamp = (done: number) => Math.min(Math.max(0, done), Math.max(0, total));
  const line = (done: number, info: string, final: boolean) => {
    const frac = total > 0 ? done / total : 1;
    const elapsed = (now() - start) / 1000;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const count = counts ? ` ${done}/${total}` : '';
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    const left = final ? '' : ` eta ${formatDuration(eta.remaining(total))}`;
    return `${label} ${bar} ${pct}%${count} ${formatDuration(elapsed)}${left}${info ? ` ${info}` : ''}`;
  };
  return {
    update(raw, info = '') {
      const done = clamp(raw);
      eta.observe(done, (now() - start) / 1000);
      if (opts.quiet) return;
      if (tty) {
        stream.write(`\r\x1b[2K${line(done, info, false)}`);
      } else {
        const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${line(done, info, decile >= 10)}\n`);
        }
      }
    },
    finish(info = '') {
      if (opts.quiet) return;
      if (tty) stream.write(`\r\x1b[2K${line(clamp(total), info, true)}\n`);
      else if (lastDecile < 10) stream.write(`${line(clamp(total), info, true)}\n`);
    },
  };
}
