import { payloadChecksum, PolytoyError, resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { deserializeCheckpoint, memoryCheckpointSink, serializeCheckpoint } from './checkpoint.js';
import type { Checkpoint, SerializedCheckpoint } from './checkpoint.js';

function sample(): Checkpoint {
  const config = resolveTrainConfig({ data: { n: 4 }, model: { m: 3 }, instances: 2 });
  return {
    format: 'polytoy.checkpoint/3',
    config: JSON.parse(JSON.stringify(config)),
    step: 7,
    params: [
      {
        kind: 'tied',
        n: 4,
        m: 3,
        W: Float32Array.from({ length: 12 }, (_, k) => k / 7 - 0.5),
        b: new Float32Array([0, -0, 1e-40, 3]),
      },
      { kind: 'tied', n: 4, m: 3, W: Float32Array.from({ length: 12 }, (_, k) => -k / 3), b: new Float32Array(4) },
    ],
    optimizer: {
      kind: 'adam',
      step: 7,
      slots: {
        m: {
          W: { shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, k) => k * 1e-3) },
          b: { shape: [2, 4], data: new Float32Array(8) },
        },
        v: {
          W: { shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, k) => k * 1e-9) },
          b: { shape: [2, 4], data: new Float32Array(8).fill(1e-44) },
        },
      },
    },
    rngs: [
      { init: [1, 2, 3, 4], data: [5, 6, 7, 8], noise: [4294967295, 0, 0, 1] },
      { init: [9, 10, 11, 12], data: [13, 14, 15, 16], noise: [17, 18, 19, 20] },
    ],
    history: [
      [{ step: 0, instance: 0, loss: 0.5, reconstruction: 0.49, l1: 10 }],
      [{ step: 0, instance: 1, loss: 0.6, reconstruction: 0.59, l1: 10 }],
    ],
    instanceStates: [
      { status: 'training', monitor: { reference: 4, plateau: { count: 2, loss: 1.1, l1: 20.5, means: [[0.7, 10.25]] } } },
      { status: 'converged', step: 5, finalLoss: { step: 5, instance: 1, loss: 0.25, reconstruction: 0.2, l1: 5 } },
    ],
    wallSeconds: 1.5,
  };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('checkpoint (de)serialisation', () => {
  it('round-trips through JSON text bit for bit', () => {
    const cp = sample();
    const back = deserializeCheckpoint(JSON.parse(JSON.stringify(serializeCheckpoint(cp))));
    expect(back.step).toBe(7);
    expect(back.config).toEqual(cp.config);
    expect(back.rngs).toEqual(cp.rngs);
    expect(back.history).toEqual(cp.history);
    expect(back.instanceStates).toEqual(cp.instanceStates);
    expect(back.wallSeconds).toBe(1.5);
    back.params.forEach((p, i) => {
      const q = cp.params[i]!;
      expect(p.kind === 'tied' && q.kind === 'tied').toBe(true);
      if (p.kind === 'tied' && q.kind === 'tied') {
        expect(bits(p.W)).toEqual(bits(q.W));
        expect(bits(p.b)).toEqual(bits(q.b)); // keeps −0 and the denormal
      }
    });
    for (const slot of ['m', 'v']) {
      for (const name of ['W', 'b']) {
        const a = back.optimizer.slots[slot]![name]!;
        const b = cp.optimizer.slots[slot]![name]!;
        expect(a.shape).toEqual(b.shape);
        expect(bits(a.data)).toEqual(bits(b.data));
      }
    }
  });

  it('is JSON-safe: the serialised form survives stringify/parse unchanged', () => {
    const s = serializeCheckpoint(sample());
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('rejects other formats and names the first bad field', () => {
    expect(() => deserializeCheckpoint({ format: 'polytoy.run/1' })).toThrow(PolytoyError);
    expect(() => deserializeCheckpoint(null)).toThrow(
      'not a polytoy checkpoint: expected format "polytoy.checkpoint/3" (or "polytoy.checkpoint/2", "polytoy.checkpoint/1"), received null',
    );
    const s = serializeCheckpoint(sample());
    const bad = (mutate: (o: SerializedCheckpoint) => void) => {
      const o = JSON.parse(JSON.stringify(s)) as SerializedCheckpoint;
      mutate(o);
      // Re-sealed, so the field checks (not the checksum) are what refuses it.
      const { checksum: _c, ...payload } = o;
      return () => deserializeCheckpoint({ ...payload, checksum: payloadChecksum(payload) });
    };
    expect(bad((o) => (o.step = -1))).toThrow('checkpoint.step: expected an integer >= 0, received -1');
    expect(bad((o) => (o.optimizer.step = 6))).toThrow('checkpoint.optimizer.step: expected 7 (checkpoint.step), received 6');
    expect(bad((o) => ((o.params[1] as { W: { f32: string } }).W.f32 = 'AACAPw=='))).toThrow(
      /checkpoint\.params\[1\]\.W\.f32: expected base64 of 12 float32 values/,
    );
    expect(bad((o) => (o.optimizer.slots.m!.W!.shape = [3, 3, 4]))).toThrow('checkpoint.optimizer.slots.m.W.shape');
    expect(bad((o) => (o.rngs[0]!.data = [0, 0, 0, 0]))).toThrow(
      'checkpoint.rngs[0].data: expected four uint32 words, not all zero',
    );
    expect(bad((o) => o.history.pop())).toThrow('checkpoint.history: expected one array per instance (2)');
    expect(bad((o) => ((o.history[0]![0] as unknown as { loss: null }).loss = null))).toThrow(
      'checkpoint.history[0][0].loss: expected a finite number, received null',
    );
    expect(bad((o) => o.instanceStates.pop())).toThrow('checkpoint.instanceStates: expected one entry per instance (2)');
    expect(bad((o) => ((o.instanceStates[0] as { status: string }).status = 'done'))).toThrow(
      'checkpoint.instanceStates[0].status: expected "training" | "converged" | "diverged", received "done"',
    );
    expect(
      bad((o) => {
        const st = o.instanceStates[0]!;
        if (st.status === 'training') st.monitor.plateau!.means[0]![1] = Number.NaN;
      }),
    ).toThrow('checkpoint.instanceStates[0].monitor.plateau.means[0][1]: expected a finite number, received NaN');
    expect(
      bad((o) => (o.instanceStates[1] = { status: 'diverged', step: 3, reason: 'exploded' as 'blow-up', message: '' })),
    ).toThrow(
      'checkpoint.instanceStates[1].reason: expected "non-finite-loss" | "non-finite-params" | "blow-up", received "exploded"',
    );
  });

  it('refuses every single-character change and every truncation of a checkpoint file (checksum)', () => {
    const text = JSON.stringify(serializeCheckpoint(sample()));
    expect(deserializeCheckpoint(JSON.parse(text)).step).toBe(7);
    const refused = (t: string): boolean => {
      try {
        deserializeCheckpoint(JSON.parse(t));
        return false;
      } catch (e) {
        return e instanceof SyntaxError || e instanceof PolytoyError;
      }
    };
    for (let k = 0; k < text.length; k++) {
      const c = text[k]!;
      const flipped = `${text.slice(0, k)}${c === '1' ? '2' : c === 'A' ? 'B' : String.fromCharCode(c.charCodeAt(0) ^ 1)}${text.slice(k + 1)}`;
      expect(refused(flipped), `change at ${k} (${JSON.stringify(text.slice(k - 10, k + 10))})`).toBe(true);
    }
    for (let len = 0; len < text.length; len += 17) expect(refused(text.slice(0, len))).toBe(true);
    const o = JSON.parse(text) as SerializedCheckpoint;
    o.wallSeconds += 1;
    expect(() => deserializeCheckpoint(o)).toThrow(
      'checkpoint.checksum: expected the SHA-256 of the contents, received a mismatch (the file is corrupt or was edited)',
    );
  });

  it('reads /2 checkpoints (before checksums) as they are', () => {
    const { checksum: _c, ...v2 } = serializeCheckpoint(sample());
    const back = deserializeCheckpoint(JSON.parse(JSON.stringify({ ...v2, format: 'polytoy.checkpoint/2' })));
    expect(back.step).toBe(7);
    expect(back.params[0]).toEqual(sample().params[0]);
  });

  it('reads /1 checkpoints (before convergence tracking): every instance training, step-0 loss as reference', () => {
    const { instanceStates: _s, checksum: _c, ...old } = serializeCheckpoint(sample());
    const back = deserializeCheckpoint(JSON.parse(JSON.stringify({ ...old, format: 'polytoy.checkpoint/1' })));
    expect(back.format).toBe('polytoy.checkpoint/3');
    expect(back.instanceStates).toEqual([
      { status: 'training', monitor: { reference: 0.5, plateau: null } },
      { status: 'training', monitor: { reference: 0.6, plateau: null } },
    ]);
  });
});

describe('memoryCheckpointSink', () => {
  it('collects checkpoints and validates its interval', () => {
    const sink = memoryCheckpointSink(5);
    void sink.write(sample());
    expect(sink.checkpoints.map((c) => c.step)).toEqual([7]);
    expect(() => memoryCheckpointSink(0)).toThrow('every: expected a positive integer, received 0');
  });
});
