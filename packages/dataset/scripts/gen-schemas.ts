// Writes schemas/<Name>.json from the typed schemas in src/schemas.ts. A test fails when they differ.
import { writeFileSync } from 'node:fs';
import { SCHEMA_NAMES, toPublishedSchema } from '../src/schemas.js';

for (const name of SCHEMA_NAMES) {
  const file = new URL(`../schemas/${name}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(toPublishedSchema(name), null, 2)}\n`);
  console.log(`wrote schemas/${name}.json`);
}
