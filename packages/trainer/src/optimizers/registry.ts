/**
 * The optimizer table: kind → {@link OptimizerDefinition}. Built-in rows cover exactly the
 * config schema's `OPTIMIZER_KINDS` (checked at load); {@link registerOptimizer} adds a row
 * (tests, extensions) without touching any engine.
 */
import { ConfigError, OPTIMIZER_KINDS } from '@polytoy/core';
import { adam } from './adam.js';
import { adamw } from './adamw.js';
import type { OptimizerDefinition, OptimizerSettings } from './definition.js';
import { sgd } from './sgd.js';

const table = new Map<string, OptimizerDefinition>([
  [sgd.kind, sgd],
  [adam.kind, adam],
  [adamw.kind, adamw],
]);

for (const kind of OPTIMIZER_KINDS) {
  if (!table.has(kind)) throw new Error(`optimizer table: no row for the schema's kind "${kind}"`);
}

/**
 * The definition of `kind`.
 *
 * @throws ConfigError for a kind nobody registered.
 * @example
 * optimizerDefinition('adam').slotNames(config); // ['m', 'v']
 */
export function optimizerDefinition(kind: string): OptimizerDefinition {
  const def = table.get(kind);
  if (!def)
    throw new ConfigError(
      'optimizer.kind',
      registeredOptimizerKinds()
        .map((k) => `"${k}"`)
        .join(' | '),
      kind,
    );
  return def;
}

/** Every kind in the table (the schema's kinds first). */
export function registeredOptimizerKinds(): string[] {
  return [...table.keys()];
}

/**
 * Adds (or replaces) a row. Configs of a new kind bypass the core schema, so this is for tests
 * and extensions that build their `TrainConfig` themselves.
 *
 * @returns a function removing the row again (built-in rows cannot be removed).
 * @example
 * const unregister = registerOptimizer(adagrad);
 * try { ... } finally { unregister(); }
 */
export function registerOptimizer<C extends OptimizerSettings>(def: OptimizerDefinition<C>): () => void {
  if ((OPTIMIZER_KINDS as readonly string[]).includes(def.kind)) {
    throw new ConfigError('optimizer.kind', 'a kind not built in', def.kind);
  }
  table.set(def.kind, def as unknown as OptimizerDefinition);
  return () => {
    if (table.get(def.kind) === (def as unknown as OptimizerDefinition)) table.delete(def.kind);
  };
}
