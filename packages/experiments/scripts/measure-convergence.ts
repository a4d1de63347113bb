/**
 * The measurement behind the default convergence criterion (trainer README, "Convergence"):
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/measure-convergence.ts collect <dir> [--steps 160000] [--seeds 16]
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/measure-convergence.ts evaluate <dir>
 *
 * `collect` trains the seed's model (half-split n = 16, m = 9, tied, linear hidden layer) for a
 * long fixed horizon in six settings (lambda 1e-3 and 1e-2 × Adam lr 1e-2, SGD momentum 0.9 lr
 * 1e-2, plain SGD lr 5e-2), 16 seeds each, and stores per instance the sums of the minibatch
 * loss and L1 over every 100-step block and the parameters every 1000 steps.
 * `evaluate` replays the plateau criterion on the stored losses (the trainer's own
 * `PlateauTracker`, so the numbers are what a run with convergence on would have done: a run
 * with convergence on is bit-identical to the fixed-step run up to its convergence step) and
 * compares each run's family and exact L1 at its convergence step t with the same run at 2t
 * and 4t (when the horizon reaches it).
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/measure-convergence.ts margin
 *
 * `margin` justifies the divergence blow-up factor: over the grids' learning rates (Adam 1e-3 …
 * 3e-2, SGD with momentum 0.9 1e-3 … 3e-2, plain SGD 1e-2 … 1e-1), tied/untied, hidden
 * none/relu, n = 8 and 32, lambda 0 and 1e-2, random and construction starts, it prints the
 * largest minibatch loss relative to the instance's reference (healthy runs), and for learning
 * rates far too large the ratio they reach and the step at which the trainer flags them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactPopulationLoss, sameSignConstruction } from '@polytoy/analytic';
import type { ModelParams, OptimizerConfig, TrainConfigInput } from '@polytoy/core';
import { DEFAULTS, deserializeParams, serializeParams } from '@polytoy/core';
import { analyseModel } from '@polytoy/metrics';
import { addPlateauStep, emptyPlateauState, train } from '@polytoy/trainer';
import { initNodeBackend } from '@polytoy/trainer/node';

interface Setting {
  name: string;
  lambda: number;
  optimizer: Partial<OptimizerConfig> & { kind: OptimizerConfig['kind'] };
}

const SETTINGS: Setting[] = [1e-3, 1e-2].flatMap((lambda) => [
  { name: `adam-1e-2-l${lambda}`, lambda, optimizer: { kind: 'adam', lr: 1e-2 } },
  { name: `sgdm-1e-2-l${lambda}`, lambda, optimizer: { kind: 'sgd', lr: 1e-2, momentum: 0.9 } },
  { name: `sgd-5e-2-l${lambda}`, lambda, optimizer: { kind: 'sgd', lr: 5e-2, momentum: 0 } },
]);
const PARAMS_EVERY = 1000;

function flag(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

function configOf(s: Setting, steps: number, seeds: number): TrainConfigInput {
  return {
    seed: 0,
    steps,
    batchSize: 256,
    logEvery: 1,
    instances: seeds,
    data: { kind: 'half-split', n: 16 },
    model: { m: 9, l1: { lambda: s.lambda } },
    optimizer: s.optimizer,
  };
}

async function collect(dir: string): Promise<void> {
  const steps = flag('steps', 160_000);
  const seeds = flag('seeds', 16);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
  mkdirSync(dir, { recursive: true });
  await initNodeBackend();
  for (const s of SETTINGS) {
    if (only && !only.includes(s.name)) continue;
    const t0 = performance.now();
    const loss = new Float32Array(seeds * steps);
    const l1 = new Float32Array(seeds * steps);
    const params: { step: number; params: ReturnType<typeof serializeParams>[] }[] = [];
    const result = await train(configOf(s, steps, seeds), {
      onLog: (r) => {
        if (r.step >= steps) return; // the final evaluation record
        loss[r.instance * steps + r.step] = r.loss;
        l1[r.instance * steps + r.step] = r.l1;
      },
      checkpoint: {
        every: PARAMS_EVERY,
        write: (cp) => void params.push({ step: cp.step, params: cp.params.map((p: ModelParams) => serializeParams(p)) }),
      },
    });
    writeFileSync(join(dir, `${s.name}.loss.f32`), Buffer.from(loss.buffer));
    writeFileSync(join(dir, `${s.name}.l1.f32`), Buffer.from(l1.buffer));
    writeFileSync(join(dir, `${s.name}.json`), JSON.stringify({ setting: s, steps, seeds, params }));
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `${s.name}: ${steps} steps × ${seeds} in ${seconds.toFixed(0)} s (final loss ${result.instances[0]!.finalLoss.loss})`,
    );
  }
}

/** The seed's model as these settings train it (linear hidden layer, output ReLU, activation L1). */
const MODEL = {
  hiddenActivation: 'none',
  outputActivation: 'relu',
  outputBias: true,
  l1: { target: 'activations', lambda: 0 },
} as const;

/** The family of a solution: the taxonomy's label with its per-output counts. */
function familyOf(p: ModelParams): string {
  const m = analyseModel(p, { data: { kind: 'half-split', n: p.n }, model: MODEL, lambda: 0 }, { exactLoss: false });
  return m.taxonomy?.name ?? 'n/a';
}

interface Point {
  family: string;
  l1: number;
  loss: number;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
};

async function evaluate(dir: string): Promise<void> {
  const candidates = [500, 1000, 2000].flatMap((window) => [3e-3, 1e-2, 3e-2].map((tolerance) => ({ window, tolerance })));
  const floor = DEFAULTS.plateau.floor;
  console.log(
    '| setting | window | tolerance | converged by 1/4 horizon | by the horizon | median step | family changed at 2t / 4t | rel. change of exact L1, t→4t: median / max | rel. change of exact loss t→4t: median / max |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const margins: string[] = [];
  for (const s of SETTINGS) {
    let meta: { steps: number; seeds: number; params: { step: number; params: unknown[] }[] };
    try {
      meta = JSON.parse(readFileSync(join(dir, `${s.name}.json`), 'utf8'));
    } catch {
      continue;
    }
    const { steps, seeds } = meta;
    const loss = new Float32Array(readFileSync(join(dir, `${s.name}.loss.f32`)).buffer.slice(0));
    const l1 = new Float32Array(readFileSync(join(dir, `${s.name}.l1.f32`)).buffer.slice(0));
    const byStep = new Map(meta.params.map((e) => [e.step, e.params.map((p) => deserializeParams(p))]));
    const cache = new Map<string, Point>();
    const pointAt = (i: number, step: number): Point | null => {
      const saved = Math.ceil(step / PARAMS_EVERY) * PARAMS_EVERY;
      const p = byStep.get(saved)?.[i];
      if (!p) return null;
      const key = `${i}:${saved}`;
      let pt = cache.get(key);
      if (!pt) {
        const e = exactPopulationLoss(p, {
          hiddenActivation: 'none',
          outputActivation: 'relu',
          lambda: s.lambda,
          l1Target: 'activations',
        });
        pt = { family: familyOf(p), l1: e.l1, loss: e.loss };
        cache.set(key, pt);
      }
      return pt;
    };
    // Divergence margin: the largest minibatch loss relative to the reference (n/4 = 4 here).
    let worst = 0;
    for (let i = 0; i < seeds; i++) {
      const reference = Math.max(loss[i * steps]!, 4);
      for (let t = 0; t < steps; t++) worst = Math.max(worst, loss[i * steps + t]! / reference);
    }
    margins.push(`${s.name}: max loss / reference = ${worst.toFixed(3)}`);
    for (const c of candidates) {
      const config = { kind: 'plateau' as const, window: c.window, tolerance: c.tolerance, floor };
      const cap = steps / 4;
      const stops: number[] = [];
      let changed2 = 0;
      let changed4 = 0;
      let compared2 = 0;
      let compared4 = 0;
      const dl1: number[] = [];
      const dloss: number[] = [];
      let byHorizon = 0;
      for (let i = 0; i < seeds; i++) {
        const state = emptyPlateauState();
        let stop: number | null = null;
        for (let t = 0; t < steps; t++) {
          if (addPlateauStep(config, state, loss[i * steps + t]!, l1[i * steps + t]!)) {
            stop = t + 1;
            break;
          }
        }
        if (stop !== null) byHorizon++;
        if (stop === null || stop > cap) continue;
        stops.push(stop);
        const at = pointAt(i, stop)!;
        const twice = pointAt(i, 2 * stop);
        const four = pointAt(i, 4 * stop);
        if (twice) {
          compared2++;
          if (twice.family !== at.family) changed2++;
        }
        if (four) {
          compared4++;
          if (four.family !== at.family) changed4++;
          dl1.push(Math.abs(four.l1 - at.l1) / at.l1);
          dloss.push(Math.abs(four.loss - at.loss) / at.loss);
        }
      }
      console.log(
        `| ${s.name} | ${c.window} | ${c.tolerance} | ${stops.length}/${seeds} | ${byHorizon}/${seeds} | ${quantile(stops, 0.5)} | ${changed2}/${compared2} / ${changed4}/${compared4} | ${pct(quantile(dl1, 0.5))} / ${pct(Math.max(...dl1))} | ${pct(quantile(dloss, 0.5))} / ${pct(Math.max(...dloss))} |`,
      );
    }
  }
  console.log('');
  for (const m of margins) console.log(m);
}

/** Largest minibatch loss / reference over healthy runs, and what too large learning rates do. */
async function margin(): Promise<void> {
  await initNodeBackend();
  const steps = flag('steps', 2000);
  const optimizers: (Setting['optimizer'] & { lr: number })[] = [
    ...[1e-3, 3e-3, 1e-2, 3e-2].map((lr) => ({ kind: 'adam' as const, lr })),
    ...[1e-3, 1e-2, 3e-2].map((lr) => ({ kind: 'sgd' as const, lr, momentum: 0.9 })),
    ...[1e-2, 5e-2, 1e-1].map((lr) => ({ kind: 'sgd' as const, lr, momentum: 0 })),
  ];
  const models = [
    { name: 'tied', model: {} },
    { name: 'tied relu', model: { hiddenActivation: 'relu' as const } },
    { name: 'untied', model: { weights: { kind: 'untied' as const } } },
  ];
  let worst = { ratio: 0, where: '' };
  let runs = 0;
  for (const n of [8, 32]) {
    for (const lambda of [0, 1e-2]) {
      for (const { name, model } of models) {
        for (const optimizer of optimizers) {
          for (const start of ['random', 'construction'] as const) {
            if (start === 'construction' && name !== 'tied') continue;
            const m = n / 2 + (name === 'tied relu' ? 2 : 1);
            const init =
              start === 'construction'
                ? { kind: 'given' as const, params: sameSignConstruction({ n, m }), perturbation: 0.01 }
                : { kind: 'normal' as const };
            const first: number[] = [];
            let top: number[] = [];
            const result = await train(
              {
                steps,
                batchSize: 256,
                logEvery: 1,
                instances: 4,
                data: { kind: 'half-split', n },
                model: { m, l1: { lambda }, init, ...model },
                optimizer,
              },
              {
                onLog: (r) => {
                  if (r.step === 0) first[r.instance] = Math.max(r.loss, n / 4);
                  else top[r.instance] = Math.max(top[r.instance] ?? 0, r.loss / first[r.instance]!);
                },
              },
            );
            runs++;
            top = top.map((v) => v ?? 0);
            const ratio = Math.max(...top);
            if (result.diverged.length > 0) {
              console.log(
                `unexpected divergence: n=${n} ${name} ${JSON.stringify(optimizer)} lambda ${lambda}: ${result.diverged[0]!.message}`,
              );
            }
            if (ratio > worst.ratio)
              worst = { ratio, where: `n=${n} ${name} ${start} ${JSON.stringify(optimizer)} lambda ${lambda}` };
          }
        }
      }
    }
  }
  console.log(
    `healthy: ${runs} settings × 4 seeds × ${steps} steps; largest minibatch loss / reference = ${worst.ratio.toFixed(3)} (${worst.where})`,
  );
  for (const optimizer of [
    { kind: 'adam' as const, lr: 1 },
    { kind: 'adam' as const, lr: 10 },
    { kind: 'adam' as const, lr: 1e3 },
    { kind: 'sgd' as const, lr: 1, momentum: 0.9 },
    { kind: 'sgd' as const, lr: 10, momentum: 0 },
  ]) {
    let top = 0;
    let ref = 0;
    const result = await train(
      {
        steps,
        batchSize: 256,
        logEvery: 1,
        instances: 4,
        data: { kind: 'half-split', n: 16 },
        model: { m: 9 },
        optimizer,
        divergence: { blowUp: 1e30 },
      },
      {
        onLog: (r) => {
          if (r.step === 0) ref = Math.max(ref, r.loss, 4);
          else if (Number.isFinite(r.loss)) top = Math.max(top, r.loss / ref);
        },
      },
    );
    const flagged = await train({
      steps,
      batchSize: 256,
      instances: 4,
      data: { kind: 'half-split', n: 16 },
      model: { m: 9 },
      optimizer,
    });
    console.log(
      `${JSON.stringify(optimizer)}: largest finite loss / reference ${top.toExponential(2)}; ` +
        `with blowUp 100: ${flagged.diverged.length}/4 flagged, at steps ${flagged.diverged.map((d) => `${d.step} (${d.reason})`).join(', ')}` +
        `${result.diverged.length ? `; without it ${result.diverged.length}/4 reach NaN/Inf` : ''}`,
    );
  }
}

const [command, dir] = process.argv.slice(2);
if (command === 'collect' && dir) await collect(dir);
else if (command === 'evaluate' && dir) await evaluate(dir);
else if (command === 'margin') await margin();
else
  throw new Error(
    'usage: measure-convergence.ts collect|evaluate <dir> [--steps N] [--seeds N] [--only a,b] | margin [--steps N]',
  );
