/**
 * What only the PostgreSQL ledger has: several series in one database, several machines on one
 * series (processes with their own host names, started at the same instant), the database's clock
 * for leases, migrations raced by first runs, and the errors a server gives (a newer schema, a wrong
 * password, nobody listening). Runs against a private server (test/helpers/postgres.ts); skips
 * with a message when PostgreSQL cannot run here.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LedgerAccess, LedgerError, LedgerOptions } from '../../src/ledger';
import { dumpCounts } from '../../src/ledger/dump';
import { PostgresLedger, redactUrl } from '../../src/ledger/postgres';
import { PG_MIGRATIONS } from '../../src/ledger/postgres/migrations';
import { redact } from '../../src/secrets';
import { copiesByRecipient } from '../helpers/announce';
import { openLedger } from '../helpers/ledger';
import { tempDir } from '../helpers/paths';
import { describeWithPostgres } from '../helpers/postgres';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';

const LEDGER_JS = JSON.stringify(join(__dirname, '../../src/ledger/postgres/index.js'));
const key = { uid: 'u@x', kind: 'announce', rev: '0' };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ recipient: `r${i}@x.org`, messageId: `<m${i}>`, seq: 0, langs: 'fr' }));
const opts = (o: Partial<LedgerOptions> = {}): LedgerOptions => ({ leaseMs: 30_000, pid: process.pid, host: 'test-host', ...o });
const values = async <T>(p: Promise<Map<string, T>>) => [...(await p).values()];

/** A node script's exit code and output. */
function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Waits for the instant `at` (ms), sleeping until just before it and spinning only the last milliseconds. */
const WAIT_FOR = `const nap = at - 15 - Date.now(); if (nap > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, nap); while (Date.now() < at);`;

describeWithPostgres('the PostgreSQL ledger', (pg) => {
  let n = 0;
  const fresh = () => `s${++n}-${process.pid}`;

  test('two series in one database stay apart: deliveries, talks, runs and their leases, suppressions, secrets', async () => {
    const [sa, sb] = [fresh(), fresh()];
    const a = (await PostgresLedger.open(pg().url(), sa, opts(), { write: true }))!;
    const b = (await PostgresLedger.open(pg().url(), sb, opts(), { write: true }))!;
    expect(a.where).toBe(`postgres://rali@127.0.0.1:${pg().port}/rali (series ${sa})`);
    const ra = await a.startRun('announce');
    const rb = await b.startRun('announce');
    const talk = {
      uid: 'u@x',
      talkId: 'talk',
      sequence: 3,
      schedule: { start: 's', end: 'e', room: null, address: null, online: null, status: 'scheduled' as const },
    };
    expect(await values(a.claim(key, ra, items(2), { talk }))).toEqual(['mine', 'mine']);
    expect(await values(b.claim(key, rb, items(2)))).toEqual(['mine', 'mine']);
    await a.settle(key, 'r0@x.org', 'sent', '250', undefined, ra);
    expect(Object.fromEntries(await b.statuses(key))).toEqual({ 'r0@x.org': 'claimed', 'r1@x.org': 'claimed' });
    expect((await a.talk('u@x'))?.sequence).toBe(3);
    expect(await b.talk('u@x')).toBeUndefined();
    await a.suppress('x@y.org', 'asked');
    expect((await b.suppressed()).size).toBe(0);
    expect(await a.secret()).not.toBe(await b.secret());
    expect(await a.sentSince(0)).toBe(1);
    expect(await b.sentSince(0)).toBe(0);
    // A run of one series is not the other's: no heartbeat across, and a start far ahead in b's
    // clock declares none of a's runs dead.
    expect(await b.heartbeat(ra)).toBe(ra === rb);
    b.options.clock = () => Date.now() + 3600_000;
    await b.startRun('remind');
    expect(await a.heartbeat(ra)).toBe(true);
    // Looking at a series that has nothing yet creates nothing.
    expect(await PostgresLedger.open(pg().url(), fresh(), opts(), { write: false })).toBeUndefined();
    await a.close();
    await b.close();
  });

  /** A series that has no rali.yaml to write to (what rali.yaml would be told is not this test's matter). */
  const seriesRef = (id: string) => ({ id, dir: '/nonexistent', configFile: '/nonexistent/rali.yaml', ledger: {} });

  test('LedgerAccess on a database: reading finds nothing and creates nothing; the first write opens it (once, two asking at once)', async () => {
    const seriesId = fresh();
    const access = new LedgerAccess(seriesRef(seriesId), { kind: 'postgres', url: pg().url(), seriesId }, { ...opts(), mode: 'look' });
    expect(access.where).toBe(`postgres://rali@127.0.0.1:${pg().port}/rali (series ${seriesId})`);
    expect(await access.read()).toBeUndefined();
    const [w1, w2] = await Promise.all([access.write(), access.write()]);
    expect(w1).toBe(w2);
    expect(w1).toBeInstanceOf(PostgresLedger);
    expect(await access.read()).toBe(w1);
    await w1.setNote('n', 'v');
    await access.close();
    // Another command, later: its read-only handle sees the series, and cannot write through it.
    const later = new LedgerAccess(seriesRef(seriesId), { kind: 'postgres', url: pg().url(), seriesId }, { ...opts(), mode: 'look' });
    const ro = (await later.read())!;
    expect(await ro.note('n')).toBe('v');
    await expect(ro.setNote('n', 'w')).rejects.toMatchObject({ problem: 'readOnly' });
    await later.close();
  });

  test('a database without rali tables is only looked at: read-only opens find nothing and create nothing', async () => {
    const url = await pg().createDatabase(`empty_${n++}`);
    expect(await PostgresLedger.open(url, 'x', opts(), { write: false })).toBeUndefined();
    const r = await pg().superQuery(`SELECT to_regclass('rali_schema')::text AS t`, url.replace(/.*\//, ''));
    expect(r).toEqual([{ t: null }]);
  });

  test('two machines claiming the same 200 recipients at the same instant: each recipient is mine for exactly one', async () => {
    const script = `const { PostgresLedger } = require(${LEDGER_JS});
      const [url, series, host, atArg, uid, order, withTalk] = process.argv.slice(1);
      (async () => {
        const l = await PostgresLedger.open(url, series, { leaseMs: 30000, pid: process.pid, host }, { write: true });
        const run = await l.startRun('announce');
        const its = Array.from({ length: 200 }, (_, i) => ({ recipient: 'r' + String(i).padStart(3, '0') + '@x.org', messageId: '<m' + i + '>', seq: 0, langs: 'fr' }));
        if (order === 'reverse') its.reverse();
        const talk = withTalk === '1' ? { uid, talkId: 't', sequence: 0, schedule: { start: 's', end: 'e', room: null, address: null, online: null, status: 'scheduled' } } : undefined;
        const at = Number(atArg); ${WAIT_FOR}
        const out = {};
        for (let i = 0; i < its.length; i += 40)
          for (const [k, v] of await l.claim({ uid, kind: 'announce', rev: '0' }, run, its.slice(i, i + 40), { talk })) out[k] = v;
        process.stdout.write(JSON.stringify(out));
        await l.close();
      })().catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });`;
    const series = fresh();
    // The schema exists before the race (the first opens' race is the next test's).
    await (await PostgresLedger.open(pg().url(), series, opts(), { write: true }))!.close();
    const rounds: [string, string][] = [
      ['same', '0'],
      ['reverse', '0'],
      ['same', '1'],
      ['reverse', '1'],
    ];
    for (const [order, withTalk] of rounds) {
      const uid = `talk-${order}-${withTalk}@x`;
      const at = String(Date.now() + 1500);
      const [a, b] = await Promise.all(
        ['laptop', 'server'].map((host, i) => node(['-e', script, pg().url(), series, host, at, uid, i === 1 ? order : 'same', withTalk])),
      );
      expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
      const ra = JSON.parse(a.stdout) as Record<string, string>;
      const rb = JSON.parse(b.stdout) as Record<string, string>;
      expect(Object.keys(ra)).toHaveLength(200);
      for (const r of Object.keys(ra)) expect([ra[r], rb[r]].sort()).toEqual(['busy', 'mine']);
    }
  });

  test('five first runs at once on a new database: all open it, one migrates', async () => {
    const script = `const { PostgresLedger } = require(${LEDGER_JS});
      const [url, atArg] = process.argv.slice(1);
      const at = Number(atArg); ${WAIT_FOR}
      PostgresLedger.open(url, 'race', { leaseMs: 30000, pid: process.pid, host: 'h' + process.pid }, { write: true })
        .then(async (l) => { await l.startRun('x'); process.stdout.write(String(l.db.migrated)); await l.close(); })
        .catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });`;
    for (let round = 0; round < 3; round++) {
      const url = await pg().createDatabase(`first_${round}_${n++}`);
      const at = String(Date.now() + 1500);
      const runs = await Promise.all(Array.from({ length: 5 }, () => node(['-e', script, url, at])));
      expect(runs.map((r) => [r.code, r.stderr])).toEqual(Array(5).fill([0, '']));
      // one run applies every migration (the schema from nothing), the others none
      expect(runs.map((r) => Number(r.stdout)).sort()).toEqual([0, 0, 0, 0, PG_MIGRATIONS.length]);
    }
  });

  test('a schema from a newer rali is refused, for writing and for reading', async () => {
    const db = `newer_${n++}`;
    const url = await pg().createDatabase(db);
    await (await PostgresLedger.open(url, 'x', opts(), { write: true }))!.close();
    await pg().superQuery('UPDATE rali_schema SET version = 99', db);
    for (const write of [true, false]) {
      const e = await PostgresLedger.open(url, 'x', opts(), { write }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LedgerError);
      expect((e as LedgerError).problem).toBe('newer');
      expect((e as LedgerError).message).toMatch(/written by a newer rali \(schema 99\); upgrade rali/);
    }
  });

  test('a wrong password: a clear message, never the password; PGPASSWORD serves a URL without one', async () => {
    const wrong = 'Wr0ng-s3cret:pw';
    const e = (await PostgresLedger.open(pg().url('rali', wrong), fresh(), opts(), { write: true }).catch(
      (x: unknown) => x,
    )) as LedgerError;
    expect(e).toBeInstanceOf(LedgerError);
    expect(e.problem).toBe('auth');
    expect(e.message).toMatch(/refused the login .*password authentication failed.* PGPASSWORD, or from the URL in RALI_LEDGER_URL/);
    for (const s of [wrong, encodeURIComponent(wrong)]) expect(e.message).not.toContain(s);
    expect(redact(`at ${pg().url('rali', wrong)}`)).not.toContain(wrong);
    expect(redact('postgres://rali:never-opened@db.example.org/rali')).toBe('postgres://rali:***@db.example.org/rali');
    expect(redactUrl(pg().url())).toBe(`postgres://rali@127.0.0.1:${pg().port}/rali`);
    // The password from the environment (pg reads PGPASSWORD when the URL has none).
    const before = process.env.PGPASSWORD;
    process.env.PGPASSWORD = pg().password;
    try {
      const l = (await PostgresLedger.open(`postgres://rali@127.0.0.1:${pg().port}/rali`, fresh(), opts(), { write: true }))!;
      expect(await l.startRun('x')).toBeGreaterThan(0);
      await l.close();
    } finally {
      if (before === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = before;
    }
  });

  test('nobody listening: "cannot be reached" with host and port', async () => {
    const url = pg().url().replace(`:${pg().port}/`, ':1/');
    const e = (await PostgresLedger.open(url, 'x', opts(), { write: false }).catch((x: unknown) => x)) as LedgerError;
    expect(e.problem).toBe('unreachable');
    expect(e.message).toContain('postgres://rali@127.0.0.1:1/rali (series x) cannot be reached (127.0.0.1:1: connection refused)');
    expect(e.message).not.toContain(pg().password);
  });

  test("leases go by the database's clock: this machine's clock an hour ahead takes over no live run; a heartbeat an hour old in the server's time is dead", async () => {
    const series = fresh();
    const a = (await PostgresLedger.open(pg().url(), series, opts(), { write: true }))!;
    const b = (await PostgresLedger.open(pg().url(), series, opts({ host: 'other-machine' }), { write: true }))!;
    const ra = await a.startRun('announce');
    await a.claim(key, ra, items(2));
    const realNow = Date.now;
    Date.now = () => realNow() + 3600_000;
    try {
      const rb = await b.startRun('announce');
      expect(await values(b.claim(key, rb, items(2)))).toEqual(['busy', 'busy']);
      await pg().superQuery(
        `UPDATE rali_runs SET heartbeat_at = now() - interval '1 hour' WHERE series = '${series}' AND id = ${ra}`,
        'rali',
      );
      expect(await values(b.claim(key, rb, items(2)))).toEqual(['interrupted', 'interrupted']);
    } finally {
      Date.now = realNow;
    }
    expect(await a.heartbeat(ra)).toBe(false);
    await expect(a.claim(key, ra, items(1))).rejects.toThrow(/declared dead/);
    await a.close();
    await b.close();
  });

  test('a dump from SQLite into PostgreSQL and back: every row once, the same counts on both sides, nothing twice on a rerun', async () => {
    const t = tempDir();
    const back = tempDir();
    try {
      const s = openLedger(t.dir);
      const r = await s.startRun('announce');
      const talk = {
        uid: 'u@x',
        talkId: 'talk',
        sequence: 0,
        schedule: { start: 's', end: 'e', room: null, address: null, online: null, status: 'scheduled' as const },
      };
      await s.claim(key, r, items(50), { talk });
      for (const i of items(40)) await s.settle(key, i.recipient, 'sent', '250', undefined, r);
      await s.settle(key, 'r40@x.org', 'pending', '451', undefined, r);
      await s.settle(key, 'r41@x.org', 'failed', '550 5.1.1', undefined, r);
      await s.suppress('r41@x.org', 'unknown user');
      await s.setReminder('u@x', '1-day', { status: 'sent', dueAt: '2030-01-01T10:00:00+01:00', note: 'x' });
      await s.setNote('said', 'once');
      const secret = await s.secret();
      await s.inbox.record('k1', 'bounce', '2030-01-02T00:00:00Z', {
        bounces: [{ address: 'r1@x.org', kind: 'soft', reason: '4.2.2', messageId: '<m1>', uid: 'u@x', at: '2030-01-02T00:00:00.000Z' }],
      });
      const dump = await s.exportAll(); // r42…r49 still claimed by a live run: pending in the dump
      expect(dump.deliveries.filter((d) => d.status === 'pending')).toHaveLength(9);
      await s.close();

      const series = fresh();
      const p = (await PostgresLedger.open(pg().url(), series, opts(), { write: true }))!;
      const counts = dumpCounts(dump);
      expect(counts.map((c) => [c.table, c.rows])).toEqual([
        ['talks', 1],
        ['deliveries', 50],
        ['suppressions', 1],
        ['reminders', 1],
        ['notes', 2],
        ['inbox_bounces', 1],
        ['inbox_processed', 1],
        ['subscriptions', 0],
      ]);
      expect(await p.importAll(dump)).toEqual(counts);
      expect(await p.importAll(dump)).toEqual(counts.map((c) => ({ ...c, rows: 0 })));
      const fromPg = await p.exportAll();
      expect(fromPg).toEqual(dump);
      expect(await p.secret()).toBe(secret);
      // The moved ledger goes on: what was sent stays sent, the rest is claimable.
      const rp = await p.startRun('announce');
      const res = await p.claim(key, rp, items(50));
      expect([...res.values()].filter((x) => x === 'sent')).toHaveLength(40);
      expect([...res.values()].filter((x) => x === 'mine')).toHaveLength(9);
      await p.close();

      const s2 = openLedger(back.dir);
      expect(await s2.importAll(fromPg)).toEqual(counts);
      expect(await s2.importAll(fromPg)).toEqual(counts.map((c) => ({ ...c, rows: 0 })));
      expect(await s2.exportAll()).toEqual(dump);
      await s2.close();
    } finally {
      t.cleanup();
      back.cleanup();
    }
  });

  describe('rali announce with its ledger in PostgreSQL', () => {
    let series: ReturnType<typeof makeSeries> | undefined;
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      series?.cleanup();
    });

    /** rali in a process of its own, as on the machine `host`. */
    const rali = (host: string, seriesId: string, env: Record<string, string>, onStart?: (kill: () => void) => void) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const arg = JSON.stringify({ cwd: series!.dir, url: pg().url(), seriesId, host, args: ['announce', series!.talk, '--yes'], env });
        const c = spawn(process.execPath, [join(__dirname, '../helpers/pg-announce.js'), arg], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d) => (stdout += d));
        c.stderr.on('data', (d) => (stderr += d));
        onStart?.(() => c.kill('SIGKILL'));
        c.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });

    test('killed with -9 mid-run on one machine, run again on another: everyone served, what was in flight resent with its Message-ID', async () => {
      series = makeSeries(300);
      server = await startSmtp({ delayMs: () => 5 });
      const srv = server;
      const seriesId = fresh();
      // 10 connections: the bound on duplicates below is what they can have in flight.
      const env = { RALI_SMTP_URL: `${server.url}?connections=10`, RALI_LEASE_MS: '1500' };
      const first = await rali('laptop', seriesId, env, (kill) => {
        const t = setInterval(() => {
          if (srv.received.length >= 60) {
            clearInterval(t);
            kill();
          }
        }, 2);
      });
      expect(first.signal).toBe('SIGKILL');
      expect(srv.received.length).toBeLessThan(300);
      // Right away: the dead run's claims hold until its lease expires (nobody renews it), then
      // the run on the other machine takes them over.
      const second = await rali('department-server', seriesId, env);
      expect([second.code, second.stderr]).toEqual([0, expect.not.stringContaining('internal error')]);
      expect(second.stdout).toMatch(/interrupted earlier, sent again/);
      const counts = copiesByRecipient(srv);
      expect(counts.size).toBe(300);
      // Duplicates: only what the server had accepted but the dead run had not recorded.
      expect(srv.received.length - 300).toBeLessThanOrEqual(25);
      const ids = new Map<string, Set<string>>();
      for (const r of srv.received) {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(r.raw.toString('latin1'))![1];
        ids.set(r.to[0], (ids.get(r.to[0]) ?? new Set()).add(id));
      }
      for (const s of ids.values()) expect(s.size).toBe(1);
      const third = await rali('laptop', seriesId, env);
      expect(third.stdout).toContain('300 already sent');
    });
  });
});
