// The CLI's input boundary, command by command: every bad input is one line naming the field,
// what was expected and what was received, with exit code 2 (bad input) or 1 (environment:
// missing files, unwritable paths, unreachable servers) — never a stack trace.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExperiment } from '@polytoy/experiments';
import { runCli, runCliAsync } from '../../test/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'polytoy-bad-input-'));
const fixtures = fileURLToPath(new URL('../../../../docs/results/', import.meta.url));
const stability = join(dir, 'stability.jsonl');
copyFileSync(join(fixtures, 'stability-small.jsonl'), stability);
const firstLine = JSON.parse(readFileSync(stability, 'utf8').split('\n')[0]!) as Record<string, unknown>;
// Versions read from the code and the committed file, so a new experiment version changes no case.
const stabilityNow = getExperiment('stability').version;
const collisionsNow = getExperiment('collisions').version;
const stabilityInFile = Number(firstLine.version);
const stabilityRuns = readFileSync(stability, 'utf8').trim().split('\n').length;
const linesFile = (name: string, ...lines: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : `${JSON.stringify(l)}\n`)).join(''));
  return path;
};
const typo = join(dir, 'typo.json');
writeFileSync(typo, JSON.stringify({ model: { l1: { lamda: 0.01 } } }));
const checkpoint = join(dir, 'ck.json');
const missingDir = join(dir, 'missing', 'x.json');

// A server that accepts connections and never answers.
const sockets: Socket[] = [];
const silent = createServer((s) => {
  sockets.push(s);
});
let silentUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const a = silent.address();
  silentUrl = `redis://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  const r = runCli(['train', '--n', '8', '--steps', '20', '--batch', '16', '--checkpoint', checkpoint, '--quiet']);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const memory = (sizes: string, needs: string) =>
  `${sizes}: expected at most 2.00 GiB of training memory, received a request needing ~${needs}`;

type Case = [args: string[], code: number, line: string | (() => string)];

const CASES: Record<string, Case[]> = {
  train: [
    [['--lr', '0x10'], 2, '--lr: expected a decimal number >= 0, received "0x10"'],
    [['--lr', 'Infinity'], 2, '--lr: expected a decimal number >= 0, received "Infinity"'],
    [['--steps', '0'], 2, '--steps: expected an integer >= 1, received "0"'],
    [['--steps', '2.5'], 2, '--steps: expected an integer >= 1, received "2.5"'],
    [['--workers', '0'], 2, '--workers: expected an integer in [1, 256], received "0"'],
    [['--workers', '-2'], 2, '--workers: expected an integer in [1, 256], received "-2"'],
    [['--n', '8', '--n', '16'], 2, '--n: expected the flag once, received ["8","16"]'],
    [['--quiet', '--quiet'], 2, '--quiet: expected the flag once, received [true,true]'],
    [['extra'], 2, 'arguments: expected no positional arguments, received "extra"'],
    [['--n', '1e9'], 2, memory('n=1000000000 m=500000001 batch=256 instances=1', '7280000 TiB')],
    [['--m', '1e9'], 2, memory('n=16 m=1000000000 batch=256 instances=1', '2.1 TiB')],
    [['--batch', '1e9'], 2, memory('n=16 m=9 batch=1000000000 instances=1', '305 GiB')],
    [['--instances', '1e9'], 2, memory('n=16 m=9 batch=256 instances=1000000000', '78.7 TiB')],
    [['--config', typo], 2, 'model.l1: expected no unknown fields, received "lamda"'],
    [
      ['--resume', checkpoint, '--n', '32'],
      2,
      "--n: expected no model or data flags with --resume (the checkpoint's config is used; --steps and --log-every extend it), received 32",
    ],
    [['--out', '-', '--json'], 2, '--out: expected a file with --json (both would print on stdout), received "-"'],
    [
      ['--out', missingDir],
      1,
      `--out: cannot write ${JSON.stringify(missingDir)}: directory ${JSON.stringify(join(dir, 'missing'))} does not exist`,
    ],
    [['--out', dir], 1, `--out: cannot write ${JSON.stringify(dir)}: it is a directory`],
    [
      ['--log', missingDir],
      1,
      `--log: cannot write ${JSON.stringify(missingDir)}: directory ${JSON.stringify(join(dir, 'missing'))} does not exist`,
    ],
    [['--checkpoint', dir], 1, `--checkpoint: cannot write ${JSON.stringify(dir)}: it is a directory`],
    [
      ['--resume', join(dir, 'none.json')],
      1,
      `cannot read checkpoint ${join(dir, 'none.json')}: ENOENT: no such file or directory, open '${join(dir, 'none.json')}'`,
    ],
  ],
  analyze: [
    [['--c', '0.1'], 2, '--c: expected a decimal number >= 0.5, received "0.1"'],
    [['--n', '0x10'], 2, '--n: expected an integer in [4, 32], received "0x10"'],
    [['--n', '64'], 2, '--n: expected an integer in [4, 32], received "64"'],
    [['--lambda', '-1'], 2, '--lambda: expected a decimal number >= 0, received "-1"'],
    [
      ['--out', missingDir],
      1,
      `--out: cannot write ${JSON.stringify(missingDir)}: directory ${JSON.stringify(join(dir, 'missing'))} does not exist`,
    ],
    [['x'], 2, 'arguments: expected no positional arguments, received "x"'],
  ],
  report: [
    [[stability, '--heatmaps', '-1'], 2, '--heatmaps: expected an integer in [0, 1000], received "-1"'],
    [[stability, '--out', stability], 2, `--out: expected a file other than the inputs, received ${JSON.stringify(stability)}`],
    [
      [stability, '--out', missingDir],
      1,
      `--out: cannot write ${JSON.stringify(missingDir)}: directory ${JSON.stringify(join(dir, 'missing'))} does not exist`,
    ],
    [
      [join(dir, 'none.jsonl')],
      1,
      `cannot read results file ${join(dir, 'none.jsonl')}: ENOENT: no such file or directory, open '${join(dir, 'none.jsonl')}'`,
    ],
    [
      [linesFile('unknown.jsonl', { ...firstLine, experiment: 'No Such/../x' })],
      2,
      'experiment: expected a built-in experiment or a grid-file name, received "No Such/../x"',
    ],
    [
      [linesFile('future.jsonl', { ...firstLine, version: 99 })],
      2,
      `stability version: expected a version from 1 to ${stabilityNow}, received 99`,
    ],
    [
      [linesFile('nohistory.jsonl', { ...firstLine, history: undefined })],
      1,
      () => `${join(dir, 'nohistory.jsonl')}:1: field history: Invalid input: expected object, received undefined`,
    ],
    [
      [linesFile('badtype.jsonl', { ...firstLine, finalLoss: 'low' })],
      1,
      () => `${join(dir, 'badtype.jsonl')}:1: field finalLoss: Invalid input: expected number, received string`,
    ],
  ],
  merge: [
    [['a.jsonl', '--out', './a.jsonl'], 2, '--out: expected a file other than the inputs (a.jsonl is one), received "./a.jsonl"'],
    [[stability, '--out', missingDir.replace('missing', 'missing2')], 0, ''],
  ],
  experiment: [
    [['stability', 'extra'], 2, 'arguments: expected at most one experiment name, received "stability extra"'],
    [
      ['collisions', '--out', stability],
      2,
      `--out: expected a new file or one of collisions v${collisionsNow} (small) results, received "${stability} holding stability v${stabilityInFile} (small) lines"`,
    ],
    [
      ['stability', '--out', linesFile('old-stability.jsonl', { ...firstLine, version: stabilityNow - 1 })],
      2,
      `--out: expected a new file or one of stability v${stabilityNow} (small) results, received "${join(dir, 'old-stability.jsonl')} holding stability v${stabilityNow - 1} (small) lines"`,
    ],
    [['stability', '--workers', '0'], 2, '--workers: expected an integer in [1, 256], received "0"'],
    [['stability', '--max-instances', '1e9'], 2, '--max-instances: expected an integer in [1, 4096], received "1e9"'],
  ],
  sweep: [
    [['status', '--redis', 'SILENT', '--timeout', '500'], 1, 'cannot reach Redis at SILENT: no answer within 500 ms'],
    [['collect', '--redis', 'SILENT', '--timeout', '500'], 1, 'cannot reach Redis at SILENT: no answer within 500 ms'],
    [['status', 'a', 'b', '--redis', 'redis://x'], 2, 'arguments: expected at most one experiment name, received "a b"'],
    [['status', '--redis', 'redis://x', '--timeout', '0x10'], 2, '--timeout: expected an integer >= 100, received "0x10"'],
  ],
  worker: [
    [['--redis', 'redis://x', '--concurrency', '0'], 2, '--concurrency: expected an integer in [1, 256], received "0"'],
    [['--redis', 'redis://x', '--max-n', '-1'], 2, '--max-n: expected an integer >= 1, received "-1"'],
    [['--redis', 'redis://x', 'stray'], 2, 'arguments: expected no positional arguments, received "stray"'],
  ],
};

for (const [command, cases] of Object.entries(CASES)) {
  describe.concurrent(`polytoy ${command}: bad input`, () => {
    it.each(cases)('%j exits %i with one line', async (args, code, line) => {
      const real = args.map((a) => (a === 'SILENT' ? silentUrl : a));
      const r = await runCliAsync([command, ...real], dir);
      const expected = typeof line === 'function' ? line() : line;
      if (code === 0) {
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(r.code).toBe(0);
        return;
      }
      expect(r.stderr.trim()).toBe(`polytoy ${command}: ${expected.replaceAll('SILENT', silentUrl)}`);
      expect(r.code).toBe(code);
    });
  });
}

describe('results files cut short', () => {
  it('report names a truncated last line and renders the complete ones', () => {
    const text = readFileSync(stability, 'utf8');
    const cut = linesFile('cut.jsonl', text + text.split('\n')[0]!.slice(0, 100));
    const out = join(dir, 'cut.html');
    const r = runCli(['report', cut, '--out', out], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`polytoy report: ${cut}: the last line is cut short (100 bytes, a killed writer?); ignored\n`);
    expect(r.stdout).toContain(`stability v${stabilityInFile}: ${stabilityRuns} runs`);
  });
});
