/**
 * A terminal progress bar on stderr. On a TTY it redraws one line; otherwise it prints a line
 * every 10% so CI logs stay short.
 */
export interface ProgressBar {
  update(done: number, info?: string): void;
  finish(info?: string): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

export function createProgressBar(
  total: number,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
  /** Show "done/total" (off when the units are abstract, e.g. FLOP-weighted work). */
  counts = true,
): ProgressBar {
  const start = Date.now();
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  const line = (done: number, info: string) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (Date.now() - start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const count = counts ? ` ${done}/${total}` : '';
    return `${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}%${count} ${formatSeconds(elapsed)} eta ${formatSeconds(eta)} ${info}`;
  };
  return {
    update(done, info = '') {
      if (quiet) return;
      if (tty) {
        stream.write(`\r\x1b[2K${line(done, info)}`);
      } else {
        const decile = Math.floor((10 * done) / Math.max(1, total));
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${line(done, info)}\n`);
        }
      }
    },
    finish(info = '') {
      if (quiet) return;
      if (tty) stream.write(`\r\x1b[2K${line(total, info)}\n`);
      else if (lastDecile < 10) stream.write(`${line(total, info)}\n`);
    },
  };
}
