/**
 * Vega-Lite in the report: specs are compiled to Vega in Node (so the page needs only Vega and
 * vega-embed, not the Vega-Lite compiler) with one shared look; {@link renderVegaLite} also
 * renders a spec to a static SVG string without a browser (tests, other tools).
 */
import { parse, View } from 'vega';
import type { LoggerInterface } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Shared look: small sans-serif text, white background, and no label truncation anywhere
 * (`labelLimit: 0`): a label that does not fit is a layout bug, not something to hide behind "…".
 */
export const VEGA_CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 4,
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridColor: '#eeeeee', labelLimit: 0, titleLimit: 0 },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 0, titleLimit: 0, symbolLimit: 0 },
  header: { labelFontSize: 11, titleFontSize: 11, labelLimit: 0, titleLimit: 0 },
  title: { fontSize: 13, anchor: 'start' as const, limit: 0, subtitleFontSize: 11, subtitleColor: '#555555' },
  text: { limit: 0 },
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
 * Compiles a Vega-Lite spec (with the report's config) to a Vega spec. Compiler warnings go to
 * `onWarning` (default: dropped), not to the console.
 *
 * @example
 * const vg = compileVegaLite({ data: { values: [{ x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } });
 * vg.marks; // the Vega marks
 */
export function compileVegaLite(spec: TopLevelSpec, onWarning?: (message: string) => void): Record<string, unknown> {
  const withConfig = { ...spec, config: { ...VEGA_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const logger = new CollectingLogger();
  const vgSpec = compile(withConfig, { logger }).spec as unknown as Record<string, unknown>;
  for (const m of logger.messages) onWarning?.(m);
  return vgSpec;
}

/**
 * Renders a Vega-Lite spec to a static SVG string (no DOM, no scripts, no external resources).
 *
 * @param spec - a Vega-Lite spec with inline data (`data: { values: [...] }`).
 * @returns `<svg …>…</svg>`.
 * @example
 * const svg = await renderVegaLite({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderVegaLite(spec: TopLevelSpec, onWarning?: (message: string) => void): Promise<string> {
  const view = new View(parse(compileVegaLite(spec, onWarning) as never), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
