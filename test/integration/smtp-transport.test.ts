/**
 * The SMTP transport (nodemailer's SMTPConnection) against smtp-server and raw fake relays on
 * 127.0.0.1: pipelining, AUTH, refusals by stage, pacing, STARTTLS (and plaintext injected after
 * it), TLS mode mismatches, XOAUTH2 with a refreshed token, a provider limit reached mid-run, the
 * debug transcript.
 */
import { selfSignedCert } from '../helpers/tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { AddressInfo, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { refreshTokenSource } from '../../src/delivery/oauth';
import { SmtpSettings } from '../../src/delivery/smtp-settings';
import { SmtpTransport } from '../../src/delivery/smtp';
import { expectCrlfOnly } from '../helpers/crlf';

interface Got {
  to: string;
  body: Buffer;
  secure: boolean;
  user?: string;
}

async function server(opts: Partial<SMTPServerOptions>, got: Got[]) {
  const s = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(a, _s, cb) {
      if (a.address.startsWith('unknown')) {
        const e = new Error('5.1.1 User unknown') as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        got.push({
          to: session.envelope.rcptTo[0].address,
          body: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
    ...opts,
  });
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { port: (s.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

const body = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\n.leading dot\r\n.\r\nbody ${n}\r\n`);
const msg = (n: number) => ({ raw: () => body(n) });
const settings = (port: number, o: Partial<SmtpSettings> = {}): SmtpSettings => ({
  host: '127.0.0.1',
  port,
  secure: false,
  connections: 2,
  timeoutMs: 5000,
  name: 'test.example.org',
  ...o,
});

async function sendAll(tx: SmtpTransport, tos: string[]) {
  return Promise.all(tos.map((to, i) => tx.send({ from: 'rali@example.org', to }, msg(i), to)));
}

test.each([
  ['with PIPELINING', false],
  ['without PIPELINING', true],
])('%s: delivered byte-exact, an unknown user is suppressed, the connection goes on', async (_name, hide) => {
  const got: Got[] = [];
  const s = await server({ hidePIPELINING: hide }, got);
  const tx = new SmtpTransport(settings(s.port));
  const out = await sendAll(tx, ['a@example.org', 'unknown@example.org', 'b@example.org', 'c@example.org']);
  await tx.close();
  await s.close();
  expect(out.map((o) => o.ok)).toEqual([true, false, true, true]);
  expect(out[1]).toMatchObject({ ok: false, action: 'suppress', stage: 'rcpt', code: 550 });
  expect(got.map((g) => g.to).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  // dot-stuffing round trip: the server sees the lines as written, a lone "." included
  const a = got.find((g) => g.to === 'a@example.org')!;
  expect(a.body.equals(body(0))).toBe(true);
  for (const g of got) expectCrlfOnly(g.body);
});

test('a relay that takes fewer connections at once than configured (421 to the others): the run goes on with those it took, and says so', async () => {
  const got: Got[] = [];
  const s = await server({ maxClients: 3 }, got);
  const tx = new SmtpTransport(settings(s.port, { connections: 8 }));
  const tos = Array.from({ length: 40 }, (_, i) => `r${i}@example.org`);
  const out = await sendAll(tx, tos);
  await tx.close();
  await s.close();
  expect(out.filter((o) => !o.ok)).toEqual([]);
  expect(got.map((g) => g.to).sort()).toEqual(tos.slice().sort());
  expect(tx.notes).toEqual([
    expect.stringMatching(
      /127\.0\.0\.1:\d+ took 3 connections at once \(then: 421 .*\); rali went on with those — set smtp\.connections: 3/,
    ),
  ]);
});

test('the default: 20 connections at once (10 before), 2 with a provider', () => {
  const { smtpSettings } = require('../../src/delivery/smtp-settings') as typeof import('../../src/delivery/smtp-settings');
  const { DEFAULT_CONNECTIONS } = require('../../src/model/series') as typeof import('../../src/model/series');
  expect(DEFAULT_CONNECTIONS).toBe(20);
  const series = { smtp: undefined } as never;
  expect(smtpSettings(series, { RALI_SMTP_URL: 'smtp://127.0.0.1:2525' })!.connections).toBe(20);
});

test('a message with a bare LF is not sent', async () => {
  const got: Got[] = [];
  const s = await server({}, got);
  const tx = new SmtpTransport(settings(s.port));
  const r = await tx.send(
    { from: 'rali@example.org', to: 'a@example.org' },
    { raw: () => Buffer.from('Subject: x\r\n\r\nline\n.\nQUIT\r\n') },
    'a',
  );
  await tx.close();
  await s.close();
  expect(r).toMatchObject({ ok: false, action: 'stop', stage: 'local' });
  expect(got).toHaveLength(0);
});

test('AUTH LOGIN when the server offers only LOGIN; a wrong password stops the run at AUTH', async () => {
  const got: Got[] = [];
  const s = await server(
    {
      authOptional: false,
      authMethods: ['LOGIN'],
      allowInsecureAuth: true,
      onAuth: (a, _s, cb) => (a.username === 'u' && a.password === 'p' ? cb(null, { user: 'u' }) : cb(new Error('5.7.8 bad credentials'))),
    },
    got,
  );
  const ok = new SmtpTransport(settings(s.port, { user: 'u', pass: 'p' }));
  expect((await sendAll(ok, ['a@example.org']))[0].ok).toBe(true);
  await ok.close();
  const bad = new SmtpTransport(settings(s.port, { user: 'u', pass: 'wrong' }));
  const r = await sendAll(bad, ['a@example.org', 'b@example.org']);
  expect(r[0]).toMatchObject({ ok: false, action: 'stop', stage: 'auth' });
  expect(r[0].ok === false && r[0].reply).toMatch(/bad credentials/);
  await bad.close();
  await s.close();
  expect(got).toHaveLength(1);
});

test('per_second spaces the messages', async () => {
  const got: Got[] = [];
  const s = await server({}, got);
  const tx = new SmtpTransport(settings(s.port, { connections: 3, perSecond: 20 }));
  const t0 = Date.now();
  await sendAll(
    tx,
    Array.from({ length: 11 }, (_, i) => `r${i}@example.org`),
  );
  const ms = Date.now() - t0;
  await tx.close();
  await s.close();
  expect(got).toHaveLength(11);
  expect(ms).toBeGreaterThanOrEqual(480); // 11 messages at 20/s: the last starts 500 ms after the first
});

test('nothing listening: a connect-stage failure that names the place, not a crash', async () => {
  const tx = new SmtpTransport(settings(1, { connections: 1, timeoutMs: 2000 }));
  const r = (await sendAll(tx, ['a@example.org']))[0];
  expect(r).toMatchObject({ ok: false, stage: 'connect' });
  expect(r.ok === false && r.reply).toMatch(/ECONNREFUSED.*check smtp\.host and smtp\.port/);
  await tx.close();
});

test('a provider limit mid-run (421 after 3 messages): the transport stops, the rest is not sent', async () => {
  const got: Got[] = [];
  let n = 0;
  const s = await server(
    {
      onMailFrom(_a, _s, cb) {
        if (++n > 3) {
          const e = new Error('4.7.0 rate limit exceeded, try again later') as Error & { responseCode: number };
          e.responseCode = 421;
          return cb(e);
        }
        cb();
      },
    },
    got,
  );
  const tx = new SmtpTransport(settings(s.port, { connections: 1 }));
  const out = [];
  for (let i = 0; i < 6; i++) out.push(await tx.send({ from: 'rali@example.org', to: `r${i}@example.org` }, msg(i), `r${i}`));
  await tx.close();
  await s.close();
  expect(out.slice(0, 3).every((o) => o.ok)).toBe(true);
  for (const o of out.slice(3)) expect(o).toMatchObject({ ok: false, action: 'stop', stage: 'mail', code: 421 });
  expect(n).toBe(4); // after the limit, nothing more was tried
  expect(got).toHaveLength(3);
});

test('554 5.2.0 quota at DATA stops the run too', async () => {
  const got: Got[] = [];
  let n = 0;
  const s = await server(
    {
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          if (++n > 2) {
            const e = new Error('5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException') as Error & { responseCode: number };
            e.responseCode = 554;
            return cb(e);
          }
          got.push({ to: session.envelope.rcptTo[0].address, body: Buffer.alloc(0), secure: false });
          cb();
        });
      },
    },
    got,
  );
  const tx = new SmtpTransport(settings(s.port, { connections: 1 }));
  const out = [];
  for (let i = 0; i < 5; i++) out.push(await tx.send({ from: 'rali@example.org', to: `r${i}@example.org` }, msg(i), `r${i}`));
  await tx.close();
  await s.close();
  expect(out.map((o) => (o.ok ? 'ok' : o.action))).toEqual(['ok', 'ok', 'stop', 'stop', 'stop']);
  expect(out[2]).toMatchObject({ stage: 'data', code: 554, enhanced: '5.2.0' });
  expect(n).toBe(3);
});

describe('TLS', () => {
  let dir = '';
  let key = '';
  let cert = '';
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  beforeAll(() => {
    if (!haveOpenssl) {
      console.warn('openssl not found: the TLS tests are skipped (apt-get install openssl)');
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'rali-tls-'));
    selfSignedCert(dir);
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const maybe = haveOpenssl ? test : test.skip;

  maybe('STARTTLS is used on 127.0.0.1 when offered, the certificate verified against the given CA', async () => {
    const got: Got[] = [];
    const s = await server({ disabledCommands: [], key, cert }, got);
    const tx = new SmtpTransport(settings(s.port, { ca: cert }));
    const out = await sendAll(tx, ['a@example.org', 'b@example.org']);
    await tx.close();
    expect(out.every((o) => o.ok)).toBe(true);
    expect(got.every((g) => g.secure)).toBe(true);
    // an unknown CA: refused at the TLS stage, with the fix named
    const untrusted = new SmtpTransport(settings(s.port));
    const r = (await sendAll(untrusted, ['c@example.org']))[0];
    await untrusted.close();
    await s.close();
    expect(r).toMatchObject({ ok: false, action: 'stop', stage: 'tls' });
    expect(r.ok === false && r.reply).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(got).toHaveLength(2);
  });

  maybe(
    'port 465 style: TLS from the start works; TLS to a plaintext port, and plaintext to a TLS port, say so',
    async () => {
      const got: Got[] = [];
      const tlsServer = await server({ secure: true, key, cert }, got);
      const ok = new SmtpTransport(settings(tlsServer.port, { secure: true, ca: cert }));
      expect((await sendAll(ok, ['a@example.org']))[0].ok).toBe(true);
      await ok.close();
      const plainToTls = new SmtpTransport(settings(tlsServer.port, { timeoutMs: 1500 }));
      const r1 = (await sendAll(plainToTls, ['b@example.org']))[0];
      await plainToTls.close();
      await tlsServer.close();
      expect(r1.ok === false && r1.reply).toMatch(/smtps:\/\/ or smtp\.secure: true/);

      const plain = await server({}, got);
      const tlsToPlain = new SmtpTransport(settings(plain.port, { secure: true, ca: cert }));
      const r2 = (await sendAll(tlsToPlain, ['c@example.org']))[0];
      await tlsToPlain.close();
      await plain.close();
      expect(r2).toMatchObject({ ok: false, action: 'stop', stage: 'tls' });
      expect(r2.ok === false && r2.reply).toMatch(/does not speak TLS from the start: use smtp:\/\//);
      expect(got).toHaveLength(1);
    },
    15_000,
  );

  maybe('plaintext injected after "220 Ready to start TLS": nothing is sent and the error says so', async () => {
    const commands: string[] = [];
    let mails = 0;
    const relay = createServer((sock: Socket) => {
      sock.on('error', () => undefined);
      const dialogue = (s: Socket | TLSSocket, afterTls: boolean) => {
        let buf = '';
        s.on('data', (d: Buffer) => {
          buf += d.toString('latin1');
          let i: number;
          while ((i = buf.indexOf('\r\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 2);
            commands.push(`${afterTls ? 'tls' : 'plain'} ${line}`);
            const v = line.toUpperCase();
            if (v.startsWith('EHLO')) s.write(`250-relay\r\n${afterTls ? '' : '250-STARTTLS\r\n'}250 PIPELINING\r\n`);
            else if (v === 'STARTTLS' && !afterTls) {
              // The attack: a reply for a command the client has not sent yet, in plaintext.
              s.write('220 Ready to start TLS\r\n250-relay\r\n250 AUTH PLAIN\r\n');
              s.removeAllListeners('data');
              const t = new TLSSocket(s as Socket, { isServer: true, key, cert });
              t.on('error', () => undefined);
              dialogue(t, true);
              return;
            } else if (v.startsWith('MAIL')) {
              mails++;
              s.write('250 OK\r\n');
            } else if (v === 'DATA') s.write('354 go\r\n');
            else if (v === 'QUIT') {
              s.write('221 bye\r\n');
              s.end();
            } else s.write('250 OK\r\n');
          }
        });
      };
      sock.write('220 relay ESMTP\r\n');
      dialogue(sock, false);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as AddressInfo).port;
    const tx = new SmtpTransport(settings(port, { ca: cert }));
    const r = (await sendAll(tx, ['a@example.org']))[0];
    await tx.close();
    await new Promise<void>((res) => relay.close(() => res()));
    expect(r).toMatchObject({ ok: false, action: 'stop', stage: 'tls' });
    expect(r.ok === false && r.reply).toMatch(/plaintext after "220 Ready to start TLS"/);
    expect(mails).toBe(0);
    expect(commands.filter((c) => /MAIL|RCPT|DATA/.test(c))).toEqual([]);
  });
});

test('XOAUTH2 with a token from a token endpoint; a token that expires mid-run is refreshed', async () => {
  let issued = 0;
  let valid = new Set<string>();
  const http = createHttp((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      const p = new URLSearchParams(b);
      if (p.get('grant_type') !== 'refresh_token' || p.get('refresh_token') !== 'refresh-1' || p.get('client_id') !== 'app') {
        res.writeHead(400);
        res.end('{"error":"invalid_grant"}');
        return;
      }
      const token = `access-${++issued}`;
      valid.add(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const tokenUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/token`;
  const got: Got[] = [];
  const seen: string[] = [];
  const s = await server(
    {
      authOptional: false,
      authMethods: ['XOAUTH2'],
      allowInsecureAuth: true,
      onAuth(a, _s, cb) {
        seen.push(a.accessToken ?? '');
        if (a.method === 'XOAUTH2' && a.username === 'org@example.org' && valid.has(a.accessToken ?? ''))
          return cb(null, { user: a.username });
        return cb(null, { data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office365.com/SMTP.Send' } });
      },
    },
    got,
  );
  const oauth = refreshTokenSource('org@example.org', tokenUrl, 'app', 'refresh-1');
  const tx = new SmtpTransport(settings(s.port, { connections: 1, maxMessages: 2, oauth, user: 'org@example.org' }));
  const out = [];
  for (let i = 0; i < 6; i++) {
    if (i === 3) valid = new Set(); // the token expires at the server between connections
    out.push(await tx.send({ from: 'org@example.org', to: `r${i}@example.org` }, msg(i), `r${i}`));
  }
  await tx.close();
  await s.close();
  await new Promise<void>((r) => http.close(() => r()));
  expect(out.every((o) => o.ok)).toBe(true);
  expect(got).toHaveLength(6);
  expect(got.every((g) => g.user === 'org@example.org')).toBe(true);
  expect(issued).toBe(2);
  expect(seen).toEqual(['access-1', 'access-1', 'access-1', 'access-2']);
});

test('RALI_DEBUG=smtp: the transcript goes to stderr, the password masked', async () => {
  const got: Got[] = [];
  const s = await server(
    { authOptional: false, authMethods: ['PLAIN', 'LOGIN'], allowInsecureAuth: true, onAuth: (_a, _s, cb) => cb(null, { user: 'u' }) },
    got,
  );
  const lines: string[] = [];
  const tx = new SmtpTransport(settings(s.port, { user: 'user@example.org', pass: 'Sup3r-Secret!', debug: (l) => lines.push(l + '\n') }));
  expect((await sendAll(tx, ['a@example.org']))[0].ok).toBe(true);
  await tx.close();
  await s.close();
  const text = lines.join('');
  expect(text).toMatch(/C: EHLO test\.example\.org/);
  expect(text).toMatch(/C: MAIL FROM:<rali@example\.org>/);
  expect(text).toMatch(/S: 250/);
  expect(text).toMatch(/AUTH PLAIN/);
  expect(text).not.toContain('Sup3r-Secret!');
  expect(text).not.toContain(Buffer.from('\0user@example.org\0Sup3r-Secret!').toString('base64'));
});
