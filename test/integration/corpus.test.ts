/**
 * The bad-input corpus: each file in test/fixtures/corpus gives exactly the messages recorded in
 * expected.json (review its diff like code). UPDATE_GOLDEN=1 rewrites it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DateTime } from 'luxon';
import { formatProblem, InputError } from '../../src/errors';
import { validate } from '../../src/commands/validate';
import { memoryLogger } from '../../src/log';
import { FIXTURES, ROOT } from '../helpers/paths';

const CORPUS = join(FIXTURES, 'corpus');
const EXPECTED = join(CORPUS, 'expected.json');
const NOW = DateTime.fromISO('2026-11-28T12:00:00Z');

function run(file: string): { exit: number; messages: string[] } {
  const log = memoryLogger();
  try {
    const exit = validate({ files: [join(CORPUS, file)], config: join(CORPUS, 'rali.yaml'), now: NOW, cwd: ROOT }, log);
    return { exit, messages: log.errors };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { exit: e.exitCode, messages: [...log.errors, ...e.problems.filter((p) => p.severity === 'error').map(formatProblem)] };
  }
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yaml') && f !== 'rali.yaml').sort();
const actual = Object.fromEntries(files.map((f) => [f, run(f)]));
if (process.env.UPDATE_GOLDEN) writeFileSync(EXPECTED, JSON.stringify(actual, null, 2) + '\n');
const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, { exit: number; messages: string[] }>;

describe('bad-input corpus', () => {
  test('every corpus file has an expectation, and every expectation a file', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
  });
  test.each(files)('%s', (f) => {
    expect(actual[f]).toEqual(expected[f]);
    for (const m of actual[f].messages) {
      // every message names the file and a line:col, and says what to do
      expect(m.startsWith(relative(ROOT, join(CORPUS, f)))).toBe(true);
      expect(m).toMatch(/ — /);
    }
    expect(actual[f].exit).toBe(actual[f].messages.some((m) => !m.includes(' warning: ')) ? 2 : 0);
  });
});
