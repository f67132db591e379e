/**
 * REQUEST invitations name each recipient as an ATTENDEE (RFC 5546 §3.2.2), so the calendar part
 * differs per recipient. Composing MIME per recipient costs ~2 ms a message; instead a variant is
 * composed once with a placeholder attendee, and each recipient's copy re-encodes only the calendar
 * parts (text/calendar, application/ics) with their own ATTENDEE line, in the transfer encoding
 * nodemailer chose, with nodemailer's own encoders. The result reads exactly as if composed for them.
 *
 * The footer's link holds the recipient's token (links.ts): the text and HTML parts are composed
 * with a placeholder of a token's length and letters. In quoted-printable (or 7bit) the encoder
 * treats every such letter alike — never escaped, never a place to break a line — so its soft line
 * breaks fall at the same places for any token, and the token's letters are written over the
 * placeholder's, byte for byte, around the soft breaks (`=\r\n`) that may cut it. A base64 part is
 * decoded once and encoded again per recipient.
 */
import { fold } from './ics';
import { TOKEN_PLACEHOLDER } from './links';

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

/** Each leaf part of a composed body: its headers (unfolded), transfer encoding, and where its body is. */
function* leafParts(text: string): Generator<{ headers: string; encoding: Encoding; start: number; end: number }> {
  // Each leaf part: its headers, a blank line, its body up to the next boundary line.
  // (A part that opens its multipart follows the blank line of that multipart's headers: the line
  // end before its boundary is that blank line's, hence a lookbehind.)
  const re = /(?<=\r\n)--([^\r\n]+)\r\n((?:[^\r\n]+\r\n)+)\r\n/g;
  // Only the boundaries the message declares: a text line such as the signature separator "-- "
  // also starts with two dashes.
  // (The outermost one is declared in the message header, not here: it opens the body.)
  const declared = new Set([...text.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((b) => b[1]));
  const outer = /^(?:\r\n)+--([^\r\n]+)\r\n/.exec(text);
  if (outer) declared.add(outer[1]);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!declared.has(m[1])) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const headers = m[2].replace(/\r\n[ \t]+/g, ' ');
    const encoding = (/^content-transfer-encoding:\s*([\w-]+)/im.exec(headers)?.[1] ?? '7bit').toLowerCase() as Encoding;
    const start = m.index + m[0].length;
    const end = text.indexOf(`\r\n--${m[1]}`, start);
    if (end < 0) continue;
    yield { headers, encoding, start, end };
  }
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
    const parts = calendarParts(body.toString('latin1'));
    return parts.length ? new CalendarSplice(body, parts) : undefined;
  }

  /** The body for one attendee, as chunks (the parts around the calendars are shared, not copied). */
  for(attendee: { email: string; name?: string }): Buffer[] {
    return spliced(
      this.body,
      this.parts.map((p) => ({ start: p.start, end: p.end, bytes: () => [calendarBytes(p, attendee)] })),
    );
  }
}

function calendarParts(text: string): CalendarPart[] {
  if (!text.includes('text/calendar') && !text.includes('application/ics')) return [];
  const parts: CalendarPart[] = [];
  for (const p of leafParts(text)) {
    if (!/^content-type:\s*(text\/calendar|application\/ics)/im.test(p.headers)) continue;
    const ics = decode(text.slice(p.start, p.end), p.encoding);
    if (ics.includes(PLACEHOLDER_ATTENDEE.email)) parts.push({ start: p.start, end: p.end, encoding: p.encoding, ics });
  }
  return parts;
}

function calendarBytes(p: CalendarPart, attendee: { email: string; name?: string }): Buffer {
  return Buffer.from(encode(icsFor(p.ics, attendee), p.encoding), 'latin1');
}

/** A stretch of the body replaced for each recipient. */
interface Edit {
  start: number;
  end: number;
  bytes(attendee: { email: string; name?: string }, token: string): Buffer[];
}

/** The body with each edit's bytes in place of its stretch (the stretches between are shared, not copied). */
function spliced(body: Buffer, edits: { start: number; end: number; bytes: () => Buffer[] }[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    chunks.push(body.subarray(at, e.start));
    chunks.push(...e.bytes());
    at = e.end;
  }
  chunks.push(body.subarray(at));
  return chunks;
}

/** The placeholder as it may be laid out in quoted-printable: a soft line break anywhere between two letters. */
const PLACED = [...TOKEN_PLACEHOLDER].join('(?:=\r\n)?');

/** The edits that write a token over each placeholder of a text or HTML part, letter by letter around soft breaks. */
function tokenEdits(text: string, part: { start: number; end: number; encoding: Encoding }): Edit[] {
  const edits: Edit[] = [];
  if (part.encoding === 'base64') {
    const plain = decode(text.slice(part.start, part.end), 'base64');
    if (plain.includes(TOKEN_PLACEHOLDER))
      edits.push({
        start: part.start,
        end: part.end,
        bytes: (_a, token) => [Buffer.from(encode(plain.split(TOKEN_PLACEHOLDER).join(token), 'base64'), 'latin1')],
      });
    return edits;
  }
  const body = text.slice(part.start, part.end);
  for (const m of body.matchAll(new RegExp(PLACED, 'g'))) {
    // Runs of the placeholder's letters between soft breaks: [offset in the body, first letter, count].
    const runs: [number, number, number][] = [];
    let letter = 0;
    let i = 0;
    for (const piece of m[0].split('=\r\n')) {
      runs.push([part.start + m.index + i, letter, piece.length]);
      letter += piece.length;
      i += piece.length + 3;
    }
    for (const [at, first, n] of runs)
      edits.push({ start: at, end: at + n, bytes: (_a, token) => [Buffer.from(token.slice(first, first + n), 'latin1')] });
  }
  return edits;
}

/**
 * Everything of a composed body that differs per recipient: the calendar parts (the attendee) and
 * the footer's link (the token). Undefined when nothing does: the body serves every recipient as it is.
 */
export class RecipientSplice {
  private constructor(
    private readonly body: Buffer,
    private readonly edits: Edit[],
  ) {}

  static find(body: Buffer): RecipientSplice | undefined {
    const text = body.toString('latin1');
    const edits: Edit[] = calendarParts(text).map((p) => ({ start: p.start, end: p.end, bytes: (a) => [calendarBytes(p, a)] }));
    for (const p of leafParts(text)) if (/^content-type:\s*text\/(plain|html)/im.test(p.headers)) edits.push(...tokenEdits(text, p));
    edits.sort((a, b) => a.start - b.start);
    return edits.length ? new RecipientSplice(body, edits) : undefined;
  }

  /** The body for one recipient, as chunks. */
  for(attendee: { email: string; name?: string }, token: string): Buffer[] {
    if (token.length !== TOKEN_PLACEHOLDER.length || !/^[a-z0-9]+$/.test(token))
      throw new Error(`a token of ${token.length} characters cannot take the placeholder's place`);
    return spliced(
      this.body,
      this.edits.map((e) => ({ start: e.start, end: e.end, bytes: () => e.bytes(attendee, token) })),
    );
  }
}
