/** `rali announce` end to end: bin/rali against a real SMTP server on 127.0.0.1. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { raliInProcess } from '../helpers/inprocess';
import { makeSeries, raliAsync, withoutLedgerNote } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { announceIn, copiesByRecipient } from '../helpers/announce';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

let series: ReturnType<typeof makeSeries>;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  series?.cleanup();
});

const announce = (extra: string[] = [], env: Record<string, string> = {}) => announceIn(series, server!, extra, env);
const byRecipient = () => copiesByRecipient(server!);

test('happy path: each recipient gets one message in their languages; a rerun sends nothing', async () => {
  series = makeSeries(8);
  server = await startSmtp();
  const r = await announce();
  expect(withoutLedgerNote(r.stderr)).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('8 recipients: 2 fr+en, 2 fr, 2 en, 2 fr+en'.replace(', 2 fr+en', '').replace('2 fr+en', '4 fr+en'));
  expect(r.stdout).toMatch(/announcement: 8 sent via 127\.0\.0\.1:\d+/);
  expect([...byRecipient().values()]).toEqual(new Array(8).fill(1));
  for (const rec of server.received) {
    const p = await simpleParser(rec.raw);
    const to = rec.to[0];
    expect(p.to && !Array.isArray(p.to) && p.to.value[0].address).toBe(to);
    const i = Number(/user(\d+)/.exec(to)![1]);
    const langs = ['fr+en', 'fr', 'en', 'fr+en'][i % 4];
    expect(p.text!.includes('La présentation sera donnée en anglais.')).toBe(langs.includes('fr'));
    expect(p.text!.includes('The presentation will be given in English.')).toBe(langs.includes('en'));
    expect(rec.raw.toString('latin1')).toMatch(/method=REQUEST/);
    // the .ics as sent (through the bundled CLI) keeps its VTIMEZONE: 11:30 in Montreal = 16:30 UTC
    const ics = p.attachments.find((a) => a.contentType === 'application/ics')!.content.toString('utf8');
    expect(ics).toContain('BEGIN:VTIMEZONE\r\nTZID:America/Toronto');
    // each recipient is their own copy's non-RSVP attendee
    const attendees = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!.getAllProperties('attendee');
    expect(attendees.map((x) => String(x.getFirstValue()).toLowerCase())).toEqual([`mailto:${to}`]);
    expect(attendees[0].getParameter('rsvp')).toBe('FALSE');
    expect(new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!).startDate.toJSDate().toISOString()).toBe(
      '2030-11-13T16:30:00.000Z',
    );
    expect(p.headers.get('to')).toBeDefined();
    expect(rec.raw.toString('latin1')).not.toMatch(/^(Cc|Bcc):/im);
  }
  // The rerun reads the ledger the process wrote: this process is enough for it.
  const again = await raliInProcess(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('8 already sent');
  expect(again.stdout).toContain('nothing to send');
  expect(server.received).toHaveLength(8);
  expect(existsSync(join(series.dir, '.rali/state.db'))).toBe(true);
});

test('451 for some recipients, then success: everyone gets one', async () => {
  series = makeSeries(6);
  server = await startSmtp({
    rcpt: (a, n) => (/user0000[024]/.test(a) && n === 1 ? { code: 451, message: '4.7.1 Greylisted, try again' } : undefined),
  });
  const r = await announce();
  expect(r.code).toBe(0);
  expect([...byRecipient().values()]).toEqual(new Array(6).fill(1));
});

test('550 for one: exit 1, reported with the reply, suppressed, the others delivered', async () => {
  series = makeSeries(5);
  server = await startSmtp({
    rcpt: (a) =>
      a === 'user00003@example.org'
        ? { code: 550, message: '5.1.1 <user00003@example.org>: Recipient address rejected: User unknown' }
        : undefined,
  });
  const r = await announce();
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('failed: user00003@example.org: 550 5.1.1');
  expect(r.stderr).toContain('suppressed (unknown user): user00003@example.org');
  expect(byRecipient().size).toBe(4);
  const st = await raliAsync(['status', '--failed'], { cwd: series.dir });
  expect(st.stdout).toMatch(/failed\s+announce user00003@example.org: 550 5\.1\.1/);
  expect(st.stdout).toContain('1 suppressed address');
  // a later run does not try it again, and the next talk skips it
  const again = await announce();
  expect(again.code).toBe(0);
  expect(byRecipient().get('user00003@example.org')).toBeUndefined();
});

test('the connection dropped in the middle of DATA: retried, delivered once', async () => {
  series = makeSeries(4);
  server = await startSmtp({ data: (to, n) => (to[0] === 'user00001@example.org' && n === 1 ? 'drop' : undefined) });
  const r = await announce();
  expect(r.code).toBe(0);
  expect(byRecipient().get('user00001@example.org')).toBe(1);
  expect(byRecipient().size).toBe(4);
});

test('a server slower than the timeout: left pending, exit 1; the next run finishes', async () => {
  series = makeSeries(3);
  let slow = true;
  // The relay hangs on that one message until the first run is over (a condition, not a race of
  // durations); 8 s of timeout leaves the two others room on a loaded machine.
  let release = () => undefined as void;
  const hung = new Promise<void>((r) => (release = r));
  server = await startSmtp({ hold: (to) => (slow && to[0] === 'user00002@example.org' ? hung : undefined) });
  const r = await announce([], { RALI_SMTP_TIMEOUT_MS: '8000', RALI_RETRIES: '0' });
  release();
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('2 sent');
  expect(r.stdout).toContain('1 pending (the next run sends them)');
  expect(r.stderr).toMatch(/will retry: user00002@example.org/);
  slow = false;
  const again = await announce();
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/1 sent/);
  // the slow server may still have accepted the first copy late; if so it carries the same Message-ID
  const copies = server.received.filter((x) => x.to[0] === 'user00002@example.org');
  const ids = new Set(await Promise.all(copies.map(async (c) => (await simpleParser(c.raw)).messageId)));
  expect(copies.length).toBeGreaterThanOrEqual(1);
  expect(ids.size).toBe(1);
});

test('the SMTP password appears in no output, even when the login fails', async () => {
  series = makeSeries(2);
  // A server that echoes the password back in a refusal (some do, in debug replies).
  server = await startSmtp({
    auth: { user: 'rali', pass: 'right-pass' },
    rcpt: (a) => (a === 'user00001@example.org' ? { code: 550, message: '5.1.1 no such user (auth right-pass)' } : undefined),
  });
  const secret = 'S3cr3t-p4ss-w0rd';
  const url = `smtp://rali:${secret}@127.0.0.1:${server.port}`;
  const bad = await raliAsync(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: url, RALI_DEBUG: '1' } });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/login refused/);
  for (const out of [bad.stdout, bad.stderr]) expect(out).not.toContain(secret);
  const good = await raliAsync(['announce', series.talk, '--yes'], {
    cwd: series.dir,
    env: { RALI_SMTP_URL: `smtp://rali:right-pass@127.0.0.1:${server.port}` },
  });
  expect(good.code).toBe(1);
  expect(good.stdout + good.stderr).not.toContain('right-pass');
  expect(good.stderr).toContain('(auth ***)');
  const st = await raliAsync(['status', '--failed', '--json'], { cwd: series.dir, env: { RALI_SMTP_URL: url } });
  expect(st.stdout + st.stderr).not.toContain(secret);
  const st2 = await raliAsync(['status', '--failed'], {
    cwd: series.dir,
    env: { RALI_SMTP_URL: `smtp://rali:right-pass@127.0.0.1:${server.port}` },
  });
  expect(st2.stdout).toContain('user00001@example.org');
  expect(st2.stdout + st2.stderr).not.toContain('right-pass');
  const badUrl = await raliAsync(['announce', series.talk, '--to', 'me@example.org'], {
    cwd: series.dir,
    env: { RALI_SMTP_URL: `smtp://rali:${secret}@127.0.0.1:1` },
  });
  expect(badUrl.code).toBe(1);
  expect(badUrl.stdout + badUrl.stderr).not.toContain(secret);
});

test('outbox: no SMTP configured, messages written to outbox/ and nothing recorded', async () => {
  series = makeSeries(3);
  const r = await raliAsync(['announce', series.talk], { cwd: series.dir });
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('Nothing was sent: no SMTP server is configured');
  const files = readdirSync(join(series.dir, 'outbox/2030-11-13-rezagholizadeh/announce')).sort();
  // The address, readable, and a hash of it: two addresses never share a file.
  expect(files).toHaveLength(3);
  files.forEach((f, i) => expect(f).toMatch(new RegExp(`^user0000${i}@example\\.org\\.[0-9a-f]{16}\\.eml$`)));
  expect(existsSync(join(series.dir, '.rali/state.db'))).toBe(false);
});

test('no terminal and no --yes: refused before anything is sent; --dry-run touches nothing', async () => {
  series = makeSeries(3);
  server = await startSmtp();
  const r = await raliAsync(['announce', series.talk], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('add --yes');
  const d = await raliAsync(['announce', series.talk, '--dry-run'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(d.code).toBe(0);
  expect(d.stdout).toContain('dry run: nothing was sent');
  expect(d.stdout).toContain('Subject: Séminaire 13 nov.');
  expect(server.received).toHaveLength(0);
  expect(existsSync(join(series.dir, '.rali/state.db'))).toBe(false);
});

test('--to sends one test copy and records nothing; --limit sends part of the list', async () => {
  series = makeSeries(5);
  server = await startSmtp();
  const t = await raliAsync(['announce', series.talk, '--to', 'me@example.org'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(t.code).toBe(0);
  expect(server.received.map((x) => x.to[0])).toEqual(['me@example.org']);
  const l = await announce(['--limit', '2']);
  expect(l.code).toBe(0);
  expect(server.received).toHaveLength(3);
  const rest = await announce();
  expect(rest.stdout).toContain('2 already sent');
  expect(server.received).toHaveLength(6);
});

test('a talk in the past is refused over SMTP unless --force', async () => {
  series = makeSeries(1);
  server = await startSmtp();
  writeFileSync(
    join(series.dir, 'talks/2021-11-10-old.yaml'),
    readFileSync(series.talkFile, 'utf8').replace('date: 2030-11-13', 'date: 2021-11-10'),
  );
  const r = await raliAsync(['announce', 'talks/2021-11-10-old.yaml', '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('in the past — check the date; add --force to send anyway');
  expect(server.received).toHaveLength(0);
  const f = await raliAsync(['announce', 'talks/2021-11-10-old.yaml', '--yes', '--force'], {
    cwd: series.dir,
    env: { RALI_SMTP_URL: server.url },
  });
  expect(f.code).toBe(0);
  expect(server.received).toHaveLength(1);
});

test('preview --eml writes what sending sends (same headers and parts; only Date, boundaries and DTSTAMP differ — and the tokens, before the first send)', async () => {
  series = makeSeries(1);
  server = await startSmtp();
  const to = 'user00000@example.org';
  const p = await raliAsync(['preview', series.talk, '--eml', 'preview.eml', '--to', to], { cwd: series.dir });
  expect(p.code).toBe(0);
  expect((await announce()).code).toBe(0);
  const a = await simpleParser(readFileSync(join(series.dir, 'preview.eml')));
  const b = await simpleParser(server.received[0].raw);
  const headers = (m: typeof a) =>
    m.headerLines
      .map((h) => h.line.replace(/\r\n\s+/g, ' ').replace(/(\.|%20|=)1[a-z2-7]{16}/g, '$1TOKEN'))
      .filter((l) => !/^(Date|Content-Type):/i.test(l));
  expect(headers(a)).toEqual(headers(b));
  // Once the ledger holds its keys, the preview carries the very tokens a send does.
  const again = await raliAsync(['preview', series.talk, '--eml', 'again.eml', '--to', to], { cwd: series.dir });
  expect(again.code).toBe(0);
  const c = await simpleParser(readFileSync(join(series.dir, 'again.eml')));
  expect(c.messageId).toBe(b.messageId);
  expect(c.headers.get('list-unsubscribe')).toEqual(b.headers.get('list-unsubscribe'));
  expect(a.text).toBe(b.text);
  expect(a.html).toBe(b.html);
  // Unfolded: where a long line is folded is not part of its meaning (RFC 5545 §3.1), and the
  // per-recipient ATTENDEE line is refolded by the splice.
  const ics = (m: typeof a) =>
    m.attachments.map((x) =>
      x.content
        .toString('utf8')
        .replace(/\r\n[ \t]/g, '')
        .replace(/DTSTAMP:\d{8}T\d{6}Z/, 'DTSTAMP'),
    );
  expect(ics(a)).toEqual(ics(b));
});
