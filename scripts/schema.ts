/** `npm run schema`: writes the JSON Schemas of rali.yaml and the talk files into schema/. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemas } from '../src/model/jsonschema';
import { PACKAGE_ROOT } from '../src/paths';

const dir = join(PACKAGE_ROOT, 'schema');
for (const [name, text] of Object.entries(jsonSchemas())) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${Object.keys(jsonSchemas()).join(', ')} in schema/\n`);
