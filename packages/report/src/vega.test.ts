import { describe, expect, it } from 'vitest';
import { renderVegaLite } from './vega.js';

describe('renderVegaLite', () => {
  it('renders a log-axis line chart to a static SVG with one path through every point', async () => {
    const svg = await renderVegaLite({
      data: {
        values: [
          { x: 1, y: 1 },
          { x: 10, y: 100 },
          { x: 100, y: 10 },
        ],
      },
      mark: 'line',
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
        y: { field: 'y', type: 'quantitative', scale: { type: 'log' } },
      },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href="http/);
    const path = /<path[^>]*aria-roledescription="line mark"[^>]*d="([^"]+)"/.exec(svg);
    expect(path).not.toBeNull();
    // Three points → one moveto and two linetos.
    expect(path![1]!.match(/[ML]/g)).toEqual(['M', 'L', 'L']);
  });
});
