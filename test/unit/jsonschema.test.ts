import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemas } from '../../src/model/jsonschema';
import { ROOT } from '../helpers/paths';

test('schema/ is generated from the zod schemas (run `npm run schema` after changing them)', () => {
  for (const [name, text] of Object.entries(jsonSchemas())) {
    expect(readFileSync(join(ROOT, 'schema', name), 'utf8')).toBe(text);
  }
});

test('the talk schema knows the fields and refuses unknown ones', () => {
  const s = JSON.parse(jsonSchemas()['talk.schema.json']);
  expect(s.required).toEqual(expect.arrayContaining(['title', 'speaker', 'date', 'time', 'language', 'abstract']));
  expect(s.additionalProperties).toBe(false);
  expect(s.properties.language.enum).toEqual(['fr', 'en']);
});
