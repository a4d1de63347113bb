/**
 * `@polytoy/experiments/node`: results as JSON-lines files (one {@link ResultLine} per line).
 * Kept out of the main entry so the package core stays browser-safe.
 */
import { appendFile, mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PolytoyError } from '@polytoy/core';
import { writeFileAtomic } from '@polytoy/trainer/node';
import type { ResultLine } from './result.js';
import { parseResultLine } from './result.js';
import type { ResultStore } from './store.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses JSON-lines text. A last line without its newline is a write cut short (the process
 * was killed mid-append) and is ignored; any other bad line is an error naming the line.
 *
 * @returns the lines and the byte length of the complete part of the text.
 */
export function parseResultsText(text: string, where: string): { lines: ResultLine[]; completeLength: number } {
  const end = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, end);
  const lines: ResultLine[] = [];
  complete.split('\n').forEach((raw, k) => {
    if (raw.trim() === '') return;
    lines.push(parseResultLine(raw, `${where}:${k + 1}`));
  });
  return { lines, completeLength: Buffer.byteLength(complete, 'utf8') };
}

/** Options of {@link readResultLines}. */
export interface ReadResultsOptions {
  /** Called for a file whose last line is cut short (ignored: a killed writer's partial line). */
  onTruncated?: (path: string, bytes: number) => void;
}

/**
 * Reads result lines from one or more JSON-lines files, in file order.
 *
 * @throws PolytoyError for a missing file or a malformed line (naming file and line number).
 * @example
 * const lines = await readResultLines(['results/finds-solution.jsonl']);
 */
export async function readResultLines(paths: readonly string[], opts: ReadResultsOptions = {}): Promise<ResultLine[]> {
  const out: ResultLine[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new PolytoyError(`cannot read results file ${path}: ${(e as Error).message}`);
    }
    const { lines, completeLength } = parseResultsText(text, path);
    const total = Buffer.byteLength(text, 'utf8');
    if (completeLength < total) opts.onTruncated?.(path, total - completeLength);
    out.push(...lines);
  }
  return out;
}

/**
 * A {@link ResultStore} backed by a JSON-lines file: reads the run ids already in it (resume),
 * cuts off a trailing partial line left by a killed process, and appends each training call's
 * lines with one write. Missing directories are created.
 *
 * @example
 * import { jsonlStore } from '@polytoy/experiments/node';
 * await runExperiment(EXPERIMENTS['collisions']!, { store: jsonlStore('collisions.jsonl') });
 */
export function jsonlStore(path: string): ResultStore {
  let prepared = false;
  const prepare = async (): Promise<ResultLine[]> => {
    if (!(await exists(path))) {
      await mkdir(dirname(path), { recursive: true });
      prepared = true;
      return [];
    }
    const text = await readFile(path, 'utf8');
    const { lines, completeLength } = parseResultsText(text, path);
    if (completeLength < Buffer.byteLength(text, 'utf8')) await truncate(path, completeLength);
    prepared = true;
    return lines;
  };
  return {
    async completedRunIds() {
      const lines = await prepare();
      return new Set(lines.map((l) => l.runId));
    },
    async append(lines) {
      if (!prepared) await prepare();
      if (lines.length === 0) return;
      await appendFile(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), 'utf8');
      // Flush to disk so a finished call survives a crash right after.
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * Writes result lines to a new JSON-lines file (replacing it atomically: a failure, e.g. a
 * full disk, leaves the previous file intact), e.g. after merging shards.
 */
export async function writeResultLines(path: string, lines: readonly ResultLine[]): Promise<void> {
  await writeFileAtomic(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}
