/** The ledger on a real SQLite file: claims are atomic, dead runs' claims come back, sequences only go up. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TalkChanged, TalkCommit } from '../../src/ledger';
import { Schedule } from '../../src/model/schedule';
import { openLedger, openLedgerReadOnly } from '../helpers/ledger';
import { tempDir } from '../helpers/paths';

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

test('two ledgers on one file: a delivery claimed by a live run is busy for the other', async () => {
  const a = openLedger(t.dir);
  const b = openLedger(t.dir);
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
  const l = openLedger(t.dir);
  const runId = await l.startRun('announce');
  await l.claim(key, runId, items(2));
  const start = Date.now();
  l.options.clock = () => start + 1000;
  expect(await values(l.claim(key, await l.startRun('announce'), items(2)))).toEqual(['busy', 'busy']); // still within its lease
  l.options.clock = () => start + 31_000;
  const next = await l.startRun('announce');
  expect(await values(l.claim(key, next, items(2)))).toEqual(['interrupted', 'interrupted']);
  expect(JSON.parse((l.db.raw.prepare('SELECT counts FROM runs WHERE id = ?').get(runId) as { counts: string }).counts)).toEqual({
    interrupted: true,
  });
  await l.close();
});

test('SEQUENCE goes up with each commit and never down; the schedule before is kept; migrations are versioned', async () => {
  const l = openLedger(t.dir);
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
  expect(l.db.raw.pragma('user_version', { simple: true })).toBe(4);
  expect(l.db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
  await l.close();
  // reopening does not migrate again
  const again = openLedger(t.dir);
  expect((await again.talk('u@x'))?.sequence).toBe(2);
  await again.close();
});

test('the unsubscribe secret is made once', async () => {
  const l = openLedger(t.dir);
  const s = await l.secret();
  expect(s).toMatch(/^[\w-]{40,}$/);
  await l.close();
  const again = openLedger(t.dir);
  expect(await again.secret()).toBe(s);
  await again.close();
});

test('several processes opening a new ledger at once all succeed (one of them migrates)', async () => {
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

test('a run that lost its lease learns it at its next heartbeat', async () => {
  const l = openLedger(t.dir);
  const a = await l.startRun('announce');
  expect(await l.heartbeat(a)).toBe(true);
  const start = Date.now();
  l.options.clock = () => start + 60_000;
  await l.startRun('remind'); // declares the silent run dead
  expect(await l.heartbeat(a)).toBe(false);
  await l.close();
});

test('the talk state is committed with the first claim, never before, and SEQUENCE never goes down', async () => {
  const l = openLedger(t.dir);
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
  const l = openLedger(t.dir);
  const r = await l.startRun('announce');
  await l.claim(key, r, items(1));
  expect(await l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('pending');
  const start = Date.now();
  l.options.clock = () => start + 6 * 86400_000;
  expect(await l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('failed');
  await l.close();
});

test('a run suspended past its lease claims nothing more and releases only its own claims', async () => {
  const a = openLedger(t.dir);
  const b = openLedger(t.dir);
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
  await a.close();
  await b.close();
});

test('a ledger file another run is still creating (no schema yet) reads as no ledger, not "no such table"', async () => {
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
