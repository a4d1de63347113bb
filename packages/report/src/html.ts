/**
 * Small HTML helpers: escaping, number formatting, tables. Everything the report writes goes
 * through {@link escapeHtml} except SVG produced by Vega.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Formats a number for tables: 3 significant digits, exponent notation below 1e-3 or from 1e5,
 * `—` for null/undefined/NaN.
 *
 * @example
 * formatNumber(0.000123); // '1.23e-4'
 * formatNumber(12.3456);  // '12.3'
 */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) {
    const [mant, exp] = x.toExponential(digits - 1).split('e');
    return `${Number(mant)}e${Number(exp)}`;
  }
  return String(Number(x.toPrecision(digits)));
}

/** Formats a fraction as a percentage, e.g. `0.5` → `50%`. */
export function formatPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${Math.round(x * 1000) / 10}%`;
}

/** A table cell: text (escaped) or `{ html }` (trusted). */
export type TableCell = string | number | { html: string };

/**
 * Renders an HTML table.
 *
 * @example
 * htmlTable(['n', 'runs'], [[8, 16]]); // '<table>…</table>'
 */
export function htmlTable(headers: readonly string[], rows: readonly (readonly TableCell[])[], className = 'data'): string {
  const cell = (c: TableCell, tag: 'td' | 'th') => {
    const content = typeof c === 'object' ? c.html : escapeHtml(String(c));
    const numeric = typeof c === 'number' || (typeof c === 'string' && /^[−-]?[\d.]+(e-?\d+)?%?$/.test(c));
    return `<${tag}${numeric ? ' class="num"' : ''}>${content}</${tag}>`;
  };
  const head = `<thead><tr>${headers.map((h) => cell(h, 'th')).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  return `<table class="${escapeHtml(className)}">${head}${body}</table>`;
}

/** Wraps an SVG in a figure with a caption. */
export function figure(svg: string, caption: string, kind: string): string {
  return `<figure class="chart" data-chart="${escapeHtml(kind)}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** Inline stylesheet of the report (no external fonts or resources). */
export const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1280px; padding: 1.5rem; color: #222; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .4rem; border-bottom: 2px solid #333; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.meta, .muted { color: #666; }
nav ul { padding-left: 1.2rem; }
figure.chart { display: inline-block; vertical-align: top; margin: .4rem 1rem .8rem 0; max-width: 100%; overflow-x: auto; }
figure.chart svg { display: block; max-width: none; }
figcaption { font-size: 12px; color: #555; max-width: 640px; }
table.data { border-collapse: collapse; font-size: 12px; margin: .4rem 0 1rem; }
table.data th, table.data td { border: 1px solid #ddd; padding: 2px 6px; }
table.data th { background: #f4f4f4; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
details > summary { cursor: pointer; color: #333; margin: .3rem 0; }
code { font-size: 12px; background: #f6f6f6; padding: 0 3px; }
`;
