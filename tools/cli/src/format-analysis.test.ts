import { analyzeConstruction, constructionsTable, stabilityStudy } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import { formatAnalysisReport, formatConstructionsTable, formatStabilityTable } from './format-analysis.js';

describe('formatAnalysisReport', () => {
  it("prints the analytic report's numbers and verdict on one page", () => {
    const page = formatAnalysisReport(analyzeConstruction({ n: 8, lambda: 0.1, flow: { time: 1500 } }));
    expect(page).toContain('Verdict: UNSTABLE');
    expect(page).toContain('c* = 0.49371031');
    expect(page).toContain('At the relaxed point: SADDLE');
    expect(page.split('\n').length).toBeLessThan(45);
  });
});

describe('formatConstructionsTable', () => {
  it('formats the constructions as a markdown table', () => {
    const md = formatConstructionsTable(constructionsTable(8, 0.01), 0.01);
    expect(md.split('\n')).toHaveLength(8);
    expect(md).toContain('| 8 | opposite-sign | 4 | none | 0 | 2.000000 | 0.020000 |');
  });
});

describe('formatStabilityTable', () => {
  it('one markdown row per (n, lambda), with the verdict', () => {
    const md = formatStabilityTable(stabilityStudy({ ns: [8], lambdas: [0.1], maxTime: 3000 }));
    const rows = md.split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(/^\| 8 \| 0\.1 \|.*\| unstable \|$/);
  });
});
