/**
 * Where messages go: an SMTP server (nodemailer's pooled transport), or the outbox folder when no
 * server is configured. Only this module (and the send loop) touches the network.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { RaliError } from '../errors';
import { Series } from '../model/series';
import { registerSecret } from './secrets';
import { fromError, Outcome } from './smtp-errors';

export interface Envelope { from: string; to: string }

export interface Transport {
  readonly kind: 'smtp' | 'outbox';
  /** For messages: "smtp.example.org:587" or "outbox/". */
  readonly where: string;
  /** How many messages may be in flight at once. */
  readonly concurrency: number;
  send(envelope: Envelope, raw: Buffer, name: string): Promise<Outcome>;
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

interface PooledTransporter {
  sendMail(o: object): Promise<{ accepted: string[]; rejected: string[]; rejectedErrors?: unknown[]; response: string }>;
  close(): void;
}

export class SmtpTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly where: string;
  readonly concurrency: number;
  private readonly tx: PooledTransporter;

  constructor(s: SmtpSettings) {
    this.where = `${s.host}:${s.port}`;
    this.concurrency = s.connections * 2;
    const loopback = isLoopback(s.host);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as { createTransport(o: object): PooledTransporter };
    this.tx = nodemailer.createTransport({
      pool: true,
      host: s.host,
      port: s.port,
      secure: s.secure,
      // Credentials never travel in clear: STARTTLS is required, except to this machine.
      requireTLS: !s.secure && !loopback,
      auth: s.user ? { user: s.user, pass: s.pass } : undefined,
      tls: { rejectUnauthorized: true, servername: s.host },
      maxConnections: s.connections,
      maxMessages: 1000,
      ...(s.perSecond ? { rateLimit: s.perSecond, rateDelta: 1000 } : {}),
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
      logger: false,
      debug: false,
    });
  }

  async send(envelope: Envelope, raw: Buffer): Promise<Outcome> {
    try {
      const info = await this.tx.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
      // nodemailer resolves when some recipients were refused (checklist §42): one per message here.
      if (info.rejected?.length) return fromError({ code: 'EENVELOPE', rejectedErrors: info.rejectedErrors });
      return { ok: true, reply: info.response };
    } catch (e) {
      return fromError(e);
    }
  }

  async close(): Promise<void> {
    this.tx.close();
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

  async send(envelope: Envelope, raw: Buffer, name: string): Promise<Outcome> {
    const file = join(this.dir, `${name.replace(/[^A-Za-z0-9@._+-]/g, '_')}.eml`);
    writeFileSync(file, raw);
    return { ok: true, reply: `written to ${file}` };
  }

  async close(): Promise<void> { /* nothing to close */ }
}
