/** The ledger on a real SQLite file: claims are atomic, dead runs' claims come back, sequences only go up. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Ledger, TalkChanged } from '../../src/ledger/ledger';
import { tempDir } from '../helpers/paths';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const key = { uid: 'u@x', kind: 'announce', rev: '0' };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ recipient: `r${i}@x.org`, messageId: `<m${i}>`, seq: 0, langs: 'fr' }));

test('two ledgers on one file: a delivery claimed by a live run is busy for the other', () => {
  const a = Ledger.open(t.dir);
  const b = Ledger.open(t.dir);
  const ra = a.startRun('announce');
  const rb = b.startRun('announce');
  expect([...a.claim(key, ra, items(3)).values()]).toEqual(['mine', 'mine', 'mine']);
  expect([...b.claim(key, rb, items(4)).values()]).toEqual(['busy', 'busy', 'busy', 'mine']);
  a.settle(key, 'r0@x.org', 'sent', '250 ok');
  a.settle(key, 'r1@x.org', 'failed', '550 5.1.1 unknown');
  a.endRun(ra, {}); // r2 was still claimed: back to pending
  expect([...b.claim(key, rb, items(3)).values()]).toEqual(['sent', 'failed', 'mine']);
  a.close();
  b.close();
});

test('a claim whose lease expired is reclaimed as interrupted, whatever its PID and host name', () => {
  // A run that died without a word: same PID and host as this one (a container restarted).
  const l = Ledger.open(t.dir);
  const runId = l.startRun('announce');
  l.claim(key, runId, items(2));
  const start = Date.now();
  l.clock = () => start + 1000;
  expect([...l.claim(key, l.startRun('announce'), items(2)).values()]).toEqual(['busy', 'busy']); // still within its lease
  l.clock = () => start + 31_000;
  const next = l.startRun('announce');
  expect([...l.claim(key, next, items(2)).values()]).toEqual(['interrupted', 'interrupted']);
  expect(JSON.parse((l.db.prepare('SELECT counts FROM runs WHERE id = ?').get(runId) as { counts: string }).counts)).toEqual({
    interrupted: true,
  });
  l.close();
});

test('SEQUENCE goes up one at a time and the schedule follows; migrations are versioned', () => {
  const l = Ledger.open(t.dir);
  expect(l.ensureTalk('u@x', 'talk', '{"a":1}').sequence).toBe(0);
  expect(l.ensureTalk('u@x', 'talk', '{"a":2}').schedule).toBe('{"a":1}'); // the first announcement's schedule stays
  expect(l.bumpSequence('u@x', '{"a":2}', 'scheduled')).toBe(1);
  expect(l.bumpSequence('u@x', '{"a":3}', 'cancelled')).toBe(2);
  expect(l.talk('u@x')).toEqual({ sequence: 2, schedule: '{"a":3}', status: 'cancelled', previous: '{"a":2}' });
  expect(l.db.pragma('user_version', { simple: true })).toBe(3);
  expect(l.db.pragma('journal_mode', { simple: true })).toBe('wal');
  l.close();
  // reopening does not migrate again
  const again = Ledger.open(t.dir);
  expect(again.talk('u@x')?.sequence).toBe(2);
  again.close();
});

test('the unsubscribe secret is made once', () => {
  const l = Ledger.open(t.dir);
  const s = l.secret();
  expect(s).toMatch(/^[\w-]{40,}$/);
  l.close();
  const again = Ledger.open(t.dir);
  expect(again.secret()).toBe(s);
  again.close();
});

test('several processes opening a new ledger at once all succeed (one of them migrates)', async () => {
  // Each process loads the module, then waits for the same instant before opening: a tight race
  // on switching the new file to WAL and on the first migration. It sleeps until 15 ms before the
  // instant and spins only for those (spinning the whole wait cost ~10 s of CPU per run of this test).
  const script = `const { Ledger } = require(${JSON.stringify(join(__dirname, '../../src/ledger/ledger.js'))}); const at = Number(process.argv[2]); const nap = at - 15 - Date.now(); if (nap > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, nap); while (Date.now() < at); const l = Ledger.open(process.argv[1]); l.startRun('x'); l.close();`;
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

test('a run that lost its lease learns it at its next heartbeat', () => {
  const l = Ledger.open(t.dir);
  const a = l.startRun('announce');
  expect(l.heartbeat(a)).toBe(true);
  const start = Date.now();
  l.clock = () => start + 60_000;
  l.startRun('remind'); // declares the silent run dead
  expect(l.heartbeat(a)).toBe(false);
  l.close();
});

test('the talk state is committed with the first claim, never before, and SEQUENCE never goes down', () => {
  const l = Ledger.open(t.dir);
  const r = l.startRun('update');
  const talk = { uid: 'u@x', talkId: 'talk', sequence: 1, schedule: '{"b":1}', status: 'scheduled' };
  l.ensureTalk('u@x', 'talk', '{"a":1}');
  // Nothing claimable (already sent): the state is not committed.
  l.claim(key, r, items(1));
  l.settle(key, 'r0@x.org', 'sent', '250');
  l.claim(key, r, items(1), { talk });
  expect(l.talk('u@x')?.sequence).toBe(0);
  l.claim(key, r, items(2), { talk });
  expect(l.talk('u@x')).toEqual({ sequence: 1, schedule: '{"b":1}', status: 'scheduled', previous: '{"a":1}' });
  // A message planned for revision 0 once revision 1 is committed: out of date, claims nothing.
  expect(() => l.claim(key, r, items(3), { talk: { ...talk, sequence: 0, schedule: '{"old":1}' } })).toThrow(TalkChanged);
  expect(l.talk('u@x')?.sequence).toBe(1);
  expect(l.statuses(key).size).toBe(2);
  l.close();
});

test('a delivery still pending days after its first try fails for good', () => {
  const l = Ledger.open(t.dir);
  const r = l.startRun('announce');
  l.claim(key, r, items(1));
  expect(l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('pending');
  const start = Date.now();
  l.clock = () => start + 6 * 86400_000;
  expect(l.settle(key, 'r0@x.org', 'pending', '452 4.2.2 mailbox full')).toBe('failed');
  l.close();
});

test('a run suspended past its lease claims nothing more and releases only its own claims', () => {
  const a = Ledger.open(t.dir);
  const b = Ledger.open(t.dir);
  const ra = a.startRun('announce');
  a.claim(key, ra, items(2));
  const start = Date.now();
  b.clock = () => start + 60_000;
  const rb = b.startRun('announce'); // declares a dead
  expect([...b.claim(key, rb, items(2)).values()]).toEqual(['interrupted', 'interrupted']);
  // a wakes up: no more claims, and giving back what it held does not touch b's claims.
  expect(() => a.claim(key, ra, items(3))).toThrow(/declared dead by another run/);
  a.release(key, ra, ['r0@x.org', 'r1@x.org']);
  expect([...b.statuses(key).values()]).toEqual(['claimed', 'claimed']);
  a.close();
  b.close();
});
