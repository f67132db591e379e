/**
 * Small linear-time text helpers for reading mail from strangers. The regular expressions here
 * either start with a literal or are anchored, and none has a quantifier over characters another
 * quantifier next to it could also take: none can backtrack over a whole message.
 */

/** Lines of `text`, whatever the line ends (LF, CRLF or CR). */
export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Terminal escape sequences: CSI (ESC [ or the 8-bit CSI, parameters, one final byte), the string
 * sequences OSC, DCS, APC and PM (up to BEL or ST), and any other ESC with the character after it.
 */
const ESCAPES =
  /(?:\u001b\[|\u009b)[\u0020-\u003f]*[\u0040-\u007e]?|\u001b[\]P_^][^\u0007\u009c\u001b]*(?:\u0007|\u009c|\u001b\\)?|\u001b[^]/g;
/** Control characters, whitespace, zero-width characters, bidi controls, line and paragraph separators. */
const BLANKS = /[\u0000-\u0020\u007f-\u00a0\u200b-\u200f\u2028-\u202e\u2066-\u2069]+/g;

/**
 * One line for a terminal from text a stranger wrote: escape sequences and control or invisible
 * characters removed (each run becomes one space), cut at `max` characters.
 */
export function clean(text: string, max = 160): string {
  const line = text.replace(ESCAPES, ' ').replace(BLANKS, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The local part that ends `before`: quoted, or at most 64 of the characters RFC 5322 allows unquoted (and letters of any script). */
function localPart(before: string): string {
  const quoted = /"[^"]{1,64}"$/.exec(before.slice(-66));
  return quoted ? quoted[0] : /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]*$/u.exec(before.slice(-64))![0].replace(/^\.+/, '');
}

/**
 * The e-mail addresses in `text`, each once, in order; lower case unless `keepCase` (a token in a
 * local part may be case-sensitive). Linear: the text is split at each `@`, and each side is read
 * for at most 64 and 253 characters.
 */
export function addressesIn(text: string, keepCase = false): string[] {
  const out = new Set<string>();
  const pieces = text.split('@');
  let taken = 0; // how much of the piece before this @ the previous address's domain took
  for (let i = 1; i < pieces.length; i++) {
    const local = localPart(pieces[i - 1].slice(taken));
    const after = pieces[i];
    const found = /^[\p{L}\p{N}.-]*/u.exec(after.slice(0, 253))![0];
    let domain = found;
    while (domain.endsWith('.') || domain.endsWith('-')) domain = domain.slice(0, -1);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    taken = 0;
    if (local && domain.includes('.') && tld.length > 1 && /\D/.test(tld)) {
      out.add(keepCase ? `${local}@${domain}` : `${local}@${domain}`.toLowerCase());
      taken = found.length;
    }
  }
  return [...out];
}

export interface Field {
  /** Lower case. */
  name: string;
  value: string;
}

/** The "Name: value" fields of a header block (or a DSN / ARF part), folded lines joined, in order. */
export function fields(text: string): Field[] {
  const out: Field[] = [];
  for (const line of lines(text)) {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const name = /^[A-Za-z][\w-]*(?=:)/.exec(line)?.[0];
    if (name) out.push({ name: name.toLowerCase(), value: line.slice(name.length + 1).trim() });
  }
  return out;
}

/** The header block of a message: everything before the first empty line. */
export function headerBlock(text: string): string {
  return text.split(/\r?\n\r?\n|\r\r/, 1)[0];
}

/** Every value of the named field, in order. */
export const valuesOf = (f: Field[], name: string): string[] => f.filter((x) => x.name === name).map((x) => x.value);

/**
 * The enhanced status codes (RFC 3463, "5.1.1") in `text`, at most `max`, without leading zeros:
 * not part of a longer dotted number (an IP address, a version).
 */
export function statusCodes(text: string, max = 3): string[] {
  const out: string[] = [];
  const re = /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?!\d|\.\d)/g;
  for (let m = re.exec(text); m && out.length < max; m = re.exec(text)) out.push(m[1].split('.').map(Number).join('.'));
  return out;
}

/** The first enhanced status code in `text`. */
export const statusIn = (text: string): string | undefined => statusCodes(text, 1)[0];

/** Message-IDs (`<…@…>`) in a field value, each once. */
export function idsIn(value: string): string[] {
  return [...new Set(value.match(/<[^<>\s@]+@[^<>\s]+>/g))];
}

/**
 * Whether `text` (lower case) holds one of `phrases` starting at a word boundary (not after an ASCII
 * letter or digit). The end is open, so "blacklist" also finds "blacklisted".
 */
export function hasPhrase(text: string, phrases: readonly string[]): boolean {
  for (const p of phrases)
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) if (!/[a-z0-9]/i.test(text.charAt(i - 1))) return true;
  return false;
}
