import type { ResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { collisionData } from './collisions.js';
import { displayOrder, weightHeatmapSpec } from './heatmap.js';
import { escapeHtml, formatNumber, formatPercent } from './html.js';
import { lossCurveData } from './loss-curves.js';
import { renderReportWithInfo } from './report.js';
import { syntheticResults } from './test-utils/synthetic.js';

const lines = syntheticResults();

function sectionHtml(html: string, id: string): string {
  const start = html.indexOf(`<section class="experiment" id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReport (synthetic results)', async () => {
  const { html, sections } = await renderReportWithInfo(lines, { generatedAt: null, title: 'test <report>' });

  it('has one section per experiment, in registry order, with the charts each kind of result calls for', () => {
    expect(sections.map((s) => [s.id, s.runs])).toEqual([
      ['experiment-finds-solution', 32],
      ['experiment-stability', 4],
      ['experiment-collisions', 6],
      ['experiment-untied-choice', 4],
    ]);
    const kinds = Object.fromEntries(sections.map((s) => [s.experiment, s.charts.filter((c) => c !== 'weights')]));
    const half = ['solutions', 'mechanisms', 'success-heatmap', 'disambiguation-heatmap', 'loss-curves'];
    expect(kinds['finds-solution']).toEqual([...half, 'untied-use', 'untied-shift']);
    expect(kinds.stability).toEqual([...half, 'stability']);
    expect(kinds.collisions).toEqual(['loss-curves', 'collisions']);
    expect(kinds['untied-choice']).toEqual([...half, 'stability', 'untied-use', 'untied-shift']);
    for (const s of sections) {
      if (s.experiment !== 'collisions') expect(s.charts.filter((c) => c === 'weights').length).toBeGreaterThan(0);
    }
  });

  it('inlines exactly one SVG per chart in each section', () => {
    for (const s of sections) {
      const part = sectionHtml(html, s.id);
      expect(part.match(/<svg\b/g)?.length ?? 0).toBe(s.charts.length);
      expect(part.match(/<figure class="chart"/g)?.length ?? 0).toBe(s.charts.length);
    }
  });

  it('is self-contained: no scripts, no external resources, escaped text', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Gradients reference their own definitions (url(#…)); nothing else is referenced.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\((?!#)/i);
    // The only URLs are SVG namespace declarations.
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.every((u) => u.startsWith('http://www.w3.org/'))).toBe(true);
    expect(html).toContain('<title>test &lt;report&gt;</title>');
    expect(html).not.toContain('Generated');
  });

  it('tabulates label counts and the collisions prediction', () => {
    const finds = sectionHtml(html, 'experiment-finds-solution');
    expect(finds).toContain('opposite-sign');
    const coll = sectionHtml(html, 'experiment-collisions');
    // n = 16, m = 16 and 32: n²/(4m) = 4 and 2.
    expect(coll).toMatch(/<td class="num">4<\/td>/);
    expect(coll).toMatch(/<td class="num">2<\/td>/);
  });

  it('renders an empty report for no results', async () => {
    const { html: empty, sections: none } = await renderReportWithInfo([], { generatedAt: '2024-01-01' });
    expect(none).toEqual([]);
    expect(empty).toContain('No results.');
    expect(empty).toContain('Generated 2024-01-01');
  });
});

describe('chart data', () => {
  it('heat map rows: disambiguation neurons first, then by strongest feature, zero rows last', () => {
    // 4 neurons × 4 features: row 0 strongest at 3, row 1 all zero, row 2 at 0, row 3 the disambiguation neuron.
    const W = [0, 0, 0.2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0.5, 0.5, -0.5, -0.5];
    expect(displayOrder(W, 4, 4, [3])).toEqual([3, 2, 0, 1]);
  });

  it('heat map colour scale is symmetric around 0 and the halves are split at n/2', () => {
    const spec = weightHeatmapSpec(
      { kind: 'tied', n: 4, m: 2, W: Float32Array.of(1, 0, -3, 0, 0, 2, 0, 0), b: new Float32Array(4) },
      't',
    ) as unknown as {
      layer: {
        data: { values: Record<string, number | string>[] };
        encoding: { color?: { scale: { domain: number[]; domainMid: number } } };
      }[];
    };
    expect(spec.layer[0]!.encoding.color!.scale.domain).toEqual([-3, 3]);
    expect(spec.layer[0]!.encoding.color!.scale.domainMid).toBe(0);
    expect(spec.layer[1]!.data.values).toEqual([{ x: 2 }]);
    expect(spec.layer[2]!.data.values.map((v) => v.t)).toEqual(['A', 'B']);
  });

  it('loss curves are the per-step median over the seeds of a cell', () => {
    const finds = lines.filter((l) => l.experiment === 'finds-solution');
    const cellKey = finds[0]!.spec.cellKey;
    const cell = finds.filter((l) => l.spec.cellKey === cellKey);
    expect(cell).toHaveLength(2);
    const data = lossCurveData(finds);
    const step0 = cell.map((l) => l.history.loss[0]!);
    const series = data.filter((d) => d.step === 0 && Math.abs(d.loss - (step0[0]! + step0[1]!) / 2) < 1e-12);
    expect(series.length).toBeGreaterThan(0);
  });

  it('collision data: per-(n, m) mean and std, the n²/(4m) curve, zero counts set aside', () => {
    const base = lines.find((l) => l.experiment === 'collisions')!;
    const mk = (m: number, count: number): ResultLine => ({
      ...base,
      runId: `${m}-${count}`,
      spec: { ...base.spec, cell: { ...base.spec.cell, n: 16, m } },
      analysis: { ...base.analysis!, polysemanticCount: count },
    });
    const d = collisionData([mk(16, 2), mk(16, 4), mk(16, 0), mk(32, 1)]);
    const m16 = d.means.find((r) => r.m === 16)!;
    expect(m16.mean).toBe(2);
    expect(m16.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(m16.expected).toBe(4);
    expect(d.zeros).toBe(1);
    expect(d.runs).toHaveLength(3);
    for (const p of d.curve) expect(p.expected).toBeCloseTo(256 / (4 * p.m), 12);
  });

  it('formats numbers and escapes text', () => {
    expect(formatNumber(0.000123)).toBe('1.23e-4');
    expect(formatNumber(12.3456)).toBe('12.3');
    expect(formatNumber(null)).toBe('—');
    expect(formatPercent(0.5)).toBe('50%');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
