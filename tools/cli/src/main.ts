/**
 * `polytoy` entry point. Errors that polytoy raises on purpose (bad config, bad files, backend
 * problems, divergence) print one line and exit non-zero; only genuine bugs show a stack trace.
 */
import { PolytoyError } from '@polytoy/core';
import { isTrainerWorker, runTrainerWorker } from '@polytoy/trainer/node';
import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CLI_VERSION } from './version.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: polytoy <command> [options]',
    '',
    'Toy models of polysemanticity: train, analyse and explain.',
    '',
    'Options:',
    '  --version, -V   Print the version and exit',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'polytoy <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${CLI_VERSION}\n`);
    return 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`polytoy: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof PolytoyError) {
      process.stderr.write(`polytoy ${name}: ${e.message}\n`);
      return e.name === 'ConfigError' ? 2 : 1;
    }
    // File system and network failures (ENOENT, EACCES, ENOSPC, ECONNREFUSED...) are the
    // environment's, not a bug: one line naming the operation and path, exit 1.
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      process.stderr.write(`polytoy ${name}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

// trainParallel starts its worker threads from this same bundle: hand over to the trainer first.
if (isTrainerWorker()) {
  await runTrainerWorker();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`polytoy: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
