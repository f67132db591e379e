/** `rali inbox` over a Maildir built from the fixture corpus, after a real announce to an SMTP server. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { openLedger } from '../helpers/ledger';
import { makeToken } from '../../src/model/tokens';
import { tokenKeys } from '../../src/ledger/keys';
import { FIXTURES, tempDir } from '../helpers/paths';
import { raliInProcess } from '../helpers/inprocess';
import { makeSeries, raliAsync } from '../helpers/series';
import { startSmtp } from '../helpers/smtp';

const CORPUS = join(FIXTURES, 'inbox');
const BOUNCE = 'rali-olst+{token}@iro.umontreal.ca';

/**
 * What each fixture leads to: a line of output, and whether the message leaves the inbox. A bounce
 * acts only with its proof (a Message-ID of ours, its VERP address); one that only names an address
 * gets a probe; an unsubscribe without its token gets a request to confirm.
 */
const EXPECTED: Record<string, { line?: RegExp; moved: boolean }> = {
  '01-postfix-dsn-user-unknown.eml': { line: /^hard bounce: user00001@example\.org suppressed — hard bounce 5\.1\.1/m, moved: true },
  '02-exim-no-such-domain.eml': {
    line: /^hard bounce: user00002@example\.org suppressed — hard bounce: Unrouteable address/m,
    moved: true,
  },
  '03-microsoft365-ndr.eml': {
    line: /^hard bounce: user00003@example\.org suppressed — hard bounce 5\.1\.10: 550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound/m,
    moved: true,
  },
  '04-gmail-dsn-over-quota.eml': {
    line: /^soft bounce: user00004@example\.org counted \(1 of 3 within 30 days\) — soft bounce 5\.2\.2/m,
    moved: true,
  },
  '05-qmail.eml': {
    line: /^hard bounce naming user00005@example\.org, not one of our messages: a probe is sent to it \(suppressed only if the probe bounces too\)$/m,
    moved: true,
  },
  '06-postfix-plain-mailbox-full.eml': {
    line: /^soft bounce naming user00006@example\.org, not one of our messages: kept as evidence$/m,
    moved: true,
  },
  '07-groupwise.eml': { line: /^hard bounce naming user00007@example\.org, not one of our messages: a probe is sent/m, moved: true },
  '08-yahoo.eml': { line: /^hard bounce naming user00008@example\.org, not one of our messages: a probe is sent/m, moved: true },
  '09-postfix-delayed.eml': { moved: false },
  '10-arf-complaint.eml': { line: /^complaint: user00009@example\.org suppressed — complaint \(abuse\)/m, moved: true },
  '11-unsubscribe-mailto-en.eml': {
    line: /^unsubscribe request without its token from user00010@example\.org: asked user00010@example\.org to confirm; nothing removed$/m,
    moved: true,
  },
  // a polite sentence, not a command alone on its line: left for a person
  '12-unsubscribe-fr-body.eml': { moved: false },
  '13-autoreply-rfc3834.eml': { moved: false },
  '14-exchange-automatic-reply.eml': { moved: false },
  '15-itip-reply.eml': { moved: false },
  '16-unknown-question.eml': { moved: false },
  '17-bounce-never-mailed.eml': { moved: false },
  '18-verp-aol-no-headers.eml': { line: /^hard bounce: user00000@example\.org suppressed — hard bounce 5\.2\.1/m, moved: true },
};

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A series announced to 12 subscribers, and a Maildir holding the corpus filled in with what rali sent. */
async function setup() {
  const series = makeSeries(12, { langs: () => '', extraConfig: `inbox:\n  bounce_address: "${BOUNCE}"\n` });
  cleanups.push(series.cleanup);
  const server = await startSmtp();
  cleanups.push(() => server.close());
  // What is tested is rali inbox (bin/rali); the announcement before it runs in this process.
  const r = await raliInProcess(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
  expect(r.code).toBe(0);
  const ids = new Map<string, string>();
  for (const rec of server.received) ids.set(rec.to[0], (await simpleParser(rec.raw)).messageId!);
  const ledger = openLedger(join(series.dir, '.rali'));
  const keys = await tokenKeys(ledger);
  await ledger.close();
  const fill = (text: string) =>
    text
      .replace(/\{\{MSGID ([^}]+)\}\}/g, (_, a: string) => ids.get(a)!)
      .replace(/\{\{VERP ([^}]+)\}\}/g, (_, a: string) => BOUNCE.replace('{token}', makeToken(keys, 'bounce', 'rali-olst', a)));
  const md = tempDir('rali-maildir-');
  cleanups.push(md.cleanup);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md.dir, sub));
  for (const f of Object.keys(EXPECTED))
    writeFileSync(join(md.dir, 'new', `1731334364.${f.slice(0, 2)}.mx`), fill(readFileSync(join(CORPUS, f), 'utf8')));
  return { series, maildir: md.dir, ids };
}

const inbox = (s: { series: { dir: string } }, md: string, extra: string[] = []) =>
  raliAsync(['inbox', '--maildir', md, ...extra], { cwd: s.series.dir });

const remaining = (md: string) =>
  readdirSync(join(md, 'new'))
    .map((n) => Object.keys(EXPECTED).find((f) => n.includes(`.${f.slice(0, 2)}.`))!)
    .sort();

test('the corpus: each message leads to its action; the rest is left untouched; a second run does nothing', async () => {
  const s = await setup();
  const csvBefore = readFileSync(join(s.series.dir, 'subscribers.csv'), 'utf8');
  const dry = await inbox(s, s.maildir, ['--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/^would: hard bounce: user00001@example\.org suppressed/m);
  expect(remaining(s.maildir)).toHaveLength(Object.keys(EXPECTED).length);
  expect(readFileSync(join(s.series.dir, 'subscribers.csv'), 'utf8')).toBe(csvBefore);

  const r = await inbox(s, s.maildir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const [f, e] of Object.entries(EXPECTED))
    if (e.line) expect({ f, out: r.stdout }).toEqual({ f, out: expect.stringMatching(e.line) });
  const actionLines = r.stdout.trim().split('\n');
  expect(actionLines).toHaveLength(Object.values(EXPECTED).filter((e) => e.line).length + 1);
  expect(r.stdout).toMatch(/^left in place: 1 delay notice, 2 auto-replies, 1 calendar reply, 1 person's mail$/m);
  expect(remaining(s.maildir)).toEqual(
    Object.keys(EXPECTED)
      .filter((f) => !EXPECTED[f].moved)
      .sort(),
  );
  const done = readdirSync(join(s.maildir, '.rali-done', 'cur'));
  expect(done).toHaveLength(Object.values(EXPECTED).filter((e) => e.moved).length);
  for (const n of done) expect(n).toMatch(/:2,S$/);
  // the unknown message is byte for byte what was delivered
  const unknown = readdirSync(join(s.maildir, 'new')).find((n) => n.includes('.16.'))!;
  expect(readFileSync(join(s.maildir, 'new', unknown), 'utf8')).toBe(readFileSync(join(CORPUS, '16-unknown-question.eml'), 'utf8'));

  // Nobody removed: the command came without its token.
  const csvAfter = readFileSync(join(s.series.dir, 'subscribers.csv'), 'utf8');
  expect(csvAfter).toBe(csvBefore);
  // The notices (no SMTP settings here: outbox/notices/): three probes and one request to confirm.
  const notices = readdirSync(join(s.series.dir, 'outbox', 'notices')).sort();
  expect(notices).toEqual(
    ['confirm-unsubscribe-user00010', 'probe-user00005', 'probe-user00007', 'probe-user00008'].map((n) => expect.stringContaining(n)),
  );

  const list = await raliInProcess(['subscribers', 'list'], { cwd: s.series.dir });
  expect(list.stdout).toMatch(/suppressed user00001@example\.org since .*: hard bounce 5\.1\.1 \(rali inbox/);
  expect(list.stdout).toMatch(/suppressed user00009@example\.org since .*: complaint \(rali inbox/);
  expect(list.stdout).not.toMatch(/suppressed user00004/);
  expect(list.stdout).not.toMatch(/colleague@example\.net/);
  const status = await raliInProcess(['status'], { cwd: s.series.dir });
  expect(status.stdout).toMatch(/mailbox +4 hard bounces, 1 soft, 1 complaint \(rali inbox\)/);

  const again = await inbox(s, s.maildir);
  expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });
  expect(readFileSync(join(s.series.dir, 'subscribers.csv'), 'utf8')).toBe(csvAfter);
}, 240_000); // a budget for a loaded machine: rali spawned four times over the corpus

test('soft bounces: the third within 30 days suppresses the address', async () => {
  const s = await setup();
  const md = s.maildir;
  const src = readFileSync(
    join(
      md,
      'new',
      readdirSync(join(md, 'new')).find((n) => n.includes('.04.'))!,
    ),
    'utf8',
  );
  for (const n of readdirSync(join(md, 'new'))) if (!n.includes('.04.')) rmSync(join(md, 'new', n));
  for (const i of [2, 3]) writeFileSync(join(md, 'new', `soft-${i}`), src.replace(/Message-ID: <6731f3c0/, `Message-ID: <${i}6731f3c0`));
  const r = await inbox(s, md);
  expect(r.stdout).toMatch(/counted \(1 of 3/);
  expect(r.stdout).toMatch(/counted \(2 of 3/);
  expect(r.stdout).toMatch(/^soft bounce: user00004@example\.org suppressed after 3 within 30 days/m);
});

test('two runs at once handle each message once', async () => {
  const s = await setup();
  const [a, b] = await Promise.all([inbox(s, s.maildir), inbox(s, s.maildir)]);
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  expect(a.stderr + b.stderr).toBe('');
  const lines = (a.stdout + b.stdout).split('\n').filter((l) => /^(hard|soft|complaint|unsubscribe)/.test(l));
  expect(lines.sort()).toEqual([...new Set(lines)].sort());
  expect(lines).toHaveLength(Object.values(EXPECTED).filter((e) => e.line).length);
  expect(readdirSync(join(s.maildir, '.rali-done', 'cur'))).toHaveLength(Object.values(EXPECTED).filter((e) => e.moved).length);
  expect(existsSync(join(s.series.dir, 'subscribers.csv'))).toBe(true);
});

test('bad input: no mailbox configured, and a folder that is not a Maildir, exit 2 with the fix', async () => {
  const series = makeSeries(1);
  cleanups.push(series.cleanup);
  const r = await raliAsync(['inbox'], { cwd: series.dir });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/rali\.yaml: no mailbox — add an `inbox:` block/);
  const m = await raliAsync(['inbox', '--maildir', series.dir], { cwd: series.dir });
  expect(m.code).toBe(2);
  expect(m.stderr).toMatch(/not a Maildir \(no cur\/ folder\)/);
});
