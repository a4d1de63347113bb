/**
 * `polytoy analyze`: the exact analysis of the seed's construction for one (n, lambda): its
 * losses beside the competitors', the reduced optimum c*, the local (gradient/Hessian) analysis,
 * where gradient flow from it goes, and the stability verdict.
 */
import { analyzeConstruction } from '@polytoy/analytic';
import { ConfigError } from '@polytoy/core';
import { writeFileAtomic } from '@polytoy/trainer/node';
import { checkWritable, STDOUT } from '../output-path.js';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { formatAnalysisReport } from '../format-analysis.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'n',
    type: 'number',
    integer: true,
    min: 4,
    max: 32,
    help: 'Features (a multiple of 4, at most 32: exact enumeration)',
    defaultText: '16',
  },
  { name: 'lambda', type: 'number', min: 0, help: 'L1 coefficient on activations', defaultText: '1e-3' },
  {
    name: 'm',
    type: 'number',
    integer: true,
    min: 1,
    max: 64,
    help: 'Hidden neurons (extra ones start at zero)',
    defaultText: 'the construction minimum',
  },
  { name: 'c', type: 'number', min: 0.5, help: 'Construction constant c (>= 1/2); bias -c', defaultText: '0.5' },
  {
    name: 'hidden',
    type: 'string',
    placeholder: 'none|relu',
    help: 'Hidden activation (relu analyses the two-neuron construction)',
    defaultText: 'none',
  },
  { name: 'no-flow', type: 'boolean', help: 'Skip the gradient-flow simulation' },
  { name: 'json', type: 'boolean', help: 'Print the report as JSON instead of text' },
  { name: 'out', type: 'string', placeholder: 'analysis.json', help: 'Also write the JSON report to a file (- for stdout)' },
];

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: "Exact stability analysis of the seed's construction under L1",
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS);
    if (values.help) {
      process.stdout.write(formatHelp('polytoy analyze [options]', this.summary, FLAGS));
      return 0;
    }
    const out = values.out !== undefined ? String(values.out) : undefined;
    if (out !== undefined) checkWritable(out, '--out');
    const hidden = values.hidden ?? 'none';
    if (hidden !== 'none' && hidden !== 'relu') throw new ConfigError('--hidden', '"none" | "relu"', hidden);
    const report = analyzeConstruction({
      n: (values.n as number | undefined) ?? 16,
      lambda: (values.lambda as number | undefined) ?? 1e-3,
      ...(values.c !== undefined ? { c: values.c as number } : {}),
      hiddenActivation: hidden,
      ...(values.m !== undefined ? { m: values.m as number } : {}),
      ...(values['no-flow'] ? { flow: false as const } : {}),
    });
    const json = `${JSON.stringify(report, null, 1)}\n`;
    // `--out -` prints the JSON report on stdout (the text report then goes to stderr).
    if (out === STDOUT) {
      if (!values.json) process.stderr.write(`${formatAnalysisReport(report)}\n`);
      process.stdout.write(json);
      return 0;
    }
    if (out !== undefined) await writeFileAtomic(out, json);
    process.stdout.write(values.json ? json : `${formatAnalysisReport(report)}\n`);
    return 0;
  },
};
