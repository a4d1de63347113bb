/**
 * A zod schema of the run record (`run.json`, written by `polytoy train --out` and the
 * playground's export): the source of the published JSON Schema `schemas/run-record.schema.json`,
 * and a full structural check for readers that want one (`parseRunRecord` checks what polytoy's
 * readers rely on).
 */
import { z } from 'zod';
import { RUN_RECORD_FORMAT } from './records.js';

const numbers = z.array(z.number());

/** A loss record: `loss = reconstruction + lambda * l1` at `step` of `instance`. */
export const lossRecordSchema = z.object({
  step: z.number(),
  instance: z.number(),
  loss: z.number(),
  reconstruction: z.number(),
  l1: z.number(),
});

/** Serialised parameters: row-major `W`/`E` [m, n], `D` [n, m], `b` [n]. */
export const serializedParamsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tied'), n: z.number(), m: z.number(), W: numbers, b: numbers }),
  z.object({ kind: z.literal('untied'), n: z.number(), m: z.number(), E: numbers, D: numbers, b: numbers }),
]);

/** Backend facts of a run. */
export const runtimeInfoSchema = z.object({
  backend: z.string(),
  simd: z.boolean(),
  threads: z.boolean(),
  tfjsVersion: z.string(),
  platform: z.enum(['node', 'browser']),
  kernels: z.enum(['polytoy', 'stock']).optional(),
  parallel: z.object({ workers: z.number(), split: z.enum(['instances', 'batch']) }).optional(),
});

/** An instance that diverged: its step and reason, the history before it, no parameters. */
export const divergedInstanceSchema = z.object({
  instance: z.number(),
  seed: z.number(),
  lambda: z.number(),
  lr: z.number(),
  status: z.literal('diverged'),
  step: z.number(),
  reason: z.enum(['non-finite-loss', 'non-finite-params', 'blow-up']),
  message: z.string(),
  history: z.array(lossRecordSchema),
});

/**
 * The run record `polytoy.run/2` (readers also accept `/1`, read as every instance `capped`).
 *
 * @example
 * runRecordSchema.parse(JSON.parse(readFileSync('run.json', 'utf8'))).instances.length;
 */
export const runRecordSchema = z.object({
  format: z.literal(RUN_RECORD_FORMAT),
  createdAt: z.string(),
  /** The normalised training config (see `train-config.schema.json` for its fields). */
  config: z.record(z.string(), z.unknown()),
  runtime: runtimeInfoSchema,
  wallSeconds: z.number(),
  /** Updates the run made: the largest `step` of any instance. */
  stepsRun: z.number(),
  /** The instances that did not diverge (converged or capped), with parameters. */
  instances: z.array(
    z.object({
      instance: z.number(),
      seed: z.number(),
      lambda: z.number(),
      lr: z.number(),
      status: z.enum(['converged', 'capped']),
      step: z.number(),
      params: serializedParamsSchema,
      finalLoss: lossRecordSchema,
      history: z.array(lossRecordSchema),
    }),
  ),
  diverged: z.array(divergedInstanceSchema),
  /** Free-form analysis (the CLI writes `{ summary }`). */
  analysis: z.record(z.string(), z.unknown()).optional(),
  /** `sha256:<hex>` of the JSON of every other field (in order); absent in older records. */
  checksum: z.string().optional(),
});
