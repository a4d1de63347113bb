/**
 * `polytoy report <results.jsonl…>`: one self-contained HTML file with the weight heat maps,
 * loss curves, success rates and the collisions plot (Vega-Lite rendered to inline SVG).
 */
import { writeFileSync } from 'node:fs';
import { ConfigError } from '@polytoy/core';
import { readResultLines } from '@polytoy/experiments/node';
import { renderReportWithInfo } from '@polytoy/report';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', placeholder: 'report.html', help: 'Output HTML file', defaultText: 'report.html' },
  { name: 'title', type: 'string', help: 'Page title', defaultText: 'polytoy experiment report' },
  { name: 'heatmaps', type: 'number', help: 'Weight heat maps per experiment', defaultText: '8' },
];

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render experiment results as one self-contained HTML report',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help) {
      process.stdout.write(formatHelp('polytoy report <results.jsonl…> [options]', this.summary, FLAGS));
      return 0;
    }
    if (positionals.length === 0) throw new ConfigError('report', 'one or more results files (JSON lines)', undefined);
    const lines = await readResultLines(positionals);
    if (lines.length === 0) throw new ConfigError('report', 'results files with at least one run', positionals.join(' '));
    const { html, sections } = await renderReportWithInfo(lines, {
      sources: positionals,
      ...(values.title !== undefined ? { title: String(values.title) } : {}),
      ...(values.heatmaps !== undefined ? { maxHeatmaps: Number(values.heatmaps) } : {}),
    });
    const out = String(values.out ?? 'report.html');
    writeFileSync(out, html);
    for (const s of sections)
      process.stdout.write(`  ${s.experiment} v${s.version}: ${s.runs} runs, ${s.charts.length} charts\n`);
    process.stdout.write(`wrote ${out} (${(html.length / 1024).toFixed(0)} KiB)\n`);
    return 0;
  },
};
