/**
 * The ledger on each store — a real SQLite file, and a real PostgreSQL server when one can run here:
 * claims are atomic, dead runs' claims come back, sequences only go up, a run gives back only its own
 * claims, a dump moves every row once. What only one store has (SQLite's WAL and file, PostgreSQL's
 * several machines) is tested beside, and in ledger-postgres.test.ts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Ledger, LedgerOptions, TalkChanged, TalkCommit } from '../../src/ledger';
import { dumpCounts } from '../../src/ledger/dump';
import { PostgresLedger } from '../../src/ledger/postgres';
import { PG_MIGRATIONS } from '../../src/ledger/postgres/migrations';
import { SqliteLedger } from '../../src/ledger/sqlite';
import { Schedule } from '../../src/model/schedule';
import { openLedger, openLedgerReadOnly } from '../helpers/ledger';
import { tempDir } from '../helpers/paths';
import { PgCluster, postgresMissing, startPostgres } from '../helpers/postgres';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const key = { uid: 'u@x', kind: 'announce', rev: '0' };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ recipient: `r${i}@x.org`, messageId: `<m${i}>`, seq: 0, langs: 'fr' }));
const schedule = (start: string): Schedule => ({ start, end: start, room: null, address: null, online: null, status: 'scheduled' });
const commit = (sequence: number, start: string): TalkCommit => ({ uid: 'u@x', talkId: 'talk', sequence, schedule: schedule(start) });
const values = async <T>(p: Promise<Map<string, T>>) => [...(await p).values()];

type Opened = Ledger & { options: LedgerOptions };
interface Store {
  /** A handle on this test's ledger (each call another connection to the same ledger). */
  open(o?: { leaseMs?: number; clock?: () => number }): Promise<Opened>;
  /** A run's `counts` column, parsed. */
  runCounts(l: Opened, runId: number): Promise<unknown>;
}

const sqlite: Store = {
  async open(o = {}) {
    return openLedger(t.dir, o);
  },
  async runCounts(l, runId) {
    return JSON.parse(((l as SqliteLedger).db.raw.prepare('SELECT counts FROM runs WHERE id = ?').get(runId) as { counts: string }).counts);
  },
};

// PostgreSQL: one server for the file, a series of its own for each test.
const pgMissing = postgresMissing();
let pg: PgCluster | undefined;
let seriesId = '';
let seriesN = 0;
beforeEach(() => {
  seriesId = `series-${++seriesN}-${process.pid}`;
});
beforeAll(async () => {
  if (!pgMissing) pg = await startPostgres();
}, 300_000);
afterAll(() => pg?.stop(), 120_000);
const postgres: Store = {
  async open(o = {}) {
    const opts = { leaseMs: o.leaseMs ?? 30_000, clock: o.clock, pid: process.pid, host: 'test-host' };
    return (await PostgresLedger.open(pg!.url(), seriesId, opts, { write: true }))!;
  },
  async runCounts(l, runId) {
    const r = await (l as PostgresLedger).db.q<{ counts: string }>('SELECT counts FROM rali_runs WHERE series = $1 AND id = $2', [
      seriesId,
      runId,
    ]);
    return JSON.parse(r.rows[0].counts);
  },
};

if (pgMissing) {
  test.skip(`PostgreSQL store skipped: ${pgMissing}`, () => undefined);
  process.stderr.write(`SKIP ledger.test PostgreSQL store: ${pgMissing}\n`);
}
const stores: [string, Store][] = [['SQLite', sqlite], ...(pgMissing ? [] : ([['PostgreSQL', postgres]] as [string, Store][]))];

describe.each(stores)('the ledger on %s', (name, store) => {
  test('two ledgers on one ledger: a delivery claimed by a live run is busy for the other', async () => {
    const a = await store.open();
    const b = await store.open();
    const ra = await a.startRun('announce');
    const rb = await b.startRun('announce');
    expect(await values(a.claim(key, ra, items(3)))).toEqual(['mine', 'mine', 'mine']);
    expect(await values(b.claim(key, rb, items(4)))).toEqual(['busy', 'busy', 'busy', 'mine']);
    await a.settle(key, 'r0@x.org', 'sent', '250 ok');
    await a.settle(key, 'r1@x.org', 'failed', '550 5.1.1 unknown');
    await a.endRun(ra, {}); // r2 was still claimed: back to pending
    expect(await values(b.claim(key, rb, items(3)))).toEqual(['sent', 'failed', 'mine']);
    await a.close();
    await b.close();
  });

  test('a claim whose lease expired is reclaimed as interrupted, whatever its PID and host name', async () => {
    // A run that died without a word: same PID and host as this one (a container restarted).
    const l = await store.open();
    const runId = await l.startRun('announce');
    await l.claim(key, runId, items(2));
    const start = Date.now();
    l.options.clock = () => start + 1000;
    expect(await values(l.claim(key, await l.startRun('announce'), items(2)))).toEqual(['busy', 'busy']); // still within its lease
    l.options.clock = () => start + 31_000;
    const next = await l.startRun('announce');
    expect(await values(l.claim(key, next, items(2)))).toEqual(['interrupted', 'interrupted']);
    expect(await store.runCounts(l, runId)).toEqual({ interrupted: true });
    await l.close();
  });

  test('SEQUENCE goes up with each commit and never down; the schedule before is kept; migrations are versioned', async () => {
    const l = await store.open();
    const r = await l.startRun('update');
    await l.claim(key, r, items(1), { talk: commit(0, '2030-01-01T10:00:00Z') });
    await l.claim({ ...key, kind: 'update', rev: '1' }, r, [{ ...items(1)[0], seq: 1 }], { talk: commit(1, '2030-01-01T11:00:00Z') });
    await l.claim({ ...key, kind: 'cancel', rev: 'cancel-2' }, r, [{ ...items(1)[0], seq: 2 }], {
      talk: { ...commit(2, '2030-01-01T11:00:00Z'), schedule: { ...schedule('2030-01-01T11:00:00Z'), status: 'cancelled' } },
    });
    expect(await l.talk('u@x')).toEqual({
      uid: 'u@x',
      talkId: 'talk',
      sequence: 2,
      status: 'cancelled',
      schedule: { ...schedule('2030-01-01T11:00:00Z'), status: 'cancelled' },
      previous: schedule('2030-01-01T11:00:00Z'),
    });
    if (l instanceof SqliteLedger) {
      expect(l.db.raw.pragma('user_version', { simple: true })).toBe(5);
      expect(l.db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } else {
      const v = await (l as PostgresLedger).db.q<{ version: number }>('SELECT version FROM rali_schema');
      expect(v.rows).toEqual([{ version: PG_MIGRATIONS.length }]);
    }
    await l.close();
    // reopening does not migrate again
    const again = await store.open();
    expect((await again.talk('u@x'))?.sequence).toBe(2);
    if (again instanceof PostgresLedger) expect(again.db.migrated).toBe(0);
    await again.close();
  });

  test('the unsubscribe secret is made once', async () => {
    const l = await store.open();
    const s = await l.secret();
    expect(s).toMatch(/^[\w-]{40,}$/);
    await l.close();
    const again = await store.open();
    expect(await again.secret()).toBe(s);
    await again.close();
  });

  test('a run that lost its lease learns it at its next heartbeat', async () => {
    const l = await store.open();
    const a = await l.startRun('announce');
    expect(await l.heartbeat(a)).toBe(true);
    const start = Date.now();
    l.options.clock = () => start + 60_000;
    await l.startRun('remind'); // declares the silent run dead
    expect(await l.heartbeat(a)).toBe(false);
    await l.close();
  });

  test('the talk state is committed with the first claim, never before, and SEQUENCE never goes down', async () => {
    const l = await store.open();
    const r = await l.startRun('update');
    await l.claim(key, r, items(1), { talk: commit(0, '2030-01-01T10:00:00Z') });
    await l.settle(key, 'r0@x.org', 'sent', '250');
    // Nothing claimable (already sent): the state is not committed.
    await l.claim(key, r, items(1), { talk: commit(1, '2030-01-01T11:00:00Z') });
    expect((await l.talk('u@x'))?.sequence).toBe(0);
    await l.claim(key, r, items(2), { talk: commit(1, '2030-01-01T11:00:00Z') });
    expect(await l.talk('u@x')).toMatchObject({
      sequence: 1,
      schedule: schedule('2030-01-01T11:00:00Z'),
      previous: schedule('2030-01-01T10:00:00Z'),
    });
    // A message planned for revision 0 once revision 1 is committed: out of date, claims nothing.
    await expect(l.claim(key, r, items(3), { talk: commit(0, '2030-01-01T09:00:00Z') })).rejects.toThrow(TalkChanged);
    expect((await l.talk('u@x'))?.sequence).toBe(1);
    expect((await l.statuses(key)).size).toBe(2);
    await l.close();
  });

  test('a delivery still pending days after its first try fails for good', async () => {
    const l = await store.open();
    const r = await l.startRun('announce');
    await l.claim(key, r, items(1));
    expect(await l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('pending');
    const start = Date.now();
    l.options.clock = () => start + 6 * 86400_000;
    expect(await l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('failed');
    expect((await l.deliveries('u@x'))[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      reply: expect.stringContaining('5 days after the first try'),
    });
    await l.close();
  });

  test('a run suspended past its lease claims nothing more and releases only its own claims', async () => {
    const a = await store.open();
    const b = await store.open();
    const ra = await a.startRun('announce');
    await a.claim(key, ra, items(2));
    const start = Date.now();
    b.options.clock = () => start + 60_000;
    const rb = await b.startRun('announce'); // declares a dead
    expect(await values(b.claim(key, rb, items(2)))).toEqual(['interrupted', 'interrupted']);
    // a wakes up: no more claims, and giving back what it held does not touch b's claims.
    await expect(a.claim(key, ra, items(3))).rejects.toThrow(/declared dead by another run/);
    await a.release(key, ra, ['r0@x.org', 'r1@x.org']);
    expect(await values(b.statuses(key))).toEqual(['claimed', 'claimed']);
    // nor does settling: the row is b's now
    await a.settle(key, 'r0@x.org', 'failed', '550', undefined, ra);
    expect(await values(b.statuses(key))).toEqual(['claimed', 'claimed']);
    await a.close();
    await b.close();
  });

  test('release forgets a claim never tried and puts a tried one back to pending; tried() lists those', async () => {
    const l = await store.open();
    const r = await l.startRun('announce');
    await l.claim(key, r, items(3));
    await l.settle(key, 'r1@x.org', 'pending', '451 try later', undefined, r);
    await l.claim(key, r, [items(3)[1]]); // tried before: claimed again by this run
    await l.release(key, r, ['r0@x.org', 'r1@x.org']);
    expect(Object.fromEntries(await l.statuses(key))).toEqual({ 'r1@x.org': 'pending', 'r2@x.org': 'claimed' });
    expect([...(await l.tried(key))]).toEqual(['r1@x.org']);
    await l.endRun(r, { sent: 0 });
    expect(Object.fromEntries(await l.statuses(key))).toEqual({ 'r1@x.org': 'pending', 'r2@x.org': 'pending' });
    // a failed delivery is claimed again only when asked
    const r2 = await l.startRun('announce');
    await l.claim(key, r2, items(1));
    await l.settle(key, 'r0@x.org', 'failed', '550 5.1.1', undefined, r2);
    expect(await values(l.claim(key, r2, items(1)))).toEqual(['failed']);
    expect(await values(l.claim(key, r2, items(1), { retryFailed: true }))).toEqual(['mine']);
    await l.close();
  });

  test('what the commands read: deliveries, holders, counts, sent in the last day, suppressions, reminders, notes', async () => {
    const l = await store.open();
    const r = await l.startRun('announce');
    const its = items(3).map((i, n) => ({ ...i, langs: ['fr', 'en', 'fr+en'][n] }));
    await l.claim(key, r, its, { talk: commit(0, '2030-01-01T10:00:00Z') });
    for (const i of its.slice(0, 2)) await l.settle(key, i.recipient, 'sent', '250 ok', undefined, r);
    const upd = { ...key, kind: 'update', rev: '1' };
    await l.claim(upd, r, [{ ...its[0], seq: 1, messageId: '<u0>' }], { talk: commit(1, '2030-01-01T11:00:00Z') });
    await l.settle(upd, 'r0@x.org', 'sent', '250 ok', undefined, r);
    expect(await l.holders('u@x', ['announce', 'update'])).toEqual([
      { recipient: 'r0@x.org', seq: 1, langs: 'fr' },
      { recipient: 'r1@x.org', seq: 0, langs: 'en' },
    ]);
    expect(await l.counts()).toEqual([
      { uid: 'u@x', kind: 'announce', rev: '0', status: 'claimed', n: 1 },
      { uid: 'u@x', kind: 'announce', rev: '0', status: 'sent', n: 2 },
      { uid: 'u@x', kind: 'update', rev: '1', status: 'sent', n: 1 },
    ]);
    expect(await l.sentSince(Date.now() - 3600_000)).toBe(3);
    const ds = await l.deliveries('u@x', 'announce');
    expect(ds.map((d) => [d.recipient, d.status, d.messageId, d.attempts, d.seq, d.langs])).toEqual([
      ['r0@x.org', 'sent', '<m0>', 1, 0, 'fr'],
      ['r1@x.org', 'sent', '<m1>', 1, 0, 'en'],
      ['r2@x.org', 'claimed', '<m2>', 0, 0, 'fr+en'],
    ]);
    expect(Date.parse(ds[0].updatedAt)).toBeGreaterThan(Date.now() - 3600_000);
    expect((await l.talks()).map((x) => [x.uid, x.sequence])).toEqual([['u@x', 1]]);

    await l.suppress('Someone@X.org', 'asked');
    await l.suppress('someone@x.org', 'again'); // the first reason stays
    expect([...(await l.suppressed())].map(([a, s]) => [a, s.reason])).toEqual([['someone@x.org', 'asked']]);
    expect(await l.unsuppress('SOMEONE@x.org')).toBe(true);
    expect(await l.unsuppress('someone@x.org')).toBe(false);

    expect(await l.reminder('u@x', '1-day')).toBeUndefined();
    await l.setReminder('u@x', '1-day', { status: 'sending', dueAt: '2030-01-01T10:00:00+01:00', note: null });
    await l.setReminder('u@x', '1-day', { status: 'sent', dueAt: '2030-01-01T10:00:00+01:00', note: 'ok' });
    expect(await l.reminder('u@x', '1-day')).toEqual({ status: 'sent', dueAt: '2030-01-01T10:00:00+01:00', note: 'ok' });
    expect(await l.note('said')).toBeUndefined();
    await l.setNote('said', 'a');
    await l.setNote('said', 'b');
    expect(await l.note('said')).toBe('b');
    await l.close();
  });

  test('the inbox: a message is handled once with its effects; bounces are counted', async () => {
    const l = await store.open();
    const r = await l.startRun('announce');
    await l.claim(key, r, items(2));
    await l.settle(key, 'r0@x.org', 'sent', '250', undefined, r);
    const bounce = {
      address: 'R0@x.org',
      kind: 'hard' as const,
      reason: '5.1.1',
      messageId: '<m0>',
      uid: 'u@x',
      at: '2030-01-02T00:00:00.000Z',
    };
    expect(await l.inbox.handled('k1')).toBeUndefined();
    expect(
      await l.inbox.record('k1', 'bounce', '2030-01-02T00:00:00Z', {
        bounces: [bounce],
        suppress: [{ address: 'R0@x.org', reason: 'hard bounce' }],
      }),
    ).toBe(true);
    expect(await l.inbox.record('k1', 'bounce', '2030-01-02T00:00:00Z', { bounces: [bounce] })).toBe(false);
    expect(await l.inbox.handled('k1')).toBe('bounce');
    await l.inbox.record('k2', 'soft', '2030-01-03T00:00:00Z', { bounces: [{ ...bounce, kind: 'soft', at: '2030-01-03T00:00:00.000Z' }] });
    expect(await l.inbox.softCount('r0@x.org', '2030-01-01T00:00:00Z')).toBe(1);
    expect(await l.inbox.softCount('r0@x.org', '2030-01-04T00:00:00Z')).toBe(0);
    expect(await l.inbox.bounceCounts('u@x')).toEqual({ hard: 1, soft: 1, complaint: 0, refusal: 0 });
    expect(await l.inbox.byMessageId('<m0>')).toEqual({ recipient: 'r0@x.org', uid: 'u@x' });
    expect(await l.inbox.byMessageId('<m1>')).toBeUndefined(); // not sent
    expect([...(await l.inbox.mailed())]).toEqual([['r0@x.org', 'u@x']]);
    expect([...(await l.suppressed()).keys()]).toEqual(['r0@x.org']);
    await l.close();
  });

  test('subscriptions: a confirmation lifts a suppression and keeps the consent; an unsubscribe suppresses, in one go', async () => {
    const l = await store.open();
    await l.suppress('ana@x.org', 'unsubscribed earlier');
    await l.subscriptions.confirm({
      address: 'Ana@X.org',
      langs: 'fr',
      source: 'web',
      consentAt: '2030-01-01T10:00:00.000Z',
      consentHow: 'web form 2030-01-01T09:58Z + confirmation button 2030-01-01T10:00Z',
    });
    expect(await l.subscriptions.get('ANA@x.org')).toMatchObject({
      address: 'ana@x.org',
      langs: 'fr',
      status: 'active',
      source: 'web',
      consentAt: '2030-01-01T10:00:00.000Z',
      consentHow: 'web form 2030-01-01T09:58Z + confirmation button 2030-01-01T10:00Z',
      pausedUntil: null,
    });
    expect((await l.suppressed()).has('ana@x.org')).toBe(false);
    expect(await l.subscriptions.suppression('ana@x.org')).toBeUndefined();

    // Preferences: languages and a pause; an address of the file gets a row of its own (source file).
    await l.subscriptions.setPreferences('ana@x.org', { langs: 'en', pausedUntil: '2030-02-01T05:00:00.000Z' }, 'web');
    await l.subscriptions.setPreferences('file@x.org', { langs: 'fr+en', pausedUntil: null }, 'file');
    expect(await l.subscriptions.get('ana@x.org')).toMatchObject({
      langs: 'en',
      status: 'paused',
      pausedUntil: '2030-02-01T05:00:00.000Z',
    });
    expect(await l.subscriptions.get('file@x.org')).toMatchObject({ langs: 'fr+en', status: 'active', source: 'file', consentAt: null });

    // Unsubscribed: the row and the suppression; preferences then change the languages only.
    await l.subscriptions.unsubscribe('file@x.org', 'one-click', 'file');
    expect(await l.subscriptions.get('file@x.org')).toMatchObject({ status: 'unsubscribed', source: 'file' });
    expect((await l.subscriptions.suppression('file@x.org'))?.reason).toBe('one-click');
    await l.subscriptions.setPreferences('file@x.org', { langs: 'fr', pausedUntil: null }, 'file');
    expect(await l.subscriptions.get('file@x.org')).toMatchObject({ status: 'unsubscribed', langs: 'fr' });
    await l.subscriptions.unsubscribe('new@x.org', 'one-click', 'web');
    expect((await l.subscriptions.all()).map((s) => [s.address, s.status])).toEqual([
      ['ana@x.org', 'paused'],
      ['file@x.org', 'unsubscribed'],
      ['new@x.org', 'unsubscribed'],
    ]);

    // Sign-ups mailed: one an address a day, of two at once one; old notes forgotten; a failed one undone.
    const at = (d: string) => `${d}T12:00:00.000Z`;
    const tries = await Promise.all(
      [1, 2, 3].map(() => l.subscriptions.signUpMailed('k1', '2030-01-01', at('2030-01-01'), at('2029-12-24'))),
    );
    expect(tries.filter(Boolean)).toHaveLength(1);
    expect(await l.subscriptions.signUpMailed('k2', '2030-01-01', at('2030-01-01'), at('2029-12-24'))).toBe(true);
    expect(await l.subscriptions.signUpMailed('k1', '2030-01-02', at('2030-01-02'), at('2029-12-25'))).toBe(true);
    expect((await l.subscriptions.signUps(at('2030-01-01'))).map((n) => n.key)).toEqual(['k1', 'k2', 'k1']);
    expect(await l.subscriptions.signUpMailed('k3', '2030-01-10', at('2030-01-10'), at('2030-01-02'))).toBe(true);
    expect((await l.subscriptions.signUps('2000-01-01')).map((n) => n.key)).toEqual(['k1', 'k3']);
    await l.subscriptions.signUpFailed('k3', '2030-01-10');
    expect(await l.subscriptions.signUpMailed('k3', '2030-01-10', at('2030-01-10'), at('2030-01-02'))).toBe(true);
    expect(await l.note('signup:k1:2030-01-02')).toBe(at('2030-01-02'));
    await l.close();
  });

  test('a dump imported into another ledger of the same store: the same rows, once', async () => {
    const a = await store.open();
    const r = await a.startRun('announce');
    await a.claim(key, r, items(4), { talk: commit(0, '2030-01-01T10:00:00Z') });
    await a.settle(key, 'r0@x.org', 'sent', '250', undefined, r);
    await a.settle(key, 'r1@x.org', 'pending', '451', undefined, r);
    await a.suppress('gone@x.org', 'unknown user');
    await a.setReminder('u@x', '1-day', { status: 'sent', dueAt: '2030-01-01T10:00:00Z', note: null });
    const secret = await a.secret();
    await a.subscriptions.confirm({
      address: 'Web@X.org',
      langs: 'en',
      source: 'web',
      consentAt: '2030-01-01T09:00:00.000Z',
      consentHow: 'web form + confirmation button',
    });
    await a.inbox.record('k', 'bounce', '2030-01-02T00:00:00Z', {
      bounces: [{ address: 'r3@x.org', kind: 'soft', reason: '4.2.2', messageId: '<m3>', uid: 'u@x', at: '2030-01-02T00:00:00.000Z' }],
    });
    const dump = await a.exportAll();
    // Claims of a live run come out pending: no run owns them in the other ledger.
    expect(dump.deliveries.map((d) => d.status)).toEqual(['sent', 'pending', 'pending', 'pending']);
    await a.close();

    // Another ledger of the same store: another folder, or another series in the database.
    const other = tempDir();
    const open = async () =>
      name === 'SQLite'
        ? openLedger(other.dir)
        : ((await PostgresLedger.open(pg!.url(), `${seriesId}-copy`, a.options, { write: true }))! as Opened);
    try {
      const b = await open();
      expect(await b.importAll(dump)).toEqual(dumpCounts(dump));
      expect(await b.importAll(dump)).toEqual(dumpCounts(dump).map((c) => ({ ...c, rows: 0 })));
      expect(await b.exportAll()).toEqual(dump);
      expect(await b.secret()).toBe(secret);
      await b.close();
    } finally {
      other.cleanup();
    }
  });
});

test('SQLite: several processes opening a new ledger at once all succeed (one of them migrates)', async () => {
  // Each process loads the module, then waits for the same instant before opening: a tight race
  // on switching the new file to WAL and on the first migration. It sleeps until 15 ms before the
  // instant and spins only for those (spinning the whole wait cost ~10 s of CPU per run of this test).
  const script = `const { SqliteLedger } = require(${JSON.stringify(join(__dirname, '../../src/ledger/sqlite/index.js'))}); const at = Number(process.argv[2]); const nap = at - 15 - Date.now(); if (nap > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, nap); while (Date.now() < at); const l = SqliteLedger.open(process.argv[1], { leaseMs: 30000, pid: process.pid, host: 'h' }); l.startRun('x').then(() => l.close());`;
  for (let round = 0; round < 5; round++) {
    const dir = join(t.dir, `r${round}`);
    const at = String(Date.now() + 400);
    const codes = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<number | null>((resolve) => {
            const c = spawn(process.execPath, ['-e', script, dir, at], { stdio: ['ignore', 'ignore', 'inherit'] });
            c.on('close', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0, 0]);
  }
});

test('SQLite: a ledger file another run is still creating (no schema yet) reads as no ledger, not "no such table"', async () => {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const raw = new Database(join(t.dir, 'state.db'));
  raw.pragma('journal_mode = WAL');
  expect(openLedgerReadOnly(t.dir)).toBeUndefined();
  raw.close();
  const l = openLedger(t.dir); // the creating run migrates; the next read sees the ledger
  await l.close();
  const ro = openLedgerReadOnly(t.dir)!;
  expect(await ro.talks()).toEqual([]);
  await ro.close();
});
