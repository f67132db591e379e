/**
 * A small MIME reader for reports: the leaf parts of a message, in order, decoded. An attached
 * message (message/rfc822, message/global) is a leaf: its text is never mixed with the report's
 * own (a general-purpose parser shows an inline attached message as part of the body, and a
 * bounce's returned copy would then read as its diagnostic). Linear: lines are compared with the
 * boundaries, nothing backtracks; nesting and the number of parts are bounded.
 */
import { Field, fields, headerBlock } from './text';

export interface Part {
  /** Content type, lower case (text/plain when none is given). */
  type: string;
  /** Content-Disposition, lower case (inline, attachment), '' when none is given. */
  disposition: string;
  /** The decoded content: text in its charset; an attached message as it is. */
  text: string;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 100;

/** Type and parameters of a Content-Type value (quoted values unquoted; no RFC 2231 continuations). */
export function contentType(value: string): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  for (const m of value.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g))
    params.set(m[1].toLowerCase(), m[3] ?? m[2].replace(/\\(.)/g, '$1'));
  return { type: value.split(';')[0].trim().toLowerCase() || 'text/plain', params };
}

/** Quoted-printable (RFC 2045 §6.7) to bytes. */
export function decodeQuotedPrintable(s: string): Buffer {
  const out = Buffer.alloc(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.slice(i + 1, i + 3);
    if (c === 0x3d && /[0-9A-Fa-f]{2}/.test(next)) {
      out[n++] = parseInt(next, 16);
      i += 2;
    } else if (c === 0x3d && next.startsWith('\n')) i++;
    else if (c === 0x3d && next === '\r\n') i += 2;
    else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Bytes in `charset` to text; UTF-8 when the charset is not known. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** `raw` split into its header fields and body (a byte per character, latin1). */
function split(raw: string): { headers: Field[]; body: string } {
  // a part with no header fields starts with its empty line
  const head = /^\r?\n/.test(raw) ? '' : headerBlock(raw);
  return { headers: fields(head), body: raw.slice(head.length).replace(head ? /^(?:\r?\n\r?\n|\r\r)/ : /^\r?\n/, '') };
}

/**
 * The leaf parts of a message given a byte per character (`buffer.toString('latin1')`); of each,
 * at most `max` bytes are decoded.
 */
export function leafParts(raw: string, max = Infinity): Part[] {
  const out: Part[] = [];
  walk(raw, 0, out, max);
  return out;
}

function walk(raw: string, depth: number, out: Part[], max: number): void {
  const { headers, body } = split(raw);
  const header = (name: string) => headers.find((f) => f.name === name)?.value ?? '';
  const { type, params } = contentType(header('content-type'));
  const boundary = params.get('boundary');
  if (type.startsWith('multipart/') && boundary && depth < MAX_DEPTH) {
    const parts = bodies(body, boundary);
    if (parts.length) {
      for (const p of parts) if (out.length < MAX_PARTS) walk(p, depth + 1, out, max);
      return;
    }
  }
  // a multipart whose boundary is never used is read as the text it is
  const leafType = type.startsWith('multipart/') ? 'text/plain' : type;
  const encoding = header('content-transfer-encoding').toLowerCase();
  const some = body.slice(0, max);
  const bytes =
    encoding === 'base64'
      ? Buffer.from(some, 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(some)
        : Buffer.from(some, 'latin1');
  out.push({
    type: leafType,
    disposition: header('content-disposition').split(';')[0].trim().toLowerCase(),
    text: decodeCharset(bytes, params.get('charset')),
  });
}

/** The bodies between the `--boundary` lines of a multipart body (none when the boundary is not used). */
function bodies(body: string, boundary: string): string[] {
  const out: string[] = [];
  let part: string[] | undefined;
  for (const line of body.split('\n')) {
    const l = line.trimEnd();
    if (l === `--${boundary}` || l === `--${boundary}--`) {
      // the line end before a boundary line belongs to it
      if (part) out.push(part.join('\n').replace(/\r$/, ''));
      if (l !== `--${boundary}`) return out;
      part = [];
    } else part?.push(line);
  }
  if (part) out.push(part.join('\n'));
  return out;
}

/** Text of an HTML part: tags dropped (a line break for those that break lines), common entities decoded. */
export function htmlText(html: string): string {
  let out = '';
  for (let i = 0; i < html.length; i++) {
    if (html[i] !== '<') {
      out += html[i];
      continue;
    }
    const close = html.indexOf('>', i);
    if (close === -1) break;
    if (/^<\/?(?:br|p|div|tr|li|h\d)\b/i.test(html.slice(i, close))) out += '\n';
    i = close;
  }
  return out
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d{1,6});/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}
