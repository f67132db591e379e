/**
 * What an incoming message is: a bounce (RFC 3464 report or one of the common non-standard
 * formats), a delay notice, a complaint (RFC 5965 ARF), an unsubscribe command, an auto-reply, an
 * iTIP reply, or something for a person to read. Pure and linear in the size of the message: it
 * states facts (who failed and whose failure it is, which token was given, what the receiving
 * server found about the sender) and decides nothing; matching to what rali sent and acting is in
 * process.ts.
 *
 * Messages over MAX_BYTES are read from their first MAX_BYTES only (`truncated`): a report puts its
 * notification and delivery-status parts first.
 */
import { ParsedMail, simpleParser } from 'mailparser';
import { AuthResults, authResults } from './auth-results';
import { parseDsn, splitReturned, textEntries } from './bounce';
import { contentType, htmlText, leafParts } from './mime';
import { Cause, causeOf } from './cause';
import { addressesIn, clean, Field, fields, hasPhrase, headerBlock, idsIn, lines, statusIn, valuesOf } from './text';
import { firstLine, isToken, stripPrefixes, unsubscribeCommand } from './unsubscribe';

export type { Cause } from './cause';
export type { AuthResults } from './auth-results';

export type Kind = 'bounce' | 'delayed' | 'complaint' | 'unsubscribe' | 'autoreply' | 'itip' | 'unknown';

export interface FailedRecipient {
  /**
   * The address the report is about: the DSN's Final-Recipient (else its Original-Recipient), or
   * the address the notification names. Absent when it names none: match by `returnedIds` or by
   * the VERP token in `deliveredTo`.
   */
  address?: string;
  /** The DSN's Original-Recipient, when it differs from `address` (the address before forwarding). */
  originalAddress?: string;
  /** Enhanced status code (5.1.1), from the DSN's Status or the diagnostic. */
  status?: string;
  /** The DSN's Action (failed, delayed), lower case; `failed` or `delayed` for the other formats. */
  action?: string;
  /** What the reporting server said about this recipient: one line, control characters removed. */
  diagnostic: string;
  /** Whose failure it is, from `status` and `diagnostic` only (see cause.ts). */
  cause: Cause;
}

interface Common {
  /** One line for people: what it is and the diagnostic; control characters removed, at most 160 characters. */
  reason: string;
  /** The message's own Message-ID. */
  messageId?: string;
  /** The From address, lower case. */
  from?: string;
  /** The decoded Subject, one line, control characters removed. */
  subject: string;
  /** To, Delivered-To, X-Original-To, Envelope-To, X-Envelope-To, lower case: where a VERP token shows. */
  deliveredTo: string[];
  /** Message-IDs of the returned or reported message (its attached or quoted headers, X-Original-Message-ID). */
  returnedIds: string[];
  /** In-Reply-To and References of this message (a reply's or an Exchange NDR's pointer to what rali sent). */
  references: string[];
  /** The receiving server's Authentication-Results (see auth-results.ts). */
  auth: AuthResults;
  /** The message was over MAX_BYTES and only its start was read. */
  truncated: boolean;
}

/** What a bounce or a delay notice says. */
export interface Report {
  /** `dsn`: an RFC 3464 delivery-status part; `text`: a notification in words only. */
  format: 'dsn' | 'text';
  /** A bounce lists its failed recipients, a delay notice its delayed ones. */
  recipients: FailedRecipient[];
}

export type Classified =
  | (Common & Report & { kind: 'bounce' })
  | (Common & Report & { kind: 'delayed' })
  | (Common & {
      kind: 'complaint';
      /** Feedback-Type, lower case (abuse, fraud, not-spam…). */
      feedbackType: string;
      /** Who complained: Original-Rcpt-To and Removal-Recipient only; empty when the report does not say. */
      addresses: string[];
    })
  | (Common & {
      kind: 'unsubscribe';
      /** Where the command was: the Subject, or the first unquoted line of the body. */
      via: 'subject' | 'body';
      /** The series id given after the command, lower case. */
      series?: string;
      /** The token given after the command; not verified. */
      token?: string;
      /** The token of a `local+token@domain` address in `deliveredTo`; not verified. */
      plusToken?: string;
    })
  | (Common & { kind: 'itip'; /** PARTSTAT of the reply, lower case. */ partstat?: string })
  | (Common & { kind: 'autoreply' | 'unknown' });

/** What a kind adds to the common facts. */
type Own<T> = T extends unknown ? Omit<T, Exclude<keyof Common, 'reason'>> : never;

export interface ClassifyOptions {
  /** Read the Authentication-Results of this authserv-id only (the organizer's receiving server). */
  authservId?: string;
}

export const MAX_BYTES = 1024 * 1024;
/** The most of a notification or report part that is read. */
const MAX_TEXT = 64 * 1024;

/** Words of the From of a mailer daemon ("Mail Delivery System <MAILER-DAEMON@…>", postmaster@…). */
const DAEMON_NAMES = [
  'mailer-daemon',
  'mailerdaemon',
  'mail-daemon',
  'mailer daemon',
  'mail delivery',
  'mail.delivery.system',
  'postmaster',
  'post_master',
  'mdaemon',
];
const BOUNCE_SUBJECTS = [
  'undeliver',
  'undelivered mail',
  'delivery status notification',
  'delivery failed',
  'delivery has failed',
  'delivery failure',
  'failure notice',
  'failure delivery',
  'failed delivery',
  'returned mail',
  'mail delivery failed',
  'message not delivered',
  'could not be delivered',
  'delivery notification',
  'non remis',
  'non distribuable',
  'échec de la remise',
  'delivery incomplete',
  'mail system error',
  'delayed mail',
];
const DELAY_SUBJECTS = ['delay', 'warning', 'still being retried', 'not yet been delivered'];
const DELAY_TEXT = [
  'this is a warning only',
  'will continue trying',
  'will keep trying',
  'will be retried',
  'not yet been delivered',
  'still trying',
];
const AUTOREPLY_SUBJECTS = [
  'auto reply',
  'auto-reply',
  'autoreply',
  'automatic reply',
  'auto:',
  'out of office',
  'out of the office',
  'absence',
  'absent',
  'away from',
  'on vacation',
  'vacances',
  'en congé',
  'réponse automatique',
  'reponse automatique',
  'abwesenheit',
];
const REPLY_PREFIX = /^(?:re|fwd?|tr|aw|wg) ?:/i;
const CAUSE_ORDER: Cause[] = ['hard', 'soft', 'sender', 'policy', 'unknown'];
const RETURNED_TYPES = ['message/rfc822', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global', 'message/global-headers'];
const DSN_TYPES = ['message/delivery-status', 'message/global-delivery-status'];

/** The header fields of a returned message (its header block, after any empty lines). */
const headersOf = (text: string) => fields(headerBlock(text.replace(/^\s+/, '')));

export async function classify(raw: Buffer, options: ClassifyOptions = {}): Promise<Classified> {
  const truncated = raw.length > MAX_BYTES;
  const input = truncated ? raw.subarray(0, MAX_BYTES) : raw;
  const text = input.toString('latin1');
  const head: Field[] = fields(headerBlock(text));
  const header = (name: string) => valuesOf(head, name).join(', ').slice(0, MAX_TEXT);
  // Subject, From and Message-ID as mailparser decodes them (RFC 2047 words, address lists), each
  // cut at 4 kB (mailparser refuses a header of a megabyte); the body is read by mime.ts
  const decoded = head
    .filter((f) => ['subject', 'from', 'message-id'].includes(f.name))
    .map((f) => `${f.name}: ${f.value.slice(0, 4096)}\r\n`);
  const p: ParsedMail = await simpleParser(Buffer.from(`${decoded.join('')}\r\n`, 'latin1'));
  const subject = clean(p.subject ?? '', 200);
  const from = p.from?.value[0]?.address?.toLowerCase() || undefined;
  const fromText = clean(p.from?.text ?? '', 80);
  const by = from ?? (fromText || 'unknown sender');
  const envelope = ['to', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'].map(header).join(' ');
  const deliveredTo = addressesIn(envelope);
  const parts = leafParts(text, MAX_TEXT);
  const inline = parts.filter((x) => x.disposition !== 'attachment');
  const plain = inline.filter((x) => x.type === 'text/plain');
  const html = inline.filter((x) => x.type === 'text/html');
  const body = plain.length ? plain.map((x) => x.text).join('\n') : html.map((x) => htmlText(x.text)).join('\n');
  const messageId = p.messageId;
  const returned = parts.filter((x) => RETURNED_TYPES.includes(x.type)).map((x) => headersOf(x.text));
  const returnedIds = new Set(returned.flatMap((f) => idsIn(valuesOf(f, 'message-id').join(' '))));
  const base = {
    messageId,
    from,
    subject,
    deliveredTo,
    returnedIds: [] as string[],
    references: [...new Set([...idsIn(header('in-reply-to')), ...idsIn(header('references'))])],
    auth: authResults(valuesOf(head, 'authentication-results'), options.authservId),
    truncated,
  };
  const done = (c: Own<Classified> & { reason: string }): Classified =>
    ({ ...base, ...c, returnedIds: [...returnedIds].filter((id) => id !== messageId), reason: clean(c.reason) }) as Classified;
  const reportType = contentType(header('content-type')).params.get('report-type')?.toLowerCase();

  // RFC 5965 complaint: the complainer is named by Original-Rcpt-To / Removal-Recipient only
  const arf = parts.find((x) => x.type === 'message/feedback-report');
  if (arf || reportType === 'feedback-report') {
    const f = arf ? fields(arf.text) : [];
    const feedbackType = (valuesOf(f, 'feedback-type')[0] ?? 'abuse').toLowerCase();
    return done({
      kind: 'complaint',
      feedbackType,
      addresses: [...valuesOf(f, 'original-rcpt-to'), ...valuesOf(f, 'removal-recipient')].flatMap((v) => addressesIn(v)),
      reason: `complaint (${feedbackType}) reported by ${valuesOf(f, 'reported-domain')[0] ?? valuesOf(f, 'user-agent')[0] ?? by}`,
    });
  }
  // Hotmail's older complaint: the message attached, its recipient in X-HmXmrOriginalRecipient (added by Hotmail)
  const hotmail = returned.flatMap((f) => valuesOf(f, 'x-hmxmroriginalrecipient'));
  if (hotmail.length && subject.toLowerCase().startsWith('complaint about message from'))
    return done({
      kind: 'complaint',
      feedbackType: 'abuse',
      addresses: addressesIn(hotmail[0]),
      reason: `complaint (abuse) reported by ${by}`,
    });

  // RFC 3464 delivery status notification, or the other formats of a bounce
  const { notification, returned: quoted } = splitReturned(body);
  const dsnPart = parts.find((x) => DSN_TYPES.includes(x.type));
  const looksBounce =
    !REPLY_PREFIX.test(subject) &&
    (!!dsnPart ||
      reportType === 'delivery-status' ||
      hasPhrase(fromText.toLowerCase(), DAEMON_NAMES) ||
      hasPhrase(subject.toLowerCase(), BOUNCE_SUBJECTS) ||
      !!header('x-failed-recipients'));
  if (looksBounce) {
    returned.push(headersOf(quoted));
    for (const id of idsIn(valuesOf(returned[returned.length - 1], 'message-id').join(' '))) returnedIds.add(id);
    // never a failed recipient: our addresses, and the sender of the returned message
    const ours = new Set(addressesIn(['from', 'return-path', 'to', 'delivered-to'].map(header).join(' ')));
    for (const f of returned)
      for (const n of ['from', 'sender', 'return-path']) for (const a of addressesIn(valuesOf(f, n).join(' '))) ours.add(a);
    const entries = textEntries(notification, (a) => ours.has(a));
    // a DSN part, or the fields of one written into the notification
    const dsn = parseDsn(dsnPart ? dsnPart.text : notification);
    for (const n of ['x-original-message-id', 'original-message-id'])
      for (const id of idsIn(String(dsn.message.get(n)))) returnedIds.add(id);
    /**
     * Status, diagnostic and cause of one recipient: from the DSN's Diagnostic-Code (read with the
     * notification's lines about that address), else from those lines, else, when the report is
     * about one recipient only, from the whole notification.
     */
    const judge = (address: string | undefined, given: string | undefined, dsnDiag: string | undefined, single: boolean) => {
      const near = (entries.get(address as string) ?? []).join(' ');
      const tries = dsnDiag ? [[dsnDiag, `${dsnDiag} ${near}`]] : [[near, near], ...(single ? [[notification, notification]] : [])];
      const results = tries.map(([shown, text]) => {
        const status = given ?? statusIn(shown);
        return { status, diagnostic: clean(shown, 300), cause: causeOf(status, text) };
      });
      return results.find((r) => r.cause !== 'unknown') ?? results.find((r) => r.diagnostic) ?? results[0];
    };
    let recipients: FailedRecipient[];
    let format: 'dsn' | 'text';
    if (dsn.recipients.length) {
      format = 'dsn';
      const all = dsn.recipients;
      // a Final-Recipient that is not an address ("@mx.example.org"): the one address the notification names
      const named = all.length === 1 && entries.size === 1 ? [...entries.keys()][0] : undefined;
      recipients = all.map((r) => {
        const original = r.original || undefined;
        const address = r.final || original || named;
        return {
          address,
          originalAddress: original !== address ? original : undefined,
          action: r.action,
          ...judge(address, statusIn(r.status ?? ''), r.diagnostic, all.length === 1),
        };
      });
    } else {
      format = 'text';
      const named = [...new Set([...entries.keys(), ...addressesIn(header('x-failed-recipients'))])];
      const list = named.length ? named : [undefined];
      recipients = list.map((address) => ({ address, ...judge(address, undefined, undefined, list.length === 1) }));
    }
    const delayedText = hasPhrase(subject.toLowerCase(), DELAY_SUBJECTS) || hasPhrase(notification.toLowerCase(), DELAY_TEXT);
    for (const r of recipients) r.action ??= delayedText ? 'delayed' : 'failed';
    const failed = recipients.filter((r) => r.action === 'failed');
    const delayed = recipients.filter((r) => r.action === 'delayed');
    const fmt = format === 'dsn' ? 'DSN' : 'notification';
    if (failed.length) {
      const worst = CAUSE_ORDER.map((c) => failed.find((r) => r.cause === c)).find((r) => r)!;
      const suffix = ` (${fmt} from ${by}${failed.length > 1 ? `, +${failed.length - 1} more` : ''})`;
      const line = `${worst.cause} bounce${worst.status ? ` ${worst.status}` : ''}: ${worst.diagnostic || 'no diagnostic'}`;
      return done({ kind: 'bounce', format, recipients: failed, reason: clean(line, 160 - suffix.length) + suffix });
    }
    if (delayed.length) {
      const d = delayed[0];
      const line = `delayed${d.status ? ` ${d.status}` : ''}: ${clean(d.diagnostic, 100)} (${fmt})`;
      return done({ kind: 'delayed', format, recipients: delayed, reason: line });
    }
    // a DSN that only says delivered, relayed or expanded
    return done({ kind: 'unknown', reason: `delivery report (${[...new Set(recipients.map((r) => r.action))].join(', ')}) from ${by}` });
  }

  // iTIP reply: an attendee's calendar answered the invitation
  const cal = parts.find((x) => x.type === 'text/calendar' || x.type === 'application/ics');
  const calLines = cal ? lines(cal.text).map((l) => l.trim()) : [];
  if (calLines.some((l) => l.toUpperCase() === 'METHOD:REPLY')) {
    const attendee = calLines.find((l) => l.toUpperCase().startsWith('ATTENDEE'));
    const partstat = /;PARTSTAT=([^;:]+)/i.exec(String(attendee))?.[1].toLowerCase();
    return done({ kind: 'itip', partstat, reason: `calendar reply${partstat ? ` (${partstat})` : ''} from ${by}` });
  }

  // Unsubscribe command in the Subject: also when a mail client sent it for its user (Apple Mail's
  // List-Unsubscribe button marks its message Auto-Submitted)
  const bySubject = unsubscribeCommand(stripPrefixes(subject));

  // RFC 3834 auto-replies and the common vacation headers and subjects
  const autoSubmitted = header('auto-submitted').toLowerCase();
  const lowerSubject = subject.toLowerCase();
  const isAuto =
    (autoSubmitted !== '' && !autoSubmitted.startsWith('no')) ||
    !!header('x-autoreply') ||
    !!header('x-autorespond') ||
    header('precedence').toLowerCase().includes('auto_reply') ||
    ['oof', 'autoreply'].includes(header('x-auto-response-suppress').toLowerCase()) ||
    AUTOREPLY_SUBJECTS.some((s) => lowerSubject.startsWith(s));
  if (isAuto && !bySubject) return done({ kind: 'autoreply', reason: `auto-reply from ${by}: ${subject}` });

  // …or alone on the first unquoted line of the body
  const byBody = bySubject ? undefined : unsubscribeCommand(firstLine(body));
  const command = bySubject ?? byBody;
  if (from && command) {
    // the token of a local+token@domain address it was sent to
    const plusToken = addressesIn(envelope, true)
      .filter((a) => a.includes('+'))
      .map((a) => a.slice(a.indexOf('+') + 1, a.lastIndexOf('@')))
      .find(isToken);
    const via = bySubject ? 'subject' : 'body';
    return done({
      kind: 'unsubscribe',
      via,
      ...command,
      plusToken,
      reason: `unsubscribe command by mail (${via}) from ${from}`,
    });
  }

  return done({ kind: 'unknown', reason: subject || '(no subject)' });
}
