/** `rali subscribers …` on a real temp series folder and a real SQLite ledger. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { add, importCsv, list, remove } from '../../src/commands/subscribers';
import { openLedger } from '../helpers/ledger';
import { memoryLogger } from '../../src/log';
import { testWorld } from '../helpers/world';
import { makeSeries } from '../helpers/series';

let series: ReturnType<typeof makeSeries>;
beforeEach(() => {
  series = makeSeries(0);
  writeFileSync(
    join(series.dir, 'subscribers.csv'),
    '# our list\nemail,name,lang\n\n# from the 2024 form\nana@example.org,Ana,fr\nbob@example.org,"Roy, Bob",en\n',
  );
});
afterEach(() => {
  series.cleanup();
});
const inSeries = (log = memoryLogger()) => testWorld({ log, cwd: series.dir });
const file = () => readFileSync(join(series.dir, 'subscribers.csv'), 'utf8');

test('add appends a line, quoting a name with a comma; refuses a duplicate in any case', async () => {
  const log = memoryLogger();
  expect(await add({ email: 'cote@example.org', name: 'Côté, Jean-François', lang: 'fr+en' }, inSeries(log))).toBe(0);
  expect(file().endsWith('cote@example.org,"Côté, Jean-François",fr+en\n')).toBe(true);
  await expect(add({ email: 'ANA@example.org' }, inSeries(log))).rejects.toThrow(/already subscribed \(subscribers\.csv line 5\)/);
  await expect(add({ email: 'not-an-address' }, inSeries(log))).rejects.toThrow(/not an email address/);
  await expect(add({ email: 'x@example.org', lang: 'de' }, inSeries(log))).rejects.toThrow(/--lang/);
});

test('remove keeps comments and order, and suppresses the address', async () => {
  const log = memoryLogger();
  await remove({ email: 'Ana@Example.org' }, inSeries(log));
  expect(file()).toBe('# our list\nemail,name,lang\n\n# from the 2024 form\nbob@example.org,"Roy, Bob",en\n');
  const l = openLedger(join(series.dir, '.rali'));
  expect([...(await l.suppressed()).keys()]).toEqual(['ana@example.org']);
  await l.close();
});

test('import adds the new ones, skips those already there, duplicates and suppressed addresses; a later add lifts a suppression', async () => {
  const log = memoryLogger();
  await remove({ email: 'ana@example.org' }, inSeries(log));
  writeFileSync(
    join(series.dir, 'new.csv'),
    'email,name,lang\nana@example.org,Ana,fr\nbob@example.org,,\ncarl@example.org,Carl,en\nCARL@example.org,Carl again,fr\n',
  );
  expect(await importCsv({ file: join(series.dir, 'new.csv') }, inSeries(log))).toBe(0);
  expect(log.lines.at(-1)).toMatch(/1 added, 1 already subscribed, 1 suppressed \(not added\), 1 duplicate line in the file/);
  expect(file()).toContain('carl@example.org,Carl,en');
  expect(file()).not.toContain('ana@example.org');
  await add({ email: 'ana@example.org' }, inSeries(log));
  expect(log.lines.at(-1)).toContain('it was suppressed, and no longer is');
});

test('a broken import file changes nothing', async () => {
  const before = file();
  writeFileSync(join(series.dir, 'bad.csv'), 'email,name,lang\nok@example.org,,\nbroken,,\n');
  await expect(importCsv({ file: join(series.dir, 'bad.csv') }, inSeries())).rejects.toThrow(/bad\.csv:3:1/);
  expect(file()).toBe(before);
});

test('list shows subscribers and suppressed addresses', async () => {
  const log = memoryLogger();
  await remove({ email: 'gone@example.org' }, inSeries(log));
  await list({}, inSeries(log));
  expect(log.lines).toContain('2 subscribers in subscribers.csv; 1 suppressed address');
  expect(log.lines.some((l) => /suppressed gone@example\.org since .*: removed with rali subscribers remove/.test(l))).toBe(true);
});
