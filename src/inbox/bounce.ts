/**
 * Reading a bounce: the recipients of an RFC 3464 delivery-status part, and, for the formats
 * without one (qmail, Exim, Yahoo, GroupWise…), the addresses a notification names and the lines
 * it says about each. The returned copy of the message is cut off first: what it says (its To, a
 * "does not exist" in its body) is never read as a diagnostic.
 */
import { addressesIn, fields, hasPhrase, lines } from './text';

export interface DsnRecipient {
  final?: string;
  original?: string;
  action?: string;
  status?: string;
  diagnostic?: string;
}

/** The per-message fields and the recipients of a delivery-status part. */
export function parseDsn(text: string): { message: Map<string, string>; recipients: DsnRecipient[] } {
  const message = new Map<string, string>();
  const recipients: DsnRecipient[] = [];
  let current: DsnRecipient | undefined;
  // blocks are separated by empty lines; a block may hold several recipients when they are missing
  for (const block of text.split(/\r?\n[ \t]*\r?\n|\r[ \t]*\r/)) {
    current = undefined;
    for (const { name, value } of fields(block)) {
      if (name === 'final-recipient' || name === 'original-recipient') {
        const key = name === 'final-recipient' ? 'final' : 'original';
        if (!current || current[key] !== undefined) recipients.push((current = {}));
        current[key] = addressesIn(value)[0] ?? '';
      } else if (!current) message.set(name, value);
      else if (name === 'action') current.action = value.toLowerCase().split(/[\s(]/)[0];
      else if (name === 'status') current.status = value;
      else if (name === 'diagnostic-code') current.diagnostic = value.replace(/^[\w.-]+;\s*/, '');
    }
  }
  return { message, recipients };
}

/**
 * Lines that start the returned copy of the message ("----- Original message -----", "--- Below this
 * line is a copy of the message.", "Original message headers:"): short or drawn with dashes.
 */
const MARKERS = [
  'original message',
  'copy of the message',
  'copy of your message',
  'returned message',
  'unsent message',
  'message follows',
  'headers follow',
  'header follows',
  'below this line',
  'original mail',
  'message headers',
  'undelivered message',
  'rejected message',
  'text of the message',
];
/** Header fields that start a returned copy quoted without a marker. */
const RETURNED_HEADERS = ['return-path:', 'received:', 'dkim-signature:', 'x-received:', 'arc-seal:', 'message-id:'];

function isMarker(line: string): boolean {
  const t = line.trim().toLowerCase();
  const drawn = '-=*_#'.includes(t.charAt(0)) && '-=*_#'.includes(t.charAt(1));
  return (drawn || t.length <= 50) && !t.includes('@') && hasPhrase(t, MARKERS);
}

/** A notification split where the returned copy starts. */
export function splitReturned(text: string): { notification: string; returned: string } {
  const ls = lines(text);
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    const header = !ls[i - 1]?.trim() && i > 0 && RETURNED_HEADERS.some((h) => l.toLowerCase().startsWith(h));
    if (header || isMarker(l)) return { notification: ls.slice(0, i).join('\n'), returned: ls.slice(header ? i : i + 1).join('\n') };
  }
  return { notification: ls.join('\n'), returned: '' };
}

const MAX_LINES = 8;
const MAX_LINE = 400;
/** Sendmail's word about a host rather than a recipient: "550 example.org (smtp)... Host unknown". */
const HOST_LINE = /^[45]\d\d \S+ \([\w-]+\)\.\.\./;

/** A line that gives a message's Message-ID, In-Reply-To or References. */
const ID_LINE = /^(?:[\w-]*message-id|in-reply-to|references) ?:/i;

/** `line` without `address` at its start ("<a@b>:", "a@b"), which says nothing about why. */
function withoutLeading(line: string, address: string): string {
  const lower = line.toLowerCase();
  const lead = [`<${address}>`, address].find((a) => lower.startsWith(a));
  return lead ? line.slice(lead.length).replace(/^[\s:.,;]+/, '') : line;
}

/**
 * The addresses a notification names, each with its lines: the line that names it and the lines
 * that follow, up to an empty line or a line naming another address. `exclude` holds addresses
 * that are never a failed recipient (ours, the mailer daemon's).
 */
export function textEntries(notification: string, exclude: (a: string) => boolean): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current: string[] | undefined;
  // in a Sendmail transcript: the last command was MAIL FROM, so what is refused now is about us
  let mailFrom = false;
  for (const raw of lines(notification)) {
    const line = raw.trim().slice(0, MAX_LINE);
    const lower = line.toLowerCase();
    if (lower.startsWith('>>> ')) {
      // a command: the replies that follow answer it, not what came before
      mailFrom = lower.startsWith('>>> mail from');
      current = undefined;
    }
    const host = HOST_LINE.test(line);
    if (!line || host || lower.includes('while talking to')) {
      // an empty line, a word about a host, or a new conversation (which forgets the command)
      current = undefined;
      mailFrom &&= host;
      continue;
    }
    // a Message-ID looks like an address
    const named = ID_LINE.test(line) ? [] : addressesIn(line).filter((a) => !exclude(a));
    for (const a of named) {
      const own = entries.get(a) ?? (mailFrom ? ['(refused after MAIL FROM)'] : []);
      const rest = withoutLeading(line, a);
      if (own.length < MAX_LINES && rest) own.push(rest);
      entries.set(a, own);
    }
    if (named.length) current = entries.get(named[0]);
    else if (current && current.length < MAX_LINES) current.push(line);
  }
  return entries;
}
