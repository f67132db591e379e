/**
 * What goes on the wire, end to end (bin/rali against smtp-server on 127.0.0.1): an abstract that
 * looks like SMTP arrives whole in every part of every message, CRLF only, one message per recipient.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { makeSeries, raliAsync, withoutLedgerNote } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { expectCrlfOnly } from '../helpers/crlf';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

let series: ReturnType<typeof makeSeries> | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  series?.cleanup();
  series = undefined;
});

const HOSTILE = [
  '.',
  '.NET 8 and . alone above',
  'MAIL FROM:<forged@example.org>',
  'RCPT TO:<victim@example.org>',
  'DATA',
  'Subject: forged',
  'QUIT',
];

const decodeHtml = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');

test('an abstract of SMTP-looking lines arrives whole in text, HTML and calendar, CRLF only, one message per recipient', async () => {
  series = makeSeries(6);
  const talk = readFileSync(series.talkFile, 'utf8');
  const abstract = `abstract: |\n  First paragraph.\n\n${HOSTILE.map((l) => `  ${l}`).join('\n\n')}\n\n  Last paragraph, after the dots.\n`;
  writeFileSync(series.talkFile, talk.replace(/^abstract: \|\n(?: {2}.*\n|\n)*/m, abstract));
  server = await startSmtp();
  const r = await raliAsync(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(withoutLedgerNote(r.stderr)).toBe('');
  expect(r.code).toBe(0);
  expect(server.received).toHaveLength(6);
  expect(
    server.received
      .map((m) => m.to)
      .flat()
      .sort(),
  ).toEqual(series.emails.slice().sort());
  for (const m of server.received) {
    expectCrlfOnly(m.raw);
    const p = await simpleParser(m.raw);
    const text = (p.text ?? '').replace(/\r\n/g, '\n');
    const html = decodeHtml(String(p.html ?? ''));
    for (const line of [...HOSTILE, 'Last paragraph, after the dots.']) {
      expect(text).toContain(`\n${line}\n`);
      expect(html).toContain(line);
    }
    // The calendar (the text/calendar alternative and the .ics attachment) holds the practical
    // details, not the abstract: it arrives whole, the same in both places, CRLF only.
    const cals = p.attachments.filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics');
    expect(cals).toHaveLength(2);
    expect(cals[0].content.equals(cals[1].content)).toBe(true);
    expectCrlfOnly(cals[0].content, 'calendar');
    expect(cals[0].content.toString('utf8')).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*\r\nEND:VEVENT\r\nEND:VCALENDAR(\r\n)?$/);
    const ev = new ICAL.Component(ICAL.parse(cals[0].content.toString('utf8'))).getFirstSubcomponent('vevent')!;
    expect(String(ev.getFirstPropertyValue('summary'))).toContain('Knowledge Distillation');
  }
}, 90_000);

test('bad SMTP configuration: exit 2 with the place and the fix, no password, no stack trace', async () => {
  series = makeSeries(1);
  const bad = await raliAsync(['announce', series.talk, '--yes'], {
    cwd: series.dir,
    env: { RALI_SMTP_URL: 'smtp://me:Qx7Kw9@127.0.0.1:2525?per_secnd=3' },
  });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/RALI_SMTP_URL: per_secnd is not a parameter/);
  expect(bad.stderr + bad.stdout).not.toMatch(/Qx7Kw9|\n\s+at /);
  const login = await raliAsync(['login'], { cwd: series.dir });
  expect(login.code).toBe(2);
  expect(login.stderr).toMatch(/rali login needs smtp\.user and smtp\.oauth/);
  expect(login.stderr).not.toMatch(/\n\s+at /);
});
