/**
 * Where messages go: an SMTP server (smtp.ts: nodemailer's SMTPConnection, a few kept open and
 * reused), or the outbox folder when no server is configured (outbox.ts). Only these modules (and
 * the send loop) touch the network or write messages.
 */
import type { Outcome } from './smtp-errors';
import { OutboxTransport } from './outbox';
import type { SmtpSettings } from './smtp-settings';
import { SmtpTransport } from './smtp';

export interface Envelope {
  from: string;
  to: string;
}

/**
 * A message's bytes, CRLF-canonical (RFC 5322 §2.3: no bare CR or LF); dot-stuffing is nodemailer's.
 */
export interface WireMessage {
  raw(): Buffer;
}

export interface Transport {
  readonly kind: 'smtp' | 'outbox';
  /** For messages: "smtp.example.org:587" or "outbox/". */
  readonly where: string;
  /** How many messages may be in flight at once. */
  readonly concurrency: number;
  /** What the organizer should know about the server after the run (e.g. it took fewer connections). */
  readonly notes?: readonly string[];
  send(envelope: Envelope, message: WireMessage, name: string): Promise<Outcome>;
  /**
   * The run is stopping: messages still waiting for a connection are not started (they come back
   * `notStarted`), so only what is already on the wire can end up sent but unrecorded.
   */
  halt?(): void;
  close(): Promise<void>;
}

/** The SMTP server of the settings, or the outbox folder when there are none. */
export function openTransport(smtp: SmtpSettings | undefined, outbox: { dir: string; where: string }): Transport {
  return smtp ? new SmtpTransport(smtp) : new OutboxTransport(outbox.dir, outbox.where);
}
