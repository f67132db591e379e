/**
 * REQUEST invitations name each recipient as an ATTENDEE (RFC 5546 §3.2.2), so the calendar part
 * differs per recipient. Composing MIME per recipient costs ~2 ms a message; instead a variant is
 * composed once with a placeholder attendee, and each recipient's copy re-encodes only the calendar
 * parts (text/calendar, application/ics) with their own ATTENDEE line, in the transfer encoding
 * nodemailer chose, with nodemailer's own encoders. The result reads exactly as if composed for them.
 */
import { fold } from './ics';

/** The attendee a variant is composed with; never leaves the machine. */
export const PLACEHOLDER_ATTENDEE = { email: 'rali-attendee@rali.invalid', name: 'RALI ATTENDEE PLACEHOLDER é' }; // one non-ASCII letter: nodemailer then picks quoted-printable, which any name fits

type Encoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

interface CalendarPart {
  start: number;
  end: number;
  encoding: Encoding;
  ics: string;
}

let libs:
  | {
      b64: { encode(b: Buffer): string; wrap(s: string, n: number): string };
      qp: { encode(b: Buffer): string; wrap(s: string, n: number): string };
    }
  | undefined;
const lib = () =>
  (libs ??= {
    b64: require('nodemailer/lib/base64'),

    qp: require('nodemailer/lib/qp'),
  });

function decode(body: string, encoding: Encoding): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
    return bytes.toString('utf8');
  }
  return Buffer.from(body, 'latin1').toString('utf8');
}

function encode(text: string, encoding: Encoding): string {
  const buf = Buffer.from(text, 'utf8');
  if (encoding === 'base64') return lib().b64.wrap(lib().b64.encode(buf), 76);
  if (encoding === 'quoted-printable') return lib().qp.wrap(lib().qp.encode(buf), 76);
  return buf.toString('latin1');
}

/** A parameter value: quoted, without DQUOTE or controls (RFC 5545 §3.2). */
function paramValue(s: string): string {
  return `"${s.replace(/["\u0000-\u001f\u007f]/g, '').trim()}"`;
}

/** The calendar text for one attendee: the placeholder's ATTENDEE line rewritten and refolded. */
export function icsFor(ics: string, attendee: { email: string; name?: string }): string {
  const lines = ics.split(/\r\n(?![ \t])/);
  return lines
    .map((folded) => {
      const line = folded.replace(/\r\n[ \t]/g, '');
      if (!line.includes(PLACEHOLDER_ATTENDEE.email)) return folded;
      let l = line.replace(
        new RegExp(`;CN=(?:"${PLACEHOLDER_ATTENDEE.name}"|${PLACEHOLDER_ATTENDEE.name})`),
        `;CN=${paramValue(attendee.name || attendee.email)}`,
      ); // with no name, the address (as buildIcs writes it)
      l = l.replace(PLACEHOLDER_ATTENDEE.email, attendee.email);
      return fold(l);
    })
    .join('\r\n');
}

/**
 * The calendar parts of a composed message that hold the placeholder attendee. Undefined when
 * there are none (PUBLISH, no calendar): the variant's bytes then serve every recipient as they are.
 */
export class CalendarSplice {
  private constructor(
    private readonly body: Buffer,
    private readonly parts: CalendarPart[],
  ) {}

  static find(body: Buffer): CalendarSplice | undefined {
    const text = body.toString('latin1');
    if (!text.includes('text/calendar') && !text.includes('application/ics')) return undefined;
    const parts: CalendarPart[] = [];
    // Each leaf part: its headers, a blank line, its body up to the next boundary line.
    const re = /\r\n--([^\r\n]+)\r\n((?:[^\r\n]+\r\n)+)\r\n/g;
    // Only the boundaries the message declares: a text line such as the signature separator "-- "
    // also starts with two dashes.
    // (The outermost one is declared in the message header, not here: it opens the body.)
    const declared = new Set([...text.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((b) => b[1]));
    const outer = /^(?:\r\n)+--([^\r\n]+)\r\n/.exec(text);
    if (outer) declared.add(outer[1]);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!declared.has(m[1])) {
        re.lastIndex = m.index + 2;
        continue;
      }
      const headers = m[2].replace(/\r\n[ \t]+/g, ' ');
      if (!/^content-type:\s*(text\/calendar|application\/ics)/im.test(headers)) continue;
      const encoding = (/^content-transfer-encoding:\s*([\w-]+)/im.exec(headers)?.[1] ?? '7bit').toLowerCase() as Encoding;
      const start = m.index + m[0].length;
      const end = text.indexOf(`\r\n--${m[1]}`, start);
      if (end < 0) continue;
      const ics = decode(text.slice(start, end), encoding);
      if (ics.includes(PLACEHOLDER_ATTENDEE.email)) parts.push({ start, end, encoding, ics });
    }
    return parts.length ? new CalendarSplice(body, parts) : undefined;
  }

  /** The body for one attendee, as chunks (the parts around the calendars are shared, not copied). */
  for(attendee: { email: string; name?: string }): Buffer[] {
    const chunks: Buffer[] = [];
    let at = 0;
    for (const p of this.parts) {
      chunks.push(this.body.subarray(at, p.start));
      chunks.push(Buffer.from(encode(icsFor(p.ics, attendee), p.encoding), 'latin1'));
      at = p.end;
    }
    chunks.push(this.body.subarray(at));
    return chunks;
  }
}
