/**
 * `polytoy train`: train one or many instances, show progress, print a one-screen summary,
 * optionally write the run as JSON (`--out`), loss logs (`--log`) and checkpoints.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  ConfigError,
  DEFAULTS,
  defaultHiddenSize,
  PolytoyError,
  parseRunRecord,
  resolveTrainConfig,
  toRunRecord,
} from '@polytoy/core';
import type { LossRecord, TrainConfig } from '@polytoy/core';
import { sameSignConstruction } from '@polytoy/analytic';
import { jsonLinesLogger, serializeCheckpoint, train, TrainingAbortedError } from '@polytoy/trainer';
import {
  fileCheckpointSink,
  initNodeBackend,
  interruptExitCode,
  interruptSignal,
  readCheckpoint,
  trainParallel,
  writeFileAtomic,
} from '@polytoy/trainer/node';
import type { Command } from '../command.js';
import { formatHelp, parseFlags } from '../flags.js';
import { printJson, trainJson } from '../json-output.js';
import { checkTrainMemory, trainSizeOf } from '../memory-bound.js';
import { checkWritable, STDOUT } from '../output-path.js';
import { createProgressBar } from '../progress.js';
import { summariseRun, formatSummary } from '../summary.js';
import { readJsonFile, TRAIN_FLAGS, trainInputFromFlags } from '../train-flags.js';

const USAGE = 'polytoy train [options]';
const DEFAULT_INTERRUPT_CHECKPOINT = 'polytoy-interrupted.checkpoint.json';
// Flags that do not change the trained model: allowed with --resume (steps and log-every extend
// or re-space the run; the trainer checks everything else matches the checkpoint's config).
const RESUME_FLAGS = new Set([
  'resume',
  'steps',
  'log-every',
  'out',
  'log',
  'checkpoint',
  'checkpoint-every',
  'quiet',
  'json',
  'workers',
  'split',
]);

const SUMMARY = `Train the toy autoencoder (defaults: the seed's model, n=${DEFAULTS.data.n}, m=n/2+1, ${DEFAULTS.optimizer.kind}, lambda ${DEFAULTS.model.lambda.toExponential()}).`;

/** Resolves `--init-from`: a run.json (its first instance's params) or "construction". */
function initParamsFrom(source: string, n: number | undefined, m: number | undefined): unknown {
  if (source === 'construction') {
    const nn = n ?? DEFAULTS.data.n;
    return sameSignConstruction({ n: nn, m: m ?? defaultHiddenSize(nn), c: DEFAULTS.construction.c });
  }
  return parseRunRecord(readJsonFile(source, '--init-from')).params[0];
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a model and print a summary (--help for options)',
  async run(argv) {
    const { values } = parseFlags(argv, TRAIN_FLAGS);
    if (values.help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, TRAIN_FLAGS));
      return 0;
    }
    if (values.resume !== undefined) {
      const conflicting = Object.keys(values).filter((k) => !RESUME_FLAGS.has(k));
      if (conflicting.length > 0)
        throw new ConfigError(
          `--${conflicting[0]}`,
          "no model or data flags with --resume (the checkpoint's config is used; --steps and --log-every extend it)",
          values[conflicting[0]!],
        );
    }
    const out = values.out !== undefined ? String(values.out) : undefined;
    if (out === STDOUT && values.json) throw new ConfigError('--out', 'a file with --json (both would print on stdout)', out);
    // Every output path is checked before anything trains (exit 1, one line).
    if (out !== undefined) checkWritable(out, '--out');
    if (values.log !== undefined) checkWritable(String(values.log), '--log');
    if (values.checkpoint !== undefined) checkWritable(String(values.checkpoint), '--checkpoint');
    const resume = values.resume ? await readCheckpoint(String(values.resume)) : undefined;
    let config: TrainConfig;
    if (resume) {
      const extended = {
        ...(resume.config as Record<string, unknown>),
        ...(values.steps !== undefined ? { steps: values.steps } : {}),
        ...(values['log-every'] !== undefined ? { logEvery: values['log-every'] } : {}),
      };
      config = resolveTrainConfig(extended);
    } else {
      const init =
        values['init-from'] !== undefined
          ? initParamsFrom(String(values['init-from']), values.n as number | undefined, values.m as number | undefined)
          : undefined;
      const input = trainInputFromFlags(values, init);
      // Refuse before resolving: resolving `instances: 1e9` alone would allocate the instance list.
      const size = trainSizeOf(input);
      if (size) checkTrainMemory(size);
      config = resolveTrainConfig(input);
    }
    checkTrainMemory({
      n: config.model.n,
      m: config.model.m,
      batch: config.batchSize,
      instances: config.instances.length,
      untied: config.model.weights.kind === 'untied',
    });

    const runtime = await initNodeBackend();
    const quiet = Boolean(values.quiet);
    const I = config.instances.length;
    if (!quiet) {
      process.stderr.write(
        `polytoy train: n=${config.model.n} m=${config.model.m} ${config.model.weights.kind} ` +
          `hidden=${config.model.hiddenActivation} lambda=${config.model.l1.lambda} ${config.optimizer.kind} lr=${config.optimizer.lr} ` +
          `steps=${config.steps} batch=${config.batchSize} instances=${I} · backend ${runtime.backend} (SIMD ${runtime.simd ? 'on' : 'off'})\n`,
      );
    }

    // The log is appended one whole line per write; a failed write (disk full) stops the run
    // with one line instead of an unhandled stream error.
    const logPath = values.log !== undefined ? String(values.log) : undefined;
    const logFd = logPath !== undefined ? openSync(logPath, resume ? 'a' : 'w') : undefined;
    const toLog =
      logFd !== undefined
        ? jsonLinesLogger((line) => {
            try {
              writeSync(logFd, `${line}\n`);
            } catch (e) {
              throw new PolytoyError(`--log: cannot write ${JSON.stringify(logPath)}: ${(e as Error).message}`);
            }
          })
        : undefined;
    const bar = createProgressBar(config.steps, 'train', { quiet });
    let latest: LossRecord | undefined;
    const interrupt = interruptSignal();
    interrupt.signal.addEventListener('abort', () => {
      process.stderr.write('\npolytoy train: interrupted; saving a last checkpoint (Ctrl-C again to quit now)\n');
    });
    try {
      const checkpoint = values.checkpoint
        ? fileCheckpointSink(String(values.checkpoint), Number(values['checkpoint-every'] ?? 1000))
        : undefined;
      const workers = (values.workers as number | undefined) ?? 1;
      const split = values.split !== undefined ? String(values.split) : undefined;
      if (split !== undefined && split !== 'instances' && split !== 'batch')
        throw new ConfigError('--split', '"instances" | "batch"', split);
      const run =
        workers > 1 || split
          ? (c: TrainConfig, o: Parameters<typeof train>[1]) => trainParallel(c, { ...o, workers, ...(split ? { split } : {}) })
          : train;
      const result = await run(config, {
        onProgress: (p) => bar.update(p.done, p.loss !== undefined ? `loss ${p.loss.toPrecision(4)}` : ''),
        onLog: (r) => {
          latest = r;
          toLog?.(r);
        },
        signal: interrupt.signal,
        ...(checkpoint ? { checkpoint } : {}),
        ...(resume ? { resumeFrom: resume } : {}),
      });
      bar.finish(latest ? `loss ${latest.loss.toPrecision(4)}` : '');
      const analysis = summariseRun(result);
      // With `--out -` the run JSON owns stdout; the summary goes to stderr.
      const human = out === STDOUT ? process.stderr : process.stdout;
      if (!values.json) human.write(formatSummary(result, analysis));
      if (out !== undefined) {
        const text = `${JSON.stringify(toRunRecord(result, { summary: analysis }))}\n`;
        if (out === STDOUT) process.stdout.write(text);
        else {
          await writeFileAtomic(out, text);
          if (!values.json) process.stdout.write(`wrote ${out}\n`);
        }
      }
      if (values.json) printJson(trainJson(result, analysis, out ?? null));
      // Diverged instances are reported (and kept out of the results); the run fails with one line.
      if (result.diverged.length > 0) {
        const d = result.diverged;
        process.stderr.write(
          `polytoy train: ${d.length} of ${I} instance${I === 1 ? '' : 's'} diverged (first: ${d[0]!.message})` +
            `${d.length < I ? '; the others are in the summary' : ''}${values.out && d.length < I ? ` and ${values.out}` : ''}\n`,
        );
        return 1;
      }
      return 0;
    } catch (e) {
      if (e instanceof TrainingAbortedError) {
        // Ctrl-C always leaves a checkpoint: the --checkpoint file, or a default one.
        const path = values.checkpoint ? String(values.checkpoint) : DEFAULT_INTERRUPT_CHECKPOINT;
        if (!e.written) await writeFileAtomic(path, JSON.stringify(serializeCheckpoint(e.checkpoint)));
        process.stderr.write(`polytoy train: stopped after step ${e.step}; resume with: polytoy train --resume ${path}\n`);
        return interruptExitCode(interrupt.signal.reason);
      }
      if (e instanceof PolytoyError) process.stderr.write('\n');
      throw e;
    } finally {
      interrupt.dispose();
      if (logFd !== undefined) closeSync(logFd);
    }
  },
};
