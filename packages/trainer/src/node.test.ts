import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainConfigInput } from '@polytoy/core';
import { PolytoyError } from '@polytoy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileCheckpointSink, initNodeBackend, interruptSignal, readCheckpoint, writeFileAtomic } from './node.js';
import { train } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'polytoy-trainer-'));

beforeAll(async () => {
  await initNodeBackend();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg: TrainConfigInput = {
  data: { n: 16 },
  model: { m: 9 },
  batchSize: 32,
  steps: 30,
  logEvery: 10,
  instances: 2,
  optimizer: { kind: 'adam', lr: 1e-2 },
};

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary files behind', async () => {
    const path = join(dir, 'atomic', 'a.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['a.json']);
  });
});

describe('fileCheckpointSink + readCheckpoint', () => {
  it('writes the run atomically and a resume from the file is bit-identical', async () => {
    const path = join(dir, 'run', 'checkpoint.json');
    const steps: number[] = [];
    const sink = fileCheckpointSink(path, 10);
    const straight = await train(cfg, {
      checkpoint: {
        every: sink.every,
        write: async (cp) => {
          await sink.write(cp);
          steps.push((await readCheckpoint(path)).step);
        },
      },
    });
    expect(steps).toEqual([10, 20, 30]);
    expect(readdirSync(join(dir, 'run'))).toEqual(['checkpoint.json']);
    const end = await readCheckpoint(path);
    expect(end.step).toBe(30);
    expect(end.params.map((p) => p.kind === 'tied' && Array.from(p.W))).toEqual(
      straight.instances.map((r) => r.params.kind === 'tied' && Array.from(r.params.W)),
    );

    // Stop at 20 (sink every 20), then resume from the file.
    const path20 = join(dir, 'run20', 'checkpoint.json');
    const controller = new AbortController();
    await train(cfg, {
      checkpoint: fileCheckpointSink(path20, 20),
      signal: controller.signal,
      onLog: (r) => r.step === 20 && controller.abort(),
    }).catch(() => undefined);
    const cp = await readCheckpoint(path20);
    expect(cp.step).toBe(21);
    const resumed = await train(cp.config as TrainConfigInput, { resumeFrom: cp });
    resumed.instances.forEach((r, i) => {
      const s = straight.instances[i]!;
      expect(r.params).toEqual(s.params);
      expect(r.history).toEqual(s.history);
    });
  });

  it('reports unreadable, non-JSON and invalid files with the path', async () => {
    await expect(readCheckpoint(join(dir, 'missing.json'))).rejects.toThrow(/^cannot read checkpoint .*missing\.json: /);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":');
    await expect(readCheckpoint(bad)).rejects.toThrow(/^checkpoint .*bad\.json is not JSON: /);
    writeFileSync(bad, '{"format":"polytoy.run/1"}');
    await expect(readCheckpoint(bad)).rejects.toThrow(PolytoyError);
    await expect(readCheckpoint(bad)).rejects.toThrow('not a polytoy checkpoint');
  });

  it('validates the interval', () => {
    expect(() => fileCheckpointSink(join(dir, 'x.json'), 0.5)).toThrow('every: expected a positive integer, received 0.5');
  });
});

describe('interruptSignal', () => {
  it('aborts on the first SIGINT and removes its handlers on dispose', () => {
    const listeners = process.listenerCount('SIGINT');
    const handle = interruptSignal();
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    expect(handle.signal.aborted).toBe(false);
    process.emit('SIGINT');
    expect(handle.signal.aborted).toBe(true);
    handle.dispose();
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
