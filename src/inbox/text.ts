/**
 * Small linear-time text helpers for reading mail from strangers: no regular expression here runs
 * over a whole message with a quantifier that could backtrack; addresses, header fields and status
 * codes are found by scanning.
 */

/** Lines of `text`, whatever the line ends (LF, CRLF or CR). */
export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

const isControl = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f);
/** Characters that reorder or hide text in a terminal: zero-width, bidi controls, line separators. */
const isInvisible = (c: number) =>
  (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x2028 || c === 0x2029;

/** Length of the terminal escape sequence that starts at `i` (ESC or CSI), 1 if it is a lone ESC. */
function escapeLength(s: string, i: number): number {
  let j = i + 1;
  let csi = s.charCodeAt(i) === 0x9b;
  if (!csi) {
    const next = s[j];
    if (next === '[') {
      csi = true;
      j++;
    } else if (next === ']' || next === 'P' || next === '_' || next === '^') {
      // OSC / DCS / APC / PM: up to BEL or ST (ESC \)
      for (j++; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c === 0x07 || c === 0x9c) return j + 1 - i;
        if (c === 0x1b) return (s[j + 1] === '\\' ? j + 2 : j) - i;
      }
      return j - i;
    } else return next === undefined ? 1 : 2;
  }
  // CSI: parameter bytes 0x30–0x3f, intermediate bytes 0x20–0x2f, one final byte 0x40–0x7e
  while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x3f) j++;
  if (j < s.length && s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e) j++;
  return j - i;
}

/**
 * One line for a terminal from text a stranger wrote: escape sequences and control or invisible
 * characters removed (each run becomes one space), whitespace collapsed, cut at `max` characters.
 */
export function clean(text: string, max = 160): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length && out.length <= max;) {
    const c = text.charCodeAt(i);
    if (c === 0x1b || c === 0x9b) {
      i += escapeLength(text, i);
      space = true;
      continue;
    }
    i++;
    if (isControl(c) || isInvisible(c) || c === 0x20 || c === 0xa0) {
      space = true;
      continue;
    }
    if (space && out) out += ' ';
    space = false;
    out += String.fromCharCode(c);
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

const LOCAL_SPECIALS = ".!#$%&'*+/=?^_`{|}~-";
const isAlnum = (ch: string) => (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
const isWide = (ch: string) => ch.charCodeAt(0) > 0x7f && /[\p{L}\p{N}]/u.test(ch);
const isLocalChar = (ch: string) => isAlnum(ch) || LOCAL_SPECIALS.includes(ch) || isWide(ch);
const isDomainChar = (ch: string) => isAlnum(ch) || ch === '.' || ch === '-' || isWide(ch);

/**
 * The e-mail addresses in `text`, each once, in order; lower case unless `keepCase` (a token in a
 * local part may be case-sensitive). Linear: each `@` looks at most 64 characters back.
 */
export function addressesIn(text: string, keepCase = false): string[] {
  const out: string[] = [];
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', Math.max(at + 1, from))) {
    let start = at;
    if (text[at - 1] === '"') {
      // a quoted local part: "neko....nyaan"@example.org
      const open = text.lastIndexOf('"', at - 2);
      if (open >= from && at - open <= 66) start = open;
    } else while (start > from && at - start < 64 && isLocalChar(text[start - 1])) start--;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomainChar(text[end])) end++;
    let local = text.slice(start, at);
    while (local.startsWith('.')) local = local.slice(1);
    if (local === '""') local = '';
    let domain = text.slice(at + 1, end);
    while (domain.endsWith('.') || domain.endsWith('-')) domain = domain.slice(0, -1);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (local && domain.includes('.') && tld.length >= 2 && /[^\d-]/.test(tld)) {
      const a = keepCase ? `${local}@${domain}` : `${local}@${domain}`.toLowerCase();
      if (!out.includes(a)) out.push(a);
      from = end;
    }
  }
  return out;
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
    const first = line.charAt(0);
    if ((first === ' ' || first === '\t') && out.length) {
      const more = line.trim();
      if (more) out[out.length - 1].value += ` ${more}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon > 0 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) out.push({ name: name.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return out;
}

/** The header block of a message: everything before the first empty line. */
export function headerBlock(text: string): string {
  const m = /\r?\n\r?\n|\r\r/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** Every value of the named field, in order. */
export const valuesOf = (f: Field[], name: string): string[] => f.filter((x) => x.name === name).map((x) => x.value);

/** The first enhanced status code (RFC 3463, "5.1.1") in `text`: not part of a longer dotted number (an IP address). */
export function statusIn(text: string): string | undefined {
  const re = /([245])\.(\d{1,3})\.(\d{1,3})/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const before = text.charAt(m.index - 1);
    const after = text.charAt(m.index + m[0].length);
    if (!/[\d.]/.test(before) && !/\d/.test(after) && !(after === '.' && /\d/.test(text.charAt(m.index + m[0].length + 1))))
      return `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
    re.lastIndex = m.index + 1;
  }
  return undefined;
}

/** Message-IDs (`<…>`) in a field value. */
export function idsIn(value: string): string[] {
  const out: string[] = [];
  for (let open = value.indexOf('<'); open >= 0; open = value.indexOf('<', open + 1)) {
    const close = value.indexOf('>', open);
    if (close < 0) break;
    const id = value.slice(open, close + 1);
    if (id.length > 2 && id.includes('@') && !/[\s<]/.test(id.slice(1, -1)) && !out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Whether `text` (lower case) holds one of `phrases` starting at a word boundary (not after an ASCII
 * letter or digit). The end is open, so "blacklist" also finds "blacklisted".
 */
export function hasPhrase(text: string, phrases: readonly string[]): boolean {
  for (const p of phrases) for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) if (!isAlnum(text.charAt(i - 1))) return true;
  return false;
}
