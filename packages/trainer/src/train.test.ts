import * as tf from '@tensorflow/tfjs-core';
import type { InstanceResult, LossRecord, ModelParams, TrainConfigInput, TrainResult } from '@polytoy/core';
import { ConfigError, resolveTrainConfig } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeCheckpoint, memoryCheckpointSink, serializeCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { TrainingAbortedError } from './errors.js';
import { initNodeBackend } from './node.js';
import { runTraining, train } from './train.js';
import type { TrainHooks } from './train.js';

/** `runTraining` (train with test hooks) from a user config. */
const trainWithHooks = (input: TrainConfigInput, opts: Parameters<typeof runTraining>[1], hooks: TrainHooks) =>
  runTraining(resolveTrainConfig(input), opts, hooks);

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

/** Two results of one instance (possibly at different positions in their runs) agree bit for bit. */
function expectSameInstance(a: InstanceResult, b: InstanceResult): void {
  expect(bits(a.params)).toEqual(bits(b.params));
  expect([a.status, a.step, a.seed, a.lambda, a.lr]).toEqual([b.status, b.step, b.seed, b.lambda, b.lr]);
  const at = (r: LossRecord) => ({ ...r, instance: 0 });
  expect(a.history.map(at)).toEqual(b.history.map(at));
  expect(at(a.finalLoss)).toEqual(at(b.finalLoss));
}

/** The same run, bit for bit: instances, diverged instances, steps. */
function expectSameOutcome(a: TrainResult, b: TrainResult): void {
  expectIdentical(a, b);
  expect(a.instances.map((r) => [r.instance, r.status, r.step])).toEqual(b.instances.map((r) => [r.instance, r.status, r.step]));
  expect(a.diverged).toEqual(b.diverged);
  expect(a.stepsRun).toBe(b.stepsRun);
}

const plateau = { kind: 'plateau', window: 100, tolerance: 0.05 } as const;
/** Four instances that end differently under `plateau` within 3000 steps (checked below). */
const mixed: TrainConfigInput = {
  data: { n: 16 },
  model: { m: 9, l1: { lambda: 1e-2 } },
  batchSize: 32,
  steps: 3000,
  logEvery: 100,
  optimizer: { kind: 'adam', lr: 1e-2 },
  convergence: plateau,
  instances: [{ seed: 0 }, { seed: 1, lr: 3e-3 }, { seed: 2, lr: 1e-3 }, { seed: 3, lr: 3e-2 }],
};

describe('convergence', () => {
  it('stops each instance at its own convergence step, reports the rest capped, and ends with the last', async () => {
    const result = await train(mixed);
    const [a, b, slow, fast] = result.instances;
    for (const r of [a!, b!, fast!]) {
      expect(r.status).toBe('converged');
      expect(r.step % 100).toBe(0);
      expect(r.step).toBeLessThan(3000);
      expect(r.finalLoss.step).toBe(r.step);
      expect(r.history.at(-1)).toEqual(r.finalLoss);
      expect(r.history.at(-2)!.step).toBeLessThan(r.step);
    }
    expect(fast!.step).toBeLessThan(a!.step); // lr 3e-2 settles before 1e-2 …
    expect(a!.step).toBeLessThan(b!.step); // … before 3e-3
    expect(slow).toMatchObject({ status: 'capped', step: 3000 }); // lr 1e-3 is still moving
    expect(slow!.finalLoss.step).toBe(3000);
    expect(result.diverged).toEqual([]);
    expect(result.stepsRun).toBe(3000);
  });

  it('freezes a converged instance exactly: its result is that of a fixed-step run of its step count', async () => {
    const result = await train(mixed);
    for (const r of result.instances.filter((x) => x.status === 'converged')) {
      const spec = resolveTrainConfig(mixed).instances[r.instance]!;
      const fixed = await train({ ...mixed, convergence: { kind: 'off' }, steps: r.step, instances: [spec] });
      expectSameInstance(r, { ...fixed.instances[0]!, status: 'converged' });
    }
  });

  it.each([
    ['tied, Adam (fused step)', {}, {}],
    ['tied, SGD with momentum (fused step)', { optimizer: { kind: 'sgd', lr: 3e-2, momentum: 0.9 } }, {}],
    ['tied, AdamW on tfjs ops', { optimizer: { kind: 'adamw', weightDecay: 0.05 } }, { engine: 'tfjs' as const }],
    [
      'untied with unit-norm decoder columns and hidden noise, SGD with momentum',
      {
        model: { m: 9, l1: { lambda: 1e-2 }, weights: { kind: 'untied' }, hiddenNoise: { kind: 'gaussian', std: 0.05 } },
        optimizer: { kind: 'sgd', lr: 3e-2, momentum: 0.9 },
      },
      {},
    ],
  ] as const)('gives an instance the same result alone as in any group (%s)', async (_name, extra, hooks) => {
    const base: TrainConfigInput = { ...mixed, steps: 1500, ...extra };
    const lr = (base.optimizer as { lr?: number }).lr ?? 1e-2;
    const target = { seed: 5 };
    const alone = await trainWithHooks({ ...base, instances: [target] }, {}, hooks);
    const before = tf.memory().numTensors;
    // Slower, diverging and faster neighbours; the diverging one and early finishers make the
    // engine drop frozen instances mid-run.
    const group = await trainWithHooks(
      { ...base, instances: [{ seed: 6, lr: lr / 10 }, target, { seed: 7, lr: 1e3 }, { seed: 8, lr: lr * 3 }] },
      {},
      hooks,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(group.diverged.map((d) => d.instance)).toEqual([2]);
    expect(group.instances.map((r) => r.instance)).toEqual([0, 1, 3]);
    expectSameInstance(group.instances[1]!, alone.instances[0]!);
    const fast = await trainWithHooks({ ...base, instances: [{ seed: 8, lr: lr * 3 }] }, {}, hooks);
    expectSameInstance(group.instances[2]!, fast.instances[0]!);
    const other = await trainWithHooks({ ...base, instances: [target, { seed: 9 }] }, {}, hooks);
    expectSameInstance(other.instances[0]!, alone.instances[0]!);
    // Six instances: the first one to stop stays in the engine (lr 0, no data) until a quarter has.
    const sixSpecs = [{ seed: 10 }, { seed: 12 }, target, { seed: 13 }, { seed: 14, lr: lr / 3 }, { seed: 15, lr: lr / 3 }];
    const six = await trainWithHooks({ ...base, instances: sixSpecs }, {}, hooks);
    expectSameInstance(six.instances[2]!, alone.instances[0]!);
    const last = six.instances.reduce((x, r) => (r.step >= x.step ? r : x));
    const spec = resolveTrainConfig({ ...base, instances: sixSpecs }).instances[last.instance]!;
    expectSameInstance(last, (await trainWithHooks({ ...base, instances: [spec] }, {}, hooks)).instances[0]!);
  });

  it('resumes bit-identically from checkpoints before, between and after the instances stop', async () => {
    const cfg: TrainConfigInput = { ...mixed, steps: 2000, instances: [...(mixed.instances as object[]), { seed: 4, lr: 1e3 }] };
    const sink = memoryCheckpointSink(200);
    const straight = await train(cfg, { checkpoint: sink });
    const states = sink.checkpoints.map((c) => c.instanceStates.map((s) => s.status).join(','));
    // Every kind of checkpoint occurs: all training but the diverged one, some converged, and the end.
    expect(states[0]).toBe('training,training,training,training,diverged');
    expect(states.some((s) => s.startsWith('converged') || s.includes(',converged'))).toBe(true);
    expect(sink.checkpoints.at(-1)!.step).toBe(2000);
    for (const cp of sink.checkpoints) expectSameOutcome(await train(cfg, { resumeFrom: viaJson(cp) }), straight);
    // The final checkpoint extended: capped instances train on, converged ones stay.
    const longer = await train({ ...cfg, steps: 2600 });
    expectSameOutcome(await train({ ...cfg, steps: 2600 }, { resumeFrom: viaJson(sink.checkpoints.at(-1)!) }), longer);
  });

  it('ends early when every instance has stopped, with a final checkpoint there', async () => {
    const sink = memoryCheckpointSink(500);
    const cfg: TrainConfigInput = { ...mixed, instances: [{ seed: 0 }, { seed: 3, lr: 3e-2 }] };
    const result = await train(cfg, { checkpoint: sink });
    const last = Math.max(...result.instances.map((r) => r.step));
    expect(result.instances.every((r) => r.status === 'converged')).toBe(true);
    expect(result.stepsRun).toBe(last);
    expect(sink.checkpoints.at(-1)!.step).toBe(last);
    expect(sink.checkpoints.map((c) => c.step)).toEqual([
      ...Array.from({ length: Math.floor((last - 1) / 500) }, (_, k) => 500 * (k + 1)),
      last,
    ]);
    // Resuming the end checkpoint trains nothing and returns the same result.
    expectSameOutcome(await train(cfg, { resumeFrom: viaJson(sink.checkpoints.at(-1)!) }), result);
  });
});

describe('divergence', () => {
  it('flags Adam at lr 1e3 with its step and returns the healthy instances of the group unchanged', async () => {
    const cfg: TrainConfigInput = { ...small, steps: 200, instances: [{ seed: 1 }, { seed: 2, lr: 1e3 }, { seed: 3 }] };
    const result = await train(cfg);
    expect(result.instances.map((r) => [r.instance, r.status, r.step])).toEqual([
      [0, 'capped', 200],
      [2, 'capped', 200],
    ]);
    const [d] = result.diverged;
    expect(d).toMatchObject({ instance: 1, seed: 2, lr: 1e3, status: 'diverged', reason: 'blow-up' });
    expect(d!.step).toBeLessThan(5);
    expect(d!.message).toMatch(/^instance 1 diverged at step \d: loss \S+ > 100 × reference \S+ \(lr 1000 may be too large\)$/);
    for (const r of result.instances) {
      const alone = await train({ ...cfg, instances: [resolveTrainConfig(cfg).instances[r.instance]!] });
      expectSameInstance(r, alone.instances[0]!);
    }
  });

  it('names the step when the loss becomes NaN; the others train on and checkpoints go on', async () => {
    const sink = memoryCheckpointSink(10);
    const result = await trainWithHooks(
      { ...small, steps: 100, instances: 3 },
      { checkpoint: sink },
      { batch: (step, x) => step === 37 && x.fill(NaN, 2 * 32 * 16 + 5, 2 * 32 * 16 + 6) },
    );
    expect(result.diverged.map((d) => [d.instance, d.step, d.reason, d.message])).toEqual([
      [2, 37, 'non-finite-loss', 'instance 2 diverged at step 37: loss is NaN (lr 0.01 may be too large)'],
    ]);
    expect(result.diverged[0]!.history.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(result.instances.map((r) => [r.instance, r.status, r.step])).toEqual([
      [0, 'capped', 100],
      [1, 'capped', 100],
    ]);
    expect(sink.checkpoints.map((c) => c.step)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(sink.checkpoints[4]!.instanceStates[2]).toEqual({
      status: 'diverged',
      step: 37,
      reason: 'non-finite-loss',
      message: result.diverged[0]!.message,
    });
    // The healthy instances are those of a run without the faulty batch.
    expectIdentical({ ...result, instances: result.instances }, { ...(await train({ ...small, steps: 100, instances: 2 })) });
  });

  it('catches a learning rate that is far too large for SGD', async () => {
    const result = await train({ ...small, steps: 200, instances: [{}, { lr: 10 }, {}], optimizer: { kind: 'sgd' } });
    expect(result.diverged.map((d) => d.instance)).toEqual([1]);
    expect(result.diverged[0]!.message).toMatch(
      /^instance 1 diverged at step \d+: loss (is (Infinity|NaN)|\S+ > 100 × reference \S+) \(lr 10 may be too large\)$/,
    );
    expect(result.instances).toHaveLength(2);
  });

  it('checks parameters even when the loss stays finite', async () => {
    // b = −Infinity for feature 0: its ReLU output is 0 and its gradient 0, so the loss is finite.
    const b = new Float32Array(16);
    b[0] = -Infinity;
    const given: ModelParams = { kind: 'tied', n: 16, m: 9, W: new Float32Array(144).fill(0.1), b };
    const result = await train(
      { ...small, instances: 2, model: { m: 9, init: { kind: 'given', params: given, perturbation: 0.01 } } },
      { checkEvery: 7 },
    );
    expect(result.instances).toEqual([]);
    expect(result.stepsRun).toBe(7);
    expect(result.diverged.map((d) => [d.step, d.reason, d.message])).toEqual([
      [7, 'non-finite-params', 'instance 0 diverged at step 7: parameters contain NaN or Infinity (lr 0.01 may be too large)'],
      [7, 'non-finite-params', 'instance 1 diverged at step 7: parameters contain NaN or Infinity (lr 0.01 may be too large)'],
    ]);
  });

  it('validates its options', async () => {
    await expect(train(small, { checkEvery: 0 })).rejects.toThrow('checkEvery: expected a positive integer, received 0');
  });
});
