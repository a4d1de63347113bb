/**
 * `polytoy merge`: combines results files (the shards of `polytoy experiment --shard i/N`, or
 * resumed and collected runs) into one, deduplicated by run id. Fails on files of different
 * experiments, versions or sizes, and on a run id with two different results.
 */
import { resolve } from 'node:path';
import { ConfigError } from '@polytoy/core';
import { checkWritable } from '../output-path.js';
import { EXPERIMENTS } from '@polytoy/experiments';
import { readResultLines, writeResultLines } from '@polytoy/experiments/node';
import { mergeResults } from '@polytoy/queue';
import type { MergeSource } from '@polytoy/queue';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { mergeJson, printJson } from '../json-output.js';

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', placeholder: 'merged.jsonl', help: 'Where to write the merged results (required)' },
  { name: 'partial', type: 'boolean', help: 'Write the merged file even when planned runs are missing' },
  { name: 'json', type: 'boolean', help: 'Print what was merged (counts, missing run ids, output) as JSON on stdout' },
];

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Combine results files (e.g. the shards of --shard i/N) into one',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, { max: Number.POSITIVE_INFINITY, what: 'results files' });
    if (values.help) {
      process.stdout.write(formatHelp('polytoy merge <results.jsonl>... --out <merged.jsonl>', this.summary, FLAGS));
      return 0;
    }
    if (positionals.length === 0) throw new ConfigError('files', 'one or more results files', undefined);
    const out = values.out as string | undefined;
    if (!out) throw new ConfigError('--out', 'the merged file to write', undefined);
    const same = positionals.find((p) => resolve(p) === resolve(out));
    if (same !== undefined) throw new ConfigError('--out', `a file other than the inputs (${same} is one)`, out);
    checkWritable(out, '--out', { createDir: true });
    const sources: MergeSource[] = [];
    const onTruncated = (path: string, bytes: number) =>
      process.stderr.write(`polytoy merge: ${path}: the last line is cut short (${bytes} bytes, a killed writer?); ignored\n`);
    for (const path of positionals) sources.push({ name: path, lines: await readResultLines([path], { onTruncated }) });
    const name = sources.find((s) => s.lines.length > 0)?.lines[0]?.experiment;
    const definition = name !== undefined && Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
    const merged = mergeResults(sources, definition ? { definition } : {});
    const label = `${merged.experiment} v${merged.version} (${merged.size})`;
    if (merged.missing && merged.missing.length > 0 && !values.partial) {
      process.stderr.write(
        `polytoy merge: ${label}: ${merged.missing.length} planned runs are in none of the files ` +
          '(a shard missing or unfinished?); nothing written (--partial writes what there is)\n',
      );
      if (values.json) printJson(mergeJson(merged, positionals, null));
      return 1;
    }
    await writeResultLines(out, merged.lines);
    if (values.json) {
      printJson(mergeJson(merged, positionals, out));
      return 0;
    }
    const planned = merged.missing ? ` of ${merged.lines.length + merged.missing.length} planned` : '';
    process.stdout.write(
      `${label}: ${merged.lines.length}${planned} runs from ${merged.inputLines} lines in ${sources.length} files ` +
        `(${merged.duplicates} duplicates dropped) → ${out}\n`,
    );
    return 0;
  },
};
