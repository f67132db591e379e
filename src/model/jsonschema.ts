/**
 * JSON Schemas for editors, generated from the zod schemas (the one source of truth) into schema/.
 * `npm run schema` rewrites them; a test checks that the committed files are up to date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import { z } from 'zod';
import { SeriesFile, TalkFile } from './schema';

export function jsonSchemas(): Record<string, string> {
  const gen = (s: z.ZodType, title: string) =>
    JSON.stringify({ ...z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }), title }, null, 2) + '\n';
  return {
    'talk.schema.json': gen(TalkFile, 'rali talk file (talks/*.yaml)'),
    'rali.schema.json': gen(SeriesFile, 'rali series file (rali.yaml)'),
  };
}

if (require.main === module) {
  const dir = join(PACKAGE_ROOT, 'schema');
  for (const [name, text] of Object.entries(jsonSchemas())) writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote ${Object.keys(jsonSchemas()).join(', ')} in schema/\n`);
}
