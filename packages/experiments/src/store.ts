/**
 * Where results go. The runner only needs "which run ids are done" and "append these lines";
 * {@link memoryStore} keeps them in memory (tests, browsers), `jsonlStore` from
 * `@polytoy/experiments/node` in a JSON-lines file.
 */
import type { ResultLine } from './result.js';

/** A results sink that can also say which runs it already holds (for resume). */
export interface ResultStore {
  /** Run ids already stored. */
  completedRunIds(): Promise<ReadonlySet<string>>;
  /** Appends lines (one training call's results) durably before resolving. */
  append(lines: readonly ResultLine[]): Promise<void>;
}

/** An in-memory {@link ResultStore}; `lines` is the stored list (in append order). */
export interface MemoryStore extends ResultStore {
  readonly lines: ResultLine[];
}

/**
 * Creates an in-memory store, optionally pre-filled.
 *
 * @example
 * const store = memoryStore();
 * await runExperiment(def, { store });
 * store.lines.length; // number of runs
 */
export function memoryStore(initial: readonly ResultLine[] = []): MemoryStore {
  const lines = initial.slice();
  return {
    lines,
    completedRunIds: () => Promise.resolve(new Set(lines.map((l) => l.runId))),
    append: (more) => {
      lines.push(...more);
      return Promise.resolve();
    },
  };
}
