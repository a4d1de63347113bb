import { describe, expect, it } from 'vitest';
import { runsLabel } from './experiment-progress.js';

describe('runsLabel', () => {
  it('counts this session’s runs against this session’s total; resumed runs once, apart', () => {
    expect(runsLabel({ runsDone: 0, runsTotal: 256, runsSkipped: 512 })).toBe('runs 0/256 · 512 resumed');
    expect(runsLabel({ runsDone: 256, runsTotal: 256, runsSkipped: 512 })).toBe('runs 256/256 · 512 resumed');
    expect(runsLabel({ runsDone: 3, runsTotal: 8, runsSkipped: 0 })).toBe('runs 3/8');
  });

  it('never shows more done than total', () => {
    expect(runsLabel({ runsDone: 300, runsTotal: 256, runsSkipped: 0 })).toBe('runs 256/256');
  });
});
