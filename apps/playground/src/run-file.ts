/**
 * Loading a `polytoy.run/1` file (what `polytoy train --out` and the playground's Export write):
 * parse, validate with `@polytoy/core`'s `parseRunRecord`, and turn it into what the page shows.
 * Every failure is one line naming what is wrong.
 */
import type { LoadedRun } from '@polytoy/core';
import { parseRunRecord, PolytoyError } from '@polytoy/core';
import type { Settings } from './settings.js';
import { settingsFromConfig } from './settings.js';

/** A loaded run and the controls that reproduce it. */
export interface LoadedFile extends LoadedRun {
  settings: Settings;
}

/**
 * Reads a run file's text.
 *
 * @param name - the file name, for the error message.
 * @throws PolytoyError (one line) when the text is not JSON or not a valid run record.
 * @example
 * const { record, params, settings } = loadRunFile(await file.text(), file.name);
 */
export function loadRunFile(text: string, name: string): LoadedFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PolytoyError(`${name}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  let loaded: LoadedRun;
  try {
    loaded = parseRunRecord(value);
  } catch (e) {
    throw new PolytoyError(`${name}: ${(e as Error).message.split('\n')[0]}`);
  }
  return { ...loaded, settings: settingsFromConfig(loaded.record.config) };
}
