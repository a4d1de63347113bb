import type { Command } from '../command.js';
import { analyzeCommand } from './analyze.js';
import { experimentCommand } from './experiment.js';
import { exportCommand } from './export.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/** Every `polytoy` command, in the order `--help` lists them. */
export const COMMANDS: Command[] = [
  trainCommand,
  analyzeCommand,
  experimentCommand,
  reportCommand,
  exportCommand,
  mergeCommand,
  sweepCommand,
  workerCommand,
];
