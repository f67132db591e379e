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

test('one bad line does not hold back the file: the good lines are imported, the bad ones listed with their line, exit 1', async () => {
  const log = memoryLogger();
  writeFileSync(
    join(series.dir, 'bad.csv'),
    'email,name,lang\nok@example.org,,\nbroken,,\nfine@example.org,Fine,en\nx@example.org,X,klingon\n"open@example.org,Open,fr\n',
  );
  expect(await importCsv({ file: join(series.dir, 'bad.csv') }, inSeries(log))).toBe(1);
  expect(file()).toContain('ok@example.org,,fr+en\nfine@example.org,Fine,en\n');
  expect(log.lines.at(-1)).toMatch(/imported bad\.csv: 2 added, .*, 3 not imported \(below\)/);
  expect(log.errors.join('\n')).toMatch(/3 lines of bad\.csv not imported/);
  expect(log.errors.filter((l) => /^ {2}bad\.csv:\d+:\d+: /.test(l)).map((l) => /:(\d+):/.exec(l)![1])).toEqual(['3', '5', '6']);
  // Imported again once fixed: what is in is skipped.
  writeFileSync(join(series.dir, 'bad.csv'), 'email,name,lang\nok@example.org,,\nfixed@example.org,,\n');
  expect(await importCsv({ file: join(series.dir, 'bad.csv') }, inSeries(log))).toBe(0);
  expect(log.lines.at(-1)).toMatch(/1 added, 1 already subscribed/);
});

test('a French form: the language column "Langue de communication préférée" and its answers are understood', async () => {
  const log = memoryLogger();
  writeFileSync(
    join(series.dir, 'form.csv'),
    [
      'Horodateur,Adresse de courriel,Nom complet,Langue de communication préférée',
      '2026/09/01 10:00:00,fr@example.org,Fanny,Français',
      '2026/09/01 10:01:00,en@example.org,Ed,Anglais',
      '2026/09/01 10:02:00,both@example.org,Bo,Les deux',
      '2026/09/01 10:03:00,en2@example.org,Eve,English',
      '2026/09/01 10:04:00,both2@example.org,Bea,Both',
      '2026/09/01 10:05:00,both3@example.org,Ben,"Français, anglais"',
    ].join('\n'),
  );
  expect(await importCsv({ file: join(series.dir, 'form.csv') }, inSeries(log))).toBe(0);
  expect(log.errors[0]).toMatch(/lang ← "Langue de communication préférée"/);
  expect(file()).toContain(
    'fr@example.org,Fanny,fr\nen@example.org,Ed,en\nboth@example.org,Bo,fr+en\nen2@example.org,Eve,en\nboth2@example.org,Bea,fr+en\nboth3@example.org,Ben,fr+en\n',
  );
});

test('a form without a language column says so, plainly', async () => {
  const log = memoryLogger();
  writeFileSync(join(series.dir, 'form.csv'), 'Timestamp,Email Address,Name\n2026/09/01 10:00:00,x@example.org,X\n');
  expect(await importCsv({ file: join(series.dir, 'form.csv') }, inSeries(log))).toBe(0);
  expect(log.errors[0]).toMatch(/no language column: everyone gets every language \(--lang-column to name one\)/);
});

test("a Windows-1252 file (Excel's CSV) is read as such and said so; the accents arrive intact", async () => {
  const log = memoryLogger();
  writeFileSync(
    join(series.dir, 'excel.csv'),
    Buffer.from('email,name,lang\r\nfc@example.org,François Côté,fr\r\nzoe@example.org,Zoë “Z” Œuvre,en\r\n', 'latin1').map((b, i, a) =>
      // “ ” Œ are 0x93 0x94 0x8C in Windows-1252
      b === 0x1c ? 0x93 : b === 0x1d ? 0x94 : b === 0x52 && a[i - 1] === 0x20 && a[i + 1] === 0x75 ? 0x8c : b,
    ),
  );
  expect(await importCsv({ file: join(series.dir, 'excel.csv') }, inSeries(log))).toBe(0);
  expect(log.errors.join('\n')).toMatch(/excel\.csv: not UTF-8 — read as Windows-1252/);
  expect(file()).toContain('fc@example.org,François Côté,fr\n');
  expect(file()).toContain('zoe@example.org,Zoë “Z” Œuvre,en\n');
  expect(file()).not.toContain('\ufffd');
});

test('a file mixing UTF-8 and Windows-1252 is refused with the fix, nothing imported', async () => {
  const before = file();
  writeFileSync(
    join(series.dir, 'mixed.csv'),
    Buffer.concat([
      Buffer.from('email,name,lang\na@example.org,Élise,fr\nb@example.org,Fran', 'utf8'),
      Buffer.from([0xe7]),
      Buffer.from('ois,fr\n'),
    ]),
  );
  await expect(importCsv({ file: join(series.dir, 'mixed.csv') }, inSeries())).rejects.toThrow(/mixed\.csv:3:.*"CSV UTF-8"/);
  expect(file()).toBe(before);
});

test('a name that a spreadsheet would run as a formula is written behind a quote, and read back as it came', async () => {
  const log = memoryLogger();
  writeFileSync(
    join(series.dir, 'evil.csv'),
    'email,name,lang\nevil@example.org,"=HYPERLINK(""http://x.example/"",""Click"")",fr\nplus@example.org,+1 555,en\n=cmd@example.org,Cmd,fr\n',
  );
  expect(await importCsv({ file: join(series.dir, 'evil.csv') }, inSeries(log))).toBe(1);
  expect(file()).toContain(`evil@example.org,"'=HYPERLINK(""http://x.example/"",""Click"")",fr\n`);
  expect(file()).toContain("plus@example.org,'+1 555,en\n");
  expect(log.errors.join('\n')).toMatch(
    /evil\.csv:4:1: =cmd@example\.org: starts with "=": a spreadsheet opening subscribers\.csv would run it as a formula/,
  );
  await list({ json: true }, inSeries(log));
  const names = (JSON.parse(log.lines.at(-1)!) as { subscribers: { name: string }[] }).subscribers.map((s) => s.name);
  expect(names).toContain('=HYPERLINK("http://x.example/","Click")');
  expect(names).toContain('+1 555');
  await add({ email: 'minus@example.org', name: '-5' }, inSeries(log));
  expect(file()).toContain("minus@example.org,'-5,fr+en\n");
});

test('list shows subscribers and suppressed addresses', async () => {
  const log = memoryLogger();
  await remove({ email: 'gone@example.org' }, inSeries(log));
  await list({}, inSeries(log));
  expect(log.lines).toContain('2 subscribers in subscribers.csv; 1 suppressed address');
  expect(log.lines.some((l) => /suppressed gone@example\.org since .*: removed with rali subscribers remove/.test(l))).toBe(true);
});
