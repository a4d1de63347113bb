/**
 * A small declarative flag layer over `node:util` parseArgs: each command lists its flags once,
 * and the same table drives parsing, validation messages and `--help`.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@polytoy/core';

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean' | 'number';
  help: string;
  /** Shown in --help; not applied here (config defaults live in @polytoy/core). */
  defaultText?: string;
  placeholder?: string;
}

export type FlagValues = Record<string, string | boolean | number | undefined>;

/** Parses argv against the flag table; numbers are checked to be finite. */
export function parseFlags(argv: string[], specs: FlagSpec[]): { values: FlagValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const s of specs) options[s.name] = { type: s.type === 'boolean' ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError('arguments', 'known flags (see --help)', (e as Error).message.replace(/\.\s.*$/s, ''));
  }
  const values: FlagValues = {};
  for (const s of specs) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[s.name];
    if (raw === undefined) continue;
    if (s.type === 'number') {
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) throw new ConfigError(`--${s.name}`, 'a finite number', raw);
      values[s.name] = v;
    } else {
      values[s.name] = raw;
    }
  }
  if (parsed.values.help) values.help = true;
  return { values, positionals: parsed.positionals };
}

/** Renders the help page of a command from its flag table. */
export function formatHelp(usage: string, summary: string, specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const arg = s.type === 'boolean' ? '' : ` <${s.placeholder ?? s.type}>`;
    return [`  --${s.name}${arg}`, s.help + (s.defaultText ? ` (default: ${s.defaultText})` : '')] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    `Usage: ${usage}`,
    '',
    summary,
    '',
    'Options:',
    ...rows.map(([a, h]) => a.padEnd(width) + h),
    `  --help`.padEnd(width) + 'Show this help',
    '',
  ].join('\n');
}
