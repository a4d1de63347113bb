import { describe, expect, it } from 'vitest';
import type { ProgressStream } from './progress.js';
import { createProgressBar, formatDuration } from './progress.js';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const s = {
    text: '',
    isTTY,
    write(t: string) {
      s.text += t;
      return true;
    },
  };
  return s;
}

function fakeClock() {
  let ms = 0;
  return { now: () => ms, advance: (s: number) => (ms += 1000 * s) };
}

describe('formatDuration', () => {
  it('rounds to whole seconds before splitting into minutes (never 1m60s)', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(59.6)).toBe('1m00s');
    expect(formatDuration(119.5)).toBe('2m00s');
    expect(formatDuration(119.4)).toBe('1m59s');
    expect(formatDuration(3599.5)).toBe('1h00m00s');
    expect(formatDuration(7387)).toBe('2h03m07s');
    for (let s = 0; s < 4000; s += 0.37) expect(formatDuration(s)).not.toMatch(/60s|60m/);
  });

  it('shows -- for no estimate', () => {
    expect(formatDuration(Number.NaN)).toBe('--');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--');
  });
});

describe('createProgressBar', () => {
  it('prints one line per decile off a TTY, with the count clamped to the total and matching the percentage', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const bar = createProgressBar(200, 'train', { stream, now: clock.now });
    for (let step = 0; step <= 250; step += 10) {
      bar.update(step);
      clock.advance(1);
    }
    bar.finish('done');
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    for (const [k, l] of lines.entries()) {
      const m = /^train \S+ +(\d+)% (\d+)\/200 /.exec(l);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(10 * k);
      expect(Number(m![2])).toBe(20 * k);
    }
    // Steady 10 steps/s: at 20/200 (after 2 s), 18 s left.
    expect(lines[1]).toBe('train ██░░░░░░░░░░░░░░░░░░░░░░  10% 20/200 2s eta 18s');
    expect(lines[10]).toBe('train ████████████████████████ 100% 200/200 20s');
  });

  it('finish adds the last line when the updates stopped short, and nothing twice', () => {
    const stream = fakeStream(false);
    const bar = createProgressBar(100, 'x', { stream, now: fakeClock().now });
    bar.update(55);
    bar.finish('loss 0.1');
    expect(
      stream.text
        .split('\n')
        .filter(Boolean)
        .map((l) => /(\d+)%/.exec(l)![1]),
    ).toEqual(['55', '100']);
    expect(stream.text).toMatch(/100% 100\/100 0s loss 0\.1\n$/);
  });

  it('redraws one line on a TTY and ends it with a newline on finish', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const bar = createProgressBar(4, 'run', { stream, now: clock.now, counts: false });
    for (let i = 1; i <= 4; i++) {
      clock.advance(0.5);
      bar.update(i, `i=${i}`);
    }
    bar.finish();
    const frames = stream.text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(5);
    expect(frames[3]).toBe('run ████████████████████████ 100% 2s eta 0s i=4');
    expect(frames[4]).toBe('run ████████████████████████ 100% 2s\n');
    expect(frames.slice(0, 4).every((f) => !f.includes('\n'))).toBe(true);
  });

  it('resumed at half way: percentage from the resumed point, ETA from the speed since', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const bar = createProgressBar(10_000, 'train', { stream, now: clock.now });
    bar.update(5000);
    clock.advance(10);
    bar.update(6000);
    expect(stream.text.split('\r\x1b[2K').at(-1)).toBe('train ██████████████░░░░░░░░░░  60% 6000/10000 10s eta 40s');
  });

  it('is silent when quiet', () => {
    const stream = fakeStream(false);
    const bar = createProgressBar(10, 'x', { stream, quiet: true });
    bar.update(5);
    bar.finish();
    expect(stream.text).toBe('');
  });
});
