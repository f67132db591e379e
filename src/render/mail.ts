/**
 * From a rendered message to the bytes on the wire. Composing MIME is the expensive part of
 * sending (~2 ms a message in nodemailer), so a message is composed once per variant (kind ×
 * languages) with placeholder headers, and each recipient gets a copy with their own To,
 * Message-ID and List-Unsubscribe. Preview and sending use this same code, so `preview --eml`
 * writes exactly the bytes that would be sent.
 */
import type { DateTime } from 'luxon';
import { Series } from '../model/series';
import { makeToken, TokenKeys, tokenMatches } from '../model/tokens';
import { Talk } from '../model/talk';
import { headerText, HTML_LANG, Rendered } from './message';
import { canonicalCrlf } from './crlf';
import { RaliError } from '../errors';
import { RecipientSplice } from './splice';
import { wireAddress } from '../model/address';
import { webUnsubscribeUrl } from './links';

export interface Recipient {
  email: string;
  name?: string;
}

const RCPT_PLACEHOLDER = 'rali-recipient@rali.invalid';
const MSGID_PLACEHOLDER = '<rali-message-id@rali.invalid>';

/**
 * Message-ID derived from talk, kind, revision and recipient (design.md: a resend after a crash
 * has the same one, so mail clients fold the duplicate). The address is a keyed token, not shown:
 * a bounce that returns it names its recipient, and no stranger can compute it for an address.
 */
export function messageId(series: Series, talk: Talk, kind: string, rev: string, recipient: string, keys: TokenKeys): string {
  return `<${kind}.${rev}.${makeToken(keys, 'message', series.id, recipient)}.${talk.id}.${series.id}@${series.domain}>`;
}

/** Whether a Message-ID of ours names this recipient (its token, checked with the keys). */
export function messageIdNames(id: string, recipient: string, seriesId: string, keys: TokenKeys): boolean {
  const token = /^<[^.]+\.[^.]+\.([^.]+)\./.exec(id)?.[1];
  return token !== undefined && tokenMatches(keys, token, 'message', seriesId, recipient);
}

export interface UnsubscribeLinks {
  mailto: string;
  https?: string;
  /** The recipient's token: it replaces the placeholder of the footer's link (links.ts). */
  token: string;
}

/**
 * The List-Unsubscribe URIs of one recipient: the mailto's subject and the https link (rali serve's
 * page with `serve.url`, or the series' own `unsubscribe_url`) carry their token.
 */
export function unsubscribeLinks(series: Series, email: string, keys: TokenKeys): UnsubscribeLinks {
  const token = makeToken(keys, 'unsubscribe', series.id, email);
  const mailto = `mailto:${series.replyTo ?? series.from.address}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
  return { mailto, https: webUnsubscribeUrl(series, token, email), token };
}

/**
 * An RFC 5322 phrase for a header comment: nodemailer would encode a whole unknown header,
 * <list-id> included, which breaks List-Id filters; so only the name is encoded here.
 */
function phrase(name: string): string {
  if (/^[\w !#$%&'*+\-/=?^`{|}~.]*$/.test(name)) return name;

  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;

  const { encodeWords } = require('nodemailer/lib/mime-funcs') as { encodeWords(s: string, enc: string, max: number): string };
  return encodeWords(name, 'Q', 52);
}

/** Longest series name kept in List-Id: the phrase is a label for filters and people, not the name's home. */
const LIST_ID_PHRASE_MAX = 60;

/**
 * A URL that goes between <…> in a list header (RFC 2369 §2): a URL holding `<`, `>`, `,`, a quote,
 * a space or a control character would end the URI there and could start another one
 * (`…>,<mailto:…`); refused, naming the rali.yaml field.
 */
function headerUrl(url: string, field: string): string {
  const bad = /[<>,"\s\u0000-\u001f\u007f-\u009f]/.exec(url);
  if (bad || !/^(https?|mailto):/i.test(url)) {
    const what = bad ? `holds ${JSON.stringify(bad[0])}` : 'is not an http(s) URL';
    throw new RaliError(
      `rali.yaml: ${field}: the URL ${what} — write it percent-encoded (< %3C, > %3E, , %2C, space %20, " %22), starting with https://`,
    );
  }
  return url;
}

/**
 * A text or HTML part in quoted-printable where no line starts with "From ": an mbox archive
 * (Thunderbird's local folders, mailman, MHonArc's input) turns such a line into ">From " (RFC 4155
 * §2), and readers see the ">" — "From theory to practice" at the start of a wrapped abstract line.
 * nodemailer's encoder leaves "From " literal (and sends an ASCII-only part as 7bit), so the part is
 * built here with nodemailer's own QP encoder and line wrapping, every "From " written "=46rom " (RFC
 * 2045 §6.7 (1): any character may be encoded; decoded, the text is the same) before the lines are
 * wrapped, so no soft line break can put one at the start of a line either.
 */
function textPart(contentType: string, text: string): string {
  const qp = require('nodemailer/lib/qp') as { encode(s: string): string; wrap(s: string, len: number): string };
  const body = qp.wrap(qp.encode(text.replace(/\r?\n/g, '\r\n')).replace(/From /g, '=46rom '), 76);
  return `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}`;
}

/** nodemailer options for a rendered message; `to` and `messageId` may be placeholders. */
export function mailOptions(series: Series, rendered: Rendered, to: string, msgId: string, date: DateTime) {
  const listId = `${series.id}.${series.domain}`;
  // Checked here too because List-Unsubscribe is built from it per recipient.
  if (series.unsubscribeUrl) headerUrl(series.unsubscribeUrl.replace(/\{(email|token|list)\}/g, ''), 'series.unsubscribe_url');
  else if (series.serve) headerUrl(series.serve.url, 'serve.url');
  const name = headerText(series.name[rendered.langs[0]]);
  const short =
    [...name].length > LIST_ID_PHRASE_MAX
      ? `${[...name]
          .slice(0, LIST_ID_PHRASE_MAX - 3)
          .join('')
          .trimEnd()}...`
      : name;
  const headers: Record<string, string | { prepared: boolean; value: string }> = {
    // RFC 2919: the series' name as a comment, then the list's id; shortened and folded so the
    // line stays under RFC 5322's 998 octets (§2.1.1) whatever the name's length.
    'List-Id': {
      prepared: true,
      value: funcs()
        .foldLines(`List-Id: ${phrase(short)} <${listId}>`, 76)
        .replace(/^List-Id: /, '')
        .trimEnd(),
    },
    'Auto-Submitted': 'auto-generated', // RFC 3834 §5
    'Content-Language': rendered.langs.map((l) => HTML_LANG[l]).join(', '), // RFC 3282
  };
  if (series.archiveUrl) headers['List-Archive'] = `<${headerUrl(series.archiveUrl, 'series.archive_url')}>`;
  if (series.subscribeUrl) headers['List-Subscribe'] = `<${headerUrl(series.subscribeUrl, 'series.subscribe_url')}>`;
  return {
    from: series.from.name ? { name: series.from.name, address: series.from.address } : series.from.address,
    replyTo: series.replyTo,
    to,
    subject: rendered.subject,
    messageId: msgId,
    date: new Date(date.toMillis()),
    headers,
    // multipart/alternative in the order text/plain, text/calendar, text/html: RFC 2046 §5.1.4 makes
    // the last part the preferred one, so mail clients show the HTML and archivers that show one
    // alternative (MHonArc) show it too, not the calendar (nodemailer's icalEvent puts the calendar
    // last). Outlook and Gmail look for text/calendar; method=… anywhere in the alternative.
    // checklist §20–22: the MIME method= must equal the file's METHOD; the same file is attached
    // under our own filename for clients that only offer attachments.
    alternatives: [
      { raw: textPart('text/plain; charset=utf-8', rendered.text) },
      ...(rendered.ics
        ? [{ contentType: `text/calendar; charset=utf-8; method=${rendered.ics.method}`, content: rendered.ics.content }]
        : []),
      { raw: textPart('text/html; charset=utf-8', rendered.html) },
    ],
    attachments: rendered.ics
      ? [
          {
            filename: rendered.ics.filename,
            content: rendered.ics.content,
            contentType: 'application/ics',
            contentDisposition: 'attachment' as const,
            headers: { 'Content-Transfer-Encoding': 'base64' },
          },
        ]
      : [],
    // The text and HTML parts hold only what the templates wrote; no tracking, no extra attachments (§23).
    // RFC 5322 §2.3: CR and LF only together; the templates write \n, nodemailer keeps it unless told.
    newline: '\r\n',
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * The composed message with canonical line ends: CRLF only, no bare CR or LF anywhere (RFC 5322
 * §2.3; a bare LF is a line end to some servers and not to others: SMTP smuggling).
 */
export function composeRaw(options: ReturnType<typeof mailOptions>): Promise<Buffer> {
  const MailComposer = require('nodemailer/lib/mail-composer') as new (o: unknown) => {
    compile(): { build(cb: (e: Error | null, b: Buffer) => void): void };
  };
  return new Promise((resolve, reject) =>
    new MailComposer({ ...options, newline: 'windows' }).compile().build((e, b) => (e ? reject(e) : resolve(canonicalCrlf(b)))),
  );
}

type MimeFuncs = { encodeWords(s: string, enc: string, max: number): string; foldLines(s: string, len: number): string };
let mimeFuncs: MimeFuncs | undefined;
const funcs = () => (mimeFuncs ??= require('nodemailer/lib/mime-funcs') as MimeFuncs);

/** A display name as RFC 5322 wants it: bare, quoted, or RFC 2047 encoded words. */
function displayName(name: string): string {
  const clean = headerText(name);
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/.test(clean)) return clean;

  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/["\\]/g, '\\$&')}"`;
  return funcs().encodeWords(clean, 'Q', 52);
}

/**
 * Header lines for one recipient. Built by hand, not with nodemailer's MimeNode, because this
 * runs once per recipient; the folding and encoding are nodemailer's (mime-funcs).
 */
export function recipientHeaders(to: Recipient, msgId: string, links: UnsubscribeLinks): string {
  const name = to.name ? displayName(to.name) : '';
  // The address as the envelope has it: an internationalized domain in A-labels (ASCII).
  const address = wireAddress(to.email);
  const lines = [
    funcs()
      .foldLines(`To: ${name ? `${name} <${address}>` : address}`, 76)
      .trimEnd(),
    `Message-ID: ${msgId}`,
    // One header with both URIs (checklist §29; RFC 8058 §3.1), https first.
    `List-Unsubscribe: ${[links.https, links.mailto]
      .filter(Boolean)
      .map((u) => `<${u}>`)
      .join(',\r\n ')}`,
  ];
  if (links.https) lines.push('List-Unsubscribe-Post: List-Unsubscribe=One-Click'); // §30
  return lines.join('\r\n');
}

/**
 * A composed variant: the same bytes for every recipient but three headers, CRLF only — and, when the
 * variant was rendered for the placeholder attendee (METHOD:REQUEST), the calendar parts, re-encoded
 * with each recipient's ATTENDEE line, and the footer's link with the recipient's token (splice.ts).
 */
export class Variant {
  private readonly splice?: RecipientSplice;
  private constructor(
    private readonly head: string,
    private readonly body: Buffer,
  ) {
    this.splice = RecipientSplice.find(body);
  }

  static async compose(series: Series, rendered: Rendered, date: DateTime): Promise<Variant> {
    const raw = await composeRaw(mailOptions(series, rendered, RCPT_PLACEHOLDER, MSGID_PLACEHOLDER, date));
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1');
    const lines = head.split('\r\n');
    const kept = lines.filter((l) => l !== `To: ${RCPT_PLACEHOLDER}` && l !== `Message-ID: ${MSGID_PLACEHOLDER}`);
    if (kept.length !== lines.length - 2) throw new Error('composed message lacks the placeholder headers');
    return new Variant(kept.join('\r\n'), raw.subarray(split));
  }

  /** The exact bytes for `to` (the body is shared between recipients, the headers are theirs). */
  forRecipient(to: Recipient, msgId: string, links: UnsubscribeLinks): Buffer {
    return Buffer.concat([this.headFor(to, msgId, links), ...(this.splice ? this.splice.for(to, links.token) : [this.body])]);
  }

  private headFor(to: Recipient, msgId: string, links: UnsubscribeLinks): Buffer {
    // Header values are single lines (headerText), so the recipient's lines cannot add a bare CR or LF.
    // Their text is UTF-8: an address beyond ASCII (josé@…, sent with SMTPUTF8) is UTF-8 in the
    // header too (RFC 6532 §3.2); the composed headers are ASCII already (encoded words).
    const mine = recipientHeaders(to, msgId, links).replace(/\r?\n|\r/g, '\r\n');
    return /^[\x00-\x7f]*$/.test(mine)
      ? Buffer.from(`${mine}\r\n${this.head}`, 'latin1')
      : Buffer.concat([Buffer.from(`${mine}\r\n`, 'utf8'), Buffer.from(this.head, 'latin1')]);
  }
}

/** A mail of rali serve (the confirmation of a sign-up): one recipient, text and HTML, no list headers. */
export interface Notice {
  from: Series['from'];
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The language of the mail (fr-CA, en-CA). */
  lang: string;
  messageId: string;
  date: Date;
}

/** The bytes of a notice, CRLF only (composed by nodemailer, as the announcements are). */
export function composeNotice(n: Notice): Promise<Buffer> {
  const MailComposer = require('nodemailer/lib/mail-composer') as new (o: unknown) => {
    compile(): { build(cb: (e: Error | null, b: Buffer) => void): void };
  };
  const options = {
    from: n.from.name ? { name: headerText(n.from.name), address: n.from.address } : n.from.address,
    to: n.to,
    subject: headerText(n.subject),
    messageId: n.messageId,
    date: n.date,
    // Sent because a form was filled in, not by a person (RFC 3834 §5): no auto-replies to it.
    headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': n.lang },
    text: n.text,
    html: n.html,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  return new Promise((resolve, reject) => new MailComposer(options).compile().build((e, b) => (e ? reject(e) : resolve(canonicalCrlf(b)))));
}
