/**
 * The JSON Schemas published with @polytoy/core (`packages/core/schemas/`), generated from the
 * zod schemas with `z.toJSONSchema`: training configs (what a user writes: the input side, with
 * defaults), run records, results lines and grid files. `npm run schemas` rewrites the files; a
 * test fails when they are out of date.
 */
import { runRecordSchema, trainConfigSchema } from '@polytoy/core';
import { gridFileSchema, resultLineSchema } from '@polytoy/experiments';
import { z } from 'zod';

/** File name → schema document, in a fixed order. */
export function jsonSchemas(): Record<string, unknown> {
  const make = (file: string, title: string, schema: z.ZodType, io: 'input' | 'output') => [
    file,
    { title, ...z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) },
  ];
  return Object.fromEntries([
    make('train-config.schema.json', 'polytoy training config (polytoy train --config)', trainConfigSchema, 'input'),
    make('run-record.schema.json', 'polytoy run record polytoy.run/2 (polytoy train --out)', runRecordSchema, 'output'),
    make(
      'result-line.schema.json',
      'polytoy results line polytoy.experiment-result/1 (one per line of results.jsonl)',
      resultLineSchema,
      'output',
    ),
    make('grid-file.schema.json', 'polytoy grid file (polytoy experiment --grid)', gridFileSchema, 'input'),
  ]);
}

/** The text of a schema file (2-space JSON, final newline). */
export function schemaText(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
