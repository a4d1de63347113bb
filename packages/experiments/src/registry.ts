/**
 * The named experiments `polytoy experiment <name>` runs. Definitions are data; adding one is
 * adding an entry here (names are unique by construction of the record).
 */
import { ConfigError } from '@polytoy/core';
import type { ExperimentDefinition } from './definition.js';
import { collisions } from './definitions/collisions.js';
import { findsSolution } from './definitions/finds-solution.js';
import { phaseDiagram } from './definitions/phase-diagram.js';
import { stability } from './definitions/stability.js';
import { untiedChoice } from './definitions/untied-choice.js';

/** Every built-in experiment by name. */
export const EXPERIMENTS: Readonly<Record<string, ExperimentDefinition>> = Object.freeze({
  [phaseDiagram.name]: phaseDiagram,
  [findsSolution.name]: findsSolution,
  [stability.name]: stability,
  [collisions.name]: collisions,
  [untiedChoice.name]: untiedChoice,
});

/** Built-in experiment names, in the order the CLI lists them. */
export const EXPERIMENT_NAMES: readonly string[] = Object.keys(EXPERIMENTS);

/**
 * Looks an experiment up by name.
 *
 * @throws ConfigError listing the known names.
 * @example
 * getExperiment('collisions').sizes.small.n; // [64]
 */
export function getExperiment(name: string): ExperimentDefinition {
  const def = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
  if (!def) throw new ConfigError('experiment', EXPERIMENT_NAMES.map((n) => `"${n}"`).join(' | '), name);
  return def;
}
