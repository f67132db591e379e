/**
 * Reading SMTP outcomes by stage and enhanced status code (RFC 5321 §4.2, RFC 3463, RFC 3463 §3.5:
 * x.1.x is about an address, x.7.x about policy). What an outcome does to the run is decided here,
 * once, from where in the dialogue the reply came and what it says:
 *
 * - `stop`: nothing this run sends will get through (the sender or the message refused for everyone,
 *   the login refused, a rate or quota limit, a TLS problem): the run stops, the recipient stays
 *   pending, nobody fails or is suppressed.
 * - `suppress`: the recipient's address does not exist (5.1.1, 5.1.10, "user unknown" at RCPT).
 * - `fail`: refused for this recipient only, for good (not suppressed; `--retry-failed` retries it).
 * - `retry`: transient (4xx, mailbox full, a dropped connection, a timeout): retried with backoff in
 *   this run, then left pending for the next run.
 */

/** Where in the SMTP dialogue a reply came from. */
export type Stage = 'connect' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'local';

export type Action = 'retry' | 'fail' | 'suppress' | 'stop';

export type Failure = {
  ok: false;
  action: Action;
  stage: Stage;
  /** The basic reply code (550), when the server gave one. */
  code?: number;
  /** The enhanced status code ("5.1.1"), when the server gave one. */
  enhanced?: string;
  /** What to show: the server's reply (control characters removed) and, for `stop`, what to do. */
  reply: string;
  /** The message never left: the run was stopping while it waited for a connection. */
  notStarted?: boolean;
};

export type Outcome = { ok: true; reply: string } | Failure;

/** Control characters (a hostile server's reply may hold escape sequences) become spaces. */
export function cleanReply(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** The enhanced status code at the start of the reply text (after the basic code), if any. */
export function enhancedCode(text: string): string | undefined {
  const m = /^(?:\d{3}[ -])?([245]\.\d{1,3}\.\d{1,3})\b/.exec(text.trim());
  return m?.[1];
}

const UNKNOWN_USER =
  /no such (user|mailbox|recipient)|(user|mailbox|recipient|address)\b[^.]{0,40}\b(unknown|not found|does not exist|doesn't exist|invalid)|unknown (user|recipient|mailbox)|recipient address rejected: (user unknown|undeliverable)/i;
const RATE_LIMIT = /rate|too many|quota|limit|throttl|try again later|exceeded/i;

/**
 * What to do with a reply. `stage` says which command it answered; `code` is the basic reply code
 * (undefined when the connection failed without one).
 */
export function classify(stage: Stage, code: number | undefined, text: string, hint?: string): Failure {
  const reply = cleanReply(text) || 'no reply';
  const enhanced = enhancedCode(reply);
  const f = (action: Action, why?: string): Failure => ({
    ok: false,
    action,
    stage,
    code,
    enhanced,
    reply: why ? `${reply} (${why})` : reply,
  });
  const [cls, subject, detail] = (enhanced ?? '').split('.').map(Number);

  if (stage === 'local') return f('stop', hint);
  if (stage === 'tls') return f('stop', hint ?? 'TLS with the server failed');
  if (stage === 'auth') {
    if (code !== undefined && code >= 400 && code < 500 && !(cls === 4 && subject === 7)) return f('retry', hint);
    return f('stop', hint ?? 'login refused: check smtp.user and the password or token');
  }
  if (code === undefined) {
    // No reply at all: refused connection, DNS, timeout, dropped connection.
    return f(stage === 'connect' && hint ? 'stop' : 'retry', hint);
  }
  // Rate and quota limits, whatever the stage: nothing more will pass for now (RFC 3463 4.7.x,
  // 421 4.7.0, 451 4.7.1, Microsoft 365's 554 5.2.0 …SubmissionQuotaExceeded, Gmail's 550 5.4.5).
  if (code === 421) return f('stop', 'the server closed the session; the rest stays pending for the next run');
  if ((cls === 4 || cls === 5) && (subject === 7 || subject === 4 || subject === 2) && RATE_LIMIT.test(reply) && stage !== 'rcpt') {
    return f('stop', 'a sending limit was reached; the rest stays pending for the next run');
  }
  if (cls === 5 && subject === 4 && detail === 5) return f('stop', 'a daily sending limit was reached; run again tomorrow');
  if (code >= 400 && code < 500) return f('retry');
  if (code < 500 || code >= 600) return f('retry');

  // 5xx
  switch (stage) {
    case 'connect':
      return f('stop', 'the server refused the connection');
    case 'mail':
      // The sender refused (553 5.7.1 not owned by user, 550 5.7.1 policy): the same for everyone.
      return f('stop', 'the server refused the sender: check `from:` in rali.yaml and what the account may send as');
    case 'data':
      // A full mailbox answered at the end of DATA (one recipient per message): that recipient's, retried.
      if (subject === 2 && detail === 2) return f('retry');
      // The message itself refused (size, content policy): the same message goes to everyone.
      return f('stop', 'the server refused the message itself; nobody was marked failed');
    case 'rcpt': {
      if (enhanced === '5.1.1' || enhanced === '5.1.10') return f('suppress');
      if (subject === 2 && detail === 2) return f('retry'); // 5.2.2 mailbox full: not the address's fault
      if (!enhanced && (code === 550 || code === 551 || code === 553) && UNKNOWN_USER.test(reply)) return f('suppress');
      if (subject === 7 && /relay/i.test(reply)) return f('stop', 'the server will not relay for this sender: check the login and `from:`');
      return f('fail');
    }
  }
}

interface NodemailerError {
  code?: string;
  command?: string;
  hint?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  rejectedErrors?: NodemailerError[];
}

/** The stage of a nodemailer error, from its `command` ("MAIL FROM", "RCPT TO", "DATA", "AUTH PLAIN", "CONN") and `code`. */
export function stageOf(err: NodemailerError): Stage {
  const c = (err.command ?? '').toUpperCase();
  if (c.startsWith('MAIL')) return 'mail';
  if (c.startsWith('RCPT')) return 'rcpt';
  if (c.startsWith('DATA') || c === 'BDAT' || c.startsWith('END')) return 'data';
  if (c.startsWith('AUTH') || err.code === 'EAUTH' || err.code === 'ENOAUTH' || err.code === 'EOAUTH2') return 'auth';
  if (c === 'STARTTLS' || err.code === 'ETLS') return 'tls';
  if (c === 'CONN' || c === 'GREETING' || c === 'EHLO' || c === 'HELO' || err.code === 'ECONNECTION' || err.code === 'EDNS')
    return 'connect';
  return 'data';
}

/** From a nodemailer error to an outcome. */
export function fromError(e: unknown): Failure {
  let err = e as NodemailerError;
  // All recipients refused (we send one per message): the RCPT reply is in rejectedErrors.
  if (err.code === 'EENVELOPE' && err.rejectedErrors?.length) err = { ...err.rejectedErrors[0], command: 'RCPT TO' };
  const text = err.response ?? err.message ?? String(e);
  const stage = stageOf(err);
  let hint: string | undefined = err.hint;
  if (/certificate|self[- ]signed|unable to verify|altnames/i.test(text))
    hint = "the server's TLS certificate was not accepted (a private CA: set NODE_EXTRA_CA_CERTS)";
  if (stage === 'connect' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(text))
    hint = 'cannot reach the SMTP server: check smtp.host and smtp.port';
  return classify(
    hint && stage !== 'auth' && /certificate/i.test(hint) ? 'tls' : stage,
    err.responseCode,
    err.responseCode ? text : `${err.code ?? 'error'}: ${text}`,
    hint,
  );
}
