/**
 * Output paths (`--out`, `--checkpoint`, `--log`) are checked before any work starts, so a typo
 * in a directory name fails at once instead of after an hour of training. `-` means stdout.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PolytoyError } from '@polytoy/core';

/** `--out -`: write to standard output instead of a file. */
export const STDOUT = '-';

/**
 * @throws PolytoyError (an environment problem, exit 1) when `path` cannot be written: its
 * directory is missing or not writable, or the path is a directory or a read-only file.
 */
export function checkWritable(path: string, flag: string, opts: { createDir?: boolean } = {}): void {
  if (path === STDOUT) return;
  const target = resolve(path);
  const fail = (why: string): never => {
    throw new PolytoyError(`${flag}: cannot write ${JSON.stringify(path)}: ${why}`);
  };
  const st = statOrUndefined(target);
  if (st?.isDirectory()) fail('it is a directory');
  // The nearest existing ancestor must be a writable directory (experiment creates the rest).
  let dir = dirname(target);
  let ds = statOrUndefined(dir);
  if (!ds && !opts.createDir) fail(`directory ${JSON.stringify(dirname(path))} does not exist`);
  while (!ds) {
    dir = dirname(dir);
    ds = statOrUndefined(dir);
  }
  if (!ds.isDirectory()) fail(`${JSON.stringify(dir)} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
    if (st) accessSync(target, constants.W_OK);
  } catch {
    fail('permission denied');
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
