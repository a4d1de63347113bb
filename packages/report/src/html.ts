/**
 * HTML helpers: escaping, number formatting, tables, figures, the page's stylesheet. Every
 * string that reaches the page goes through {@link escapeHtml} (element content and attribute
 * values) or `jsonForScript` (chart specs in data blocks): values from a results file are text,
 * never markup.
 */
import { jsonForScript } from './embed.js';

/**
 * Escapes text for HTML element content and quoted attribute values (numbers and other values
 * are converted to text first).
 *
 * @example
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
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

/**
 * Formats a fraction as a percentage with one decimal, e.g. `0.5` → `50%`.
 *
 * @example
 * formatPercent(0.1234); // '12.3%'
 */
export function formatPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${Math.round(x * 1000) / 10}%`;
}

/** A table cell: text (escaped), a number, or `{ html }` (trusted markup built from escaped parts). */
export type TableCell = string | number | { html: string };

/**
 * Renders an HTML table (numeric cells right-aligned).
 *
 * @example
 * htmlTable(['n', 'runs'], [[8, 16]]); // '<table class="data">…</table>'
 */
export function htmlTable(headers: readonly string[], rows: readonly (readonly TableCell[])[], className = 'data'): string {
  const cell = (c: TableCell, tag: 'td' | 'th') => {
    const content = typeof c === 'object' ? c.html : escapeHtml(c);
    const numeric = typeof c === 'number' || (typeof c === 'string' && /^[−-]?[\d.]+(e-?\d+)?%?$/.test(c));
    return `<${tag}${numeric ? ' class="num"' : ''}>${content}</${tag}>`;
  };
  const head = `<thead><tr>${headers.map((h) => cell(h, 'th')).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  return `<table class="${escapeHtml(className)}">${head}${body}</table>`;
}

/**
 * A chart figure: an empty target the page's boot script draws into, the compiled spec in a
 * JSON data block, and the caption.
 *
 * @param id - unique element id (letters, digits, dashes).
 * @param vegaSpec - a compiled Vega spec.
 */
export function figure(id: string, vegaSpec: unknown, caption: string, kind: string): string {
  const safeId = escapeHtml(id);
  return `<figure class="chart" data-chart-kind="${escapeHtml(kind)}"><div class="vega-target" id="${safeId}" role="img" aria-label="${escapeHtml(caption)}"></div><script type="application/json" data-chart="${safeId}">${jsonForScript(vegaSpec)}</script><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** Inline stylesheet of the report (no external fonts or resources). */
export const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1320px; padding: 1.2rem 1.5rem; color: #222; box-sizing: border-box; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .4rem; border-bottom: 2px solid #333; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p { max-width: 980px; }
p.meta, .muted { color: #555; }
p.warning { background: #fff4d6; border-left: 4px solid #e6ab02; padding: .4rem .6rem; }
nav ul { padding-left: 1.2rem; margin: .3rem 0; }
figure.chart { margin: .6rem 0 1.4rem; max-width: 100%; }
figure.chart .vega-target { min-height: 40px; }
figure.chart svg { display: block; }
figcaption { font-size: 12.5px; color: #444; max-width: 980px; margin-top: .3rem; }
.gallery figure.chart { display: inline-block; vertical-align: top; margin-right: 1.5rem; }
table.data { border-collapse: collapse; font-size: 12px; margin: .4rem 0 1rem; max-width: 100%; }
table.data th, table.data td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; }
/* Numbers never break; text cells may, at spaces, so that a table with many coordinates fits. */
table.data td.num { white-space: nowrap; }
table.data td .wrap { min-width: 14em; }
table.data th { background: #f4f4f4; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
details > summary { cursor: pointer; color: #333; margin: .3rem 0; }
code { font-size: 12px; background: #f6f6f6; padding: 0 3px; overflow-wrap: anywhere; }
dl.key { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; font-size: 12.5px; max-width: 980px; }
dl.key dt { font-weight: 600; }
dl.key dd { margin: 0; }
#vg-tooltip-element { font-size: 12px; }
`;
