import { SCHEMA_NAMES } from './schemas.js';

process.stderr.write(`srcode-dataset: schemas ${SCHEMA_NAMES.join(', ')}\n`);
