/**
 * A lean SMTP client for the bulk path (RFC 5321, PIPELINING RFC 2920, STARTTLS RFC 3207,
 * AUTH PLAIN/LOGIN RFC 4954). Why not nodemailer's transport here: every message it sends runs
 * its composer and stream pipeline again and waits for each command in turn; we send bytes that
 * were composed (by nodemailer) and dot-stuffed once per variant, with MAIL, RCPT and DATA
 * pipelined — two round trips a message. The benchmark (bench/run.ts) measures the difference.
 */
import { Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { hostname } from 'node:os';

export interface Reply { code: number; text: string }

const END_OF_DATA = Buffer.from('.\r\n');

export class SmtpError extends Error {
  constructor(message: string, readonly code: string, readonly responseCode?: number, readonly response?: string) {
    super(message);
  }
}

export interface ClientOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). */
  secure: boolean;
  /** Refuse to go on without STARTTLS (every non-loopback server). */
  requireTLS: boolean;
  /** Skip STARTTLS even when offered (loopback). */
  ignoreTLS: boolean;
  user?: string;
  pass?: string;
  timeoutMs: number;
}

/** Dot-stuffing (RFC 5321 §4.5.2) and a final CRLF, done once per variant instead of per message. */
export function dotStuff(data: Buffer): Buffer {
  let s = data.toString('latin1');
  if (s.startsWith('.')) s = '.' + s;
  s = s.replace(/\r\n\./g, '\r\n..');
  if (!s.endsWith('\r\n')) s += '\r\n';
  return Buffer.from(s, 'latin1');
}

function clientName(): string {
  const h = hostname();
  return h.includes('.') ? h : '[127.0.0.1]';
}

export class SmtpClient {
  private socket!: Socket | TLSSocket;
  private buf = '';
  private lines: string[] = [];
  private replies: Reply[] = [];
  private waiters: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure?: SmtpError;
  private ext = new Set<string>();
  private authMethods = new Set<string>();
  sent = 0;

  constructor(private readonly o: ClientOptions) {}

  get broken(): boolean {
    return this.failure !== undefined;
  }

  /** Connects, says EHLO, upgrades to TLS, logs in. On failure the socket is closed. */
  async connect(): Promise<void> {
    try {
      await this.handshake();
    } catch (e) {
      this.fail(e instanceof SmtpError ? e : new SmtpError(String(e), 'ECONNECTION'));
      throw e;
    }
  }

  private async handshake(): Promise<void> {
    this.attach(await this.open());
    const greeting = await this.reply();
    if (greeting.code !== 220) throw this.error(greeting, 'EPROTOCOL');
    await this.ehlo();
    if (!this.o.secure && !this.o.ignoreTLS && this.ext.has('STARTTLS')) {
      const r = await this.command('STARTTLS');
      if (r.code !== 220) throw this.error(r, 'ETLS');
      await this.upgrade();
      await this.ehlo();
    } else if (!this.o.secure && this.o.requireTLS) {
      throw new SmtpError(`${this.o.host} does not offer STARTTLS, and credentials and mail never travel in clear`, 'ETLS');
    }
    if (this.o.user) await this.auth();
  }

  private open(): Promise<Socket | TLSSocket> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => reject(new SmtpError(`${this.o.host}:${this.o.port}: ${e.message}`, /CERT|SELF_SIGNED|TLS|SSL/.test(e.code ?? '') ? 'ETLS' : 'ECONNECTION'));
      const s = this.o.secure
        ? tlsConnect({ host: this.o.host, port: this.o.port, servername: this.o.host, rejectUnauthorized: true }, () => { s.removeListener('error', onError); resolve(s); })
        : netConnect({ host: this.o.host, port: this.o.port }, () => { s.removeListener('error', onError); resolve(s); });
      s.once('error', onError);
      s.setTimeout(this.o.timeoutMs, () => s.destroy(new SmtpError(`${this.o.host}:${this.o.port}: no answer in ${this.o.timeoutMs} ms`, 'ETIMEDOUT')));
    });
  }

  private attach(s: Socket | TLSSocket): void {
    this.socket = s;
    s.setNoDelay(true);
    s.setEncoding('latin1');
    s.setTimeout(this.o.timeoutMs, () => this.fail(new SmtpError(`no answer from ${this.o.host} in ${this.o.timeoutMs} ms`, 'ETIMEDOUT')));
    s.on('data', (chunk: string) => this.onData(chunk));
    s.on('error', (e: Error) => this.fail(e instanceof SmtpError ? e : new SmtpError(`${this.o.host}: ${e.message}`, 'ECONNECTION')));
    s.on('close', () => this.fail(new SmtpError(`${this.o.host} closed the connection`, 'ECONNECTION')));
  }

  private upgrade(): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.setTimeout(0);
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ socket: plain, servername: this.o.host, rejectUnauthorized: true }, () => { s.removeListener('error', onError); this.attach(s); resolve(); });
      const onError = (e: Error) => reject(new SmtpError(`${this.o.host}: TLS: ${e.message}`, 'ETLS'));
      s.once('error', onError);
    });
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\r\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 2);
      this.lines.push(line);
      if (line.length < 4 || line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)) || 0, text: this.lines.join('\n') };
        this.lines = [];
        const w = this.waiters.shift();
        if (w) w.resolve(reply); else this.replies.push(reply);
      }
    }
  }

  private fail(e: SmtpError): void {
    if (this.failure) return;
    this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.socket?.destroy();
  }

  private reply(): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private write(data: string | Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(data);
  }

  private async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  private error(r: Reply, code = 'EPROTOCOL'): SmtpError {
    return new SmtpError(r.text, code, r.code, r.text.replace(/\n\d{3}[- ]/g, ' '));
  }

  private async ehlo(): Promise<void> {
    let r = await this.command(`EHLO ${clientName()}`);
    if (r.code !== 250) {
      r = await this.command(`HELO ${clientName()}`);
      if (r.code !== 250) throw this.error(r);
    }
    this.ext = new Set();
    for (const l of r.text.split('\n').slice(1)) {
      const words = l.slice(4).toUpperCase().split(/\s+/);
      this.ext.add(words[0]);
      if (words[0] === 'AUTH') for (const m of words.slice(1)) this.authMethods.add(m);
    }
  }

  private async auth(): Promise<void> {
    const user = this.o.user ?? '';
    const pass = this.o.pass ?? '';
    let r: Reply;
    if (this.authMethods.has('PLAIN') || !this.authMethods.has('LOGIN')) {
      r = await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
    } else {
      r = await this.command('AUTH LOGIN');
      if (r.code === 334) r = await this.command(Buffer.from(user).toString('base64'));
      if (r.code === 334) r = await this.command(Buffer.from(pass).toString('base64'));
    }
    if (r.code !== 235) throw this.error(r, 'EAUTH');
  }

  /**
   * Sends one message to one recipient: the envelope, then the data. Resolves, once the data is
   * written, with a promise of the final reply — the connection can take the next message's
   * envelope before that reply comes (RFC 2920 §3.1), which saves a round trip per message.
   * Rejects with an SmtpError (with the server's code when there is one). `data` must be
   * dot-stuffed and end with CRLF.
   */
  async begin(from: string, to: string, data: Buffer[]): Promise<{ final: Promise<Reply> }> {
    const pipelining = this.ext.has('PIPELINING');
    const utf8 = /[^\x00-\x7f]/.test(from + to) ? (this.ext.has('SMTPUTF8') ? ' SMTPUTF8' : null) : '';
    if (utf8 === null) throw new SmtpError(`${to}: the server does not accept non-ASCII addresses (no SMTPUTF8)`, 'EENVELOPE', 553, '553 SMTPUTF8 not supported');
    let mail: Reply, rcpt: Reply, dataReply: Reply;
    if (pipelining) {
      this.write(Buffer.from(`MAIL FROM:<${from}>${utf8}\r\nRCPT TO:<${to}>\r\nDATA\r\n`, 'utf8'));
      mail = await this.reply();
      rcpt = await this.reply();
      dataReply = await this.reply();
    } else {
      mail = await this.command(`MAIL FROM:<${from}>${utf8}`);
      if (mail.code !== 250) { await this.rset(); throw this.error(mail, 'EENVELOPE'); }
      rcpt = await this.command(`RCPT TO:<${to}>`);
      if (rcpt.code !== 250 && rcpt.code !== 251) { await this.rset(); throw this.error(rcpt, 'EENVELOPE'); }
      dataReply = await this.command('DATA');
    }
    const refused = mail.code !== 250 ? mail : rcpt.code !== 250 && rcpt.code !== 251 ? rcpt : undefined;
    if (refused) {
      // Some servers answer 354 to a pipelined DATA even with no valid recipient: end it empty.
      if (dataReply.code === 354) { this.write('.\r\n'); await this.reply(); }
      await this.rset();
      throw this.error(refused, 'EENVELOPE');
    }
    if (dataReply.code !== 354) { await this.rset(); throw this.error(dataReply, 'EMESSAGE'); }
    this.socket.cork();
    for (const chunk of data) this.write(chunk);
    this.write(END_OF_DATA);
    this.socket.uncork();
    this.sent++;
    // No RSET after a refused message: the transaction is over, and the next one may be on the wire.
    // Wrapped in an object: an async function returning a promise would wait for it.
    const final = this.reply().then((r) => {
      if (r.code !== 250) throw this.error(r, 'EMESSAGE');
      return r;
    });
    final.catch(() => undefined); // handled by the caller; never an unhandled rejection
    return { final };
  }

  private async rset(): Promise<void> {
    try { await this.command('RSET'); } catch { /* the connection is going away anyway */ }
  }

  async quit(): Promise<void> {
    if (this.failure) return;
    try {
      this.write('QUIT\r\n');
      await Promise.race([this.reply(), new Promise((r) => setTimeout(r, 1000).unref())]);
    } catch { /* closing */ }
    this.failure = new SmtpError('closed', 'ECLOSED');
    this.socket.destroy();
  }
}
