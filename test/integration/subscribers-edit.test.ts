/** `rali subscribers …` edits: only the lines they must, locked, verified, form exports mapped. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { add, importCsv, remove, unsuppress } from '../../src/commands/subscribers';
import { openLedger } from '../helpers/ledger';
import { memoryLogger } from '../../src/log';
import { testWorld } from '../helpers/world';
import { parseSubscribers } from '../../src/model/subscribers';
import { withFileLock } from '../../src/model/lock';
import { makeSeries, raliAsync } from '../helpers/series';

let series: ReturnType<typeof makeSeries>;
const START = '# our list\nemail,name,lang\n\n# from the 2024 form\nana@example.org,Ana,fr\nbob@example.org,"Roy, Bob",en\n';
beforeEach(() => {
  series = makeSeries(0);
  writeFileSync(join(series.dir, 'subscribers.csv'), START);
});
afterEach(() => {
  series.cleanup();
});
const inSeries = (log = memoryLogger()) => testWorld({ log, cwd: series.dir });
const file = () => readFileSync(join(series.dir, 'subscribers.csv'), 'utf8');
const parsed = () => parseSubscribers(file(), 'subscribers.csv', ['fr', 'en']);

test('a # at the start of a local part is quoted, so that the line is not a comment; remove finds it', async () => {
  const log = memoryLogger();
  await add({ email: '#news@example.org', name: 'Hash' }, inSeries(log));
  await add({ email: 'o#neil@example.org' }, inSeries(log));
  expect(file()).toBe(`${START}"#news@example.org",Hash,fr+en\no#neil@example.org,,fr+en\n`);
  expect(parsed().subscribers.map((s) => s.email)).toEqual([
    'ana@example.org',
    'bob@example.org',
    '#news@example.org',
    'o#neil@example.org',
  ]);
  await remove({ email: '#news@example.org' }, inSeries(log));
  expect(file()).toBe(`${START}o#neil@example.org,,fr+en\n`);
});

test('a newline in a name is refused with a clear error, and the file is untouched', async () => {
  await expect(add({ email: 'x@example.org', name: 'Line\nBcc: all' }, inSeries())).rejects.toThrow(/--name: holds a line break/);
  expect(file()).toBe(START);
});

test('add and remove change only the line they must (comments, blank lines, quoting kept)', async () => {
  await add({ email: 'josé@exemple.ca', name: 'José', lang: 'fr' }, inSeries());
  expect(file()).toBe(`${START}josé@exemple.ca,José,fr\n`);
  await remove({ email: 'ANA@example.org' }, inSeries());
  expect(file()).toBe(`${START.replace('ana@example.org,Ana,fr\n', '')}josé@exemple.ca,José,fr\n`);
});

test('a lock held by another command makes an edit wait; a stale lock (dead process) is taken over', async () => {
  const csv = join(series.dir, 'subscribers.csv');
  // Held by this process: the nested edit must not get in.
  expect(() => withFileLock(csv, 'subscribers.csv', () => withFileLock(csv, 'x', () => 1, 200))).toThrow(
    /being edited by another rali command/,
  );
  writeFileSync(`${csv}.lock`, `999999\n${require('node:os').hostname()}\n`);
  await add({ email: 'late@example.org' }, inSeries());
  expect(file()).toContain('late@example.org');
}, 30_000);

test('unsuppress lifts a suppression', async () => {
  const log = memoryLogger();
  await remove({ email: 'ana@example.org' }, inSeries(log));
  await unsuppress({ email: 'Ana@example.org' }, inSeries(log));
  expect(log.lines.at(-1)).toMatch(/ana@example\.org is no longer suppressed/i);
  const l = openLedger(join(series.dir, '.rali'));
  expect((await l.suppressed()).size).toBe(0);
  await l.close();
  await unsuppress({ email: 'ana@example.org' }, inSeries(log));
  expect(log.lines.at(-1)).toBe('ana@example.org was not suppressed');
});

test('a Google Forms export is recognized and mapped (French header too), and says which columns it used', async () => {
  writeFileSync(
    join(series.dir, 'form.csv'),
    'Horodateur,Adresse e-mail,Nom,Langue préférée,Commentaires\n2026/11/01 10:00:00,carl@example.org,"Côté, Carl",Français,"Super, merci"\n2026/11/02 10:00:00,dana@example.org,Dana,English,\n2026/11/03 10:00:00,eve@example.org,Eve,Les deux,\n',
  );
  const log = memoryLogger();
  await importCsv({ file: 'form.csv' }, inSeries(log));
  expect(log.errors[0]).toBe(
    'columns of form.csv: a Google Forms export: email ← "Adresse e-mail", name ← "Nom", lang ← "Langue préférée"',
  );
  expect(file()).toBe(`${START}carl@example.org,"Côté, Carl",fr\ndana@example.org,Dana,en\neve@example.org,Eve,fr+en\n`);
});

test('a Microsoft Forms export with chosen columns; an unknown export gets a hint naming its columns', async () => {
  writeFileSync(
    join(series.dir, 'ms.csv'),
    'ID,Start time,Completion time,Email,Name,Your email,Language\n1,x,y,anonymous,,fay@example.org,fr\n',
  );
  const log = memoryLogger();
  expect(await importCsv({ file: 'ms.csv' }, inSeries(log))).toBe(1);
  expect(log.errors).toContain('  ms.csv:2:1: "anonymous" is not an email address — fix or remove the line (or comment it out with #)');
  await importCsv({ file: 'ms.csv', emailColumn: 'Your email', nameColumn: '5', langColumn: 'language' }, inSeries());
  expect(file()).toContain('fay@example.org,,fr\n');
  writeFileSync(join(series.dir, 'other.csv'), 'When,Who,Mail,Notes\n1,Gus,gus@example.org,x\n');
  await expect(importCsv({ file: 'other.csv' }, inSeries())).rejects.toThrow(
    'other.csv: has 4 columns ("When", "Who", "Mail", "Notes"), not email,name,lang — name the ones to use: rali subscribers import other.csv --email-column "Mail" --name-column "…"',
  );
  await expect(importCsv({ file: 'other.csv', emailColumn: 'Courriel' }, inSeries())).rejects.toThrow(
    /--email-column "Courriel": no such column in other\.csv — its columns are "When", "Who", "Mail", "Notes"/,
  );
});

test('ten concurrent `rali subscribers add` processes leave ten lines', async () => {
  writeFileSync(join(series.dir, 'subscribers.csv'), 'email,name,lang\n');
  const runs = await Promise.all(
    Array.from({ length: 10 }, (_, i) => raliAsync(['subscribers', 'add', `p${i}@example.org`, '--name', `P ${i}`], { cwd: series.dir })),
  );
  for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
  const { subscribers, problems } = parsed();
  expect(problems).toEqual([]);
  expect(subscribers.map((s) => s.email).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}@example.org`).sort());
}, 60_000);
