// `npm run schemas`: writes packages/core/schemas/*.schema.json from the zod schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, schemaText } from './json-schemas.js';

const dir = fileURLToPath(new URL('../../../packages/core/schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, doc] of Object.entries(jsonSchemas())) {
  writeFileSync(`${dir}${file}`, schemaText(doc));
  process.stdout.write(`wrote packages/core/schemas/${file}\n`);
}
