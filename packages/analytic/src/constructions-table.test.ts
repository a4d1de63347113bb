import { describe, expect, it } from 'vitest';
import { constructionsTable } from './constructions-table.js';

describe('constructionsTable', () => {
  it.each([8, 16, 32])('n=%i: every construction has zero reconstruction loss; L1 costs by hand', (n) => {
    const rows = constructionsTable(n, 0.01);
    expect(rows.map((r) => r.kind)).toEqual([
      'same-sign',
      'opposite-sign',
      'mixed',
      'relu-two-neuron',
      'rotated',
      'absence-coded',
    ]);
    for (const r of rows) {
      expect(r.reconstruction).toBeLessThan(1e-28);
      expect(r.loss).toBeCloseTo(0.01 * r.l1, 14);
    }
    const sameL1 = n / 4 + Math.sqrt(n / 2) / 2;
    expect(rows[0]!.l1).toBeCloseTo(sameL1, 10);
    expect(rows[1]!.l1).toBe(n / 4);
    expect(rows[2]!.l1).toBeCloseTo(sameL1, 10); // a single same-sign pair already needs the whole disambiguation neuron
    expect(rows[3]!.l1).toBeCloseTo(sameL1, 10); // only one of D_A, D_B is active per sample
    expect(rows[4]!.l1).toBeLessThanOrEqual(n / 4 + 1e-12);
    expect(rows[5]!.l1).toBeCloseTo(n / 4, 12);
    // With the other hidden activation: single disambiguation neuron under ReLU loses n/16 per sample,
    // opposite-sign pairs n/8.
    expect(rows[0]!.reconstructionOtherHidden).toBeCloseTo(n / 16, 12);
    expect(rows[1]!.reconstructionOtherHidden).toBeCloseTo(n / 8, 12);
    expect(rows[3]!.reconstructionOtherHidden).toBeGreaterThan(0);
  });
});
