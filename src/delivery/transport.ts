/**
 * Where messages go: an SMTP server (nodemailer's pooled transport), or the outbox folder when no
 * server is configured. Only this module (and the send loop) touches the network.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { RaliError } from '../errors';
import { outboxFileName } from '../model/address';
import { Series } from '../model/series';
import { registerSecret } from './secrets';
import { SmtpClient } from './smtp-client';
import { fromError, Outcome } from './smtp-errors';

export interface Envelope { from: string; to: string }

/** A message's bytes: as a file (.eml), and dot-stuffed for SMTP DATA. */
export interface WireMessage { raw(): Buffer; wire(): Buffer[] }

export interface Transport {
  readonly kind: 'smtp' | 'outbox';
  /** For messages: "smtp.example.org:587" or "outbox/". */
  readonly where: string;
  /** How many messages may be in flight at once. */
  readonly concurrency: number;
  send(envelope: Envelope, message: WireMessage, name: string): Promise<Outcome>;
  close(): Promise<void>;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  connections: number;
  perSecond?: number;
  /** A provider's sending limits (Microsoft 365: 30 a minute). */
  perMinute?: number;
  perDay?: number;
  /** Socket/greeting timeouts in ms (tests shorten them). */
  timeoutMs: number;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * SMTP settings from RALI_SMTP_URL (smtp[s]://user:pass@host:port), or from rali.yaml with the
 * password from RALI_SMTP_PASSWORD; undefined when neither is set (outbox).
 */
export function smtpSettings(series: Series, env: NodeJS.ProcessEnv = process.env): SmtpSettings | undefined {
  const timeoutMs = Number(env.RALI_SMTP_TIMEOUT_MS) || 60_000;
  registerSecret(env.RALI_SMTP_PASSWORD);
  if (env.RALI_SMTP_URL) {
    let u: URL;
    try { u = new URL(env.RALI_SMTP_URL); } catch { throw new RaliError('RALI_SMTP_URL is not a URL — write it as smtp://user:password@host:587 or smtps://…:465'); }
    registerSecret(u.password);
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new RaliError(`RALI_SMTP_URL: ${u.protocol} is not smtp: or smtps:`);
    const secure = u.protocol === 'smtps:';
    return {
      host: u.hostname, port: u.port ? Number(u.port) : secure ? 465 : 587, secure,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      pass: u.password ? decodeURIComponent(u.password) : env.RALI_SMTP_PASSWORD,
      connections: Number(u.searchParams.get('connections')) || series.smtp?.connections || 5,
      perSecond: Number(u.searchParams.get('per_second')) || series.smtp?.perSecond,
      timeoutMs,
    };
  }
  const s = series.smtp;
  if (!s) return undefined;
  if (s.user && !env.RALI_SMTP_PASSWORD) throw new RaliError(`rali.yaml: smtp.user is set but RALI_SMTP_PASSWORD is not — export RALI_SMTP_PASSWORD (the password is never read from a file)`);
  const port = s.port ?? (s.secure ? 465 : 587);
  return { host: s.host, port, secure: s.secure ?? port === 465, user: s.user, pass: s.user ? env.RALI_SMTP_PASSWORD : undefined, connections: s.connections, perSecond: s.perSecond, timeoutMs };
}

/**
 * A pool of SMTP connections (SmtpClient): up to `connections` at once, each reused for up to
 * MAX_PER_CONNECTION messages, at most `perSecond` messages started per second.
 */
export class SmtpTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly where: string;
  readonly concurrency: number;
  private readonly idle: SmtpClient[] = [];
  private readonly waiting: (() => void)[] = [];
  private open = 0;
  private nextSlot = 0;
  private static readonly MAX_PER_CONNECTION = 500;

  constructor(private readonly s: SmtpSettings) {
    this.where = `${s.host}:${s.port}`;
    // More messages than connections in flight: one can wait for its final reply while the next
    // one's envelope goes out on the same connection.
    this.concurrency = s.connections * 3;
  }

  private async acquire(): Promise<SmtpClient> {
    for (;;) {
      const c = this.idle.pop();
      if (c) return c;
      if (this.open < this.s.connections) {
        this.open++;
        const loopback = isLoopback(this.s.host);
        const client = new SmtpClient({
          host: this.s.host, port: this.s.port, secure: this.s.secure,
          // Credentials and mail never travel in clear, except to this machine.
          requireTLS: !this.s.secure && !loopback, ignoreTLS: loopback,
          user: this.s.user, pass: this.s.pass, timeoutMs: this.s.timeoutMs,
        });
        try {
          await client.connect();
          return client;
        } catch (e) {
          this.open--;
          this.waiting.shift()?.();
          throw e;
        }
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(c: SmtpClient): void {
    if (c.broken || c.sent >= SmtpTransport.MAX_PER_CONNECTION) {
      this.open--;
      void c.quit();
    } else {
      this.idle.push(c);
    }
    this.waiting.shift()?.();
  }

  private async pace(): Promise<void> {
    if (!this.s.perSecond) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.s.perSecond;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  async send(envelope: Envelope, message: WireMessage): Promise<Outcome> {
    await this.pace();
    let c: SmtpClient;
    try {
      c = await this.acquire();
    } catch (e) {
      return fromError(e);
    }
    let final: Promise<{ text: string }>;
    try {
      ({ final } = await c.begin(envelope.from, envelope.to, message.wire()));
    } catch (e) {
      this.release(c);
      return fromError(e);
    }
    this.release(c); // the next message's envelope may follow the data at once
    try {
      return { ok: true, reply: (await final).text };
    } catch (e) {
      return fromError(e);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((c) => c.quit()));
  }
}

/** Writes each message to outbox/<talk-id>/<kind>/<recipient>.eml; nothing leaves the machine. */
export class OutboxTransport implements Transport {
  readonly kind = 'outbox' as const;
  readonly concurrency = 8;
  constructor(readonly dir: string, readonly where: string) {
    // The folder mirrors the latest run of this kind: a stale copy would mislead.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  async send(_envelope: Envelope, message: WireMessage, name: string): Promise<Outcome> {
    const raw = message.raw();
    const file = join(this.dir, outboxFileName(name));
    writeFileSync(file, raw);
    return { ok: true, reply: `written to ${file}` };
  }

  async close(): Promise<void> { /* nothing to close */ }
}
