/**
 * SMTP through nodemailer's own SMTPConnection: up to `connections` kept open and reused, one
 * message at a time each (nodemailer pipelines MAIL, RCPT and DATA), paced to a provider's limits.
 *
 * On the wire: STARTTLS whenever the server offers it (this machine included), required for any
 * other host; certificates verified (a private CA: NODE_EXTRA_CA_CERTS); port 465 is TLS from the
 * start. Bytes are CRLF-canonical (checked here for every message); nodemailer dot-stuffs them and
 * pipelines the envelope. `RALI_DEBUG=smtp` gives the SMTP dialogue, credentials masked.
 */
import { lookup, lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { format } from 'node:util';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { redact } from '../secrets';
import { firstBareLineEnd } from '../render/crlf';
import type { TokenSource } from './oauth';
import { classify, cleanReply, Failure, fromError, Outcome, stageOf } from './smtp-errors';
import type { SmtpSettings } from './smtp-settings';
import type { Envelope, Transport, WireMessage } from './transport';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

let fqdn: Promise<string> | undefined;
/** This machine's fully qualified name for EHLO (RFC 5321 §4.1.4), or its address literal. */
export function machineName(): Promise<string> {
  return (fqdn ??= (async () => {
    const h = hostname();
    if (h.includes('.')) return h;
    try {
      const { address } = await lookup(h);
      const { hostname: full } = await lookupService(address, 25);
      if (full.includes('.')) return full;
      if (!isLoopback(address)) return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
    } catch {
      /* no name service: an address literal below */
    }
    // No fully qualified name: the address literal of this machine's first external interface.
    const ext = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    return ext ? `[${ext.address}]` : '[127.0.0.1]';
  })());
}

type Conn = SMTPConnection & { broken?: boolean; sent: number; tampered?: boolean };

/** nodemailer's errors carry `command`; a local one (ours) has a stage to give. */
function localFailure(stage: Failure['stage'], text: string, hint: string): Failure {
  return classify(stage, undefined, text, hint);
}

/**
 * Up to `connections` SMTP connections, each reused for up to `maxMessages` messages, one
 * message at a time each (nodemailer pipelines MAIL, RCPT and DATA), at most `perSecond` /
 * `perMinute` messages started.
 */
export class SmtpTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly where: string;
  readonly concurrency: number;
  private readonly idle: Conn[] = [];
  private readonly waiting: (() => void)[] = [];
  private open = 0;
  /** Connections at once: smtp.connections, lowered to what the relay took when it refuses one more. */
  private limit: number;
  /** What the run should tell the organizer about the relay (printed with the summary). */
  readonly notes: string[] = [];
  private nextSlot = 0;
  private stopped: Failure | undefined;
  private halted = false;
  private ids = 0;

  constructor(private readonly s: SmtpSettings) {
    this.where = `${s.host}:${s.port}`;
    this.limit = s.connections;
    // One more message ready per connection, so a freed connection never waits for the loop.
    this.concurrency = s.connections * 2;
  }

  private logger(id: number, conn: () => Conn | undefined) {
    const debug = this.s.debug;
    const line =
      (level: string) =>
      (data: unknown, ...args: unknown[]) => {
        if (!debug && level !== 'warn') return; // called several times a message: nothing to format
        const tnx = typeof data === 'object' && data ? (data as { tnx?: string }).tnx : undefined;
        const raw = typeof data === 'string' ? format(data, ...args) : format(...(args as [string]));
        const text = tnx === 'client' ? raw.replace(/^/gm, 'C: ') : tnx === 'server' ? raw.replace(/^/gm, 'S: ') : raw;
        if (level === 'warn' && /plaintext after the STARTTLS response/i.test(text)) {
          const c = conn();
          if (c) c.tampered = true;
        }
        if (debug && tnx !== 'message' && (level === 'debug' || level === 'warn' || level === 'info')) {
          // nodemailer already hides AUTH arguments; any token or password left is masked here too.
          const masked = redact(text)
            .replace(/^(C: AUTH \S+)\s+\S.*$/gim, '$1 ***')
            .replace(/^(C: )(?!EHLO|HELO|MAIL|RCPT|DATA|QUIT|RSET|STARTTLS|NOOP|AUTH|\.|$)([A-Za-z0-9+/=]{8,})$/gm, '$1***');
          for (const l of masked.split('\n')) if (l.trim()) debug(`smtp[${id}] ${l}`);
        }
      };
    return {
      trace: line('trace'),
      debug: line('debug'),
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
      fatal: line('fatal'),
    };
  }

  private async connect(): Promise<Conn> {
    const s = this.s;

    const Ctor = require('nodemailer/lib/smtp-connection') as typeof SMTPConnection;
    const loopback = isLoopback(s.host);
    const id = ++this.ids;
    const c: Conn = new Ctor({
      host: s.host,
      port: s.port,
      secure: s.secure,
      // STARTTLS whenever offered (nodemailer's default); required for any host but this machine.
      requireTLS: !s.secure && !loopback,
      name: s.name ?? (await machineName()),
      tls: { ...(s.ca ? { ca: s.ca } : {}), rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      connectionTimeout: s.timeoutMs,
      greetingTimeout: Math.min(s.timeoutMs, 30_000),
      socketTimeout: s.timeoutMs,
      logger: this.logger(id, () => c) as unknown as SMTPConnection.Options['logger'],
      debug: Boolean(s.debug),
    }) as Conn;
    c.sent = 0;
    const conn = c;
    conn.on('error', () => {
      conn.broken = true;
    });
    conn.on('end', () => {
      conn.broken = true;
    });
    // connect() calls back on success only; a failure comes as an 'error' event (or an early end).
    await new Promise<void>((resolve, reject) => {
      // Anything before the session is set up (a timeout waiting for the greeting included) is the connect stage.
      const fail = (e: Error) => {
        conn.removeListener('end', ended);
        conn.close();
        reject(Object.assign(e, { command: (e as { command?: string }).command ?? 'CONN' }));
      };
      const ended = () => {
        conn.removeListener('error', fail);
        reject(
          Object.assign(new Error('the server closed the connection before the session was set up'), {
            code: 'ECONNECTION',
            command: 'CONN',
          }),
        );
      };
      conn.once('error', fail);
      conn.once('end', ended);
      conn.connect(() => {
        conn.removeListener('error', fail);
        conn.removeListener('end', ended);
        resolve();
      });
    });
    try {
      if (conn.tampered) {
        throw Object.assign(
          new Error(
            'the server sent plaintext after "220 Ready to start TLS" (RFC 3207 §5: someone is tampering with the connection); nothing was sent',
          ),
          { code: 'ETLS', command: 'STARTTLS' },
        );
      }
      if (s.oauth || s.user) {
        const auth = s.oauth
          ? { type: 'OAuth2', user: s.oauth.user, method: 'XOAUTH2', oauth2: xoauth2(s.oauth) }
          : { user: s.user!, pass: s.pass ?? '' };
        await new Promise<void>((resolve, reject) =>
          conn.login(auth as SMTPConnection.AuthenticationCredentials, (e?: Error | null) => (e ? reject(e) : resolve())),
        );
      }
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  private async acquire(): Promise<Conn> {
    for (;;) {
      if (this.halted) throw new Error('halted');
      let c: Conn | undefined;
      while ((c = this.idle.pop())) {
        if (!c.broken) return c;
        this.open--; // closed by the server while idle: not worth a retry, open another
      }
      if (this.open < this.limit) {
        this.open++;
        try {
          return await this.connect();
        } catch (e) {
          this.open--;
          if (this.open > 0 && stageOf(e as object) === 'connect' && !(e as { hint?: string }).hint) {
            // Refused at connect while connections of this run are open (421 "too many connections",
            // a reset, a refusal by a per-client limit): the relay takes fewer at once than
            // configured — not a reason to stop. The message waits for one of those it took.
            this.limit = this.open;
            this.noteLimit(e);
            continue;
          }
          this.waiting.shift()?.();
          throw e;
        }
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private noteLimit(e: unknown): void {
    const reply = cleanReply(String((e as { response?: string; message?: string }).response ?? (e as Error).message ?? e));
    const text = `${this.where} took ${this.limit} connection${this.limit === 1 ? '' : 's'} at once (then: ${reply}); rali went on with those — set smtp.connections: ${this.limit} (or ?connections=${this.limit} in RALI_SMTP_URL) to say so`;
    this.notes.splice(0, this.notes.length, text);
    this.s.debug?.(`smtp: ${text}`);
  }

  private release(c: Conn): void {
    if (c.broken || c.sent >= (this.s.maxMessages ?? 1000)) {
      this.open--;
      if (!c.broken) c.quit();
      else c.close();
    } else {
      this.idle.push(c);
    }
    this.waiting.shift()?.();
  }

  private async pace(): Promise<void> {
    const gap = Math.max(this.s.perSecond ? 1000 / this.s.perSecond : 0, this.s.perMinute ? 60_000 / this.s.perMinute : 0);
    if (!gap) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + gap;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  async send(envelope: Envelope, message: WireMessage, _name?: string): Promise<Outcome> {
    const raw = message.raw();
    const bad = firstBareLineEnd(raw);
    if (bad !== -1)
      return localFailure(
        'local',
        `message bytes not CRLF-canonical at offset ${bad}`,
        'a bare CR or LF would be read differently by different servers; nothing was sent',
      );
    const notStarted: Failure = { ok: false, action: 'retry', stage: 'local', reply: 'not started: the run is stopping', notStarted: true };
    if (this.halted) return notStarted;
    if (this.stopped) return this.stopped;
    await this.pace();
    if (this.halted) return notStarted;
    if (this.stopped) return this.stopped;
    let c: Conn;
    try {
      c = await this.acquire();
    } catch (e) {
      if (this.halted) return notStarted;
      return this.outcome(fromError(hinted(e, this.s)));
    }
    if (this.halted) {
      this.release(c);
      return notStarted;
    }
    try {
      const info = await new Promise<{ response?: string }>((resolve, reject) =>
        c.send({ from: envelope.from, to: [envelope.to] }, raw, (e: Error | null, i?: { response?: string }) =>
          e ? reject(e) : resolve(i ?? {}),
        ),
      );
      c.sent++;
      this.release(c);
      return { ok: true, reply: info.response ?? '250' };
    } catch (e) {
      const err = e as { code?: string };
      if (err.code === 'EENVELOPE' && !c.broken) {
        // A refused recipient leaves the session usable once the transaction is reset.
        await new Promise<void>((r) =>
          c.reset((re?: Error | null) => {
            if (re) c.broken = true;
            r();
          }),
        );
      } else {
        c.broken = true;
        // A timeout or a dropped connection in the middle of a message: not a connect problem.
        if ((e as { command?: string }).command === 'CONN') Object.assign(e as object, { command: 'DATA' });
      }
      this.release(c);
      return this.outcome(fromError(hinted(e, this.s)));
    }
  }

  halt(): void {
    this.halted = true;
    // Wake whoever waits for a connection: they see `halted` and give their message back.
    for (const w of this.waiting.splice(0)) w();
  }

  private outcome(f: Failure): Failure {
    if (f.action === 'stop') this.stopped ??= f;
    return f;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.idle.splice(0).map(
        (c) =>
          new Promise<void>((r) => {
            // At most a second for the server's 221; the timer must not keep the process alive after it.
            const t = setTimeout(r, 1000);
            c.once('end', () => {
              clearTimeout(t);
              r();
            });
            c.quit();
          }),
      ),
    );
  }
}

/** nodemailer's oauth2 hook: getToken(isRetry) — a refused token is refreshed once. */
function xoauth2(src: TokenSource) {
  return {
    getToken(refresh: boolean, cb: (e: Error | null, token?: string) => void) {
      src.get(refresh).then(
        (t) => cb(null, t),
        (e: Error) => cb(e),
      );
    },
    buildXOAuth2Token(token: string) {
      return Buffer.from(`user=${src.user}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64');
    },
  };
}

/** Adds what a mismatched TLS mode (or a missing STARTTLS) looks like to nodemailer's error. */
function hinted(e: unknown, s: SmtpSettings): unknown {
  const err = e as { message?: string; code?: string; command?: string; hint?: string };
  if (!err || typeof err !== 'object') return e;
  const m = err.message ?? '';
  if (/wrong version number|packet length too long|unknown protocol|ssl3_get_record|record layer failure/i.test(m)) {
    return Object.assign(err, {
      code: 'ETLS',
      hint: `${s.host}:${s.port} does not speak TLS from the start: use smtp:// (STARTTLS, usually port 587), or smtps:// with port 465`,
    });
  }
  // Connected, then silence until a timeout: the greeting's, or (on a loaded machine) the socket's,
  // which can fire first — either way no greeting came.
  const silent =
    (err as { timeoutType?: string }).timeoutType === 'GREETING_TIMEOUT' ||
    (err.code === 'ETIMEDOUT' && m === 'Timeout' && (err.command === undefined || err.command === 'CONN'));
  if (!s.secure && silent) {
    return Object.assign(err, {
      code: 'ECONNECTION',
      command: 'CONN',
      hint: `no greeting from ${s.host}:${s.port}: if it expects TLS from the start (port 465), use smtps:// or smtp.secure: true`,
    });
  }
  if (err.command === 'STARTTLS' && /Error upgrading connection with STARTTLS/i.test(m)) {
    return Object.assign(err, { hint: `${s.host} does not offer STARTTLS, which rali requires for any server but this machine` });
  }
  return e;
}
