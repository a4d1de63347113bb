import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, reportScripts, scriptHash } from './embed.js';
import { renderReportWithInfo } from './report.js';
import { syntheticResults } from './test-utils/synthetic.js';

const lines = syntheticResults();

function sectionHtml(html: string, id: string): string {
  const start = html.indexOf(`<section class="experiment" id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReport (synthetic results)', async () => {
  const { html, sections, answers } = await renderReportWithInfo(lines, { generatedAt: null, title: 'test <report>' });

  it('opens with one figure per seed question, before any table', () => {
    expect(answers).toEqual(['phase-diagram', 'stability', 'untied-choice']);
    const answersAt = html.indexOf('<section id="answers">');
    expect(answersAt).toBeGreaterThan(0);
    expect(html.indexOf('<table')).toBeGreaterThan(html.indexOf('data-chart-kind="untied-choice"'));
    expect(html.indexOf('data-chart-kind="phase-diagram"')).toBeGreaterThan(answersAt);
  });

  it('then one section per experiment, in registry order, with the charts its results call for', () => {
    expect(sections.map((s) => [s.id, s.runs])).toEqual([
      ['experiment-finds-solution', 32],
      ['experiment-stability', 4],
      ['experiment-collisions', 6],
      ['experiment-untied-choice', 4],
    ]);
    const kinds = Object.fromEntries(sections.map((s) => [s.experiment, s.charts.filter((c) => c !== 'weights')]));
    expect(kinds['finds-solution']).toEqual(['loss-curves', 'untied-shift']);
    expect(kinds.stability).toEqual(['loss-curves']);
    expect(kinds.collisions).toEqual(['loss-curves', 'collisions']);
    expect(kinds['untied-choice']).toEqual(['loss-curves', 'untied-shift']);
    for (const s of sections) {
      if (s.experiment !== 'collisions') expect(s.charts.filter((c) => c === 'weights').length).toBeGreaterThan(0);
    }
  });

  it('has one chart target and one spec block per chart, and no static SVG', () => {
    for (const s of sections) {
      const part = sectionHtml(html, s.id);
      expect(part.match(/<figure class="chart"/g)?.length ?? 0).toBe(s.charts.length);
      expect(part.match(/<script type="application\/json" data-chart=/g)?.length ?? 0).toBe(s.charts.length);
    }
    expect(html.replace(/<script>[\s\S]*?<\/script>/g, '')).not.toMatch(/<svg\b/);
  });

  it('is self-contained and CSP-locked: only its own three scripts, allowed by hash; nothing external', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const scripts = reportScripts();
    const executable = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(executable).toEqual(scripts);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toBe(contentSecurityPolicy(scripts));
    for (const s of scripts) expect(csp).toContain(scriptHash(s));
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+' 'sha256-[^']+'; /);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline'[^;]*script/);
    // The CSP comes before any script, and nothing is loaded from anywhere.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
    const page = html.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect(page).not.toMatch(/<(link|img|iframe)\b|src=|@import/);
    expect(html).not.toContain('sourceMappingURL');
    expect(html).toContain('<title>test &lt;report&gt;</title>');
    expect(html).not.toContain('Generated');
  });

  it('says when convergence was not recorded, and the key explains the families shown', () => {
    expect(html).toContain('without convergence status');
    expect(html).toMatch(/<dl class="key"><dt>/);
  });

  it('shows capped (unconverged) runs apart: counted in the meta line and the table, not in the rates', async () => {
    const finds = lines.filter((l) => l.experiment === 'finds-solution');
    const marked = finds.map(({ upgradedFrom: _u, ...l }, k) => ({
      ...l,
      status: k % 4 === 0 ? ('capped' as const) : ('converged' as const),
      step: 100,
    }));
    const { html: h } = await renderReportWithInfo(marked, { generatedAt: null });
    const capped = marked.filter((l) => l.status === 'capped').length;
    expect(h).toContain(
      `${finds.length - capped} converged, ${capped} capped at the step limit (shown apart, not counted in rates)`,
    );
    expect(h).not.toContain('without convergence status');
    expect(h).toContain('capped (not counted)');
  });

  it('renders an empty report for no results', async () => {
    const { html: empty, sections: none } = await renderReportWithInfo([], { generatedAt: '2024-01-01' });
    expect(none).toEqual([]);
    expect(empty).toContain('No results.');
    expect(empty).toContain('Generated 2024-01-01');
  });
});

describe('scriptHash', () => {
  it("is the base64 SHA-256 of the script's UTF-8 text", () => {
    // Known digests (base64, as browsers compute them for CSP).
    expect(scriptHash('alert(1)')).toBe("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
    expect(scriptHash('')).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  });
});
