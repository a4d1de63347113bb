/**
 * `polytoy train` flags and their mapping onto a TrainConfigInput. A `--config file.json` is the
 * base; flags given on the command line override its fields.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, DEFAULTS, OPTIMIZER_KINDS, PolytoyError } from '@polytoy/core';
import type { FlagSpec, FlagValues } from './flags.js';

export const TRAIN_FLAGS: FlagSpec[] = [
  { name: 'config', type: 'string', placeholder: 'file.json', help: 'Read a training config (JSON) first; flags override it' },
  {
    name: 'data',
    type: 'string',
    placeholder: 'kind',
    help: 'half-split | basis | sparse-uniform',
    defaultText: DEFAULTS.data.kind,
  },
  {
    name: 'n',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Features (half-split: a multiple of 4)',
    defaultText: String(DEFAULTS.data.n),
  },
  { name: 'm', type: 'number', integer: true, min: 1, help: 'Hidden neurons', defaultText: 'n/2 + 1' },
  {
    name: 'density',
    type: 'number',
    help: 'sparse-uniform: probability a feature is present',
    defaultText: String(DEFAULTS.data.density),
  },
  {
    name: 'importance-decay',
    type: 'number',
    help: 'sparse-uniform: importance of feature i is decay^i',
    defaultText: String(DEFAULTS.data.importanceDecay),
  },
  { name: 'untied', type: 'boolean', help: 'Untied encoder/decoder (decoder columns kept at unit norm)' },
  {
    name: 'decoder-norm',
    type: 'string',
    placeholder: 'unit-columns|none',
    help: 'Untied decoder constraint',
    defaultText: DEFAULTS.model.decoderNorm,
  },
  {
    name: 'hidden',
    type: 'string',
    placeholder: 'none|relu',
    help: 'Hidden activation',
    defaultText: DEFAULTS.model.hiddenActivation,
  },
  {
    name: 'output',
    type: 'string',
    placeholder: 'relu|none',
    help: 'Output activation',
    defaultText: DEFAULTS.model.outputActivation,
  },
  { name: 'no-bias', type: 'boolean', help: 'No output bias' },
  { name: 'lambda', type: 'number', min: 0, help: 'L1 coefficient', defaultText: DEFAULTS.model.lambda.toExponential() },
  {
    name: 'l1',
    type: 'string',
    placeholder: 'activations|weights',
    help: 'What the L1 penalty acts on',
    defaultText: DEFAULTS.model.l1Target,
  },
  { name: 'noise', type: 'string', placeholder: 'gaussian:STD|bernoulli:P', help: 'Hidden noise' },
  { name: 'init', type: 'string', placeholder: 'normal[:STD]|xavier', help: 'Initialisation', defaultText: 'normal:1/sqrt(m)' },
  {
    name: 'init-from',
    type: 'string',
    placeholder: 'run.json|construction',
    help: 'Start from saved params (a run.json) or "construction" (SPEC §2, c=1/2)',
  },
  {
    name: 'perturb',
    type: 'number',
    min: 0,
    help: 'Std of normal noise added to --init-from params',
    defaultText: String(DEFAULTS.model.perturbation),
  },
  {
    name: 'optimizer',
    type: 'string',
    placeholder: OPTIMIZER_KINDS.join('|'),
    help: 'Optimizer',
    defaultText: DEFAULTS.optimizer.kind,
  },
  { name: 'lr', type: 'number', min: 0, help: 'Learning rate', defaultText: DEFAULTS.optimizer.lr.toExponential() },
  { name: 'momentum', type: 'number', min: 0, help: 'SGD momentum', defaultText: '0' },
  { name: 'weight-decay', type: 'number', min: 0, help: 'AdamW weight decay', defaultText: '0.01' },
  {
    name: 'schedule',
    type: 'string',
    placeholder: 'constant|cosine',
    help: 'Learning-rate schedule',
    defaultText: DEFAULTS.schedule.kind,
  },
  {
    name: 'warmup',
    type: 'number',
    integer: true,
    min: 0,
    help: 'Linear warm-up steps',
    defaultText: String(DEFAULTS.schedule.warmupSteps),
  },
  {
    name: 'steps',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Training steps (with --converge: the cap)',
    defaultText: String(DEFAULTS.train.steps),
  },
  {
    name: 'converge',
    type: 'boolean',
    help: 'Stop each instance when converged (plateau criterion: window 1000, tolerance 1e-2); --steps is the cap',
  },
  {
    name: 'batch',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Batch size (basis data: must be n)',
    defaultText: String(DEFAULTS.train.batchSize),
  },
  {
    name: 'seed',
    type: 'number',
    integer: true,
    help: 'Seed (instance i uses seed + i)',
    defaultText: String(DEFAULTS.train.seed),
  },
  {
    name: 'instances',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Independent instances trained together',
    defaultText: String(DEFAULTS.train.instances),
  },
  {
    name: 'workers',
    type: 'number',
    integer: true,
    min: 1,
    max: 256,
    help: 'Worker threads (instances split across them; results are bit-identical)',
    defaultText: '1',
  },
  {
    name: 'split',
    type: 'string',
    placeholder: 'instances|batch',
    help: 'With --workers: split instances (exact) or each batch (one big run)',
    defaultText: 'instances',
  },
  {
    name: 'log-every',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Record loss components every k steps',
    defaultText: String(DEFAULTS.train.logEvery),
  },
  { name: 'out', type: 'string', placeholder: 'run.json', help: 'Write the run (config, params, history, analysis) as JSON' },
  { name: 'log', type: 'string', placeholder: 'log.jsonl', help: 'Write loss components as JSON lines' },
  { name: 'checkpoint', type: 'string', placeholder: 'ckpt.json', help: 'Write checkpoints to this file (atomically)' },
  { name: 'checkpoint-every', type: 'number', integer: true, min: 1, help: 'Checkpoint interval in steps', defaultText: '1000' },
  {
    name: 'resume',
    type: 'string',
    placeholder: 'ckpt.json',
    help: 'Resume from a checkpoint; --steps extends the run, model and data flags are refused',
  },
  { name: 'quiet', type: 'boolean', help: 'No progress bar' },
  {
    name: 'json',
    type: 'boolean',
    help: 'Print the per-instance results and their summary as one JSON document on stdout (progress stays on stderr)',
  },
];

type Json = Record<string, unknown>;

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new PolytoyError(`${what}: cannot read file ${JSON.stringify(path)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolytoyError(`${what}: ${JSON.stringify(path)} is not valid JSON (${(e as Error).message})`);
  }
}

export { readJsonFile };

function obj(parent: Json, key: string): Json {
  const v = parent[key];
  if (v === undefined) {
    const fresh: Json = {};
    parent[key] = fresh;
    return fresh;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, 'an object', v);
  return v as Json;
}

/** Parses `kind:value` flags like `gaussian:0.1`. */
function kindWithNumber(flag: string, raw: string, kinds: Record<string, string | null>): Json {
  const [kind, value] = raw.split(':', 2) as [string, string | undefined];
  if (!(kind in kinds)) throw new ConfigError(`--${flag}`, Object.keys(kinds).join(' | '), raw);
  const field = kinds[kind];
  if (field === null || field === undefined) return { kind };
  if (value === undefined) {
    if (flag === 'init') return { kind };
    throw new ConfigError(`--${flag}`, `${kind}:<number>`, raw);
  }
  const v = Number(value);
  if (!Number.isFinite(v)) throw new ConfigError(`--${flag}`, `${kind}:<number>`, raw);
  return { kind, [field]: v };
}

/**
 * Builds the user config: the `--config` file (if any) with flags applied on top. Validation
 * itself is `resolveTrainConfig`'s job.
 */
export function trainInputFromFlags(v: FlagValues, initParams?: unknown): Json {
  const base = v.config ? readJsonFile(String(v.config), '--config') : {};
  if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new ConfigError('--config', 'a JSON object', base);
  const cfg = structuredClone(base) as Json;
  const set = (target: Json, key: string, flag: string) => {
    if (v[flag] !== undefined) target[key] = v[flag];
  };
  set(cfg, 'seed', 'seed');
  set(cfg, 'steps', 'steps');
  if (v.converge) cfg.convergence = { kind: 'plateau' };
  set(cfg, 'batchSize', 'batch');
  set(cfg, 'logEvery', 'log-every');
  set(cfg, 'instances', 'instances');
  if (v.data !== undefined || v.n !== undefined || v.density !== undefined || v['importance-decay'] !== undefined) {
    const data = obj(cfg, 'data');
    set(data, 'kind', 'data');
    set(data, 'n', 'n');
    set(data, 'density', 'density');
    set(data, 'importanceDecay', 'importance-decay');
  }
  const model = obj(cfg, 'model');
  set(model, 'm', 'm');
  if (v.untied || v['decoder-norm'] !== undefined) {
    model.weights = { kind: 'untied', ...(v['decoder-norm'] !== undefined ? { decoderNorm: v['decoder-norm'] } : {}) };
  }
  set(model, 'hiddenActivation', 'hidden');
  set(model, 'outputActivation', 'output');
  if (v['no-bias']) model.outputBias = false;
  if (v.lambda !== undefined || v.l1 !== undefined) {
    const l1 = obj(model, 'l1');
    set(l1, 'lambda', 'lambda');
    set(l1, 'target', 'l1');
  }
  if (v.noise !== undefined) {
    model.hiddenNoise = kindWithNumber('noise', String(v.noise), { none: null, gaussian: 'std', bernoulli: 'p' });
  }
  if (v.init !== undefined) model.init = kindWithNumber('init', String(v.init), { normal: 'std', xavier: null });
  if (initParams !== undefined) model.init = { kind: 'given', params: initParams, perturbation: v.perturb ?? 0 };
  if (Object.keys(model).length === 0) delete cfg.model;
  if (v.optimizer !== undefined || v.lr !== undefined || v.momentum !== undefined || v['weight-decay'] !== undefined) {
    const opt = obj(cfg, 'optimizer');
    set(opt, 'kind', 'optimizer');
    set(opt, 'lr', 'lr');
    set(opt, 'momentum', 'momentum');
    set(opt, 'weightDecay', 'weight-decay');
  }
  if (v.schedule !== undefined || v.warmup !== undefined) {
    const s = obj(cfg, 'schedule');
    set(s, 'kind', 'schedule');
    set(s, 'warmupSteps', 'warmup');
  }
  return cfg;
}
