/**
 * A small declarative flag layer over `node:util` parseArgs: each command lists its flags once,
 * and the same table drives parsing, validation messages and `--help`. This is the CLI's one
 * input boundary: numbers are decimal, counts are integers within their bounds, a flag given
 * twice or an unexpected positional argument is an error (exit 2), never silently resolved.
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
  /** Numbers only: the value must be an integer (a count). */
  integer?: boolean;
  /** Numbers only: inclusive bounds. */
  min?: number;
  max?: number;
}

export type FlagValues = Record<string, string | boolean | number | undefined>;

/** How many positional arguments a command takes (default none). */
export interface PositionalSpec {
  max: number;
  /** What they are, for the error message, e.g. "one experiment name". */
  what: string;
}

// Plain decimal notation (with an optional exponent): no hex, octal, binary, Infinity or blanks.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number flag and checks it against its spec. */
export function parseNumberFlag(spec: FlagSpec, raw: string): number {
  const flag = `--${spec.name}`;
  const { min, max } = spec;
  // One expectation for every failure: the kind and its bounds.
  const bounds =
    min !== undefined && max !== undefined
      ? ` in [${min}, ${max}]`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  const expected = `${spec.integer ? 'an integer' : 'a decimal number'}${bounds}`;
  const v = Number(raw);
  const ok =
    DECIMAL.test(raw) &&
    Number.isFinite(v) &&
    (!spec.integer || Number.isSafeInteger(v)) &&
    (min === undefined || v >= min) &&
    (max === undefined || v <= max);
  if (!ok) throw new ConfigError(flag, expected, raw);
  return v;
}

/** Parses argv against the flag table. */
export function parseFlags(
  argv: string[],
  specs: FlagSpec[],
  positionals: PositionalSpec = { max: 0, what: 'no positional arguments' },
): { values: FlagValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const s of specs) options[s.name] = { type: s.type === 'boolean' ? 'boolean' : 'string' };
  // `--heatmaps -1`: a negative number after a flag that takes a value is that value (parseArgs
  // would read it as an option), so the bound check can name it.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const spec = a.startsWith('--') ? specs.find((s) => `--${s.name}` === a) : undefined;
    if (spec && spec.type !== 'boolean' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const config = { args, options, allowPositionals: true, strict: true, tokens: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    throw new ConfigError('arguments', 'known flags (see --help)', (e as Error).message.replace(/\.\s.*$/s, ''));
  }
  const given = new Map<string, (string | true)[]>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') given.set(t.name, [...(given.get(t.name) ?? []), t.value ?? true]);
  }
  for (const [name, all] of given) if (all.length > 1) throw new ConfigError(`--${name}`, 'the flag once', all);
  if (parsed.values.help) return { values: { help: true }, positionals: parsed.positionals };
  if (parsed.positionals.length > positionals.max)
    throw new ConfigError('arguments', positionals.what, parsed.positionals.join(' '));
  const values: FlagValues = {};
  for (const s of specs) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[s.name];
    if (raw === undefined) continue;
    values[s.name] = s.type === 'number' ? parseNumberFlag(s, String(raw)) : raw;
  }
  return { values, positionals: parsed.positionals };
}

/** Renders the help page of a command from its flag table. */
export function formatHelp(usage: string, summary: string, specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const arg = s.type === 'boolean' ? '' : ` <${s.placeholder ?? (s.integer ? 'integer' : s.type)}>`;
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
