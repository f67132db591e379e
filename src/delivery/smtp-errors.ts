/** Reading SMTP outcomes (RFC 5321 §4.2, RFC 3463; checklist §42–46). */

export type Outcome =
  | { ok: true; reply: string }
  | { ok: false; permanent: boolean; unknownUser: boolean; fatal: boolean; reply: string };

/** 550 5.1.1 and the like: the address does not exist; keep it off the list. */
export function isUnknownUser(code: number | undefined, text: string): boolean {
  if (code === undefined || code < 550 || code > 553) return false;
  return /\b5\.1\.[0-3]\b/.test(text) || /(user|mailbox|recipient|address)[^.]*(unknown|not found|does not exist|doesn't exist|no such|invalid|rejected|unavailable)|no such (user|mailbox)|unknown (user|recipient)/i.test(text);
}

interface NodemailerError { code?: string; responseCode?: number; response?: string; message?: string; permanent?: boolean; rejectedErrors?: NodemailerError[] }

/**
 * From a nodemailer error to an outcome. 4xx, dropped connections and timeouts are transient
 * (retry); 5xx is permanent; a failed login stops the whole run (fatal).
 */
export function fromError(e: unknown): Outcome & { ok: false } {
  let err = e as NodemailerError;
  // All recipients refused (we send one per message): the RCPT reply is in rejectedErrors.
  if (err.code === 'EENVELOPE' && err.rejectedErrors?.length) err = err.rejectedErrors[0];
  const code = err.responseCode;
  const reply = (err.response ?? err.message ?? String(e)).trim();
  if (err.code === 'EAUTH' || code === 535 || code === 534 || code === 530) {
    return { ok: false, permanent: true, unknownUser: false, fatal: true, reply: `${reply} (login refused: check smtp.user and RALI_SMTP_PASSWORD)` };
  }
  if (code !== undefined && code >= 500 && code < 600) {
    return { ok: false, permanent: true, unknownUser: isUnknownUser(code, reply), fatal: false, reply };
  }
  if (code !== undefined && code >= 400) return { ok: false, permanent: false, unknownUser: false, fatal: false, reply };
  // No reply code: connection dropped, timeout, DNS, TLS. Transient, except a certificate problem,
  // which no retry will fix.
  if (err.code === 'ETLS' || /certificate|self[- ]signed/i.test(reply)) {
    return { ok: false, permanent: true, unknownUser: false, fatal: true, reply: `${reply} (the server's TLS certificate was not accepted)` };
  }
  return { ok: false, permanent: false, unknownUser: false, fatal: false, reply: `${err.code ?? 'error'}: ${reply}` };
}
