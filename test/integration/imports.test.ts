/**
 * `rali import` of an archive, then the weekly `rali validate`: the CLI in this process on a real
 * series folder (a file Excel saved, a calendar of past talks), a real SMTP server and ledger.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { raliInProcess } from '../helpers/inprocess';
import { siteSeries, talkText } from '../helpers/site';
import { startSmtp, TestServer } from '../helpers/smtp';

let t: ReturnType<typeof siteSeries>;
let server: TestServer;
beforeEach(async () => {
  t = siteSeries();
  server = await startSmtp();
});
afterEach(async () => {
  await server.close();
  t.cleanup();
});
const rali = (args: string[], clock?: string) => raliInProcess(args, { cwd: t.dir, env: { RALI_SMTP_URL: server.url }, clock });

test('a CSV saved by Excel (Windows-1252) is read as such and said so: the speaker is François Côté, not Fran�ois C�t�', async () => {
  writeFileSync(
    join(t.dir, 'past.csv'),
    Buffer.from('date,time,title,speaker,abstract,language\r\n1998-03-04,11:30,Le TAL en 1998,François Côté,Résumé.,fr\r\n', 'latin1'),
  );
  const r = await rali(['import', 'past.csv']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/past\.csv: not UTF-8 — read as Windows-1252/);
  const talk = readFileSync(join(t.dir, 'talks/1998-03-04-francois-cote.yaml'), 'utf8');
  expect(talk).toContain('name: "François Côté"');
  expect(talk).not.toContain('\ufffd');
});

test('after importing an archive, validate says nothing of past talks; a recent one never announced is warned about, once announced it is not', async () => {
  const csv = ['date,time,title,speaker,language', '1991-09-18,11:30,Old one,Jean Dupont,fr', '2004-02-05,14:00,Older,Ann Smith,en'];
  writeFileSync(join(t.dir, 'past.csv'), csv.join('\n') + '\n');
  expect((await rali(['import', 'past.csv'])).code).toBe(0);
  // The example talk is of 2021: long past too.
  let v = await rali(['validate'], '2030-11-20T12:00');
  expect([v.code, v.stderr]).toEqual([0, '']);
  expect(v.stdout).toMatch(/^ok: rali\.yaml, subscribers\.csv \(0 subscribers\), 3 talks\n$/);

  // A talk of three days ago that never went out: maybe a mistake.
  writeFileSync(join(t.dir, 'talks/2030-11-17-zoe.yaml'), talkText('2030-11-17', 'Zoé Tremblay', 'Recent'));
  v = await rali(['validate'], '2030-11-20T12:00');
  expect(v.stderr).toMatch(
    /talks\/2030-11-17-zoe\.yaml:\d+:\d+: warning: date: the talk was 3 days ago \(2030-11-17\) and was never announced/,
  );

  // Announced before it happened: no warning after.
  writeFileSync(join(t.dir, 'subscribers.csv'), 'email,name,lang\nana@example.org,Ana,fr\n');
  expect((await rali(['announce', 'talks/2030-11-17-zoe.yaml', '--yes'], '2030-11-10T12:00')).code).toBe(0);
  v = await rali(['validate'], '2030-11-20T12:00');
  expect([v.code, v.stderr]).toEqual([0, '']);
});
