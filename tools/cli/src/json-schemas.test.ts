import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRecordSchema } from '@polytoy/core';
import { resultLineSchema } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { jsonSchemas, schemaText } from './json-schemas.js';

const dir = fileURLToPath(new URL('../../../packages/core/schemas/', import.meta.url));

describe('packages/core/schemas', () => {
  it('are up to date with the zod schemas (run `npm run schemas`)', () => {
    const docs = jsonSchemas();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(docs).sort());
    for (const [file, doc] of Object.entries(docs)) expect(readFileSync(`${dir}${file}`, 'utf8'), file).toBe(schemaText(doc));
  });

  it('are published with @polytoy/core', () => {
    const pkg = JSON.parse(readFileSync(`${dir}../package.json`, 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schemas');
  });

  it('describe real files: a run record and results lines pass the schemas they come from', () => {
    const fixtures = fileURLToPath(new URL('../../../docs/results/', import.meta.url));
    const results = readdirSync(fixtures).filter((f) => f.endsWith('.jsonl'));
    expect(results.length).toBeGreaterThan(0);
    const line = readFileSync(`${fixtures}${results[0]}`, 'utf8').split('\n')[0]!;
    expect(resultLineSchema.safeParse(JSON.parse(line)).success).toBe(true);
    const doc = jsonSchemas()['run-record.schema.json'] as { required: string[] };
    expect(doc.required).toEqual(expect.arrayContaining(['format', 'config', 'instances']));
    expect(runRecordSchema.safeParse({ format: 'polytoy.run/1' }).success).toBe(false);
  });
});
