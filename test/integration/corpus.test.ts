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
import { testWorld } from '../helpers/world';
import { FIXTURES, ROOT } from '../helpers/paths';

const CORPUS = join(FIXTURES, 'corpus');
const EXPECTED = join(CORPUS, 'expected.json');
const NOW = DateTime.fromISO('2026-11-28T12:00:00Z') as DateTime<true>;

async function run(file: string): Promise<{ exit: number; messages: string[] }> {
  const log = memoryLogger();
  try {
    const exit = await validate(
      { files: [join(CORPUS, file)], config: join(CORPUS, 'rali.yaml') },
      testWorld({ log, now: () => NOW, cwd: ROOT }),
    );
    return { exit, messages: log.errors };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { exit: e.exitCode, messages: [...log.errors, ...e.problems.filter((p) => p.severity === 'error').map(formatProblem)] };
  }
}

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml') && f !== 'rali.yaml')
  .sort();
const actual: Record<string, { exit: number; messages: string[] }> = {};
beforeAll(async () => {
  for (const f of files) actual[f] = await run(f);
  if (process.env.UPDATE_GOLDEN) writeFileSync(EXPECTED, JSON.stringify(actual, null, 2) + '\n');
});
const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, { exit: number; messages: string[] }>;

describe('bad-input corpus', () => {
  test('every corpus file has an expectation, and every expectation a file', async () => {
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

describe('a broken rali.yaml', () => {
  test('every problem at once, in file order, each positioned', async () => {
    const dir = join(FIXTURES, 'corpus-config');
    let err: InputError | undefined;
    try {
      await validate({ files: [], config: join(dir, 'rali.yaml') }, testWorld({ now: () => NOW, cwd: ROOT }));
    } catch (e) {
      err = e as InputError;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(err!.problems.map(formatProblem)).toEqual([
      'test/fixtures/corpus-config/rali.yaml:3:7: series.id: "Bad Id" is not a short id — use lowercase letters, digits and dashes, e.g. rali-olst',
      'test/fixtures/corpus-config/rali.yaml:4:11: series.domain: "x" is not a domain name — e.g. iro.umontreal.ca',
      'test/fixtures/corpus-config/rali.yaml:5:13: series.timezone: "Mars/Olympus" is not a time zone — use an IANA name such as America/Toronto',
      'test/fixtures/corpus-config/rali.yaml:6:19: series.languages[1]: the text "de" is not allowed — use one of: fr, en',
      'test/fixtures/corpus-config/rali.yaml:7:7: from: "nobody" is not a mailbox — write it as "Name <address@domain>"',
      'test/fixtures/corpus-config/rali.yaml:8:13: reminders[0]: "soon" is not a delay — write it like 1 day, 2 hours or 30 minutes',
      'test/fixtures/corpus-config/rali.yaml:9:23: smtp.port: is not a port number — usually 587 (STARTTLS) or 465 (TLS)',
      'test/fixtures/corpus-config/rali.yaml:10:1: subscriber: unknown field — did you mean "subscribers"?',
    ]);
  });
});
