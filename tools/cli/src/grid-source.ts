/**
 * `--grid <file>`: reads a grid file (YAML for `.yaml`/`.yml`, JSON otherwise), validates it
 * (`parseGridFile` of @polytoy/experiments) and returns its experiment definition.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '@polytoy/core';
import { definitionFromGridFile, getExperiment, parseGridFile } from '@polytoy/experiments';
import type { ExperimentDefinition } from '@polytoy/experiments';
import { parse as parseYaml } from 'yaml';
import type { FlagSpec } from './flags.js';

/** `--grid <file>`, shared by `experiment` and `sweep submit`. */
export const GRID_FLAG: FlagSpec = {
  name: 'grid',
  type: 'string',
  placeholder: 'file.yaml|file.json',
  help: 'Run your own grid from a file instead of a named experiment (docs/GRIDS.md)',
};

/**
 * Reads and validates a grid file.
 *
 * @throws ConfigError for an unreadable or unparsable file (one line naming it) or a bad field.
 * @example
 * const def = readGridFile('examples/grids/lambda-lr.yaml');
 */
export function readGridFile(path: string): ExperimentDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--grid', 'a readable grid file', `${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new ConfigError('--grid', yaml ? 'a YAML grid file' : 'a JSON grid file (.yaml/.yml for YAML)', `${path}: ${first}`);
  }
  return definitionFromGridFile(parseGridFile(value, basename(path)));
}

/**
 * The experiment of a command: `--grid <file>`, or a built-in name (exactly one of them).
 *
 * @example
 * experimentFrom(undefined, 'stability').version; // 1
 */
export function experimentFrom(grid: string | undefined, name: string | undefined): ExperimentDefinition {
  if (grid !== undefined && name !== undefined) throw new ConfigError('experiment', 'a name or --grid <file>, not both', name);
  return grid !== undefined ? readGridFile(grid) : getExperiment(name ?? '');
}
