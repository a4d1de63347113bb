/**
 * A zod schema of one results line (`polytoy.experiment-result/2`): the source of the published
 * JSON Schema `result-line.schema.json` of @polytoy/core, and a structural check for readers
 * (`parseResultLine` checks what polytoy's readers rely on).
 */
import { runtimeInfoSchema, serializedParamsSchema } from '@polytoy/core';
import { z } from 'zod';

/** The population loss: exact or Monte Carlo (`method`; absent before analysis version 3, then exact). */
const exactLoss = z
  .object({
    loss: z.number(),
    reconstruction: z.number(),
    l1: z.number(),
    method: z.enum(['exact', 'monte-carlo']).optional(),
    standardError: z.object({ loss: z.number(), reconstruction: z.number() }).optional(),
    samples: z.number().optional(),
  })
  .nullable();

/** The run spec inside a line: what was run (see `RunSpec`). */
export const runSpecSchema = z.object({
  experiment: z.string(),
  version: z.number(),
  size: z.enum(['small', 'full']),
  cell: z.object({
    n: z.number(),
    m: z.number(),
    hiddenActivation: z.enum(['none', 'relu']),
    weights: z.enum(['tied', 'untied', 'untied-free']),
    optimizer: z.string(),
    start: z.string(),
    lambda: z.number(),
    lr: z.number(),
  }),
  cellKey: z.string(),
  seed: z.number(),
  /** The normalised single-instance training config (see `train-config.schema.json`). */
  config: z.record(z.string(), z.unknown()),
  start: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('random') }),
    z.object({ kind: z.literal('construction'), c: z.number(), perturbation: z.number() }),
  ]),
  keepParams: z.boolean(),
});

/**
 * One results line.
 *
 * @example
 * resultLineSchema.parse(JSON.parse(text.split('\n')[0])).status; // 'converged' | 'capped' | 'diverged'
 */
export const resultLineSchema = z.object({
  // RESULT_FORMAT, spelled out: result.ts validates lines with this schema (no import cycle).
  format: z.literal('polytoy.experiment-result/2'),
  experiment: z.string(),
  version: z.number(),
  runId: z.string(),
  spec: runSpecSchema,
  /** converged (criterion met at `step`), capped (trained to the cap `step` without converging), diverged (at `step`). */
  status: z.enum(['converged', 'capped', 'diverged']),
  step: z.number(),
  divergence: z.object({ reason: z.enum(['non-finite-loss', 'non-finite-params', 'blow-up']), message: z.string() }).nullable(),
  finalLoss: z.number().nullable(),
  reconstruction: z.number().nullable(),
  l1: z.number().nullable(),
  exactLoss,
  classification: z.string().nullable(),
  /** The classifier's evidence (free-form JSON). */
  evidence: z.unknown(),
  /** Further numbers: c, bias mean, polysemantic count, disambiguation use, start and functional analyses. */
  analysis: z.record(z.string(), z.unknown()).nullable(),
  params: serializedParamsSchema.nullable(),
  history: z.object({
    step: z.array(z.number()),
    loss: z.array(z.number()),
    reconstruction: z.array(z.number()),
    l1: z.array(z.number()),
  }),
  wallSeconds: z.number(),
  groupSize: z.number(),
  runtime: runtimeInfoSchema.nullable(),
  createdAt: z.string(),
});
