/**
 * One series, two machines, one ledger in PostgreSQL: the organizer's laptop (A) and the department
 * server (B) are git clones of the series. The ledger moves from A's .rali/state.db into the database;
 * from then on each message reaches each subscriber once, whichever machine sends it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPostgres } from '../helpers/postgres';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { raliInProcess } from '../helpers/inprocess';

describeWithPostgres('several machines sharing a PostgreSQL ledger', (pg) => {
  let series: ReturnType<typeof makeSeries>;
  let server: TestServer;
  let clone: string;
  let n = 0;
  let db: string;
  /** How many times a run tried the address the relay does not know. */
  let unknownTried = 0;
  const dirs: string[] = [];
  beforeEach(async () => {
    series = makeSeries(4);
    unknownTried = 0;
    server = await startSmtp({
      rcpt: (a) => {
        if (a !== 'user00003@example.org') return undefined;
        unknownTried++;
        return { code: 550, message: '5.1.1 <user00003@example.org>: Recipient address rejected: User unknown' };
      },
    });
    db = await pg().createDatabase(`machines_${n++}`);
    // The series in git, as `rali init` sets it up; the server's copy is a clone.
    writeFileSync(join(series.dir, '.gitignore'), '.rali/\noutbox/\n');
    git(series.dir, 'init', '-q');
    commit(series.dir, 'series');
    const d = mkdtempSync(join(tmpdir(), 'rali-server-'));
    dirs.push(d);
    clone = join(d, 'series');
    execFileSync('git', ['clone', '-q', series.dir, clone]);
  });
  afterEach(async () => {
    await server.close();
    series.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
  const commit = (dir: string, msg: string) => {
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-qm', msg);
  };

  /** rali in `dir` on machine `host`; the database's password from PGPASSWORD (never in rali.yaml). */
  const rali = (dir: string, host: string, args: string[], clock?: string, env: Record<string, string> = {}) =>
    raliInProcess(args, { cwd: dir, host, clock, env: { RALI_SMTP_URL: server.url, PGPASSWORD: pg().password, ...env } });
  const A = (args: string[], clock?: string, env?: Record<string, string>) => rali(series.dir, 'laptop', args, clock, env);
  const B = (args: string[], clock?: string) => rali(clone, 'server', args, clock);
  const to = (who: string) => server.received.filter((m) => m.to[0] === who).length;
  /** The database's URL as rali.yaml keeps it: no password. */
  const bare = () => db.replace(/:[^:@/]*@/, '@');

  test('announce from A, move the ledger, then reminders from B exactly once while A sends nothing more; cancel from B reaches everyone A announced to; a refused address is not tried from B', async () => {
    expect((await A(['announce', series.talk, '--yes'])).code).toBe(1); // user00003 is unknown: suppressed
    expect(to('user00000@example.org')).toBe(1);
    // The organizer commits what the announcing run changed (rali.yaml now names its ledger).
    commit(series.dir, 'announced');
    git(clone, 'pull', '-q');

    // Before the move, the server's clone refuses and says where the ledger is.
    const early = await B(['remind'], '2030-11-12T11:45');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/not here .*rali ledger move postgres:/);

    const moved = await A(['ledger', 'move', bare()]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^ {2}deliveries +4 → +4$/m);
    expect(moved.stdout).toMatch(/^ {2}suppressions +1 → +1$/m);
    expect(moved.stdout).toMatch(/the ledger is now postgres:\/\/rali@127\.0\.0\.1:\d+\/machines_\d+; rali\.yaml says so/);
    expect(`${moved.stdout}${moved.stderr}`).not.toContain(pg().password);
    const yaml = readFileSync(join(series.dir, 'rali.yaml'), 'utf8');
    expect(yaml).toMatch(new RegExp(`^ledger: "${bare().replace(/[.?]/g, '\\$&')}"$`, 'm'));
    expect(yaml).not.toMatch(/ledger_home/);
    expect(yaml).not.toContain(pg().password);
    expect(readdirSync(join(series.dir, '.rali')).some((f) => /^state\.db\.moved-/.test(f))).toBe(true);
    expect(existsSync(join(series.dir, '.rali', 'state.db'))).toBe(false);
    // Running the move again moves nothing twice.
    expect((await A(['ledger', 'move', bare()])).code).not.toBe(0);

    commit(series.dir, 'the ledger is in PostgreSQL');
    git(clone, 'pull', '-q');

    // Cron on the server at the due time, and the laptop's cron at the same time: one reminder each.
    const [b, a] = await Promise.all([B(['remind'], '2030-11-12T11:45'), A(['remind'], '2030-11-12T11:45')]);
    expect([b.code, a.code]).toEqual([0, 0]);
    for (const r of ['user00000', 'user00001', 'user00002']) expect(to(`${r}@example.org`)).toBe(2);
    expect(unknownTried).toBe(1); // refused on A: suppressed there, never tried from B
    expect(`${a.stdout}${b.stdout}`).toMatch(/1 day reminder: 3 sent/);
    expect((await B(['remind'], '2030-11-12T11:50')).stdout).toBe('');

    // The talk is cancelled from the server: everyone A announced to (and who got B's reminder) gets it.
    const cancel = await B(['cancel', series.talk.replace(series.dir, clone), '--yes'], '2030-11-12T12:00');
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancellation: 3 sent/);
    for (const r of ['user00000', 'user00001', 'user00002']) expect(to(`${r}@example.org`)).toBe(3);
    // The laptop sees it: nothing owed, nothing more to cancel.
    writeFileSync(series.talkFile, readFileSync(join(clone, series.talk), 'utf8'));
    expect((await A(['cancel', series.talk, '--yes'], '2030-11-12T12:05')).stdout).toMatch(
      /nothing to send: every recipient has had the cancellation/,
    );
    expect((await A(['ledger', 'status'])).stdout).toMatch(
      /ledger: PostgreSQL, postgres:\/\/rali@127\.0\.0\.1:\d+\/machines_\d+ \(series rali-olst\)/,
    );
  });

  test('one talk announced from A and B at the same moment reaches everyone once', async () => {
    writeFileSync(join(series.dir, 'rali.yaml'), readFileSync(join(series.dir, 'rali.yaml'), 'utf8') + `ledger: "${bare()}"\n`);
    commit(series.dir, 'shared ledger from the start');
    git(clone, 'pull', '-q');
    const [a, b] = await Promise.all([A(['announce', series.talk, '--yes']), B(['announce', series.talk, '--yes'])]);
    // One of them sends; the other waits for the deliveries the first holds, then finds them done.
    expect(`${a.stdout}${b.stdout}`).toMatch(/announcement: 3 sent via .*, 1 failed/);
    for (const r of ['user00000', 'user00001', 'user00002']) expect(to(`${r}@example.org`)).toBe(1);
    expect(unknownTried).toBe(1);
    expect(readFileSync(join(series.dir, 'rali.yaml'), 'utf8')).toMatch(/^ledger_id: "[0-9a-f-]{36}"$/m);
  });

  test('back to SQLite: every row counted on both sides, the database series set aside', async () => {
    expect((await A(['announce', series.talk, '--yes'])).code).toBe(1);
    expect((await A(['ledger', 'move', bare()])).code).toBe(0);
    const back = await A(['ledger', 'move', 'sqlite']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/^ {2}deliveries +4 → +4$/m);
    expect(readFileSync(join(series.dir, 'rali.yaml'), 'utf8')).not.toMatch(/^ledger: /m);
    expect((await A(['remind'], '2030-11-12T11:45')).stdout).toMatch(/1 day reminder: 3 sent/);
    // The database's copy is retired: a cron still pointed at it (RALI_LEDGER_URL) sends nothing, and says so.
    const stale = await A(['remind'], '2030-11-12T11:50', { RALI_LEDGER_URL: db });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/was moved to SQLite — nothing was sent from it/);
    expect(stale.stderr).not.toContain(pg().password);
  });
});
