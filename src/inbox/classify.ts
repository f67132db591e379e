/**
 * What an incoming message is: a bounce (RFC 3464 report or one of the common non-standard
 * formats), a complaint (RFC 5965 ARF), an unsubscribe request, an auto-reply, an iTIP reply,
 * or something for a person to read. Pure: the matching to what rali sent is in process.ts.
 */
import { ParsedMail, simpleParser } from 'mailparser';

export type Kind = 'hard' | 'soft' | 'delayed' | 'complaint' | 'unsubscribe' | 'autoreply' | 'itip' | 'unknown';

export interface Classified {
  kind: Kind;
  /** Addresses the message is about: failed recipients, the complainer, the one who unsubscribes. */
  addresses: string[];
  /** Message-IDs found in the returned message or headers (every `<…>` after a Message-ID field). */
  returnedIds: string[];
  /** Enhanced status code when the message gives one (5.1.1). */
  status?: string;
  /** One line for people: the format and the diagnostic. */
  reason: string;
  /** The message's own Message-ID (for the record of what was processed). */
  messageId?: string;
  /** Envelope-ish recipients of the incoming message (To, Delivered-To, X-Original-To): where a VERP token shows. */
  deliveredTo: string[];
  from?: string;
  subject: string;
}

const EMAIL = /[A-Za-z0-9._%+'=!#$&*/?^`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

const HARD_TEXT =
  /user unknown|user not found|unknown user|no such user|user (?:does not|doesn't) exist|does not exist|doesn't exist|no such (?:mailbox|recipient|address)|mailbox (?:unavailable|not found|does not exist)|recipient (?:address )?(?:rejected|not found|unknown)|invalid (?:recipient|mailbox|address)|unknown (?:recipient|address|local[- ]part)|no mailbox here|not our customer|account (?:has been )?(?:disabled|deactivated|closed)|addressee unknown|couldn't be found|could not be found|no such domain|domain (?:not found|does not exist)|host (?:or domain name )?not found|name service error|no mx|unrouteable address|this user doesn't have a yahoo/i;
const SOFT_TEXT =
  /mailbox (?:is )?full|over ?quota|quota exceeded|exceeded (?:the |its |their )?(?:storage|quota)|insufficient (?:storage|disk)|out of storage|temporar(?:y|ily)|try again later|mailbox is inactive/i;
const BOUNCE_FROM =
  /^(?:mailer-daemon|postmaster|mail-daemon|mail delivery (?:subsystem|system)|microsoftexchange[0-9a-f]*|mailerdaemon)\b/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered mail|delivery status notification|delivery (?:has )?failed|delivery failure|failure notice|returned mail|mail delivery failed|message not delivered|could not be delivered|non remis|non distribuable|échec de la remise|delivery incomplete|mail system error/i;
const AUTOREPLY_SUBJECT =
  /^(?:auto(?:matic)?[ -]?reply|auto:|out of (?:the )?office|absence|r[ée]ponse automatique|absent|away from|on vacation|vacances|en cong[ée]|autoreply|abwesenheit)/i;
const UNSUBSCRIBE_WORDS =
  /\b(?:unsubscribe|unsub|d[ée]sabonne(?:r|z|ment|-moi)?|d[ée]sinscri(?:re|ption|vez|s-moi)|remove me|retire[rz]?-moi)\b/i;

function headerText(p: ParsedMail, name: string): string {
  const v = p.headers.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: string }).text);
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
  return String(v);
}

function addresses(s: string): string[] {
  return [...new Set((s.match(EMAIL) ?? []).map((a) => a.toLowerCase()))];
}

/** "Name: value" fields (with folded continuation lines) of a DSN or ARF part, in order. */
export function fields(text: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (/^[ \t]/.test(line) && out.length) {
      out[out.length - 1].value += ' ' + line.trim();
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (m) out.push({ name: m[1].toLowerCase(), value: m[2].trim() });
  }
  return out;
}

function statusOf(text: string): string | undefined {
  return /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(text)?.slice(1, 4).join('.');
}

/** hard, soft or delayed from an enhanced status code and the diagnostic text. */
function severity(status: string | undefined, action: string | undefined, text: string): 'hard' | 'soft' | 'delayed' {
  if (action && /delayed|relayed|expanded|delivered/i.test(action) && !/failed/i.test(action)) return 'delayed';
  if (status?.startsWith('4.')) return 'soft';
  if (status?.startsWith('5.')) {
    // 5.1.x: bad address or domain; 5.2.1: mailbox disabled; 5.4.4/5.4.1 unroutable / no such recipient (Exchange)
    if (/^5\.1\.|^5\.2\.1$|^5\.4\.[14]$/.test(status)) return 'hard';
    if (/^5\.2\.2$/.test(status)) return 'soft';
    return HARD_TEXT.test(text) ? 'hard' : 'soft';
  }
  if (SOFT_TEXT.test(text) && !HARD_TEXT.test(text)) return 'soft';
  if (HARD_TEXT.test(text)) return 'hard';
  return 'soft';
}

function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Every Message-ID field value in the text (returned headers, References of a reply, …). */
function messageIdsIn(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/^(?:message-id|original-message-id|x-original-message-id):[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/gim))
    ids.add(m[1]);
  return [...ids];
}

export async function classify(raw: Buffer): Promise<Classified> {
  const p: ParsedMail = await simpleParser(raw, { keepDeliveryStatus: true, skipImageLinks: true } as Parameters<typeof simpleParser>[1]);
  const subject = (p.subject ?? '').trim();
  const fromAddr = p.from?.value[0]?.address?.toLowerCase();
  const fromText = p.from?.text ?? '';
  const deliveredTo = addresses(
    [
      headerText(p, 'to'),
      headerText(p, 'delivered-to'),
      headerText(p, 'x-original-to'),
      headerText(p, 'envelope-to'),
      headerText(p, 'x-envelope-to'),
    ].join(' '),
  );
  const parts = p.attachments.map((a) => ({ type: a.contentType.toLowerCase(), text: a.content.toString('utf8') }));
  const body = [p.text ?? '', ...parts.filter((x) => x.type.startsWith('text/') || x.type.startsWith('message/')).map((x) => x.text)].join(
    '\n',
  );
  const rawText = raw.toString('latin1');
  const ownId = p.messageId;
  const returnedIds = [...new Set([...messageIdsIn(rawText), ...messageIdsIn(body)])].filter((id) => id !== ownId);
  const base = { returnedIds, messageId: ownId, deliveredTo, from: fromAddr, subject };
  const ctype = headerText(p, 'content-type').toLowerCase();
  const reportType = /report-type="?([a-z-]+)/.exec(rawText.slice(0, rawText.search(/\r?\n\r?\n/) + 1 || undefined).toLowerCase())?.[1];

  // RFC 5965 complaint
  const arf = parts.find((x) => x.type === 'message/feedback-report');
  if (arf || reportType === 'feedback-report') {
    const f = fields(arf?.text ?? '');
    const rcpt = f
      .filter((x) => x.name === 'original-rcpt-to' || x.name === 'removal-recipient')
      .map((x) => x.value)
      .join(' ');
    const orig = parts.find((x) => x.type === 'message/rfc822' || x.type === 'text/rfc822-headers')?.text ?? '';
    const origTo = fields(orig.split(/\r?\n\r?\n/)[0])
      .filter((x) => x.name === 'to')
      .map((x) => x.value)
      .join(' ');
    const type = f.find((x) => x.name === 'feedback-type')?.value ?? 'abuse';
    return {
      ...base,
      kind: 'complaint',
      addresses: addresses(rcpt || origTo),
      reason: `complaint (${type}) reported by ${f.find((x) => x.name === 'reported-domain')?.value ?? f.find((x) => x.name === 'user-agent')?.value ?? fromText}`,
    };
  }

  // RFC 3464 delivery status notification
  const dsn = parts.find((x) => x.type === 'message/delivery-status' || x.type === 'message/global-delivery-status');
  if (dsn || reportType === 'delivery-status') {
    const f = fields(dsn?.text ?? body);
    // one block per recipient: Final-Recipient starts one
    const recips: { addr: string[]; action?: string; status?: string; diag: string }[] = [];
    for (const x of f) {
      if (x.name === 'final-recipient' || (x.name === 'original-recipient' && !recips.length))
        recips.push({ addr: addresses(x.value), diag: '' });
      const r = recips[recips.length - 1];
      if (!r) continue;
      if (x.name === 'original-recipient' && !r.addr.length) r.addr = addresses(x.value);
      if (x.name === 'action') r.action = x.value;
      if (x.name === 'status') r.status = statusOf(x.value);
      if (x.name === 'diagnostic-code') r.diag = x.value.replace(/^smtp;\s*/i, '');
    }
    const failed = recips.filter((r) => r.addr.length);
    if (failed.length) {
      const r = failed[0];
      const kinds = failed.map((x) => severity(x.status, x.action, `${x.diag} ${body}`));
      const kind = kinds.includes('hard') ? 'hard' : kinds.includes('soft') ? 'soft' : 'delayed';
      const chosen = failed.filter((_, i) => kinds[i] === kind);
      const status = chosen[0].status ?? r.status;
      return {
        ...base,
        kind,
        addresses: [...new Set(chosen.flatMap((x) => x.addr))],
        status,
        reason: `${kind} bounce${status ? ` ${status}` : ''}: ${oneLine(chosen[0].diag || chosen[0].action || 'no diagnostic')} (report from ${fromText || 'unknown sender'})`,
      };
    }
  }

  // The non-standard bounces: from the mailer daemon, or with a bounce subject, and naming a failed address
  const looksBounce = BOUNCE_FROM.test(fromText) || BOUNCE_FROM.test(fromAddr ?? '') || BOUNCE_SUBJECT.test(subject);
  if (looksBounce && !/^(?:re|tr|fw|fwd)\s*:/i.test(subject)) {
    const found =
      nonStandardBounce(p.text ?? body) ??
      (deliveredTo.some((a) => a.includes('+'))
        ? { addresses: [], status: statusOf(p.text ?? ''), diag: (p.text ?? '').trim() }
        : undefined);
    if (found) {
      const kind = severity(found.status, undefined, found.diag);
      return {
        ...base,
        kind,
        addresses: found.addresses,
        status: found.status,
        reason: `${kind} bounce${found.status ? ` ${found.status}` : ''}: ${oneLine(found.diag)} (${fromText || 'mailer daemon'})`,
      };
    }
  }

  // iTIP reply: an attendee's calendar answered the invitation
  const cal = parts.find((x) => x.type === 'text/calendar' || x.type === 'application/ics');
  const calText = cal?.text ?? (/text\/calendar/.test(ctype) ? (p.text ?? '') : '');
  if (
    /^METHOD:REPLY\s*$/m.test(calText) ||
    /method="?reply/i.test(rawText.match(/content-type:[^\n]*text\/calendar[^\n]*(?:\n[ \t][^\n]*)*/i)?.[0] ?? '')
  ) {
    const partstat = /PARTSTAT=([A-Z-]+)/.exec(calText)?.[1];
    return {
      ...base,
      kind: 'itip',
      addresses: fromAddr ? [fromAddr] : [],
      reason: `calendar reply${partstat ? ` (${partstat.toLowerCase()})` : ''} from ${fromAddr ?? 'unknown'}`,
    };
  }

  // RFC 3834 auto-replies and the common vacation headers and subjects
  const autoSubmitted = headerText(p, 'auto-submitted').toLowerCase();
  const isAuto =
    (autoSubmitted && !autoSubmitted.startsWith('no')) ||
    p.headers.has('x-autoreply') ||
    p.headers.has('x-autorespond') ||
    /auto[-_ ]?reply/i.test(headerText(p, 'precedence')) ||
    /^(?:oof|autoreply)$/i.test(headerText(p, 'x-auto-response-suppress')) ||
    AUTOREPLY_SUBJECT.test(subject);
  if (isAuto)
    return {
      ...base,
      kind: 'autoreply',
      addresses: fromAddr ? [fromAddr] : [],
      reason: `auto-reply from ${fromAddr ?? 'unknown'}: ${oneLine(subject, 80)}`,
    };

  // Unsubscribe request (the List-Unsubscribe mailto: subject "unsubscribe <series>"; a person may write it in the body)
  const firstLines = (p.text ?? '')
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.startsWith('>'))
    .slice(0, 3)
    .join(' ');
  if (
    fromAddr &&
    (UNSUBSCRIBE_WORDS.test(subject) ||
      ((!subject.replace(/^(?:re|tr|fwd?)\s*:\s*/i, '').trim() || /^(?:re|tr|fwd?)\s*:/i.test(subject) || subject.length < 60) &&
        UNSUBSCRIBE_WORDS.test(firstLines) &&
        firstLines.length < 200))
  ) {
    return {
      ...base,
      kind: 'unsubscribe',
      addresses: [fromAddr],
      reason: `unsubscribe request by mail: "${oneLine(subject || firstLines, 60)}"`,
    };
  }

  return { ...base, kind: 'unknown', addresses: [], reason: oneLine(subject || '(no subject)', 80) };
}

/** qmail, plain Postfix text, GroupWise, Yahoo/AOL, Exchange text: the failed address and the line that says why. */
function nonStandardBounce(text: string): { addresses: string[]; status?: string; diag: string } | undefined {
  const t = text.replace(/\r\n/g, '\n');
  // stop at the returned message: its headers name the sender and other addresses
  const cut = t.search(
    /^(?:-{2,}.*(?:original message|below this line|returned message|message headers follow|copy of the message).*|Original message headers:|The original message was:|------ This is a copy of the message.*)$/im,
  );
  const head = cut > 0 ? t.slice(0, cut) : t;
  const patterns: RegExp[] = [
    /^<([^<>\s]+@[^<>\s]+)>:\s*\n?([\s\S]*?)(?:\n\n|$)/m, // qmail and Postfix text: <addr>: reason
    /(?:The following (?:address(?:es)?|recipients?)[^\n]*failed[^\n]*|Delivery to the following recipients? failed[^\n]*|Could not deliver message to the following recipient\(s\):|undeliverable to the following:?)[ \t]*\n+\s*<?([^<>\s:()]+@[^<>\s:()]+)>?:?[ \t]*([^\n]*(?:\n[ \t]+[^\n]*)*)/i,
    /^\s*([^\s<>:]+@[^\s<>:]+)\s*\n\s*((?:.*(?:unknown|not exist|full|quota|rejected|not found|unavailable|disabled|failed).*\n?)+)/im,
    /(?:failed|undeliverable|not (?:be )?delivered)[^\n]*?<?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?([\s\S]{0,300})/i,
  ];
  for (const re of patterns) {
    const m = re.exec(head);
    if (m) {
      const diag =
        m[2]
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(0, 3)
          .join(' ') || m[0];
      return { addresses: [m[1].toLowerCase()], status: statusOf(m[2]) ?? statusOf(head), diag };
    }
  }
  return undefined;
}
