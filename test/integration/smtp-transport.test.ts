/** The SMTP pool and client against smtp-server on 127.0.0.1: pipelining or not, AUTH, refusals, rate. */
import { SMTPServer } from 'smtp-server';
import { AddressInfo } from 'node:net';
import { SmtpTransport } from '../../src/delivery/transport';
import { dotStuff } from '../../src/delivery/smtp-client';

interface Got { to: string; body: string }

async function server(opts: Partial<ConstructorParameters<typeof SMTPServer>[0]>, got: Got[]) {
  const s = new SMTPServer({
    disabledCommands: ['STARTTLS'], authOptional: true, logger: false,
    onRcptTo(a, _s, cb) {
      if (a.address.startsWith('unknown')) { const e = new Error('5.1.1 User unknown') as Error & { responseCode: number }; e.responseCode = 550; return cb(e); }
      cb();
    },
    onData(stream, session, cb) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString('latin1')));
      stream.on('end', () => { got.push({ to: session.envelope.rcptTo[0].address, body }); cb(); });
    },
    ...opts,
  });
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { port: (s.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

const msg = (n: number) => ({ raw: () => Buffer.from(`Subject: ${n}\r\n\r\n.leading dot\r\nbody ${n}\r\n`), wire: () => [dotStuff(Buffer.from(`Subject: ${n}\r\n\r\n.leading dot\r\nbody ${n}\r\n`))] });

async function sendAll(tx: SmtpTransport, tos: string[]) {
  return Promise.all(tos.map((to, i) => tx.send({ from: 'rali@example.org', to }, msg(i))));
}

test.each([['with PIPELINING', false], ['without PIPELINING', true]])('%s: delivered, a refusal is permanent, the connection goes on', async (_name, hide) => {
  const got: Got[] = [];
  const s = await server({ hidePIPELINING: hide }, got);
  const tx = new SmtpTransport({ host: '127.0.0.1', port: s.port, secure: false, connections: 2, timeoutMs: 5000 });
  const out = await sendAll(tx, ['a@example.org', 'unknown@example.org', 'b@example.org', 'c@example.org']);
  await tx.close();
  await s.close();
  expect(out.map((o) => o.ok)).toEqual([true, false, true, true]);
  expect(out[1]).toMatchObject({ ok: false, permanent: true, unknownUser: true });
  expect(got.map((g) => g.to).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  // dot-stuffing round trip: the server sees the line as written
  expect(got[0].body).toContain('\r\n.leading dot\r\n');
});

test('AUTH LOGIN when the server offers only LOGIN; a wrong password is fatal', async () => {
  const got: Got[] = [];
  const s = await server({ authOptional: false, authMethods: ['LOGIN'], allowInsecureAuth: true, onAuth: (a, _s, cb) => (a.username === 'u' && a.password === 'p' ? cb(null, { user: 'u' }) : cb(new Error('bad'))) }, got);
  const ok = new SmtpTransport({ host: '127.0.0.1', port: s.port, secure: false, connections: 1, timeoutMs: 5000, user: 'u', pass: 'p' });
  expect((await sendAll(ok, ['a@example.org']))[0].ok).toBe(true);
  await ok.close();
  const bad = new SmtpTransport({ host: '127.0.0.1', port: s.port, secure: false, connections: 1, timeoutMs: 5000, user: 'u', pass: 'wrong' });
  const r = (await sendAll(bad, ['a@example.org']))[0];
  expect(r).toMatchObject({ ok: false, fatal: true });
  await bad.close();
  await s.close();
});

test('per_second spaces the messages', async () => {
  const got: Got[] = [];
  const s = await server({}, got);
  const tx = new SmtpTransport({ host: '127.0.0.1', port: s.port, secure: false, connections: 3, timeoutMs: 5000, perSecond: 20 });
  const t0 = Date.now();
  await sendAll(tx, Array.from({ length: 11 }, (_, i) => `r${i}@example.org`));
  const ms = Date.now() - t0;
  await tx.close();
  await s.close();
  expect(got).toHaveLength(11);
  expect(ms).toBeGreaterThanOrEqual(480); // 11 messages at 20/s: the last starts 500 ms after the first
});

test('nothing listening: a transient failure, not a crash', async () => {
  const tx = new SmtpTransport({ host: '127.0.0.1', port: 1, secure: false, connections: 1, timeoutMs: 2000 });
  const r = (await sendAll(tx, ['a@example.org']))[0];
  expect(r).toMatchObject({ ok: false, permanent: false, fatal: false });
  await tx.close();
});
