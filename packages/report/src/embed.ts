/**
 * Interactive charts in a self-contained, offline file: Vega and vega-embed are inlined as
 * scripts, every chart's (compiled) spec sits in a `<script type="application/json">` data block,
 * and a small boot script embeds them (SVG renderer, tooltips, Vega's expression interpreter
 * instead of `eval`). The page's Content-Security-Policy allows exactly these scripts by their
 * SHA-256 hashes: an inline script or event handler that got into the page any other way
 * (an escaping bug, a crafted results file) does not run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The build directory of an installed package (its main entry lives there). */
function buildDir(pkg: string): string {
  return dirname(require.resolve(pkg));
}

/** The text of an inlined library, without its source-map comment (no file to fetch offline). */
function library(pkg: string, file: string): string {
  return readFileSync(join(buildDir(pkg), file), 'utf8')
    .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '')
    .trim();
}

/**
 * Embeds every chart whose data block is on the page. Charts render one after another from an
 * idle callback so that the page paints first; each target gets `data-rendered` when done (the
 * browser tests wait for it) and shows a one-line message if Vega fails.
 */
export const BOOT_SCRIPT = `(function () {
  var blocks = Array.prototype.slice.call(document.querySelectorAll('script[type="application/json"][data-chart]'));
  var pending = blocks.length;
  function finished() { if (--pending <= 0) document.body.setAttribute('data-charts', 'rendered'); }
  if (pending === 0) { document.body.setAttribute('data-charts', 'rendered'); return; }
  blocks.forEach(function (block) {
    var target = document.getElementById(block.getAttribute('data-chart'));
    if (!target) { finished(); return; }
    var spec = JSON.parse(block.textContent);
    vegaEmbed(target, spec, { mode: 'vega', renderer: 'svg', actions: false, ast: true, tooltip: { theme: 'light' } })
      .then(function () { target.setAttribute('data-rendered', 'true'); })
      .catch(function (e) { target.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : String(e)); console.error(e); })
      .then(finished);
  });
})();`;

/** The scripts of a report page, in order: Vega, vega-embed, the boot script. */
export function reportScripts(): string[] {
  return [library('vega', 'vega.min.js'), library('vega-embed', 'vega-embed.min.js'), BOOT_SCRIPT];
}

/**
 * `'sha256-…'` source expression of a script's text (the exact bytes between the tags).
 *
 * @example
 * scriptHash('alert(1)'); // "'sha256-…'"
 */
export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/**
 * The Content-Security-Policy of a report: nothing may load; scripts only by the given hashes;
 * inline styles allowed (Vega's tooltip adds one); images only as data URLs.
 *
 * @example
 * contentSecurityPolicy(reportScripts()); // "default-src 'none'; script-src 'sha256-…' …"
 */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(scriptHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * JSON that is safe inside a `<script type="application/json">` block: `<`, `>`, `&` and the
 * line separators U+2028/9 are written as `\\u` escapes, so no string can close the block
 * (`</script>`) or open a comment (`<!--`). `JSON.parse` reads it back unchanged.
 *
 * @example
 * jsonForScript({ t: '</script>' }); // '{"t":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
