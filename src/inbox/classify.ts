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
import { htmlText, leafParts } from './mime';
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

const DAEMONS = ['mailer-daemon', 'mailerdaemon', 'mail-daemon', 'postmaster', 'post_master', 'mail.delivery.system', 'mdaemon'];
const isDaemon = (address: string) => DAEMONS.includes(address.slice(0, address.indexOf('@')));
const DAEMON_NAMES = ['mailer-daemon', 'mail delivery', 'postmaster', 'mailer daemon'];
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

/** The Message-ID of the message whose header block starts `text` (after any empty lines). */
function returnedId(text: string): string[] {
  return idsIn(valuesOf(fields(headerBlock(text.replace(/^\s+/, ''))), 'message-id').join(' '));
}

export async function classify(raw: Buffer, options: ClassifyOptions = {}): Promise<Classified> {
  const truncated = raw.length > MAX_BYTES;
  const input = truncated ? raw.subarray(0, MAX_BYTES) : raw;
  const text = input.toString('latin1');
  const head: Field[] = fields(headerBlock(text));
  const header = (name: string) => valuesOf(head, name).join(', ').slice(0, MAX_TEXT);
  // Subject, From and Message-ID as mailparser decodes them (RFC 2047 words, address lists), each
  // cut at 4 kB; the body is read by mime.ts
  const decoded = ['subject', 'from', 'message-id'].map((n) => `${n}: ${(valuesOf(head, n)[0] ?? '').slice(0, 4096)}\r\n`).join('');
  const p: ParsedMail = await simpleParser(Buffer.from(`${decoded}\r\n`, 'latin1'));
  const subject = clean(p.subject ?? '', 200);
  const from = p.from?.value[0]?.address?.toLowerCase() || undefined;
  const fromText = clean(p.from?.text ?? '', 80);
  const envelope = ['to', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'].map(header).join(' ');
  const deliveredTo = addressesIn(envelope);
  const parts = leafParts(text, 4 * MAX_TEXT).map((x) => ({ ...x, text: x.text.slice(0, MAX_TEXT) }));
  const inline = parts.filter((x) => x.disposition !== 'attachment');
  const plain = inline.filter((x) => x.type === 'text/plain');
  const html = inline.find((x) => x.type === 'text/html');
  const body = (plain.length ? plain.map((x) => x.text).join('\n') : htmlText(html?.text ?? '')).slice(0, MAX_TEXT);
  const messageId = p.messageId;
  const returned = parts.filter((x) => RETURNED_TYPES.includes(x.type));
  const returnedIds = new Set(returned.flatMap((x) => returnedId(x.text)));
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
  const reportType = (/report-type=["']?([\w-]+)/i.exec(header('content-type'))?.[1] ?? '').toLowerCase();

  // RFC 5965 complaint: the complainer is named by Original-Rcpt-To / Removal-Recipient only
  const arf = parts.find((x) => x.type === 'message/feedback-report');
  if (arf || reportType === 'feedback-report') {
    const f = fields(arf?.text ?? '');
    const feedbackType = (valuesOf(f, 'feedback-type')[0] ?? 'abuse').toLowerCase();
    const by = valuesOf(f, 'reported-domain')[0] ?? valuesOf(f, 'user-agent')[0] ?? fromText;
    return done({
      kind: 'complaint',
      feedbackType,
      addresses: addressesIn([...valuesOf(f, 'original-rcpt-to'), ...valuesOf(f, 'removal-recipient')].join(' ')),
      reason: `complaint (${feedbackType}) reported by ${by}`,
    });
  }
  // Hotmail's older complaint: the message attached, its recipient in X-HmXmrOriginalRecipient (added by Hotmail)
  const hotmail = returned.map((x) => valuesOf(fields(headerBlock(x.text)), 'x-hmxmroriginalrecipient')).find((v) => v.length);
  if (hotmail && subject.toLowerCase().startsWith('complaint about message from')) {
    return done({
      kind: 'complaint',
      feedbackType: 'abuse',
      addresses: addressesIn(hotmail.join(' ')),
      reason: `complaint (abuse) reported by ${fromText}`,
    });
  }

  // RFC 3464 delivery status notification, or the other formats of a bounce
  const { notification, returned: quoted } = splitReturned(body);
  const dsnPart = parts.find((x) => DSN_TYPES.includes(x.type));
  const looksBounce =
    !REPLY_PREFIX.test(subject) &&
    (!!dsnPart ||
      reportType === 'delivery-status' ||
      isDaemon(from ?? '') ||
      hasPhrase(fromText.toLowerCase(), DAEMON_NAMES) ||
      hasPhrase(subject.toLowerCase(), BOUNCE_SUBJECTS) ||
      !!header('x-failed-recipients'));
  if (looksBounce) {
    if (quoted) for (const id of returnedId(quoted)) returnedIds.add(id);
    const ours = new Set(addressesIn(['from', 'return-path', 'to', 'delivered-to'].map(header).join(' ')));
    for (const r of returned) {
      const rf = fields(headerBlock(r.text.replace(/^\s+/, '')));
      for (const a of addressesIn([...valuesOf(rf, 'from'), ...valuesOf(rf, 'sender'), ...valuesOf(rf, 'return-path')].join(' ')))
        ours.add(a);
    }
    const exclude = (a: string) => ours.has(a);
    const entries = textEntries(notification, exclude);
    const dsnText = dsnPart?.text ?? (/^final-recipient:/im.test(notification) ? notification : '');
    const dsn = parseDsn(dsnText);
    for (const id of idsIn(`${dsn.message.get('x-original-message-id') ?? ''} ${dsn.message.get('original-message-id') ?? ''}`))
      returnedIds.add(id);
    const whole = notification.slice(0, 8192);
    /**
     * Status, diagnostic and cause of one recipient: from the DSN's Diagnostic-Code (read with the
     * notification's lines about that address), else from those lines, else, when the report is
     * about one recipient only, from the whole notification.
     */
    const judge = (address: string | undefined, given: string | undefined, dsnDiag: string | undefined, single: boolean) => {
      const near = (entries.get(address ?? '') ?? []).join(' ');
      const tries = dsnDiag
        ? [[dsnDiag, `${dsnDiag} ${near}`]]
        : single
          ? [
              [near, near],
              [whole, whole],
            ]
          : [[near, near]];
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
      recipients = all.map((r) => {
        // a Final-Recipient that is not an address ("@mx.example.org"): the one address the notification names
        const address = r.final || r.original || (all.length === 1 && entries.size === 1 ? [...entries.keys()][0] : undefined);
        const rec: FailedRecipient = {
          address,
          action: r.action,
          ...judge(address, statusIn(r.status ?? ''), r.diagnostic, all.length === 1),
        };
        if (r.original && r.final && r.original !== r.final) rec.originalAddress = r.original;
        return rec;
      });
    } else {
      format = 'text';
      const named = [...new Set([...entries.keys(), ...addressesIn(header('x-failed-recipients'))])];
      const list = named.length ? named : [undefined];
      recipients = list.map((address) => ({ address, ...judge(address, undefined, undefined, list.length === 1) }));
    }
    const delayedText = hasPhrase(subject.toLowerCase(), DELAY_SUBJECTS) || hasPhrase(notification.toLowerCase(), DELAY_TEXT);
    const failed = recipients.filter((r) => (r.action ? r.action === 'failed' : !delayedText));
    const delayed = recipients.filter((r) => (r.action ? r.action === 'delayed' : delayedText));
    for (const r of recipients) r.action ??= delayedText ? 'delayed' : 'failed';
    const fmt = format === 'dsn' ? 'DSN' : 'notification';
    if (failed.length) {
      const worst = CAUSE_ORDER.map((c) => failed.find((r) => r.cause === c)).find((r) => r)!;
      const more = failed.length > 1 ? `, +${failed.length - 1} more` : '';
      const suffix = ` (${fmt} from ${from ?? (fromText || 'unknown sender')}${more})`;
      const text = `${worst.cause} bounce${worst.status ? ` ${worst.status}` : ''}: ${worst.diagnostic || 'no diagnostic'}`;
      return done({ kind: 'bounce', format, recipients: failed, reason: clean(text, 160 - suffix.length) + suffix });
    }
    if (delayed.length) {
      const d = delayed[0];
      return done({
        kind: 'delayed',
        format,
        recipients: delayed,
        reason: `delayed${d.status ? ` ${d.status}` : ''}: ${clean(d.diagnostic, 100)} (${fmt})`,
      });
    }
    if (dsn.recipients.length)
      return done({
        kind: 'unknown',
        reason: `delivery report (${[...new Set(recipients.map((r) => r.action))].join(', ')}) from ${fromText || 'unknown sender'}`,
      });
  }

  // iTIP reply: an attendee's calendar answered the invitation
  const cal = parts.find((x) => x.type === 'text/calendar' || x.type === 'application/ics');
  const calLines = lines(cal?.text ?? '').map((l) => l.trim());
  if (calLines.some((l) => l.toUpperCase() === 'METHOD:REPLY')) {
    const attendee = calLines.find((l) => l.toUpperCase().startsWith('ATTENDEE')) ?? '';
    const at = attendee.toUpperCase().indexOf('PARTSTAT=');
    const partstat =
      at >= 0
        ? attendee
            .slice(at + 9)
            .split(/[;:]/)[0]
            .toLowerCase()
        : undefined;
    return done({ kind: 'itip', partstat, reason: `calendar reply${partstat ? ` (${partstat})` : ''} from ${from ?? 'unknown'}` });
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
  if (isAuto && !bySubject) return done({ kind: 'autoreply', reason: `auto-reply from ${from ?? 'unknown'}: ${subject}` });

  // …or alone on the first unquoted line of the body
  const byBody = bySubject ? undefined : unsubscribeCommand(firstLine(body));
  const command = bySubject ?? byBody;
  if (from && command) {
    let plusToken: string | undefined;
    for (const a of addressesIn(envelope, true)) {
      const local = a.slice(0, a.lastIndexOf('@'));
      const token = local.slice(local.indexOf('+') + 1);
      if (local.includes('+') && isToken(token)) {
        plusToken = token;
        break;
      }
    }
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
