/**
 * Vega-Lite → SVG in Node (or a browser) without a DOM or canvas: compile with `vega-lite`,
 * run a headless `vega` View, serialise its scenegraph with `toSVG()`. The SVG is static: no
 * scripts, no external resources.
 */
import { parse, View } from 'vega';
import type { LoggerInterface } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Shared look: small sans-serif text, no chart border, white background. */
const CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 240 },
  header: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const },
};

/** A logger that keeps Vega-Lite's warnings instead of printing them. */
class CollectingLogger implements LoggerInterface {
  readonly messages: string[] = [];
  private current = 2;
  level(_?: number): number | LoggerInterface {
    if (_ === undefined) return this.current;
    this.current = _;
    return this;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    this.messages.push(`warning: ${args.map(String).join(' ')}`);
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/**
 * Renders a Vega-Lite spec to an SVG string. Compiler warnings go to `onWarning` (default:
 * dropped), not to the console.
 *
 * @param spec - a Vega-Lite spec with inline data (`data: { values: [...] }`).
 * @returns `<svg …>…</svg>`.
 * @example
 * const svg = await renderVegaLite({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderVegaLite(spec: TopLevelSpec, onWarning?: (message: string) => void): Promise<string> {
  const withConfig = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const logger = new CollectingLogger();
  const vgSpec = compile(withConfig, { logger }).spec;
  for (const m of logger.messages) onWarning?.(m);
  const view = new View(parse(vgSpec), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
