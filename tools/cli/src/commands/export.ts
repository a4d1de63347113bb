/**
 * `polytoy export <run.json|results.jsonl> --format npz --out file.npz`: the weights, histories
 * and per-run numbers as NumPy arrays (see export-arrays.ts for the array names), written by
 * polytoy itself: no Python needed to make the file, only `numpy.load` to read it.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, parseRunRecord, RUN_RECORD_FORMAT, RUN_RECORD_FORMAT_V1 } from '@polytoy/core';
import { readResultLines } from '@polytoy/experiments/node';
import { writeFileAtomic } from '@polytoy/trainer/node';
import type { Command } from '../command.js';
import { resultMembers, runRecordMembers } from '../export-arrays.js';
import type { FlagSpec } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { printJson } from '../json-output.js';
import type { NpzMember } from '../npz.js';
import { npzBytes } from '../npz.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'format',
    type: 'string',
    placeholder: 'npz',
    help: 'Output format (NumPy .npz: a zip of .npy arrays)',
    defaultText: 'npz',
  },
  { name: 'out', type: 'string', placeholder: 'file.npz', help: 'Where to write', defaultText: '<input without extension>.npz' },
  { name: 'json', type: 'boolean', help: 'Print the arrays written (name, dtype, shape) as JSON' },
];

const SUMMARY = 'Export a run.json or a results file as NumPy arrays (.npz) for Python';

/** Run record (one JSON document with format polytoy.run/2 or /1) or results file (JSON lines)? */
async function membersOf(path: string): Promise<{ kind: 'run' | 'results'; members: NpzMember[] }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('export', 'a readable run.json or results file', `${path} (${(e as NodeJS.ErrnoException).code})`);
  }
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined; // several lines: a results file
  }
  if (
    whole &&
    typeof whole === 'object' &&
    [RUN_RECORD_FORMAT, RUN_RECORD_FORMAT_V1].includes((whole as { format?: unknown }).format as typeof RUN_RECORD_FORMAT)
  ) {
    return { kind: 'run', members: runRecordMembers(parseRunRecord(whole).record) };
  }
  const lines = await readResultLines([path]);
  if (lines.length === 0) throw new ConfigError('export', 'a run.json or a results file with at least one run', path);
  return { kind: 'results', members: resultMembers(lines) };
}

export const exportCommand: Command = {
  name: 'export',
  summary: SUMMARY,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, { max: 1, what: 'one run.json or results file' });
    if (values.help) {
      process.stdout.write(
        `${formatHelp('polytoy export <run.json|results.jsonl> [--format npz] [--out file.npz]', SUMMARY, FLAGS)}\n` +
          'Arrays: docs/PYTHON.md. In Python: z = numpy.load("file.npz"); z.files lists them.\n',
      );
      return 0;
    }
    if (positionals.length !== 1)
      throw new ConfigError('export', 'one run.json or results file', positionals.join(' ') || undefined);
    const format = String(values.format ?? 'npz');
    if (format !== 'npz') throw new ConfigError('--format', 'npz', format);
    const input = positionals[0]!;
    const out = String(values.out ?? `${input.replace(/\.(jsonl|json)$/i, '')}.npz`);
    if (out === input) throw new ConfigError('--out', 'a file other than the input', out);
    const { kind, members } = await membersOf(input);
    const bytes = npzBytes(members);
    await writeFileAtomic(out, bytes);
    const arrays = members.flatMap((m) =>
      'array' in m ? [{ name: m.name, dtype: m.array.dtype, shape: [...m.array.shape] }] : [],
    );
    if (values.json) {
      printJson({
        format: 'polytoy.export-output/1',
        input,
        kind,
        out,
        bytes: bytes.length,
        arrays,
        files: members.map((m) => m.name),
      });
    } else {
      process.stdout.write(
        `wrote ${out}: ${arrays.length} arrays from a ${kind === 'run' ? 'run record' : 'results file'} (${bytes.length} bytes)\n`,
      );
    }
    return 0;
  },
};
