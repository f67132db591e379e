/**
 * A talk's life from cron: remind, update, cancel, recording — the CLI (argv to exit code, run in this
 * process) against a real SMTP server on 127.0.0.1 and a real ledger, the machine's clock set for
 * each run. The whole life runs twice: with the ledger in SQLite, and in PostgreSQL (when it can run here).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { faketimeAvailable, makeSeries, raliAsync } from '../helpers/series';
import { raliInProcess } from '../helpers/inprocess';
import { startSmtp, TestServer } from '../helpers/smtp';
import { describeWithPostgres } from '../helpers/postgres';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

describe('with the ledger in SQLite', () => lifecycle(async () => ({})));
describeWithPostgres('with the ledger in PostgreSQL', (pg) => {
  let n = 0;
  lifecycle(async () => ({ RALI_LEDGER_URL: await pg().createDatabase(`life_${n++}`) }));
});

/** The life of a talk, with the environment `store` gives (where the ledger is). */
function lifecycle(store: () => Promise<Record<string, string>>): void {
  let series: ReturnType<typeof makeSeries>;
  let server: TestServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    series = makeSeries(3);
    server = await startSmtp();
    env = { RALI_SMTP_URL: server.url, ...(await store()) };
  });
  afterEach(async () => {
    await server.close();
    series.cleanup();
  });

  const rali = (args: string[], clock?: string) => raliInProcess(args, { cwd: series.dir, env, clock });
  /** Cron's `rali remind` at that moment (the machine's clock: --now would only rehearse). */
  const remind = (now: string) => rali(['remind'], now);

  /** The latest message to user00000 (fr+en). */
  const latest = () => [...server.received].reverse().find((r) => r.to[0] === 'user00000@example.org')!.raw;

  async function calendarOf(raw: Buffer) {
    const p = await simpleParser(raw);
    const cal = p.attachments.find((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics')!;
    const comp = new ICAL.Component(ICAL.parse(cal.content.toString('utf8')));
    const ev = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
    return {
      parsed: p,
      comp,
      ev,
      method: comp.getFirstPropertyValue('method'),
      status: comp.getFirstSubcomponent('vevent')!.getFirstPropertyValue('status'),
    };
  }

  test('reminders: nothing before due; once each; late ones skipped; nothing after the start', async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    expect(server.received).toHaveLength(3);

    let r = await remind('2030-11-12T11:29:00-05:00');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']); // quiet for cron

    r = await remind('2030-11-12T11:31:00-05:00');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/1 day reminder: 3 sent/);
    expect(server.received).toHaveLength(6);
    const rem = await calendarOf(latest());
    expect(rem.parsed.subject).toMatch(/^Rappel\s:\sdemain à 11\sh\s30 — /);
    expect(rem.parsed.text).toContain('https://umontreal.zoom.us/j/91690975818');
    expect(rem.ev.uid).toBe('rali-olst-2030-11-13-rezagholizadeh@iro.umontreal.ca');
    expect(rem.ev.sequence).toBe(0);

    r = await remind('2030-11-12T12:00:00-05:00');
    expect([r.code, r.stdout]).toEqual([0, '']);

    // two cron runs at once when the 1-hour reminder is due: one copy each (two real processes)
    if (!faketimeAvailable())
      return console.warn('cli-lifecycle: two cron processes at once skipped — needs faketime (apt-get install faketime)');
    const cron = () => raliAsync(['remind'], { cwd: series.dir, env, clock: '2030-11-13T10:31:00-05:00' });
    const [a, b] = await Promise.all([cron(), cron()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(server.received).toHaveLength(9);
    const today = await simpleParser(latest());
    expect(today.subject).toMatch(/aujourd’hui à 11\sh\s30 — /);

    r = await remind('2030-11-13T11:31:00-05:00');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(server.received).toHaveLength(9);
  });

  test('a reminder whose moment passed more than the grace period ago is skipped and reported', async () => {
    await rali(['announce', series.talk, '--yes']);
    const r = await remind('2030-11-12T15:00:00-05:00'); // 1 day was due at 11:30, 3 h 30 ago
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 day reminder skipped: due at 2030-11-12T11:30:00-05:00, 210 min ago/);
    expect(server.received).toHaveLength(3);
    expect((await remind('2030-11-12T15:10:00-05:00')).stderr).toBe(''); // reported once
    const h = await remind('2030-11-13T10:45:00-05:00');
    expect(h.stdout).toMatch(/1 hour reminder: 3 sent/);
  });

  test('update after announce: same UID, SEQUENCE + 1, the new start; later reminders use the new time', async () => {
    await rali(['announce', series.talk, '--yes']);
    let r = await rali(['update', series.talk, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing changed');
    writeFileSync(series.talkFile, readFileSync(series.talkFile, 'utf8').replace('time: "11:30"', 'time: "14:00"'));
    r = await remind('2030-11-12T14:05:00-05:00');
    expect(r.stderr).toContain('run `rali update');
    r = await rali(['update', series.talk, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/changed since the last message: start, end/);
    expect(server.received).toHaveLength(6);
    const up = await calendarOf(latest());
    expect(up.method).toBe('REQUEST');
    expect(up.ev.uid).toBe('rali-olst-2030-11-13-rezagholizadeh@iro.umontreal.ca');
    expect(up.ev.sequence).toBe(1);
    expect(up.ev.startDate.toJSDate().toISOString()).toBe('2030-11-13T19:00:00.000Z');
    expect(up.parsed.subject).toMatch(/^MODIFIÉ 13 nov\. — /);
    expect(up.parsed.text).toMatch(
      /Avant\s:\s+mercredi 13 novembre 2030 à 11\sh\s30\n\s+Maintenant\s:\s+mercredi 13 novembre 2030 à 14\sh\n/,
    );
    // a rerun sends nothing more
    expect((await rali(['update', series.talk, '--yes'])).stdout).toContain('nothing changed');
    expect(server.received).toHaveLength(6);
    // the 1-day reminder now follows the new time (due 2030-11-12 14:00)
    expect((await remind('2030-11-12T13:59:00-05:00')).stdout).toBe('');
    r = await remind('2030-11-12T14:01:00-05:00');
    expect(r.stdout).toMatch(/1 day reminder: 3 sent/);
    const rem = await calendarOf(latest());
    expect(rem.ev.sequence).toBe(1);
    expect(rem.parsed.subject).toMatch(/demain à 14\sh — /);
  });

  test('cancel: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE + 1; the file says cancelled (comments kept); no reminders', async () => {
    await rali(['announce', series.talk, '--yes']);
    const before = readFileSync(series.talkFile, 'utf8');
    const r = await rali(['cancel', series.talk, '--yes', '--reason', 'Le conférencier est malade / the speaker is ill']);
    expect(r.code).toBe(0);
    expect(server.received).toHaveLength(6);
    const c = await calendarOf(latest());
    expect(c.method).toBe('CANCEL');
    expect(c.status).toBe('CANCELLED');
    expect(c.ev.sequence).toBe(1);
    expect(c.ev.uid).toBe('rali-olst-2030-11-13-rezagholizadeh@iro.umontreal.ca');
    expect(latest().toString('latin1')).toMatch(/text\/calendar; charset=utf-8; method=CANCEL/);
    expect(c.parsed.subject).toMatch(/^ANNULÉ 13 nov\. — /);
    expect(c.parsed.text).toContain('the speaker is ill');
    const after = readFileSync(series.talkFile, 'utf8');
    expect(after).toMatch(/^status: cancelled$/m);
    expect(after).toContain('cancel_reason: "Le conférencier est malade / the speaker is ill"');
    expect(after.split('\n').filter((l) => l.startsWith('#'))).toEqual(before.split('\n').filter((l) => l.startsWith('#')));
    expect((await remind('2030-11-12T11:31:00-05:00')).stdout).toBe('');
    expect((await rali(['cancel', series.talk, '--yes'])).stdout).toContain('already sent');
    expect(server.received).toHaveLength(6);
  });

  test('cancel --reason-fr / --reason-en: each half says it in its own language; the file keeps both', async () => {
    await rali(['announce', series.talk, '--yes']);
    const r = await rali([
      'cancel',
      series.talk,
      '--yes',
      '--reason-fr',
      'La conférencière est malade',
      '--reason-en',
      'The speaker is ill',
    ]);
    expect(r.code).toBe(0);
    const text = (await simpleParser(latest())).text!;
    // In order: the French half has the French reason, the English half the English one.
    expect(text.indexOf('La conférencière est malade')).toBeLessThan(text.indexOf('The speaker is ill'));
    expect(text.split('La conférencière est malade')).toHaveLength(2);
    expect(text.split('The speaker is ill')).toHaveLength(2);
    expect(readFileSync(series.talkFile, 'utf8')).toContain(
      'cancel_reason: { fr: "La conférencière est malade", en: "The speaker is ill" }',
    );
    expect((await rali(['cancel', series.talk, '--reason-en', 'bad\u0007'])).code).toBe(2);
  });

  test('recording: rehearsed before the talk (a dry run, a test copy), refused for real, sent once after', async () => {
    writeFileSync(series.talkFile, readFileSync(series.talkFile, 'utf8') + 'recording: https://example.org/rec/1\n');
    const dry = await rali(['recording', series.talk, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('https://example.org/rec/1');
    expect((await rali(['recording', series.talk, '--to', 'me@example.org'])).code).toBe(0);
    expect(server.received).toHaveLength(1);
    server.received.length = 0;
    const early = await rali(['recording', series.talk, '--yes']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('has not happened yet');
    const r = await rali(['recording', series.talk, '--yes', '--force']);
    expect(r.code).toBe(0);
    expect(server.received).toHaveLength(3);
    const p = await simpleParser(latest());
    expect(p.text).toContain('https://example.org/rec/1');
    expect(p.attachments).toHaveLength(0); // no .ics for a follow-up
    expect((await rali(['recording', series.talk, '--yes', '--force'])).stdout).toContain('nothing to send');
  });

  test('a talk with its own id: gets its reminders too (the ledger is keyed by that id, not the file name)', async () => {
    writeFileSync(series.talkFile, 'id: kd-2030\n' + readFileSync(series.talkFile, 'utf8'));
    await rali(['announce', series.talk, '--yes']);
    const r = await remind('2030-11-12T11:31:00-05:00');
    expect(r.stdout).toMatch(/1 day reminder: 3 sent/);
    expect((await calendarOf(latest())).ev.uid).toBe('rali-olst-kd-2030@iro.umontreal.ca');
  });

  test('two talk files with one id (a copied file that kept its id: line): nothing goes out for either, every command says which files', async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    expect(server.received).toHaveLength(3);
    // Next week's talk written from this one, id: line and all, on another date.
    const copy = series.talkFile.replace(/\.yaml$/, '-next.yaml');
    writeFileSync(
      copy,
      'id: 2030-11-13-rezagholizadeh\n' +
        readFileSync(series.talkFile, 'utf8')
          .replace(/^id:.*\n/m, '')
          .replace(/^date: .*$/m, 'date: 2030-11-20'),
    );
    const same =
      /has the id "2030-11-13-rezagholizadeh" of talks\/2030-11-13-rezagholizadeh(-next)?\.yaml too: both would be one calendar event/;
    // Announcing the copy would send the first talk's event again, at the copy's date; updating either would move the other.
    for (const args of [
      ['announce', 'talks/2030-11-13-rezagholizadeh-next.yaml', '--yes'],
      ['update', series.talk, '--yes'],
      ['cancel', 'talks/2030-11-13-rezagholizadeh-next.yaml', '--yes'],
    ]) {
      const r = await rali(args);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(same)]);
    }
    // Cron, when the first talk's reminder is due: nothing sent, the problem said, exit 2.
    const r = await remind('2030-11-12T11:31:00-05:00');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(same);
    expect(server.received).toHaveLength(3);
    // status names both files instead of guessing which one the calendars hold.
    const s = await rali(['status']);
    expect(s.code).toBe(0);
    expect(s.stdout.replace(/\s+/g, ' ')).toContain(
      'talks/2030-11-13-rezagholizadeh-next.yaml and talks/2030-11-13-rezagholizadeh.yaml have this id',
    );
    // The copy given its own id: everything works again.
    writeFileSync(copy, readFileSync(copy, 'utf8').replace(/^id: .*$/m, 'id: 2030-11-20-rezagholizadeh'));
    expect((await remind('2030-11-12T11:31:00-05:00')).code).toBe(0);
    expect(server.received).toHaveLength(6);
  });

  test('a talk file renamed after its announcement: announcing it again is refused (it would be a second event in every calendar); with its old id: line it is the same talk, already sent', async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    expect(server.received).toHaveLength(3);
    const renamed = series.talkFile.replace('rezagholizadeh.yaml', 'mehdi-rezagholizadeh.yaml');
    renameSync(series.talkFile, renamed);
    const said =
      /talks\/2030-11-13-mehdi-rezagholizadeh\.yaml:1:1: id: looks like 2030-11-13-rezagholizadeh, announced for the same time, whose file is gone from talks\/: announcing it would put a second event in everyone's calendar — if you renamed 2030-11-13-rezagholizadeh\.yaml, add the line "id: 2030-11-13-rezagholizadeh" to this file/;
    for (const args of [['announce', 'talks/2030-11-13-mehdi-rezagholizadeh.yaml', '--yes'], ['validate']]) {
      const r = await rali(args);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(said)]);
    }
    expect(server.received).toHaveLength(3);
    // The fix the message gives: the old id in the file. It is the talk announced, to everyone already.
    writeFileSync(renamed, `id: 2030-11-13-rezagholizadeh\n${readFileSync(renamed, 'utf8')}`);
    expect((await rali(['validate'])).code).toBe(0);
    const again = await rali(['announce', 'talks/2030-11-13-mehdi-rezagholizadeh.yaml', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/3 already sent/);
    expect(server.received).toHaveLength(3);
    // A different talk at another time is no rename: it is announced as usual.
    writeFileSync(
      join(series.dir, 'talks', '2030-11-20-other.yaml'),
      readFileSync(renamed, 'utf8')
        .replace(/^id: .*\n/m, '')
        .replace(/^date: .*$/m, 'date: 2030-11-20'),
    );
    expect((await rali(['announce', 'talks/2030-11-20-other.yaml', '--yes'])).code).toBe(0);
    expect(server.received).toHaveLength(6);
  });

  test("rali.yaml's series id or domain changed after announcements: every command refuses (each talk would be a second calendar event) and says what to put back", async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    expect(server.received).toHaveLength(3);
    const yaml = join(series.dir, 'rali.yaml');
    const original = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, original.replace(/^( +id:) rali-olst\b/m, '$1 rali-seminars'));
    const said =
      /rali\.yaml: (series\.id: )?2030-11-13-rezagholizadeh was announced with the calendar UID rali-olst-2030-11-13-rezagholizadeh@iro\.umontreal\.ca; with series\.id and series\.domain as they are now it would be rali-seminars-2030-11-13-rezagholizadeh@iro\.umontreal\.ca: a second event in everyone's calendar, and updates and cancellations would miss the first — put back id: rali-olst under series:/;
    for (const [args, clock] of [
      [['announce', series.talk, '--yes']],
      [['update', series.talk, '--yes']],
      [['remind'], '2030-11-12T11:31:00-05:00'],
      [['validate']],
      [['status']],
    ] as [string[], string?][]) {
      const r = await rali(args, clock);
      // In a database, each series is kept under its id: the changed id finds the ledger under the old one.
      if (env.RALI_LEDGER_URL)
        expect([args[0], r.code, r.stderr]).toEqual([
          args[0],
          args[0] === 'validate' ? 2 : 1,
          expect.stringMatching(
            /series\.id is rali-seminars, but this series was sent as rali-olst .* Put back id: rali-olst under series:/,
          ),
        ]);
      else expect([args[0], r.code, r.stderr]).toEqual([args[0], 2, expect.stringMatching(said)]);
    }
    expect(server.received).toHaveLength(3);
    writeFileSync(yaml, original.replace(/^( +domain:) iro\.umontreal\.ca\b/m, '$1 umontreal.ca'));
    expect((await rali(['validate'])).stderr).toMatch(/rali\.yaml: series\.domain: .* put back domain: iro\.umontreal\.ca under series:/);
    // Put back: cron sends the reminder to the event people have.
    writeFileSync(yaml, original);
    expect((await remind('2030-11-12T11:31:00-05:00')).code).toBe(0);
    expect(server.received).toHaveLength(6);
    expect((await calendarOf(latest())).ev.uid).toBe('rali-olst-2030-11-13-rezagholizadeh@iro.umontreal.ca');
    // Once the talk is over nothing more goes to its event: in its own SQLite file the series may take a
    // new id; in a database its ledger (suppressions included) stays under the id it was sent with.
    writeFileSync(yaml, original.replace(/^( +id:) rali-olst\b/m, '$1 rali-seminars'));
    expect((await remind('2030-11-13T12:31:00-05:00')).code).toBe(env.RALI_LEDGER_URL ? 1 : 0);
  });

  test('another talk at the same time as an announced one whose file is only broken, not gone, is no rename: it is announced', async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    writeFileSync(
      join(series.dir, 'talks', '2030-11-13-second-speaker.yaml'),
      readFileSync(series.talkFile, 'utf8').replace(/^( +name:) .*$/m, '$1 Second Speaker'),
    );
    writeFileSync(series.talkFile, readFileSync(series.talkFile, 'utf8').replace(/^language: .*$/m, 'language: de'));
    const r = await rali(['announce', 'talks/2030-11-13-second-speaker.yaml', '--yes']);
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/looks like/)]);
    expect(server.received).toHaveLength(6);
  });

  test('--now away from the real clock only rehearses: over SMTP it sends and records nothing and says so; --dry-run shows what would be due', async () => {
    expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
    const before = server.received.length;
    const r = await rali(['remind', '--now', '2030-11-12T11:31:00-05:00']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--now 2030-11-12T11:31:00-05:00 is .* from this machine's clock — a fake clock only rehearses: nothing was sent or recorded/,
    );
    expect(server.received.length).toBe(before);
    const dry = await rali(['remind', '--now', '2030-11-12T11:31:00-05:00', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/1 day reminder due since .* would go to 3 recipients \(dry run: nothing sent\)/);
    // The reminder still goes at its time.
    expect((await remind('2030-11-12T11:31:00-05:00')).stdout).toMatch(/1 day reminder: 3 sent/);
  });
}
