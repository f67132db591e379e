/** A real SMTP server on 127.0.0.1 (port 0) for end-to-end tests, with scripted faults. */
import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { expectCrlfOnly } from './crlf';

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  /** MAIL FROM asked for SMTPUTF8 (RFC 6531): an address of the envelope is beyond ASCII. */
  smtputf8: boolean;
}

export interface Faults {
  /** Reply to MAIL FROM (n = how many MAIL FROM so far), or undefined to accept. */
  mail?: (from: string, n: number) => { code: number; message: string } | undefined;
  /** Reply to RCPT TO for this address (n = how many times this address was tried), or undefined to accept. */
  rcpt?: (address: string, n: number) => { code: number; message: string } | undefined;
  /** At the end of DATA: 'drop' closes the connection, a reply refuses, undefined accepts. */
  data?: (to: string[], n: number) => 'drop' | { code: number; message: string } | undefined;
  /** Wait this long before answering DATA (ms). */
  delayMs?: (to: string[], n: number) => number;
  /**
   * Answer DATA only when this promise settles (a relay that hangs until the test lets it go): a
   * condition, not a duration, so no machine is too slow or too fast for it.
   */
  hold?: (to: string[], n: number) => Promise<void> | undefined;
  auth?: { user: string; pass: string };
}

export interface TestServer {
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startSmtp(faults: Faults = {}): Promise<TestServer> {
  const received: Received[] = [];
  const rcptTries = new Map<string, number>();
  let mailTries = 0;
  const dataTries = new Map<string, number>();
  const crlfErrors: string[] = [];
  const opts: SMTPServerOptions = {
    disabledCommands: faults.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !faults.auth,
    allowInsecureAuth: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (faults.auth && auth.username === faults.auth.user && auth.password === faults.auth.pass) return cb(null, { user: auth.username });
      const err = new Error('5.7.8 Authentication credentials invalid') as Error & { responseCode: number };
      err.responseCode = 535;
      return cb(err);
    },
    onMailFrom(address, _session, cb) {
      const r = faults.mail?.(address.address, ++mailTries);
      if (r) {
        const err = new Error(r.message) as Error & { responseCode: number };
        err.responseCode = r.code;
        return cb(err);
      }
      cb();
    },
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      const n = (rcptTries.get(a) ?? 0) + 1;
      rcptTries.set(a, n);
      const r = faults.rcpt?.(a, n);
      if (r) {
        const err = new Error(r.message) as Error & { responseCode: number };
        err.responseCode = r.code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const k = to.join(',');
        const n = (dataTries.get(k) ?? 0) + 1;
        dataTries.set(k, n);
        const finish = () => {
          const d = faults.data?.(to, n);
          if (d === 'drop') {
            // smtp-server has no public drop: destroying the client socket mid-reply is what a crash looks like
            const conn = (server as unknown as { connections: Set<{ _socket: { destroy(): void }; id: string }> }).connections;
            for (const c of conn) if (c.id === session.id) c._socket.destroy();
            return;
          }
          if (d) {
            const err = new Error(d.message) as Error & { responseCode: number };
            err.responseCode = d.code;
            return cb(err);
          }
          try {
            expectCrlfOnly(Buffer.concat(chunks), `message to ${to.join(',')}`);
          } catch (e) {
            crlfErrors.push((e as Error).message);
          }
          const mailFrom = session.envelope.mailFrom as { address: string; args?: Record<string, unknown> } | false;
          received.push({
            from: mailFrom ? mailFrom.address : '',
            to,
            raw: Buffer.concat(chunks),
            smtputf8: Boolean(mailFrom && mailFrom.args?.SMTPUTF8),
          });
          cb();
        };
        const held = faults.hold?.(to, n);
        const delay = faults.delayMs?.(to, n) ?? 0;
        if (held) void held.then(finish);
        else if (delay) setTimeout(finish, delay);
        else finish();
      });
    },
  };
  const server = new SMTPServer(opts);
  // Clients killed with -9 and dropped connections reset their sockets: expected here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    // Every message received must be CRLF-canonical: closing the server fails the test otherwise.
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(() => (crlfErrors.length ? reject(new Error(crlfErrors.slice(0, 3).join('\n'))) : resolve())),
      ),
  };
}
