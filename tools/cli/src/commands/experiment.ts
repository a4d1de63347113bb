/**
 * `polytoy experiment <name>`: run a named, versioned experiment grid as batched multi-instance
 * training calls, appending one JSON line per run. Rerunning with the same `--out` resumes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '@polytoy/core';
import { EXPERIMENT_NAMES, EXPERIMENT_SIZES, EXPERIMENTS, parseShard, runExperiment } from '@polytoy/experiments';
import type { ExperimentSize } from '@polytoy/experiments';
import { jsonlStore, readResultLines } from '@polytoy/experiments/node';
import { initNodeBackend, interruptExitCode, interruptSignal, trainParallel } from '@polytoy/trainer/node';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { checkWritable } from '../output-path.js';
import { OUTPUT_FLAGS, outputChoices, outputSizeLine, withParamsStorage } from '../experiment-output.js';
import { runsLabel } from '../experiment-progress.js';
import { experimentFrom, GRID_FLAG } from '../grid-source.js';
import { experimentJson, printJson } from '../json-output.js';
import { createProgressBar } from '../progress.js';

const FLAGS: FlagSpec[] = [
  GRID_FLAG,
  {
    name: 'size',
    type: 'string',
    placeholder: 'small|full',
    help: 'Grid size: small finishes in minutes on 2 cores',
    defaultText: 'small',
  },
  {
    name: 'out',
    type: 'string',
    placeholder: 'results.jsonl',
    help: 'Results file (JSON lines); existing runs in it are skipped',
    defaultText: 'results/<name>-<size>.jsonl',
  },
  { name: 'shard', type: 'string', placeholder: 'i/N', help: 'Run only slice i of N of the grid (1-based), for job arrays' },
  {
    name: 'max-instances',
    type: 'number',
    integer: true,
    min: 1,
    max: 4096,
    help: 'Most instances per training call',
    defaultText: '64',
  },
  {
    name: 'workers',
    type: 'number',
    integer: true,
    min: 1,
    max: 256,
    help: 'Worker threads per training call (instances split; bit-identical results)',
    defaultText: '1',
  },
  ...OUTPUT_FLAGS,
  { name: 'list', type: 'boolean', help: 'List the experiments and exit' },
  { name: 'quiet', type: 'boolean', help: 'No progress bar' },
  {
    name: 'json',
    type: 'boolean',
    help: 'Print the run report and the per-cell summaries of the results file as one JSON document on stdout',
  },
];

const USAGE = `polytoy experiment <${EXPERIMENT_NAMES.join('|')}> [options]\n       polytoy experiment --grid <file.yaml|file.json> [options]`;

function listExperiments(): string {
  return `${Object.values(EXPERIMENTS)
    .map((d) => `  ${d.name.padEnd(16)} v${d.version}  ${d.description}`)
    .join('\n')}\n`;
}

export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'Run a named experiment grid or your own grid file (resumable; JSON-lines results)',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, { max: 1, what: 'at most one experiment name' });
    if (values.help) {
      process.stdout.write(`${formatHelp(USAGE, this.summary, FLAGS)}\nExperiments:\n${listExperiments()}`);
      return 0;
    }
    if (values.list) {
      process.stdout.write(listExperiments());
      return 0;
    }
    if (!positionals[0] && values.grid === undefined)
      throw new ConfigError('experiment', `a name: ${EXPERIMENT_NAMES.join(' | ')}, or --grid <file>`, undefined);
    const output = outputChoices(values);
    const named = experimentFrom(values.grid as string | undefined, positionals[0]);
    const definition = output.keepParams ? withParamsStorage(named, output.keepParams) : named;
    const name = definition.name;
    const size = (values.size ?? 'small') as ExperimentSize;
    if (!EXPERIMENT_SIZES.includes(size)) throw new ConfigError('--size', EXPERIMENT_SIZES.join(' | '), size);
    const shard = values.shard !== undefined ? parseShard(String(values.shard)) : undefined;
    const out = String(values.out ?? `results/${name}-${size}${shard ? `.shard-${shard.index}-of-${shard.count}` : ''}.jsonl`);
    checkWritable(out, '--out', { createDir: true });
    // Resuming into a file of another experiment, version or size would mix results (and count
    // runs of another size as done): refused.
    if (existsSync(out)) {
      const prior = await readResultLines([out]);
      const other = prior.find((l) => l.experiment !== name || l.version !== definition.version || l.spec.size !== size);
      if (other) {
        throw new ConfigError(
          '--out',
          `a new file or one of ${name} v${definition.version} (${size}) results`,
          `${out} holding ${other.experiment} v${other.version} (${other.spec.size}) lines`,
        );
      }
    }
    mkdirSync(dirname(out), { recursive: true });

    const runtime = await initNodeBackend();
    const quiet = Boolean(values.quiet);
    if (!quiet) {
      process.stderr.write(
        `polytoy experiment ${definition.name} v${definition.version} (${size}${shard ? `, shard ${shard.index}/${shard.count}` : ''}) → ${out} · backend ${runtime.backend} (SIMD ${runtime.simd ? 'on' : 'off'})\n`,
      );
      process.stderr.write(`${outputSizeLine(definition, size, output.history)}\n`);
    }
    const interrupt = interruptSignal();
    let bar: ReturnType<typeof createProgressBar> | undefined;
    try {
      const report = await runExperiment(definition, {
        size,
        store: jsonlStore(out),
        history: output.history,
        signal: interrupt.signal,
        ...(shard ? { shard } : {}),
        ...(values.workers !== undefined && Number(values.workers) > 1
          ? { train: (config, opts) => trainParallel(config, { ...opts, workers: Number(values.workers) }) }
          : {}),
        ...(values['max-instances'] !== undefined ? { maxInstancesPerCall: Number(values['max-instances']) } : {}),
        onProgress: (p) => {
          bar ??= createProgressBar(p.total, definition.name, { quiet, counts: false });
          bar.update(p.done, runsLabel(p));
        },
      });
      bar?.finish(runsLabel({ runsDone: report.ran, runsTotal: report.planned - report.skipped, runsSkipped: report.skipped }));
      if (values.json) {
        printJson(experimentJson(report, out, await readResultLines([out])));
        return 0;
      }
      process.stdout.write(
        `${definition.name}: ${report.ran} run(s) trained in ${report.calls} call(s), ${report.skipped} already done, ` +
          `${report.converged} converged, ${report.capped} capped (not converged), ${report.diverged} diverged, ` +
          `${report.wallSeconds.toFixed(1)} s → ${out}\n` +
          `next: polytoy report ${out} --out report.html\n`,
      );
      return 0;
    } catch (e) {
      if (interrupt.signal.aborted) {
        process.stderr.write(
          `\npolytoy experiment: interrupted; finished runs are in ${out} — rerun the same command to resume\n`,
        );
        return interruptExitCode(interrupt.signal.reason);
      }
      throw e;
    } finally {
      interrupt.dispose();
    }
  },
};
