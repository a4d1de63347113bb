/**
 * `polytoy experiment <name>`: run a named, versioned experiment grid as batched multi-instance
 * training calls, appending one JSON line per run. Rerunning with the same `--out` resumes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '@polytoy/core';
import { EXPERIMENT_NAMES, EXPERIMENT_SIZES, EXPERIMENTS, getExperiment, parseShard, runExperiment } from '@polytoy/experiments';
import type { ExperimentSize } from '@polytoy/experiments';
import { jsonlStore } from '@polytoy/experiments/node';
import { initNodeBackend, interruptSignal, trainParallel } from '@polytoy/trainer/node';
import type { Command } from '../command.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { createProgressBar } from '../progress.js';

const FLAGS: FlagSpec[] = [
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
  { name: 'max-instances', type: 'number', help: 'Most instances per training call', defaultText: '64' },
  {
    name: 'workers',
    type: 'number',
    help: 'Worker threads per training call (instances split; bit-identical results)',
    defaultText: '1',
  },
  { name: 'list', type: 'boolean', help: 'List the experiments and exit' },
  { name: 'quiet', type: 'boolean', help: 'No progress bar' },
];

const USAGE = `polytoy experiment <${EXPERIMENT_NAMES.join('|')}> [options]`;

function listExperiments(): string {
  return `${Object.values(EXPERIMENTS)
    .map((d) => `  ${d.name.padEnd(16)} v${d.version}  ${d.description}`)
    .join('\n')}\n`;
}

export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'Run a named experiment grid (resumable; JSON-lines results)',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help) {
      process.stdout.write(`${formatHelp(USAGE, this.summary, FLAGS)}\nExperiments:\n${listExperiments()}`);
      return 0;
    }
    if (values.list) {
      process.stdout.write(listExperiments());
      return 0;
    }
    const name = positionals[0];
    if (!name) throw new ConfigError('experiment', `a name: ${EXPERIMENT_NAMES.join(' | ')}`, undefined);
    const definition = getExperiment(name);
    const size = (values.size ?? 'small') as ExperimentSize;
    if (!EXPERIMENT_SIZES.includes(size)) throw new ConfigError('--size', EXPERIMENT_SIZES.join(' | '), size);
    const shard = values.shard !== undefined ? parseShard(String(values.shard)) : undefined;
    const out = String(values.out ?? `results/${name}-${size}${shard ? `.shard-${shard.index}-of-${shard.count}` : ''}.jsonl`);
    mkdirSync(dirname(out), { recursive: true });

    const runtime = await initNodeBackend();
    const quiet = Boolean(values.quiet);
    if (!quiet) {
      process.stderr.write(
        `polytoy experiment ${definition.name} v${definition.version} (${size}${shard ? `, shard ${shard.index}/${shard.count}` : ''}) → ${out} · backend ${runtime.backend} (SIMD ${runtime.simd ? 'on' : 'off'})\n`,
      );
    }
    const interrupt = interruptSignal();
    let bar: ReturnType<typeof createProgressBar> | undefined;
    try {
      const report = await runExperiment(definition, {
        size,
        store: jsonlStore(out),
        signal: interrupt.signal,
        ...(shard ? { shard } : {}),
        ...(values.workers !== undefined && Number(values.workers) > 1
          ? { train: (config, opts) => trainParallel(config, { ...opts, workers: Number(values.workers) }) }
          : {}),
        ...(values['max-instances'] !== undefined ? { maxInstancesPerCall: Number(values['max-instances']) } : {}),
        onProgress: (p) => {
          bar ??= createProgressBar(p.total, definition.name, process.stderr, quiet, false);
          bar.update(
            p.done,
            `runs ${p.runsDone + p.runsSkipped}/${p.runsTotal}${p.runsSkipped ? ` (${p.runsSkipped} resumed)` : ''}`,
          );
        },
      });
      bar?.finish(`runs ${report.skipped + report.ran}/${report.planned}`);
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
        return 130;
      }
      throw e;
    } finally {
      interrupt.dispose();
    }
  },
};
