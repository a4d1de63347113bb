// Property-based (fast-check) tests of the input parsers: configs, results files and flags.
// Whatever the input, the outcome is a value or polytoy's own one-line error — never a
// TypeError, RangeError or a stack trace — and the parsers agree with what the writers write.
import { ConfigError, PolytoyError, resolveTrainConfig } from '@polytoy/core';
import { parseResultsText } from '@polytoy/experiments/node';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlagSpec } from './flags.js';
import { parseFlags, parseNumberFlag } from './flags.js';
import { TRAIN_FLAGS } from './train-flags.js';

const RUNS = { numRuns: 300, seed: 15 };

/** Runs `f`; returns 'ok', or the error's class when it is one of polytoy's. */
function outcome(f: () => unknown): 'ok' | 'PolytoyError' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof PolytoyError && !e.message.includes('\n')) return 'PolytoyError';
    throw e;
  }
}

// Config-shaped values: the real keys at every level with arbitrary JSON values, plus typos.
const anyJson = fc.jsonValue({ maxDepth: 3 });
const section = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'lamda', 'kind', 'typo'), anyJson, { maxKeys: 4 });
const configLike = fc.record(
  {
    seed: anyJson,
    steps: anyJson,
    batchSize: anyJson,
    logEvery: anyJson,
    instances: fc.oneof(
      fc.integer({ min: -2, max: 2 ** 40 }),
      fc.array(section(['seed', 'lambda', 'lr']), { maxLength: 3 }),
      anyJson,
    ),
    data: section(['kind', 'n', 'density', 'importanceDecay']),
    model: fc.record(
      { m: anyJson, l1: section(['lambda', 'target']), weights: section(['kind', 'decoderNorm']), hiddenActivation: anyJson },
      { requiredKeys: [] },
    ),
    optimizer: section(['kind', 'lr', 'momentum', 'beta1']),
    schedule: section(['kind', 'warmupSteps']),
    mystery: anyJson,
  },
  { requiredKeys: [] },
);

describe('resolveTrainConfig (fuzzed)', () => {
  it('returns a config or throws one ConfigError line, for any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, configLike), (input) => {
        expect(['ok', 'PolytoyError']).toContain(outcome(() => resolveTrainConfig(input as never)));
      }),
      RUNS,
    );
  });

  it('refuses an unknown key at any depth, naming its path', () => {
    const paths = fc.constantFrom<string[]>([], ['model'], ['model', 'l1'], ['optimizer'], ['data'], ['schedule']);
    fc.assert(
      fc.property(paths, fc.stringMatching(/^[a-z]{3,8}$/), anyJson, (path, key, value) => {
        fc.pre(!['seed', 'steps', 'data', 'model', 'kind', 'lambda', 'target', 'weights', 'init', 'lr', 'n', 'm'].includes(key));
        const input: Record<string, unknown> = {};
        let at = input;
        for (const p of path) at = at[p] = {} as Record<string, unknown>;
        at[key] = value;
        let error: unknown;
        try {
          resolveTrainConfig(input as never);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toContain(JSON.stringify(key));
      }),
      RUNS,
    );
  });
});

const fixture = readFileSync(fileURLToPath(new URL('../../../docs/results/stability-small.jsonl', import.meta.url)), 'utf8');
const realLines = fixture
  .split('\n')
  .filter((l) => l !== '')
  .slice(0, 6);

describe('parseResultsText (fuzzed)', () => {
  it('any text gives lines or one PolytoyError naming file and line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .array(
              fc.oneof(
                anyJson.map((v) => JSON.stringify(v)),
                fc.constantFrom(...realLines),
              ),
              { maxLength: 4 },
            )
            .map((ls) => `${ls.join('\n')}\n`),
        ),
        (text) => {
          expect(['ok', 'PolytoyError']).toContain(outcome(() => parseResultsText(text, 'f.jsonl')));
        },
      ),
      RUNS,
    );
  });

  it('a cut anywhere in the last line keeps exactly the complete lines before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: realLines.length }), fc.nat(), (count, cutAt) => {
        const complete = `${realLines.slice(0, count - 1).join('\n')}${count > 1 ? '\n' : ''}`;
        const last = realLines[count - 1]!;
        const cut = last.slice(0, cutAt % last.length);
        const { lines, completeLength } = parseResultsText(complete + cut, 'f.jsonl');
        expect(lines.map((l) => l.runId)).toEqual(realLines.slice(0, count - 1).map((l) => JSON.parse(l).runId));
        expect(completeLength).toBe(Buffer.byteLength(complete));
      }),
      RUNS,
    );
  });

  it('a single changed field type anywhere at the top level is one line naming the line number', () => {
    // Free-form fields, and the /1 field the upgrade reads only for diverged runs, aside.
    const keys = Object.keys(JSON.parse(realLines[0]!) as object).filter(
      (k) => !['evidence', 'analysis', 'divergedAtStep'].includes(k),
    );
    // No top-level field is a boolean or an array.
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.constantFrom<unknown>(true, false, [], [1, 2]), (key, value) => {
        const line = JSON.parse(realLines[0]!) as Record<string, unknown>;
        line[key] = value;
        expect(() => parseResultsText(`${realLines[1]}\n${JSON.stringify(line)}\n`, 'f.jsonl')).toThrow(/^f\.jsonl:2: /);
      }),
      RUNS,
    );
  });
});

describe('flags (fuzzed)', () => {
  const n: FlagSpec = { name: 'n', type: 'number', help: '' };
  const count: FlagSpec = { name: 'steps', type: 'number', integer: true, min: 1, help: '' };

  it('every finite double written in decimal reads back exactly; hex, octal, binary and words are refused', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        // String(-0) is "0".
        expect(parseNumberFlag(n, String(v))).toBe(v === 0 ? 0 : v);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('0x', '0o', '0b', '0X'), (v, prefix) => {
        expect(() =>
          parseNumberFlag(n, `${prefix}${v.toString(prefix.toLowerCase() === '0x' ? 16 : prefix === '0o' ? 8 : 2)}`),
        ).toThrow(ConfigError);
      }),
      RUNS,
    );
  });

  it('counts accept exactly the integers within their bounds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true })), (v) => {
        const ok = Number.isSafeInteger(v) && v >= 1;
        expect(outcome(() => parseNumberFlag(count, String(v)))).toBe(ok ? 'ok' : 'PolytoyError');
      }),
      RUNS,
    );
  });

  it('any argv gives values or one ConfigError line', () => {
    const token = fc.oneof(
      fc.constantFrom(...TRAIN_FLAGS.map((f) => `--${f.name}`), '--help', '-x', '--', '-', '--n=3'),
      fc.string({ maxLength: 8 }),
      fc.double().map(String),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        expect(['ok', 'PolytoyError']).toContain(outcome(() => parseFlags(argv, TRAIN_FLAGS)));
      }),
      RUNS,
    );
  });
});
