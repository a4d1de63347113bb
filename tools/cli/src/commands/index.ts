import type { Command } from '../command.js';
import { analyzeCommand } from './analyze.js';
import { experimentCommand } from './experiment.js';
import { reportCommand } from './report.js';
import { trainCommand } from './train.js';

/** Every `polytoy` command, in the order `--help` lists them. */
export const COMMANDS: Command[] = [trainCommand, analyzeCommand, experimentCommand, reportCommand];
