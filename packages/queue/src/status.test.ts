import { describe, expect, it } from 'vitest';
import type { SweepStatus } from './status.js';
import { formatStatus } from './status.js';

const base: SweepStatus = {
  sweep: { key: 'collisions@1/small', experiment: 'collisions', version: 1, size: 'small', planned: 8, submittedAt: '' },
  planned: 8,
  done: 5,
  running: 1,
  waiting: 1,
  failed: 1,
  diverged: 0,
  retried: 2,
  duplicates: 0,
  missing: 0,
  failures: [{ runId: 'aaaaaaaaaaaaaaaa', message: 'model.m: expected a positive integer, received -1', attempts: 1 }],
};

describe('formatStatus', () => {
  it('shows done / running / waiting / failed / retried and each failure with its message', () => {
    expect(formatStatus(base)).toBe(
      [
        'collisions@1/small: 5/8 done (62.5%) · running 1 · waiting 1 · failed 1 · retried 2',
        '  failed aaaaaaaaaaaaaaaa (started 1×): model.m: expected a positive integer, received -1',
      ].join('\n'),
    );
  });

  it('adds diverged, duplicate and unqueued counts only when there are any, and caps the failure list', () => {
    const failures = Array.from({ length: 4 }, (_, i) => ({ runId: `r${i}`, message: `m${i}`, attempts: 2 }));
    const text = formatStatus({ ...base, failed: 4, diverged: 2, duplicates: 3, missing: 1, failures }, 2);
    expect(text.split('\n')).toEqual([
      'collisions@1/small: 5/8 done (62.5%) · running 1 · waiting 1 · failed 4 · retried 2 · diverged 2 · duplicate results dropped 3 · not queued 1',
      '  failed r0 (started 2×): m0',
      '  failed r1 (started 2×): m1',
      '  … and 2 more failed runs',
    ]);
  });
});
