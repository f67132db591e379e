/**
 * A talk's life in-process, against a real SMTP server on 127.0.0.1 and a real ledger file: the
 * organizer answers "no", the relay refuses the sender, a quota is reached, a container restarts.
 * For each: what does the ledger say now, and is it true?
 */
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { send, SendOptions } from '../../src/commands/send';
import { remind, remindAll } from '../../src/commands/remind';
import { status } from '../../src/commands/status';
import { validate } from '../../src/commands/validate';
import { preview } from '../../src/commands/preview';
import { simpleParser } from 'mailparser';
import { DateTime } from 'luxon';
import { makeToken } from '../../src/model/tokens';
import { tokenKeys } from '../../src/ledger/keys';
import { openLedger, openLedgerReadOnly } from '../helpers/ledger';
import { loadSeries, loadTalk } from '../../src/model';
import { memoryLogger } from '../../src/log';
import { clockAt, testWorld } from '../helpers/world';
import { makeSeries } from '../helpers/series';
import { Faults, startSmtp, TestServer } from '../helpers/smtp';

let series: ReturnType<typeof makeSeries>;
let server: TestServer | undefined;
const savedEnv = { ...process.env };

afterEach(async () => {
  await server?.close();
  server = undefined;
  series?.cleanup();
  process.env = { ...savedEnv };
});

async function setup(n: number, faults: Faults = {}, extraConfig?: string) {
  series = makeSeries(n, { extraConfig });
  server = await startSmtp(faults);
  process.env.RALI_SMTP_URL = server.url;
  process.env.RALI_BACKOFF_MS = '5';
  process.env.RALI_RETRIES = '1';
  delete process.env.RALI_LEASE_MS;
}

async function run(kind: SendOptions['kind'], extra: Partial<SendOptions> = {}, answer = 'y') {
  const log = memoryLogger();
  const code = await send(
    { kind, talk: series.talkFile, config: join(series.dir, 'rali.yaml'), ...extra },
    testWorld({ log, prompt: async () => answer, interactive: true }),
  );
  return { code, out: log.lines.join('\n'), err: log.errors.join('\n') };
}

const talkOf = () => {
  const { series: s } = loadSeries(join(series.dir, 'rali.yaml'), series.dir);
  return loadTalk(s, series.talkFile, DateTime.now());
};

const ledgerFile = () => join(series.dir, '.rali', 'state.db');

/** Every row of every table, for "exactly as before". */
function dump(): string {
  if (!existsSync(ledgerFile())) return 'no ledger';
  const l = openLedgerReadOnly(join(series.dir, '.rali'))!;
  try {
    const tables = (l.db.raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map(
      (t) => t.name,
    );
    return JSON.stringify(tables.map((t) => [t, l.db.raw.prepare(`SELECT * FROM ${t}`).all()]));
  } finally {
    l.db.close();
  }
}

function ledgerRows(sql: string, ...args: unknown[]) {
  const l = openLedgerReadOnly(join(series.dir, '.rali'))!;
  try {
    return l.db.raw.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    l.db.close();
  }
}

const moveTalk = (from: string, to: string) => writeFileSync(series.talkFile, readFileSync(series.talkFile, 'utf8').replace(from, to));

test('a relay refusing the sender stops the run: everyone pending, nobody failed or suppressed, the next run sends', async () => {
  let refuse = true;
  await setup(12, {
    mail: () =>
      refuse ? { code: 553, message: '5.7.1 <rali-olst@iro.umontreal.ca>: Sender address rejected: not owned by user x' } : undefined,
  });
  const first = await run('announce', { yes: true });
  expect(first.code).toBe(1);
  expect(first.err).toMatch(/stopped: sender \(MAIL FROM\): 553 5\.7\.1 .*Sender address rejected.*check `from:`/);
  expect(first.err).toMatch(/left pending, nobody marked failed/);
  expect(ledgerRows(`SELECT * FROM suppressions`)).toEqual([]);
  expect(ledgerRows(`SELECT * FROM deliveries WHERE status = 'failed'`)).toEqual([]);
  expect(server!.received.length).toBe(0);
  refuse = false;
  const second = await run('announce', { yes: true });
  expect(second.code).toBe(0);
  expect(new Set(server!.received.map((r) => r.to[0])).size).toBe(12);
});

test('mailbox full is retried later, a policy block on every recipient stops the run, only unknown users are suppressed', async () => {
  await setup(8, {
    rcpt: (a) => {
      if (a === 'user00001@example.org') return { code: 552, message: '5.2.2 Mailbox full' };
      if (a === 'user00002@example.org')
        return { code: 550, message: '5.1.1 <user00002@example.org>: Recipient address rejected: User unknown' };
      return undefined;
    },
  });
  const r = await run('announce', { yes: true });
  expect(r.code).toBe(1);
  const rows = ledgerRows(`SELECT recipient, status FROM deliveries ORDER BY recipient`);
  expect(rows.find((x) => x.recipient === 'user00001@example.org')!.status).toBe('pending');
  expect(rows.find((x) => x.recipient === 'user00002@example.org')!.status).toBe('failed');
  expect(ledgerRows(`SELECT address FROM suppressions`)).toEqual([{ address: 'user00002@example.org' }]);
  await server!.close();

  // A policy refusal for everyone (the relay's, not the addresses'): nobody failed.
  await setup(12, { rcpt: () => ({ code: 550, message: '5.7.1 Service unavailable; client host blocked using zen.spamhaus.org' }) });
  const p = await run('announce', { yes: true });
  expect(p.code).toBe(1);
  expect(p.err).toMatch(/in a row refused with the same reply/);
  expect(ledgerRows(`SELECT * FROM deliveries WHERE status = 'failed'`)).toEqual([]);
  expect(ledgerRows(`SELECT * FROM suppressions`)).toEqual([]);
});

test('a declined prompt, --limit 0 and a template error leave the ledger exactly as before', async () => {
  await setup(5);
  expect((await run('announce', {}, 'n')).out).toMatch(/nothing sent, nothing recorded/);
  expect(existsSync(ledgerFile())).toBe(false);
  expect((await run('announce', { yes: true, limit: 0 })).out).toMatch(/--limit 0: nothing sent/);
  expect(existsSync(ledgerFile())).toBe(false);
  expect((await run('announce', { yes: true })).code).toBe(0);
  const afterAnnounce = dump();

  // The room changes; the organizer answers no to the update, then sends it with --limit 0.
  moveTalk('location:\n', 'location:\n  room: { fr: Salle 3195, en: Room 3195 }\n');
  expect((await run('update', {}, 'no')).out).toMatch(/nothing sent, nothing recorded/);
  expect(dump()).toBe(afterAnnounce);
  await run('update', { yes: true, limit: 0 });
  expect(dump()).toBe(afterAnnounce);
  // A template error after the plan.
  const tpl = join(series.dir, 'templates', 'update');
  mkdirSync(tpl, { recursive: true });
  writeFileSync(join(series.dir, 'rali.yaml'), readFileSync(join(series.dir, 'rali.yaml'), 'utf8') + '\ntemplates: templates\n');
  writeFileSync(join(tpl, 'text.hbs'), '{{talk.no_such_field}}\n');
  await expect(run('update', { yes: true })).rejects.toThrow(/no_such_field/);
  expect(dump()).toBe(afterAnnounce);
  unlinkSync(join(tpl, 'text.hbs'));

  // The update is still owed: it goes out now, with SEQUENCE 1.
  const u = await run('update', { yes: true });
  expect(u.out).toMatch(/changed since the last message: room/);
  expect(u.out).toMatch(/update: 5 sent/);
  expect(ledgerRows(`SELECT sequence FROM talks`)).toEqual([{ sequence: 1 }]);
  const upd = server!.received.filter((m) => /SEQUENCE:1/.test(m.raw.toString()));
  expect(upd.length).toBe(5);

  // A declined cancel changes nothing either: reminders still go.
  const beforeCancel = dump();
  await run('cancel', {}, 'n');
  expect(dump()).toBe(beforeCancel);
  expect(readFileSync(series.talkFile, 'utf8')).not.toMatch(/status: cancelled/);
});

test("a dead run's claims are taken over within the lease, even with the same PID and host name", async () => {
  await setup(6);
  process.env.RALI_LEASE_MS = '300';
  // A run that died holding claims: same process id and host as this one (PID 1 in a container).
  mkdirSync(join(series.dir, '.rali'), { recursive: true });
  const l = openLedger(join(series.dir, '.rali'));
  const dead = await l.startRun('announce');
  await l.claim({ uid: 'rezagholizadeh-2030-11-13@rali-olst.iro.umontreal.ca', kind: 'announce', rev: '0' }, dead, [
    { recipient: 'user00000@example.org', messageId: '<x>', seq: 0, langs: 'fr+en' },
  ]);
  const uid = talkOf().talk.uid;
  l.db.raw.prepare('UPDATE deliveries SET uid = ?').run(uid);
  await l.close();
  // The next run waits for the claim's lease to expire (nobody renews it), then sends it itself
  // (on a slow machine the lease may have expired before it starts: then it takes it at once).
  const next = await run('announce', { yes: true });
  expect(next.err).not.toMatch(/being sent by another/);
  expect(next.out).toMatch(/announcement: 6 sent .*1 interrupted earlier, sent again/);
  expect(next.code).toBe(0);
  expect(server!.received.map((r) => r.to[0]).sort()).toEqual(series.emails.slice().sort());
});

test('a delivery held by another live run is waited for and not sent twice', async () => {
  await setup(4);
  mkdirSync(join(series.dir, '.rali'), { recursive: true });
  const uid = talkOf().talk.uid;
  const key = { uid, kind: 'announce', rev: '0' };
  // Another run, alive (it renews its lease), holds one delivery; it settles it only once this run
  // has sent the three others (and so must be waiting for it), however slow the machine.
  const other = openLedger(join(series.dir, '.rali'));
  const id = await other.startRun('announce');
  await other.claim(key, id, [{ recipient: 'user00000@example.org', messageId: '<x>', seq: 0, langs: 'fr+en' }]);
  const beat = setInterval(() => void other.heartbeat(id), 100);
  const done = setInterval(() => {
    if (server!.received.length < 3) return;
    clearInterval(done);
    setTimeout(() => void other.settle(key, 'user00000@example.org', 'sent', '250 ok', undefined, id), 300);
  }, 20);
  let r;
  try {
    r = await run('announce', { yes: true });
  } finally {
    clearInterval(beat);
    clearInterval(done);
    await other.close();
  }
  expect(r.err).toMatch(/1 delivery held by another rali run: waiting for it/);
  expect(r.out).toMatch(/announcement: 3 sent via .*, 1 already sent$/m);
  expect(server!.received.map((m) => m.to[0])).not.toContain('user00000@example.org');
});

test('a ledger deleted or read-only mid-series stops sending and names the file', async () => {
  // Delete the ledger while the third message is being received: the run must notice at its next record.
  let seen = 0;
  await setup(30, {
    delayMs: () => {
      if (++seen === 3) unlinkSync(ledgerFile());
      return 5;
    },
  });
  // 5 connections: what they have in flight when the file goes is the bound on what still reaches the server.
  process.env.RALI_SMTP_URL = `${server!.url}?connections=5`;
  const r = await run('announce', { yes: true });
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/state\.db was deleted or replaced during the run/);
  expect(server!.received.length).toBeLessThan(15);

  if (process.getuid?.() === 0) return; // root writes read-only files
  chmodSync(join(series.dir, '.rali'), 0o500);
  await expect(run('announce', { yes: true })).rejects.toThrow(/state\.db/);
});

test('--to takes exactly one well-formed address: empty, CR/LF and lists are usage errors', async () => {
  await setup(3);
  for (const bad of [
    '',
    '  ',
    'me@example.org\r\nRCPT TO:<x@evil.org>',
    'a@example.org,b@example.org',
    'Me <me@example.org>',
    'not-an-address',
  ]) {
    await expect(run('announce', { to: bad })).rejects.toMatchObject({ exitCode: 2 });
  }
  expect(server!.received.length).toBe(0);
  const ok = await run('announce', { to: 'me@example.org' });
  expect(ok.code).toBe(0);
  expect(server!.received.map((m) => m.to)).toEqual([['me@example.org']]);
});

test('a test copy to an unreachable server is one attempt and never speaks of later runs', async () => {
  await setup(2);
  process.env.RALI_SMTP_URL = 'smtp://127.0.0.1:1';
  const r = await run('announce', { to: 'me@example.org' });
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/test copy .*not sent/);
  expect(r.out + r.err).not.toMatch(/next run|will retry/);
});

test('a cancelled talk scheduled again is reinstated by `rali update`, and reminders follow', async () => {
  await setup(4);
  expect((await run('announce', { yes: true })).code).toBe(0);
  expect((await run('cancel', { yes: true, reason: 'Speaker ill' })).code).toBe(0);
  expect(readFileSync(series.talkFile, 'utf8')).toMatch(/status: cancelled/);
  writeFileSync(series.talkFile, readFileSync(series.talkFile, 'utf8').replace(/status: cancelled/, 'status: scheduled'));
  await expect(run('announce', { yes: true })).rejects.toThrow(/scheduled again .*rali update/);
  const u = await run('update', { yes: true });
  expect(u.out).toMatch(/changed since the last message: status/);
  expect(u.out).toMatch(/update: 4 sent/);
  expect(ledgerRows(`SELECT sequence, status FROM talks`)).toEqual([{ sequence: 2, status: 'scheduled' }]);
  const log = memoryLogger();
  const code = await remind(
    { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T11:45' },
    testWorld({ log: log, now: clockAt('2030-11-12T11:45') }),
  );
  expect(code).toBe(0);
  expect(log.lines.join('\n')).toMatch(/1 day reminder: 4 sent/);
});

test('whoever holds a calendar entry gets the update: a subscriber who joined after the announcement and had the reminder', async () => {
  await setup(3);
  await run('announce', { yes: true });
  writeFileSync(
    join(series.dir, 'subscribers.csv'),
    readFileSync(join(series.dir, 'subscribers.csv'), 'utf8') + 'late@example.org,Late Comer,fr\n',
  );
  const log = memoryLogger();
  await remind(
    { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T11:45-05:00' },
    testWorld({ log: log, now: clockAt('2030-11-12T11:45-05:00') }),
  );
  expect(log.lines.join('\n')).toMatch(/reminder: 4 sent/);
  moveTalk('time: "11:30"', 'time: "14:00"');
  const u = await run('update', { yes: true });
  expect(u.out).toMatch(/update: 4 sent/);
  expect(server!.received.filter((m) => m.to[0] === 'late@example.org').length).toBe(2);
});

test('status says what is owed: a talk changed without `rali update`', async () => {
  await setup(2);
  await run('announce', { yes: true });
  moveTalk('time: "11:30"', 'time: "14:00"');
  const log = memoryLogger();
  await status({ config: join(series.dir, 'rali.yaml') }, testWorld({ log: log }));
  expect(log.lines.join('\n')).toMatch(/changed since the last message.*run `rali update/);
  const v = memoryLogger();
  expect(await validate({ files: [], config: join(series.dir, 'rali.yaml') }, testWorld({ log: v }))).toBe(0);
  expect(v.errors.join('\n')).toMatch(/warning:.*start, end changed since the last message — run `rali update/);
});

test('a rate limit reached mid-run leaves the rest pending and says so; the next run finishes, no one twice', async () => {
  let limited = true;
  await setup(20, {
    mail: (_f, n) => (limited && n > 7 ? { code: 421, message: '4.7.0 Rate limit exceeded, try again later' } : undefined),
  });
  const first = await run('announce', { yes: true });
  expect(first.code).toBe(1);
  expect(first.err).toMatch(/stopped: .*421 4\.7\.0 Rate limit/);
  expect(ledgerRows(`SELECT * FROM deliveries WHERE status = 'failed'`)).toEqual([]);
  const got = server!.received.length;
  expect(got).toBeGreaterThan(0);
  expect(got).toBeLessThan(20);
  limited = false;
  const second = await run('announce', { yes: true });
  expect(second.code).toBe(0);
  expect(second.out).toContain(`${got} already sent`);
  const per = new Map<string, number>();
  for (const m of server!.received) per.set(m.to[0], (per.get(m.to[0]) ?? 0) + 1);
  expect(per.size).toBe(20);
  expect(Math.max(...per.values())).toBe(1);
});

test('earlier failures are named in every run, and --retry-failed tries them again', async () => {
  let refuse = true;
  await setup(3, {
    rcpt: (a) => (refuse && a === 'user00001@example.org' ? { code: 550, message: '5.7.1 Recipient rejected by policy' } : undefined),
  });
  const first = await run('announce', { yes: true });
  expect(first.code).toBe(1);
  expect(first.err).toMatch(/failed: user00001@example.org: 550 5\.7\.1/);
  expect(ledgerRows(`SELECT * FROM suppressions`)).toEqual([]); // a policy refusal does not suppress
  refuse = false;
  const again = await run('announce', { yes: true });
  expect(again.out).toMatch(/1 failed earlier \(--retry-failed to try them again\)/);
  expect(again.code).toBe(1);
  const retry = await run('announce', { yes: true, retryFailed: true });
  expect(retry.code).toBe(0);
  expect(retry.out).toMatch(/announcement: 1 sent/);
});

test('remind --all: several series from one cron line, one block per series, a broken one does not stop the others', async () => {
  await setup(2);
  await run('announce', { yes: true });
  const log = memoryLogger();
  const code = await remindAll(
    [join(series.dir, 'no-such-series'), series.dir],
    { now: '2030-11-12T11:40' },
    testWorld({ log: log, now: clockAt('2030-11-12T11:40') }),
  );
  expect(code).toBe(2);
  const out = [...log.lines, ...log.errors].join('\n');
  expect(log.lines[0]).toBe(`── ${join(series.dir, 'no-such-series')}`);
  expect(out).toMatch(/rali\.yaml/);
  expect(log.lines).toContain(`── ${series.dir}`);
  expect(out).toMatch(/1 day reminder: 2 sent/);
  // Nothing to do: nothing printed at all.
  const quiet = memoryLogger();
  expect(await remindAll([series.dir], { now: '2030-11-12T11:50' }, testWorld({ log: quiet, now: clockAt('2030-11-12T11:50') }))).toBe(0);
  expect([...quiet.lines, ...quiet.errors]).toEqual([]);
});

test('a damaged ledger is named with a fix, exit 1, not an internal error', async () => {
  await setup(1);
  mkdirSync(join(series.dir, '.rali'), { recursive: true });
  writeFileSync(ledgerFile(), 'this is not a database, just text that happens to be here'.repeat(100));
  const log = memoryLogger();
  await expect(status({ config: join(series.dir, 'rali.yaml') }, testWorld({ log }))).rejects.toThrow(
    /state\.db is damaged .*restore it from a backup/,
  );
  await expect(run('announce', { yes: true })).rejects.toThrow(/state\.db is damaged/);
  expect(server!.received.length).toBe(0);
});

test('a talk file renamed after its announcement: remind says so once (cron mails it once), status says so', async () => {
  await setup(2);
  await run('announce', { yes: true });
  const renamed = series.talkFile.replace('rezagholizadeh', 'renamed');
  writeFileSync(renamed, readFileSync(series.talkFile));
  unlinkSync(series.talkFile);
  const log = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-01T09:00' },
      testWorld({ log: log, now: clockAt('2030-11-01T09:00') }),
    ),
  ).toBe(1);
  expect(log.errors.join('\n')).toMatch(/announced, but no talk file has this id any more .*id: 2030-11-13-rezagholizadeh/);
  const again = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-01T09:10' },
      testWorld({ log: again, now: clockAt('2030-11-01T09:10') }),
    ),
  ).toBe(0);
  expect([...again.lines, ...again.errors]).toEqual([]);
  const st = memoryLogger();
  await status({ config: join(series.dir, 'rali.yaml') }, testWorld({ log: st }));
  expect(st.lines.join('\n')).toMatch(/owed: no talk file has this id any more/);
});

// ---- what the ledger says after two commands cross, a stop before the first 250, a postponement ----

const isCancel = (raw: Buffer) => raw.toString('latin1').includes('METHOD:CANCEL');
const statusText = async () => {
  const log = memoryLogger();
  await status({ config: join(series.dir, 'rali.yaml') }, testWorld({ log: log }));
  return log.lines.join('\n');
};

test('an announcement still going out when `rali cancel` commits stops: no invitation after the cancellation, and whoever got one is owed the cancellation', async () => {
  let seen = 0;
  let cancelling: Promise<{ code: number; out: string; err: string }> | undefined;
  await setup(60, {
    delayMs: () => {
      if (++seen === 5) cancelling = run('cancel', { yes: true, reason: 'Speaker ill' });
      return 10;
    },
  });
  process.env.RALI_SMTP_URL = `${server!.url}?connections=1`;
  const announce = await run('announce', { yes: true });
  const cancel = await cancelling!;
  expect(cancel.code).toBe(0);
  expect(announce.code).toBe(1);
  expect(announce.err).toMatch(/stopped: the talk changed while this run was sending: `rali cancel` committed calendar revision 1/);
  expect(announce.out).toMatch(/not sent \(out of date: the talk changed\)/);
  const invited = new Set(server!.received.filter((m) => !isCancel(m.raw)).map((m) => m.to[0]));
  expect(invited.size).toBeLessThan(60);
  // Invitations that were on the wire while the cancellation was planned: rali says they are owed it.
  const cancelled = () => new Set(server!.received.filter((m) => isCancel(m.raw)).map((m) => m.to[0]));
  const owed = [...invited].filter((r) => !cancelled().has(r)).length;
  if (owed)
    expect(await statusText()).toMatch(
      new RegExp(
        `${owed} (person who has|people who have) the talk in their calendar did not get the cancellation yet — run \`rali cancel`,
      ),
    );
  const again = await run('cancel', { yes: true });
  expect(again.code).toBe(0);
  expect([...invited].filter((r) => !cancelled().has(r))).toEqual([]);
  expect(await statusText()).not.toMatch(/owed/);
});

test('a cancellation stopped before its first 250 still marks the file, and status says who is owed it', async () => {
  let refuse = false;
  await setup(3, { mail: () => (refuse ? { code: 553, message: '5.7.1 Sender address rejected: not owned by user' } : undefined) });
  expect((await run('announce', { yes: true })).code).toBe(0);
  refuse = true;
  const c = await run('cancel', { yes: true, reason: 'Speaker ill' });
  expect(c.code).toBe(1);
  expect(readFileSync(series.talkFile, 'utf8')).toMatch(/^status: cancelled$/m);
  expect(await statusText()).toMatch(/3 people who have the talk in their calendar did not get the cancellation yet — run `rali cancel/);
  const log = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T11:45' },
      testWorld({ log: log, now: clockAt('2030-11-12T11:45') }),
    ),
  ).toBe(1);
  expect(log.errors.join('\n')).toMatch(/did not get the cancellation yet/);
  expect(log.lines.join('\n')).not.toMatch(/reminder/);
  refuse = false;
  const again = await run('cancel', { yes: true });
  expect(again.out).toMatch(/cancellation: 3 sent/);
  expect(await statusText()).not.toMatch(/owed/);
});

test('an update cut short by --limit is owed to the rest: status, validate and cron say so, reminders still go', async () => {
  await setup(6);
  await run('announce', { yes: true });
  moveTalk('time: "11:30"', 'time: "14:00"');
  const u = await run('update', { yes: true, limit: 2 });
  expect(u.out).toMatch(/update: 2 sent .*4 left for later \(--limit\)/);
  const st = await statusText();
  expect(st).toMatch(/update 1 +2 sent, 4 pending/);
  expect(st).toMatch(
    /owed: 4 people who have the talk in their calendar did not get the update \(calendar revision 1\) yet — run `rali update/,
  );
  const v = memoryLogger();
  await validate({ files: [], config: join(series.dir, 'rali.yaml') }, testWorld({ log: v }));
  expect(v.errors.join('\n')).toMatch(/warning:.*4 people .* did not get the update/);
  const cron = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T14:10' },
      testWorld({ log: cron, now: clockAt('2030-11-12T14:10') }),
    ),
  ).toBe(1);
  expect(cron.errors.join('\n')).toMatch(/4 people .* did not get the update/);
  expect(cron.lines.join('\n')).toMatch(/1 day reminder: 6 sent/); // the reminder carries revision 1 too
  const quiet = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T14:20' },
      testWorld({ log: quiet, now: clockAt('2030-11-12T14:20') }),
    ),
  ).toBe(0);
  expect(quiet.errors).toEqual([]);
});

test('finishing an update cut short sends the same message: same revision, same list of what changed; preview and status agree', async () => {
  await setup(6);
  await run('announce', { yes: true });
  moveTalk('time: "11:30"', 'time: "14:00"');
  await run('update', { yes: true, limit: 2 });
  const tty = memoryLogger();
  await status({ config: join(series.dir, 'rali.yaml') }, testWorld({ log: tty, tty: { out: true, err: false, columns: 80 } }));
  expect(tty.lines.every((l) => [...l].length <= 80)).toBe(true);
  expect(tty.lines.join(' ').replace(/\s+/g, ' ')).toMatch(/owed: 4 people who have the talk in their calendar did not get the update/);
  const pv = memoryLogger();
  await preview({ talk: series.talkFile, config: join(series.dir, 'rali.yaml'), kind: 'update' }, testWorld({ log: pv }));
  expect(pv.errors.join('\n')).toMatch(/update \(calendar revision 1\) has not reached 4 people .*`rali update` sends them this/);
  expect(pv.lines.join('\n')).toMatch(/^Message-ID: <update\.1\./m);
  const done = await run('update', { yes: true });
  expect(done.out).toMatch(/update: 4 sent via/);
  const updates = server!.received.filter((m) => /^Message-ID: <update\.1\./im.test(m.raw.toString('latin1')));
  expect(updates).toHaveLength(6);
  for (const m of updates) {
    const text = (await simpleParser(m.raw)).text ?? '';
    expect(text).toMatch(/11\sh\s30|11:30/); // the old time, in the list of what changed, for all six
  }
  expect(await statusText()).not.toMatch(/owed/);
});

test('a talk postponed to another day gets its reminders again; one moved within the day does not', async () => {
  await setup(3);
  await run('announce', { yes: true });
  const cron = (now: string) => {
    const log = memoryLogger();
    return remind({ config: join(series.dir, 'rali.yaml'), now }, testWorld({ log: log, now: clockAt(now) })).then(() =>
      log.lines.join('\n'),
    );
  };
  expect(await cron('2030-11-12T11:45')).toMatch(/1 day reminder: 3 sent/);
  moveTalk('time: "11:30"', 'time: "13:00"');
  await run('update', { yes: true });
  expect(await cron('2030-11-12T13:10')).toBe('');
  moveTalk('date: 2030-11-13', 'date: 2030-11-20');
  expect((await run('update', { yes: true })).out).toMatch(/update: 3 sent/);
  expect(await statusText()).toMatch(/next reminder: 1 day before, at 2030-11-19T13:00/);
  expect(await cron('2030-11-19T13:05')).toMatch(/1 day reminder: 3 sent/);
  expect(await cron('2030-11-19T13:15')).toBe('');
});

test('a reminder cut short is finished by the next cron run, even past the grace period', async () => {
  let limited = false;
  let n = 0;
  await setup(6, { mail: () => (limited && ++n > 2 ? { code: 421, message: '4.7.0 Rate limit exceeded, try again later' } : undefined) });
  process.env.RALI_SMTP_URL = `${server!.url}?connections=1`;
  await run('announce', { yes: true });
  limited = true;
  const first = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T11:45' },
      testWorld({ log: first, now: clockAt('2030-11-12T11:45') }),
    ),
  ).toBe(1);
  expect(first.lines.join('\n')).toMatch(/1 day reminder: 2 sent/);
  limited = false;
  const later = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T18:00' },
      testWorld({ log: later, now: clockAt('2030-11-12T18:00') }),
    ),
  ).toBe(0);
  expect(later.lines.join('\n')).toMatch(/1 day reminder: 4 sent via .*, 2 already sent/);
  expect(later.errors.join('\n')).not.toMatch(/skipped/);
});

test('the same refusal for the first recipients does not hold back the others run after run', async () => {
  const blocked = new Set([
    'user00000@example.org',
    'user00001@example.org',
    'user00002@example.org',
    'user00003@example.org',
    'user00004@example.org',
  ]);
  await setup(12, { rcpt: (a) => (blocked.has(a) ? { code: 550, message: '5.7.1 Recipient rejected by policy' } : undefined) });
  process.env.RALI_SMTP_URL = `${server!.url}?connections=1`;
  const first = await run('announce', { yes: true });
  expect(first.code).toBe(1);
  expect(first.err).toMatch(/5 recipients in a row refused with the same reply/);
  expect(ledgerRows(`SELECT * FROM deliveries WHERE status = 'failed'`)).toEqual([]);
  const second = await run('announce', { yes: true });
  expect(second.out).toMatch(/announcement: \d+ sent .*5 failed/);
  expect(second.err).not.toMatch(/in a row/);
  expect(new Set(server!.received.map((m) => m.to[0])).size).toBe(7);
  expect(ledgerRows(`SELECT * FROM suppressions`)).toEqual([]);
});

test('a relay answering "user unknown" to everyone suppresses no one, however many runs cron makes', async () => {
  await setup(30, { rcpt: () => ({ code: 550, message: '5.1.1 <x>: Recipient address rejected: User unknown in local recipient table' }) });
  for (let n = 0; n < 3; n++) {
    // The third run meets only recipients the first two gave back: they count toward the breaker too.
    const r = await run('announce', { yes: true });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/in a row refused with the same reply .*nobody was marked failed or suppressed/);
    expect(ledgerRows(`SELECT * FROM suppressions`)).toEqual([]);
    expect(ledgerRows(`SELECT * FROM deliveries WHERE status = 'failed'`)).toEqual([]);
  }
});

test('cron without the SMTP settings says so and fails, instead of rehearsing into outbox/ for nobody', async () => {
  await setup(2);
  await run('announce', { yes: true });
  delete process.env.RALI_SMTP_URL;
  const log = memoryLogger();
  expect(
    await remind(
      { config: join(series.dir, 'rali.yaml'), now: '2030-11-12T11:45' },
      testWorld({ log: log, now: clockAt('2030-11-12T11:45') }),
    ),
  ).toBe(1);
  expect(log.errors.join('\n')).toMatch(/no SMTP server is configured .*has sent over SMTP before .*nothing was sent/);
  expect(existsSync(join(series.dir, 'outbox'))).toBe(false);
  expect(server!.received.length).toBe(2);
});

test('a test copy written to outbox/ leaves the rehearsal of the real message in place', async () => {
  await setup(3);
  delete process.env.RALI_SMTP_URL;
  await run('announce', { yes: true });
  const id = talkOf().talk.id;
  const folder = (f: string) => readdirSync(join(series.dir, 'outbox', id, f));
  expect(folder('announce')).toHaveLength(3);
  expect((await run('announce', { to: 'me@example.org' })).code).toBe(0);
  expect(folder('announce')).toHaveLength(3);
  expect(folder('announce-test')).toHaveLength(1);
});

test('with inbox.bounce_address, each recipient has its own envelope sender (VERP); the From header and test copies keep the series address', async () => {
  await setup(4, {}, 'inbox:\n  bounce_address: "rali-olst+{token}@iro.umontreal.ca"\n');
  expect((await run('announce', { yes: true })).code).toBe(0);
  const l = openLedger(join(series.dir, '.rali'));
  const keys = await tokenKeys(l);
  await l.close();
  const { series: s } = loadSeries(join(series.dir, 'rali.yaml'), series.dir);
  for (const m of server!.received) {
    expect(m.from).toBe(`rali-olst+${makeToken(keys, 'bounce', s.id, m.to[0])}@iro.umontreal.ca`);
    expect(m.raw.toString('latin1')).toMatch(/^From: .*<rali-olst@iro\.umontreal\.ca>\r$/m);
  }
  expect(new Set(server!.received.map((m) => m.from)).size).toBe(4);
  await run('announce', { to: 'me@example.org' });
  expect(server!.received.at(-1)!.from).toBe(s.from.address);
});
