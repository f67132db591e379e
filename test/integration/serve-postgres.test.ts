/**
 * rali serve on the department server while the organizer sends from the laptop, one ledger in a
 * shared PostgreSQL database: the laptop (A) and the server (B) are git clones of the series, the
 * ledger moved from A's .rali/state.db into the database and rali.yaml saying so. The real
 * `rali serve` command runs in this process on B (its World's signals stop it, as Ctrl-C does); a
 * sign-up confirmed on B's pages is a subscriber of A's next announcement, once; the one-click link
 * of that mail, posted to B, keeps the address out of A's next one; a tampered token changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DateTime } from 'luxon';
import { run } from '../../src/cli';
import type { Signals } from '../../src/delivery/run';
import { redact } from '../../src/secrets';
import { describeWithPostgres } from '../helpers/postgres';
import { makeSeries } from '../helpers/series';
import { addServe, confirmationLink, freePort, http, oneClick, sameOrigin, unsubscribeHeader, until } from '../helpers/serve';
import { startSmtp, TestServer } from '../helpers/smtp';
import { clockAt, testWorld } from '../helpers/world';

const WEB = 'New.Reader@example.net';
const web = WEB.toLowerCase();

interface Listed {
  subscribers: {
    email: string;
    langs: string[];
    source: string;
    consent_at: string | null;
    consent_how: string | null;
    suppressed: boolean;
  }[];
  suppressed: { address: string; reason: string }[];
}

describeWithPostgres('rali serve on another machine, on a ledger in PostgreSQL', (pg) => {
  let series: ReturnType<typeof makeSeries>;
  let smtp: TestServer;
  let clone: string;
  let base: string;
  let port: number;
  let db: string;
  let n = 0;
  const dirs: string[] = [];
  /** Stops a `rali serve` still running when a test fails halfway. */
  let stopServe: (() => Promise<unknown>) | undefined;

  beforeEach(async () => {
    series = makeSeries(3);
    port = await freePort();
    base = addServe(series.dir, port);
    smtp = await startSmtp();
    db = await pg().createDatabase(`serve_${n++}`);
    writeFileSync(join(series.dir, '.gitignore'), '.rali/\noutbox/\n');
    git(series.dir, 'init', '-q');
    commit(series.dir, 'series');
    const d = mkdtempSync(join(tmpdir(), 'rali-server-'));
    dirs.push(d);
    clone = join(d, 'series');
    execFileSync('git', ['clone', '-q', series.dir, clone]);
  });
  afterEach(async () => {
    await stopServe?.();
    stopServe = undefined;
    await smtp.close();
    series.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
  const commit = (dir: string, msg: string) => {
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-qm', msg);
  };
  /** The database's URL as rali.yaml keeps it: no password. */
  const bare = () => db.replace(/:[^:@/]*@/, '@');

  /** A world on machine `host` in `dir`, its output kept; the database's password from PGPASSWORD. */
  function world(dir: string, host: string, now: () => DateTime<true>, signals?: Signals) {
    const out = { stdout: '', stderr: '' };
    const w = testWorld({
      cwd: dir,
      host,
      now,
      env: { NO_COLOR: '1', RALI_SMTP_URL: smtp.url, PGPASSWORD: pg().password },
      ...(signals ? { signals } : {}),
      log: Object.assign(
        {
          out: (l: string) => void (out.stdout += redact(l) + '\n'),
          err: (l: string) => void (out.stderr += redact(l) + '\n'),
        },
        { lines: [], errors: [] },
      ),
    });
    return { w, out };
  }

  /** rali on the laptop, at `clock` (the series' zone). */
  async function A(args: string[], clock: string) {
    const { w, out } = world(series.dir, 'laptop', clockAt(clock));
    const code = await run(args, () => w);
    return { code, ...out };
  }
  const listA = async (clock: string): Promise<Listed> => {
    const r = await A(['subscribers', 'list', '--json'], clock);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Listed;
  };

  /**
   * `rali serve --port N` on the server, in this process: resolves once it listens (or has ended);
   * `stop()` sends it the SIGTERM its World's signals carry and waits for its exit code.
   */
  async function serveOnB(now: () => DateTime<true>) {
    const handlers = new Set<(s: NodeJS.Signals) => void>();
    const signals: Signals = {
      on: (h) => {
        handlers.add(h);
        return () => void handlers.delete(h);
      },
    };
    const { w, out } = world(clone, 'server', now, signals);
    let code: number | undefined;
    const done = run(['serve', '--port', String(port)], () => w).then((c) => (code = c));
    await until(() => code !== undefined || /listening on/.test(out.stderr), 'rali serve to listen or end', 30_000);
    const stop = async () => {
      if (code === undefined) for (const h of [...handlers]) h('SIGTERM');
      return done;
    };
    stopServe = stop;
    return { out, stop, running: () => code === undefined };
  }

  /** What the relay received since mail number `from`, for `who` (the announcements, not the confirmation mails). */
  const received = (from: number, who: string) =>
    smtp.received.slice(from).filter((m) => m.to[0] === who && !/^Message-ID: <confirm\./im.test(m.raw.toString('latin1')));
  const talkOn = (day: string, title: string) => {
    const file = `talks/${day}-other.yaml`;
    writeFileSync(
      join(series.dir, file),
      readFileSync(series.talkFile, 'utf8')
        .replace('date: 2030-11-13', `date: ${day}`)
        .replace(/^title:.*$/m, `title: ${title}`),
    );
    return file;
  };

  test('a sign-up on the server is announced to from the laptop once; its one-click link, posted to the server, keeps it out of the next one; a tampered token changes nothing', async () => {
    // The laptop announces, then moves the ledger into the database; the server's clone pulls rali.yaml.
    const first = await A(['announce', series.talk, '--yes'], '2030-11-01T09:00');
    expect(first.code).toBe(0);
    for (const a of series.emails) expect(received(0, a)).toHaveLength(1);
    commit(series.dir, 'announced');
    git(clone, 'pull', '-q');

    // Before the move the server's clone has no ledger of its own: rali serve refuses and serves nothing.
    const early = await serveOnB(clockAt('2030-11-01T09:30'));
    expect(early.running()).toBe(false);
    expect(await early.stop()).toBe(1);
    expect(early.out.stderr).toMatch(/not here .*rali ledger move postgres:/);

    const moved = await A(['ledger', 'move', bare()], '2030-11-01T09:40');
    expect(moved.code).toBe(0);
    expect(readFileSync(join(series.dir, 'rali.yaml'), 'utf8')).toMatch(/^ledger: "postgres:\/\/rali@127\.0\.0\.1:\d+\/serve_\d+"$/m);
    commit(series.dir, 'the ledger is in PostgreSQL');
    git(clone, 'pull', '-q');

    // The server runs the real command on the shared ledger, its clock its own.
    let bNow = clockAt('2030-11-01T10:00');
    const b = await serveOnB(() => bNow());
    expect(b.running()).toBe(true);
    expect(b.out.stderr).toMatch(new RegExp(`rali serve: rali-olst at ${base.replace(/[.]/g, '\\.')} \\(path /abonnement/\\)`));
    expect(b.out.stderr).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    expect(b.out.stderr).not.toMatch(/no SMTP settings/);

    // A visitor signs up on the server: one confirmation mail, over the series' SMTP settings.
    const mark = smtp.received.length;
    const signUp = await http(base, { form: { email: WEB, langs: 'en', lang: 'en', website: '' }, headers: sameOrigin(base) });
    expect(signUp.status).toBe(200);
    const mails = smtp.received.slice(mark);
    expect(mails.map((m) => m.to)).toEqual([[web]]);
    expect(mails[0].raw.toString('latin1')).toMatch(/^Message-ID: <confirm\./im);
    const link = await confirmationLink(mails[0].raw);
    expect(link.startsWith(`${base}confirm/`)).toBe(true);

    // The link opened (a scanner, the visitor): nothing changes, as the laptop sees it.
    bNow = clockAt('2030-11-01T10:05');
    for (const method of ['GET', 'HEAD', 'GET']) expect((await http(link, { method })).status).toBe(200);
    expect((await http(link)).body).toContain(WEB);
    const before = await listA('2030-11-01T10:06');
    expect(before.subscribers.map((s) => s.email)).toEqual(series.emails);
    const pending = await A(['status', '--json'], '2030-11-01T10:06');
    expect(JSON.parse(pending.stdout).web_signups).toEqual({ confirmed: 0, recent: 0, pending: 1, unsubscribed: 0 });

    // The button subscribes.
    const done = await http(link, { form: { lang: 'en' }, headers: sameOrigin(base) });
    expect(done.status).toBe(200);
    expect(done.body).toContain('<h1>You are subscribed</h1>');
    expect(done.body).toMatch(/href="\/abonnement\/u\/[a-z0-9]+\?lang&#x3D;en">Your preferences/);

    // The laptop lists the web sign-up with its consent, and status counts it (and owes it the first talk).
    const listed = await listA('2030-11-01T11:00');
    expect(listed.subscribers.map((s) => s.email)).toEqual([...series.emails, web]);
    expect(listed.subscribers.find((s) => s.email === web)).toMatchObject({
      langs: ['en'],
      source: 'web',
      consent_at: '2030-11-01T14:05:00.000Z',
      consent_how: 'web form 2030-11-01T14:00Z + confirmation button 2030-11-01T14:05Z',
      suppressed: false,
    });
    const status = await A(['status'], '2030-11-01T11:00');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/web sign-ups \(rali serve\): 1 confirmed \(1 in the last 7 days\), 0 awaiting confirmation/);
    expect(status.stdout).toMatch(/^ {2}announce +3 sent, 1 pending$/m);
    expect(status.stdout).toMatch(/owed: 1 subscriber without the announcement/);

    // A second talk announced from the laptop: the web subscriber gets it once, as the file's subscribers do.
    const second = talkOn('2030-11-20', 'A second talk');
    let from = smtp.received.length;
    const two = await A(['announce', second, '--yes'], '2030-11-01T11:05');
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/announcement: 4 sent/);
    for (const a of [...series.emails, web]) expect(received(from, a)).toHaveLength(1);
    expect(smtp.received.length - from).toBe(4);
    const [toWeb] = received(from, web);
    const header = await unsubscribeHeader(toWeb.raw);
    expect(header.post).toBe(true);
    expect(header.https.startsWith(`${base}u/`)).toBe(true);

    // Its one-click link, posted to the server as Gmail does: unsubscribed, as the laptop sees it.
    bNow = clockAt('2030-11-01T11:10');
    const click = await oneClick(header.https);
    expect(click.status).toBe(200);
    expect(click.body).toBe('Unsubscribed.\n');
    const after = await listA('2030-11-01T11:11');
    expect(after.subscribers.map((s) => s.email)).toEqual(series.emails);
    expect(after.suppressed).toEqual([
      expect.objectContaining({ address: web, reason: expect.stringMatching(/one-click link \(rali serve/) }),
    ]);

    // A third talk: everyone but that address.
    const third = talkOn('2030-11-27', 'A third talk');
    from = smtp.received.length;
    const three = await A(['announce', third, '--yes'], '2030-11-01T11:15');
    expect(three.code).toBe(0);
    expect(received(from, web)).toHaveLength(0);
    for (const a of series.emails) expect(received(from, a)).toHaveLength(1);

    // The laptop's subscribers.csv gains a reader the server's clone does not know yet (not pushed):
    // their link finds them on the server at once (the next build of its index, not a refusal), the
    // page says they get the announcements, and their one-click is a list member's, not a web sign-up's.
    writeFileSync(
      join(series.dir, 'subscribers.csv'),
      readFileSync(join(series.dir, 'subscribers.csv'), 'utf8') + 'late@example.org,Late Reader,en\n',
    );
    const fourth = talkOn('2030-12-04', 'A fourth talk');
    const before4 = smtp.received.length;
    expect((await A(['announce', fourth, '--yes'], '2030-11-01T11:16')).code).toBe(0);
    const late = await unsubscribeHeader(received(before4, 'late@example.org')[0].raw);
    const latePage = await http(`${late.https}?lang=en`);
    expect(latePage.status).toBe(200);
    expect(/class="state"[^>]*>([^<]*)</.exec(latePage.body)?.[1]).toBe('You get the announcements (in English only).');
    expect((await oneClick(late.https)).status).toBe(200);
    const lateListed = await listA('2030-11-01T11:17');
    expect(lateListed.subscribers.find((x) => x.email === 'late@example.org')).toMatchObject({ source: 'file', suppressed: true });
    const lateStatus = await A(['status'], '2030-11-01T11:17');
    expect(lateStatus.stdout).toMatch(
      /web sign-ups \(rali serve\): 0 confirmed, 0 awaiting confirmation \(mailed in the last 7 days\), 1 unsubscribed since/,
    );
    writeFileSync(
      join(series.dir, 'subscribers.csv'),
      readFileSync(join(series.dir, 'subscribers.csv'), 'utf8').replace('late@example.org,Late Reader,en\n', ''),
    );

    // Tampered tokens to the server: a file subscriber's one-click link, the used confirmation link
    // (which, genuine, would subscribe the address again): 404, and nothing changes.
    const fileHeader = await unsubscribeHeader(received(from, series.emails[0])[0].raw);
    const flip = (url: string, at: number) => {
      const token = /\/(?:u|confirm)\/([a-z0-9]+)/.exec(url)![1];
      const i = at < 0 ? token.length + at : at;
      return url.replace(token, token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1));
    };
    const snapshot = await listA('2030-11-01T11:20');
    const forged = flip(fileHeader.https, -1);
    expect(forged).not.toBe(fileHeader.https);
    // (an unknown token waits for the next build of the server's token index, shared: asked at once)
    expect((await Promise.all([oneClick(forged), http(forged)])).map((r) => r.status)).toEqual([404, 404]);
    const forgedConfirm = flip(link, 20);
    expect((await http(forgedConfirm, { form: { lang: 'en' }, headers: sameOrigin(base) })).status).toBe(404);
    expect((await http(forgedConfirm)).status).toBe(404);
    expect(await listA('2030-11-01T11:21')).toEqual(snapshot);
    expect(snapshot.subscribers.find((s) => s.email === series.emails[0])?.suppressed).toBe(false);

    // Stopped as Ctrl-C stops it; its log holds no address and no token.
    expect(await b.stop()).toBe(0);
    expect(b.out.stderr).toMatch(/rali serve: stopped \(SIGTERM\)/);
    expect(b.out.stdout).toMatch(/POST \/abonnement\/u\/… 200/);
    expect(`${b.out.stdout}${b.out.stderr}`).not.toMatch(/@|\/u\/[a-z0-9]{5}|\/confirm\/[a-z0-9]{5}/);
    expect(`${b.out.stdout}${b.out.stderr}`).not.toContain(pg().password);
  }, 240_000); // a budget for a loaded machine: a dozen rali commands, PostgreSQL, the service
});
