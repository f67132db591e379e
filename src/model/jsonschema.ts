/**
 * JSON Schemas for editors, generated from the zod schemas (the one source of truth) into schema/.
 * `npm run schema` (scripts/schema.ts) rewrites them; a test checks that the committed files are up to date.
 */
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
