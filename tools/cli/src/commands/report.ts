/**
 * `polytoy report <results.jsonl…>`: one self-contained HTML file with the weight heat maps,
 * loss curves, success rates and the collisions plot (Vega-Lite rendered to inline SVG).
 */
import { resolve } from 'node:path';
import { ConfigError } from '@polytoy/core';
import { EXPERIMENTS } from '@polytoy/experiments';
import type { ResultLine } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';
import { renderReportWithInfo } from '@polytoy/report';
import { writeFileAtomic } from '@polytoy/trainer/node';
import { checkWritable, STDOUT } from '../output-path.js';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'out',
    type: 'string',
    placeholder: 'report.html',
    help: 'Output HTML file (- for stdout)',
    defaultText: 'report.html',
  },
  { name: 'title', type: 'string', help: 'Page title', defaultText: 'polytoy experiment report' },
  {
    name: 'heatmaps',
    type: 'number',
    integer: true,
    min: 0,
    max: 1000,
    help: 'Weight heat maps per experiment',
    defaultText: '8',
  },
];

// Grid files name their experiments like this (see @polytoy/experiments' grid-file schema).
const GRID_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Lines of an unknown experiment or version are refused rather than rendered as if known. */
function checkKnown(lines: readonly ResultLine[]): void {
  for (const l of lines) {
    const def = Object.hasOwn(EXPERIMENTS, l.experiment) ? EXPERIMENTS[l.experiment] : undefined;
    if (!def && !GRID_NAME.test(l.experiment))
      throw new ConfigError('experiment', 'a built-in experiment or a grid-file name', l.experiment);
    if (!Number.isSafeInteger(l.version) || l.version < 1 || (def && l.version > def.version))
      throw new ConfigError(
        `${l.experiment} version`,
        def ? `a version from 1 to ${def.version}` : 'a positive integer version',
        l.version,
      );
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render experiment results as one self-contained HTML report',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, { max: Number.POSITIVE_INFINITY, what: 'results files' });
    if (values.help) {
      process.stdout.write(formatHelp('polytoy report <results.jsonl…> [options]', this.summary, FLAGS));
      return 0;
    }
    if (positionals.length === 0) throw new ConfigError('report', 'one or more results files (JSON lines)', undefined);
    const out = String(values.out ?? 'report.html');
    if (positionals.some((p) => resolve(p) === resolve(out))) throw new ConfigError('--out', 'a file other than the inputs', out);
    checkWritable(out, '--out');
    const lines = await readResultLines(positionals, {
      onTruncated: (path, bytes) =>
        process.stderr.write(`polytoy report: ${path}: the last line is cut short (${bytes} bytes, a killed writer?); ignored\n`),
    });
    checkKnown(lines);
    if (lines.length === 0) throw new ConfigError('report', 'results files with at least one run', positionals.join(' '));
    const { html, sections } = await renderReportWithInfo(lines, {
      sources: positionals,
      ...(values.title !== undefined ? { title: String(values.title) } : {}),
      ...(values.heatmaps !== undefined ? { maxHeatmaps: Number(values.heatmaps) } : {}),
    });
    // `--out -` writes the HTML to stdout and the section list to stderr.
    const info = out === STDOUT ? process.stderr : process.stdout;
    if (out === STDOUT) process.stdout.write(html);
    else await writeFileAtomic(out, html);
    for (const s of sections) info.write(`  ${s.experiment} v${s.version}: ${s.runs} runs, ${s.charts.length} charts\n`);
    if (out !== STDOUT) process.stdout.write(`wrote ${out} (${(html.length / 1024).toFixed(0)} KiB)\n`);
    return 0;
  },
};
