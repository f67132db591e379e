/**
 * `rali inbox` over IMAP with TLS against a real Dovecot on 127.0.0.1 (self-signed certificate made
 * here, users in a passwd-file). Skipped, with a message, where Dovecot is not installed.
 */
import { selfSignedCert } from '../helpers/tls';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, tempDir } from '../helpers/paths';
import { makeSeries, raliAsync, withoutLedgerNote } from '../helpers/series';

const DOVECOT = '/usr/sbin/dovecot';
const haveDovecot = existsSync(DOVECOT) && spawnSync('openssl', ['version']).status === 0;
if (!haveDovecot) test.skip('IMAP: needs /usr/sbin/dovecot and openssl (apt-get install dovecot-imapd openssl)', () => undefined);

/** Dovecot cannot listen on port 0: take a free port from the kernel, then give it to Dovecot. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`Dovecot did not listen on ${port} within ${ms} ms`));
        else setTimeout(tryOnce, 100);
      });
    };
    tryOnce();
  });
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

async function startDovecot(messages: Record<string, string>) {
  const t = tempDir('rali-dovecot-');
  chmodSync(t.dir, 0o755);
  const d = t.dir;
  selfSignedCert(d);
  writeFileSync(join(d, 'passwd'), 'orga@example.org:{PLAIN}imap-s3cret-pass\n');
  const root = process.getuid?.() === 0;
  // as root, mail belongs to nobody (Dovecot refuses uid 0); otherwise to the user running the test
  const [uid, gid] = root ? ['nobody', 'nogroup'] : [String(process.getuid!()), String(process.getgid!())];
  const md = join(d, 'home', 'orga@example.org', 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
  for (const [name, text] of Object.entries(messages)) writeFileSync(join(md, 'new', name), text);
  if (root) execFileSync('chown', ['-R', 'nobody:nogroup', join(d, 'home')]);
  const port = await freePort();
  const user = root
    ? ''
    : `default_internal_user = ${process.env.USER ?? 'nobody'}\ndefault_login_user = ${process.env.USER ?? 'nobody'}\n`;
  writeFileSync(
    join(d, 'dovecot.conf'),
    `base_dir = ${d}/run
state_dir = ${d}/state
log_path = ${d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <${d}/cert.pem
ssl_key = <${d}/key.pem
auth_mechanisms = plain login
${user}service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = ${port}
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${d}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${d}/home/%u
}
mail_location = maildir:~/Maildir
`,
  );
  // Dovecot forks into the background, and its processes keep the standard streams they were given:
  // with pipes, execFileSync would wait for them to close, that is for Dovecot to stop (the test hung).
  execFileSync(DOVECOT, ['-c', join(d, 'dovecot.conf')], { stdio: 'ignore' });
  // Wait (10 s at most) until its TLS port accepts connections.
  await waitForPort(port, 10_000);
  cleanups.push(t.cleanup);
  cleanups.push(() => {
    try {
      process.kill(Number(readFileSync(join(d, 'run', 'master.pid'), 'utf8')), 'SIGTERM');
    } catch {
      /* already gone */
    }
  });
  return { port, maildir: md, cert: join(d, 'cert.pem') };
}

(haveDovecot ? test : test.skip)(
  "IMAP with TLS: an unsubscribe request without its token asks the sender to confirm, removes nobody, and is moved to the done folder; a person's mail stays; a wrong password exits 2",
  async () => {
    const corpus = join(FIXTURES, 'inbox');
    const imap = await startDovecot({
      '1.a': readFileSync(join(corpus, '16-unknown-question.eml'), 'utf8'),
      '2.b': readFileSync(join(corpus, '11-unsubscribe-mailto-en.eml'), 'utf8'),
    });
    const series = makeSeries(12, {
      extraConfig: `inbox:\n  host: 127.0.0.1\n  port: ${imap.port}\n  user: orga@example.org\n  done_folder: rali-done\n`,
    });
    cleanups.push(series.cleanup);
    // The timeout only catches a hang: a loaded machine may take many seconds for a TLS handshake.
    const env = { NODE_EXTRA_CA_CERTS: imap.cert, RALI_IMAP_PASSWORD: 'imap-s3cret-pass', RALI_IMAP_TIMEOUT_MS: '60000' };

    const dry = await raliAsync(['inbox', '--dry-run'], { cwd: series.dir, env });
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(
      /^would: unsubscribe request without its token from user00010@example\.org: would ask user00010@example\.org to confirm; nothing removed$/m,
    );

    const r = await raliAsync(['inbox'], { cwd: series.dir, env });
    expect(withoutLedgerNote(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^unsubscribe request without its token from user00010@example\.org: asked user00010@example\.org to confirm; nothing removed$/m,
    );
    expect(readFileSync(join(series.dir, 'subscribers.csv'), 'utf8')).toContain('user00010@');
    // the confirmation request went to the outbox (no SMTP server is configured)
    const notices = readdirSync(join(series.dir, 'outbox', 'notices'));
    expect(notices).toHaveLength(1);
    expect(readFileSync(join(series.dir, 'outbox', 'notices', notices[0]), 'utf8')).toMatch(/^To: user00010@example\.org/m);
    // moved to the done folder with \Seen and the $rali-done keyword (Dovecot's keyword letter 'a')
    const done = readdirSync(join(imap.maildir, '.rali-done', 'cur'));
    expect(done).toHaveLength(1);
    expect(done[0]).toMatch(/:2,S?a?S?$/);
    expect(done[0]).toContain('S');
    const left = [...readdirSync(join(imap.maildir, 'new')), ...readdirSync(join(imap.maildir, 'cur'))];
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^1\.a/);

    const again = await raliAsync(['inbox'], { cwd: series.dir, env });
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const bad = await raliAsync(['inbox'], { cwd: series.dir, env: { ...env, RALI_IMAP_PASSWORD: 'wrong-password-1' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/refused the login — check inbox\.user and RALI_IMAP_PASSWORD/);
    expect(bad.stderr).not.toContain('wrong-password-1');
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const untrusted = await raliAsync(['inbox'], { cwd: series.dir, env: { RALI_IMAP_PASSWORD: 'imap-s3cret-pass' } });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/certificate/);
    expect(untrusted.stderr).not.toContain('imap-s3cret-pass');
  },
  // Dovecot, a certificate, four processes and a failed login (Dovecot delays it): minutes on a loaded machine.
  180_000,
);
