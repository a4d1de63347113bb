import * as tf from '@tensorflow/tfjs-core';
import type { ModelParams, TrainConfigInput, TrainResult } from '@polytoy/core';
import { ConfigError, DivergenceError, resolveTrainConfig } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeCheckpoint, memoryCheckpointSink, serializeCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { TrainingAbortedError } from './errors.js';
import { initNodeBackend } from './node.js';
import { runTraining, train } from './train.js';

beforeAll(async () => {
  await initNodeBackend();
});

/** Bit patterns of every parameter array, for exact comparison (distinguishes −0, NaN payloads). */
function bits(p: ModelParams): Record<string, number[]> {
  const u = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  return p.kind === 'tied' ? { W: u(p.W), b: u(p.b) } : { E: u(p.E), D: u(p.D), b: u(p.b) };
}

function expectIdentical(a: TrainResult, b: TrainResult): void {
  expect(a.instances.length).toBe(b.instances.length);
  a.instances.forEach((r, i) => {
    const s = b.instances[i]!;
    expect(bits(r.params)).toEqual(bits(s.params));
    expect(r.history).toEqual(s.history);
    expect(r.finalLoss).toEqual(s.finalLoss);
  });
}

/** A JSON round trip, as a checkpoint file would do. */
const viaJson = (cp: Checkpoint): Checkpoint => deserializeCheckpoint(JSON.parse(JSON.stringify(serializeCheckpoint(cp))));

const small: TrainConfigInput = {
  data: { n: 16 },
  model: { m: 9 },
  batchSize: 32,
  steps: 40,
  logEvery: 10,
  optimizer: { kind: 'adam', lr: 1e-2 },
};

describe('train', () => {
  it("lowers the seed's tied model loss at least 10× (n=16, m=9, batch 128, Adam 1e-2, lambda 1e-3)", async () => {
    const result = await train({
      seed: 1,
      data: { kind: 'half-split', n: 16 },
      model: { m: 9, l1: { target: 'activations', lambda: 1e-3 } },
      batchSize: 128,
      steps: 600,
      logEvery: 100,
      optimizer: { kind: 'adam', lr: 1e-2 },
    });
    const [r] = result.instances;
    const first = r!.history[0]!;
    expect(first.step).toBe(0);
    expect(r!.finalLoss.step).toBe(600);
    expect(r!.finalLoss.loss).toBeLessThan(first.loss / 10);
    expect(r!.finalLoss.loss).toBeCloseTo(r!.finalLoss.reconstruction + 1e-3 * r!.finalLoss.l1, 5);
    expect(result.runtime).toMatchObject({ backend: 'wasm', simd: true });
    expect(result.wallSeconds).toBeGreaterThan(0);
    expect(r!.params.kind).toBe('tied');
    // outputBias is on by default: b is trained.
    expect(Array.from(r!.params.b).some((v) => v !== 0)).toBe(true);
  });

  it('logs every logEvery updates and once more after the last, and reports progress', async () => {
    const logged: number[] = [];
    const progress: number[] = [];
    const result = await train(
      { ...small, steps: 25 },
      {
        onLog: (rec) => logged.push(rec.step * 10 + rec.instance),
        onProgress: (p) => progress.push(p.done),
      },
    );
    expect(result.instances[0]!.history.map((r) => r.step)).toEqual([0, 10, 20, 25]);
    expect(logged).toEqual([0, 100, 200, 250]);
    expect(progress).toContain(25);
    expect(progress[progress.length - 1]).toBe(25);
    const zero = await train({ ...small, steps: 0 });
    expect(zero.instances[0]!.history.map((r) => r.step)).toEqual([0]);
  });

  it('is deterministic: the same config gives bit-identical results', async () => {
    const cfg: TrainConfigInput = {
      ...small,
      seed: 5,
      instances: 2,
      model: { m: 9, hiddenNoise: { kind: 'gaussian', std: 0.05 } },
    };
    expectIdentical(await train(cfg), await train(cfg));
  });

  it('accepts an already resolved config', async () => {
    const resolved = resolveTrainConfig({ ...small, steps: 5 });
    const a = await train(resolved);
    expect(a.config).toEqual(resolved);
    expectIdentical(a, await train({ ...small, steps: 5 }));
    await expect(train({ ...resolved, model: { ...resolved.model, n: 8 } })).rejects.toThrow(
      'model.n: expected data.n (16), received 8',
    );
  });

  it.each([
    [
      'tied, AdamW, cosine with warm-up, gaussian hidden noise',
      {
        model: { m: 9, hiddenNoise: { kind: 'gaussian', std: 0.1 } },
        optimizer: { kind: 'adamw', weightDecay: 0.05 },
        schedule: { kind: 'cosine', warmupSteps: 5, minFactor: 0.1 },
      },
    ],
    [
      'untied with unit decoder columns, SGD with momentum, bernoulli noise',
      {
        model: { m: 9, weights: { kind: 'untied' }, hiddenNoise: { kind: 'bernoulli', p: 0.1 } },
        optimizer: { kind: 'sgd', momentum: 0.9 },
      },
    ],
    [
      "sizes past tfjs-wasm's 48-wide matmul blocks (n = 64, m = 52, batch 64)",
      {
        data: { n: 64 },
        model: { m: 52 },
        batchSize: 64,
        steps: 5,
      },
    ],
  ] as const)('three instances in one batch equal three separate runs bit for bit (%s)', async (_name, extra) => {
    const instances = [
      { seed: 11, lambda: 1e-3, lr: 1e-2 },
      { seed: 22, lambda: 3e-2, lr: 3e-3 },
      { seed: 33, lambda: 0, lr: 2e-2 },
    ];
    // 110 steps: past the first flush of tiny optimizer moments (every FLUSH_EVERY = 100 updates).
    const base: TrainConfigInput = { ...small, steps: 110, ...extra };
    const together = await train({ ...base, instances });
    const alone = await Promise.all(instances.map((spec) => train({ ...base, instances: [spec] })));
    together.instances.forEach((r, i) => {
      const s = alone[i]!.instances[0]!;
      expect(bits(r.params)).toEqual(bits(s.params));
      expect(r.history).toEqual(s.history.map((rec) => ({ ...rec, instance: i })));
      expect([r.seed, r.lambda, r.lr]).toEqual([s.seed, s.lambda, s.lr]);
    });
    // and the instances really differ from each other.
    expect(bits(together.instances[0]!.params)).not.toEqual(bits(together.instances[1]!.params));
  });

  it('keeps unit-norm decoder columns for untied weights', async () => {
    const result = await train({ ...small, model: { m: 9, weights: { kind: 'untied', decoderNorm: 'unit-columns' } } });
    const p = result.instances[0]!.params;
    expect(p.kind).toBe('untied');
    if (p.kind !== 'untied') return;
    for (let j = 0; j < p.m; j++) {
      let s = 0;
      for (let i = 0; i < p.n; i++) s += p.D[i * p.m + j]! ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 5);
    }
  });

  it('keeps b at exactly 0 when outputBias is false, for every optimizer', async () => {
    for (const optimizer of [{ kind: 'sgd', momentum: 0.5 }, { kind: 'adam' }, { kind: 'adamw' }] as const) {
      const result = await train({ ...small, steps: 10, model: { m: 9, outputBias: false }, optimizer });
      expect(Array.from(result.instances[0]!.params.b)).toEqual(new Array(16).fill(0));
    }
  });

  it('does not leak tensors: the count is the same at every log step and back to the start after', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train(
      // 120 steps: includes the moment flush at update 100 and checkpoints every 15.
      {
        ...small,
        steps: 120,
        logEvery: 20,
        instances: 2,
        model: { m: 9, weights: { kind: 'untied' }, hiddenNoise: { kind: 'bernoulli', p: 0.2 } },
      },
      { onLog: (r) => r.instance === 0 && counts.push(tf.memory().numTensors), checkpoint: memoryCheckpointSink(15) },
    );
    expect(counts.length).toBe(7); // steps 0, 20, …, 100 and the final evaluation (120)
    expect(new Set(counts.slice(0, -1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkpoints and resume', () => {
  // 120 steps, so that the flush of tiny moments at update 100 happens after the resume.
  const cfg: TrainConfigInput = {
    ...small,
    steps: 120,
    logEvery: 30,
    instances: [{ seed: 3 }, { seed: 4, lr: 3e-3 }],
    model: { m: 9, hiddenNoise: { kind: 'gaussian', std: 0.05 } },
    schedule: { kind: 'cosine', warmupSteps: 4, minFactor: 0.2 },
  };

  it('60 steps + checkpoint + 60 resumed steps equal 120 straight steps, bit for bit', async () => {
    const sink = memoryCheckpointSink(60);
    const straight = await train(cfg, { checkpoint: sink });
    expect(sink.checkpoints.map((c) => c.step)).toEqual([60, 120]);
    const at60 = viaJson(sink.checkpoints[0]!);
    expect(at60.history[0]!.map((r) => r.step)).toEqual([0, 30]);
    const resumed = await train(at60.config as TrainConfigInput, { resumeFrom: at60 });
    expectIdentical(resumed, straight);
    expect(resumed.wallSeconds).toBeGreaterThan(at60.wallSeconds);
  });

  it('an aborted run throws TrainingAbortedError with a checkpoint that resumes bit-identically', async () => {
    const straight = await train(cfg);
    const controller = new AbortController();
    const sink = memoryCheckpointSink(1000);
    const error = await train(cfg, {
      signal: controller.signal,
      checkpoint: sink,
      onLog: (r) => r.step === 60 && controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingAbortedError);
    const aborted = error as TrainingAbortedError;
    // Update 60 completes; the signal is seen before update 61.
    expect(aborted.step).toBe(61);
    expect(aborted.written).toBe(true);
    expect(aborted.message).toBe('training aborted after step 61; checkpoint written');
    expect(sink.checkpoints.map((c) => c.step)).toEqual([61]);
    expectIdentical(await train(cfg, { resumeFrom: viaJson(aborted.checkpoint) }), straight);
  });

  it('a run may be extended: resuming the final checkpoint with more steps (constant lr) equals a longer run', async () => {
    const constant: TrainConfigInput = { ...cfg, schedule: { kind: 'constant' }, steps: 90 };
    const sink = memoryCheckpointSink(1000);
    await train(constant, { checkpoint: sink });
    const end = sink.checkpoints.at(-1)!;
    expect(end.step).toBe(90);
    expectIdentical(await train({ ...constant, steps: 110 }, { resumeFrom: end }), await train({ ...constant, steps: 110 }));
  });

  it('refuses to resume with a different config', async () => {
    const sink = memoryCheckpointSink(10);
    await train({ ...cfg, steps: 10 }, { checkpoint: sink });
    const cp = sink.checkpoints[0]!;
    await expect(train({ ...cfg, optimizer: { kind: 'adam', lr: 2e-2 } }, { resumeFrom: cp })).rejects.toThrow(
      'resumeFrom.config: expected the same config as the run (only steps and logEvery may differ), received "a different config"',
    );
    await expect(train({ ...cfg, steps: 5 }, { resumeFrom: cp })).rejects.toThrow(ConfigError);
  });
});

describe('divergence', () => {
  it('names the step and instance when the loss becomes NaN, keeping the last good checkpoint', async () => {
    const sink = memoryCheckpointSink(10);
    const error = await runTraining(
      { ...small, steps: 100, instances: 3 },
      { checkpoint: sink },
      { batch: (step, x) => step === 37 && x.fill(NaN, 2 * 32 * 16 + 5, 2 * 32 * 16 + 6) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    const d = error as DivergenceError;
    expect([d.step, d.instance]).toEqual([37, 2]);
    expect(d.message).toBe('instance 2 diverged at step 37: loss is NaN (lr 0.01 may be too large)');
    expect(sink.checkpoints.map((c) => c.step)).toEqual([10, 20, 30]);
    for (const p of sink.checkpoints.at(-1)!.params) expect(p.kind === 'tied' && p.W.every(Number.isFinite)).toBe(true);
  });

  it('catches a learning rate that is far too large', async () => {
    const error = await train({ ...small, steps: 200, instances: [{}, { lr: 10 }, {}], optimizer: { kind: 'sgd' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).instance).toBe(1);
    expect((error as DivergenceError).message).toMatch(
      /^instance 1 diverged at step \d+: loss is (Infinity|NaN) \(lr 10 may be too large\)$/,
    );
  });

  it('checks parameters even when the loss stays finite', async () => {
    // b = −Infinity for feature 0: its ReLU output is 0 and its gradient 0, so the loss is finite.
    const b = new Float32Array(16);
    b[0] = -Infinity;
    const given: ModelParams = { kind: 'tied', n: 16, m: 9, W: new Float32Array(144).fill(0.1), b };
    const error = await train(
      { ...small, instances: 2, model: { m: 9, init: { kind: 'given', params: given, perturbation: 0.01 } } },
      { checkEvery: 7 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).message).toBe(
      'instance 0 diverged at step 7: parameters contain NaN or Infinity (lr 0.01 may be too large)',
    );
  });

  it('validates its options', async () => {
    await expect(train(small, { checkEvery: 0 })).rejects.toThrow('checkEvery: expected a positive integer, received 0');
  });
});
