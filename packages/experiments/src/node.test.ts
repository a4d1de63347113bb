import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonlStore, parseResultsText, readResultLines, writeResultLines } from './node.js';
import type { ResultLine } from './result.js';
import { RESULT_FORMAT } from './result.js';

function line(runId: string): ResultLine {
  return {
    format: RESULT_FORMAT,
    experiment: 'x',
    version: 1,
    runId,
    spec: { cellKey: 'k' } as ResultLine['spec'],
    status: 'converged',
    step: 10,
    divergence: null,
    finalLoss: 1,
    reconstruction: 0.5,
    l1: 2,
    exactLoss: null,
    classification: null,
    evidence: null,
    analysis: null,
    params: null,
    history: { step: [], loss: [], reconstruction: [], l1: [] },
    wallSeconds: 1,
    groupSize: 1,
    runtime: null,
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

describe('jsonlStore', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polytoy-exp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file (and directories), appends lines, and a new store sees them as done', async () => {
    const path = join(dir, 'sub', 'r.jsonl');
    const store = jsonlStore(path);
    expect((await store.completedRunIds()).size).toBe(0);
    await store.append([line('a'), line('b')]);
    await store.append([line('c')]);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(4); // three lines and the final newline
    expect(await jsonlStore(path).completedRunIds()).toEqual(new Set(['a', 'b', 'c']));
    expect((await readResultLines([path])).map((l) => l.runId)).toEqual(['a', 'b', 'c']);
  });

  it('cuts off a partial last line left by a killed writer, then appends after it', async () => {
    const path = join(dir, 'r.jsonl');
    await writeResultLines(path, [line('a')]);
    await appendFile(path, JSON.stringify(line('b')).slice(0, 40));
    const store = jsonlStore(path);
    expect(await store.completedRunIds()).toEqual(new Set(['a']));
    await store.append([line('c')]);
    expect((await readResultLines([path])).map((l) => l.runId)).toEqual(['a', 'c']);
  });

  it('names file and line of a malformed line, and rejects other formats', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, `${JSON.stringify(line('a'))}\n{oops\n`);
    await expect(readResultLines([path])).rejects.toThrow(`${path}:2: not JSON`);
    expect(() => parseResultsText('{"format":"other"}\n', 'f')).toThrow(
      'f:1: expected format "polytoy.experiment-result/2" (or "polytoy.experiment-result/1")',
    );
    await expect(readResultLines([join(dir, 'missing.jsonl')])).rejects.toThrow(/cannot read results file/);
  });
});
