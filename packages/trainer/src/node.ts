/**
 * `@polytoy/trainer/node`: the Node-only part of the trainer (file system, module resolution,
 * process signals), kept out of the main entry so that it stays importable in a browser bundle.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RuntimeInfo } from '@polytoy/core';
import { ConfigError, PolytoyError } from '@polytoy/core';
import { initBackend } from './backend.js';
import type { BackendOptions } from './backend.js';
import { wasmDistDir } from './wasm-dist.js';

export { wasmDistDir } from './wasm-dist.js';
export { mergeCheckpoints, setTrainerWorkerEntry, sliceCheckpoint, trainParallel } from './parallel.js';
export type { ParallelOptions } from './parallel.js';
export { splitRows } from './split-replica.js';
export { isTrainerWorker, runTrainerWorker } from './worker.js';
import { deserializeCheckpoint, serializeCheckpoint } from './checkpoint.js';
import type { Checkpoint, CheckpointSink } from './checkpoint.js';

/**
 * {@link initBackend} for Node: points tfjs-backend-wasm at its own installed `dist/` (absolute
 * path), selects it and checks SIMD.
 *
 * @example
 * import { initNodeBackend } from '@polytoy/trainer/node';
 * const runtime = await initNodeBackend(); // { backend: 'wasm', simd: true, kernels: 'polytoy', ... }
 * await initNodeBackend({ kernels: 'stock' }); // tfjs-backend-wasm's own kernels, for comparisons
 */
export function initNodeBackend(opts: Omit<BackendOptions, 'wasmPaths'> = {}): Promise<RuntimeInfo> {
  return initBackend({ ...opts, wasmPaths: wasmDistDir() });
}

let tmpCounter = 0;

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory is written,
 * fsynced and renamed over `path`, so readers see the old or the new file, never a torn one;
 * a failure (disk full, permissions) removes the temporary file and leaves `path` as it was.
 *
 * @example
 * await writeFileAtomic('run/checkpoint.json', JSON.stringify(data));
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${++tmpCounter}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  // Persist the rename itself; directories cannot be opened for fsync on every platform.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

/**
 * A checkpoint sink that writes `path` (JSON, `polytoy.checkpoint/1`) atomically every `every`
 * updates, at the end of training and on abort; each write replaces the previous checkpoint.
 *
 * @example
 * await train(config, { checkpoint: fileCheckpointSink('runs/a/checkpoint.json', 500) });
 */
export function fileCheckpointSink(path: string, every: number): CheckpointSink {
  if (!Number.isSafeInteger(every) || every < 1) throw new ConfigError('every', 'a positive integer', every);
  return { every, write: (cp) => writeFileAtomic(path, JSON.stringify(serializeCheckpoint(cp))) };
}

/**
 * Reads and validates a checkpoint file.
 *
 * @throws PolytoyError naming the file if it is missing, not JSON, or not a valid checkpoint.
 * @example
 * const cp = await readCheckpoint('runs/a/checkpoint.json');
 * await train(cp.config as TrainConfigInput, { resumeFrom: cp });
 */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolytoyError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PolytoyError(`checkpoint ${path} is not JSON: ${(error as Error).message}`);
  }
  try {
    return deserializeCheckpoint(value);
  } catch (error) {
    throw new PolytoyError(`checkpoint ${path}: ${(error as Error).message}`);
  }
}

/**
 * The shell convention for a process stopped by a signal: 128 + its number (SIGINT 130,
 * SIGTERM 143). `reason` is an interrupt signal's abort reason (the signal's name).
 */
export function interruptExitCode(reason: unknown): number {
  return reason === 'SIGTERM' ? 143 : 130;
}

/** What {@link interruptSignal} returns. */
export interface InterruptHandle {
  /** Aborts on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * An AbortSignal wired to Ctrl-C: the first SIGINT/SIGTERM aborts with the signal's name as
 * reason (training writes a last checkpoint and throws `TrainingAbortedError`), a second one
 * exits at once with code 130 (SIGINT) or 143 (SIGTERM).
 *
 * @example
 * const stop = interruptSignal();
 * try { await train(cfg, { signal: stop.signal, checkpoint: fileCheckpointSink('cp.json', 500) }); }
 * finally { stop.dispose(); }
 */
export function interruptSignal(): InterruptHandle {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(interruptExitCode(name));
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
