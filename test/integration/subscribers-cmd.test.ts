/** `rali subscribers …` on a real temp series folder and a real SQLite ledger. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { add, importCsv, list, remove } from '../../src/commands/subscribers';
import { Ledger } from '../../src/ledger/ledger';
import { memoryLogger } from '../../src/log';
import { makeSeries } from '../helpers/series';

let series: ReturnType<typeof makeSeries>;
const cwd = process.cwd();
beforeEach(() => {
  series = makeSeries(0);
  writeFileSync(
    join(series.dir, 'subscribers.csv'),
    '# our list\nemail,name,lang\n\n# from the 2024 form\nana@example.org,Ana,fr\nbob@example.org,"Roy, Bob",en\n',
  );
  process.chdir(series.dir);
});
afterEach(() => {
  process.chdir(cwd);
  series.cleanup();
});
const file = () => readFileSync(join(series.dir, 'subscribers.csv'), 'utf8');

test('add appends a line, quoting a name with a comma; refuses a duplicate in any case', () => {
  const log = memoryLogger();
  expect(add({ email: 'cote@example.org', name: 'Côté, Jean-François', lang: 'fr+en' }, log)).toBe(0);
  expect(file().endsWith('cote@example.org,"Côté, Jean-François",fr+en\n')).toBe(true);
  expect(() => add({ email: 'ANA@example.org' }, log)).toThrow(/already subscribed \(subscribers\.csv line 5\)/);
  expect(() => add({ email: 'not-an-address' }, log)).toThrow(/not an email address/);
  expect(() => add({ email: 'x@example.org', lang: 'de' }, log)).toThrow(/--lang/);
});

test('remove keeps comments and order, and suppresses the address', () => {
  const log = memoryLogger();
  remove({ email: 'Ana@Example.org' }, log);
  expect(file()).toBe('# our list\nemail,name,lang\n\n# from the 2024 form\nbob@example.org,"Roy, Bob",en\n');
  const l = Ledger.open(join(series.dir, '.rali'));
  expect([...l.suppressed().keys()]).toEqual(['ana@example.org']);
  l.close();
});

test('import adds the new ones, skips those already there, duplicates and suppressed addresses; a later add lifts a suppression', () => {
  const log = memoryLogger();
  remove({ email: 'ana@example.org' }, log);
  writeFileSync(
    join(series.dir, 'new.csv'),
    'email,name,lang\nana@example.org,Ana,fr\nbob@example.org,,\ncarl@example.org,Carl,en\nCARL@example.org,Carl again,fr\n',
  );
  expect(importCsv({ file: join(series.dir, 'new.csv') }, log)).toBe(0);
  expect(log.lines.at(-1)).toMatch(/1 added, 1 already subscribed, 1 suppressed \(not added\), 1 duplicate line in the file/);
  expect(file()).toContain('carl@example.org,Carl,en');
  expect(file()).not.toContain('ana@example.org');
  add({ email: 'ana@example.org' }, log);
  expect(log.lines.at(-1)).toContain('it was suppressed, and no longer is');
});

test('a broken import file changes nothing', () => {
  const before = file();
  writeFileSync(join(series.dir, 'bad.csv'), 'email,name,lang\nok@example.org,,\nbroken,,\n');
  expect(() => importCsv({ file: join(series.dir, 'bad.csv') }, memoryLogger())).toThrow(/bad\.csv:3:1/);
  expect(file()).toBe(before);
});

test('list shows subscribers and suppressed addresses', () => {
  const log = memoryLogger();
  remove({ email: 'gone@example.org' }, log);
  list({}, log);
  expect(log.lines).toContain('2 subscribers in subscribers.csv; 1 suppressed address');
  expect(log.lines.some((l) => /suppressed gone@example\.org since .*: removed with rali subscribers remove/.test(l))).toBe(true);
});
