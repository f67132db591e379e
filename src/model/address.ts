/**
 * Email addresses: what rali accepts (RFC 5321 limits, internationalized addresses of RFC 6531),
 * the `--to` argument, and the outbox file name of an address.
 */
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { RaliError } from '../errors';

/** RFC 5321 §4.5.3.1: a local part holds at most 64 octets, a path at most 256 (254 for the address). */
export const MAX_LOCAL_OCTETS = 64;
export const MAX_ADDRESS_OCTETS = 254;

// dot-atom local part; letters beyond ASCII are allowed (RFC 6531, sent with SMTPUTF8).
const LOCAL = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;

/** Why `s` is not an address rali can send to, or undefined when it is one. */
export function addressProblem(s: string): string | undefined {
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return 'is not an email address';
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_OCTETS)
    return `has a part before @ longer than ${MAX_LOCAL_OCTETS} bytes, which mail servers refuse`;
  if (Buffer.byteLength(s, 'utf8') > MAX_ADDRESS_OCTETS) return `is longer than ${MAX_ADDRESS_OCTETS} bytes, which mail servers refuse`;
  if (!LOCAL.test(local)) return 'is not an email address';
  // The domain as DNS sees it: пример.рф is xn--e1afmkfd.xn--p1ai.
  const ascii = /^[\x21-\x7e]+$/.test(domain) ? domain.toLowerCase() : domainToASCII(domain);
  if (!ascii || ascii.length > 253) return 'has a domain that is not a domain name';
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return 'has a domain that is not a domain name';
  const tld = labels[labels.length - 1];
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) return 'has a domain that is not a domain name';
  return undefined;
}

export function isAddress(s: string): boolean {
  return addressProblem(s) === undefined;
}

/**
 * One mailbox, one spelling: the form in which two spellings of the same address compare equal —
 * the subscriber key, the ledger's recipient key, duplicates, suppressions, `--to`. The local part
 * in Unicode NFC (`élise` typed on macOS may arrive decomposed, NFD), lowercased as rali always has;
 * the domain as DNS sees it (IDNA 2008/UTS 46 via Node's `domainToASCII`: `пример.рф` and
 * `xn--e1afmkfd.xn--p1ai` are one domain), lowercased. Plain ASCII addresses only lose their capitals.
 */
export function canonicalAddress(address: string): string {
  // 100,000 subscribers: most addresses are ASCII without xn-- labels, and only lose their capitals.
  if (ASCII.test(address)) return address.toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) return address.normalize('NFC').toLowerCase();
  return `${address.slice(0, at).normalize('NFC').toLowerCase()}@${asciiDomain(address.slice(at + 1))}`;
}

const ASCII = /^[\x00-\x7f]*$/;

/** A domain in A-labels, lowercased (`пример.рф` → `xn--e1afmkfd.xn--p1ai`); as given, lowercased, if it is not a domain. */
function asciiDomain(domain: string): string {
  const d = domain.normalize('NFC');
  return (ASCII.test(d) ? d.toLowerCase() : domainToASCII(d)) || d.toLowerCase();
}

/**
 * A map keyed by addresses as some store wrote them (a ledger from before canonical keys held
 * `user@пример.рф` lowercased only), re-keyed by their canonical form.
 */
export function byCanonical<V>(m: ReadonlyMap<string, V>): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of m) if (!out.has(canonicalAddress(k)) || k === canonicalAddress(k)) out.set(canonicalAddress(k), v);
  return out;
}

/**
 * The address as it goes on the wire (RCPT TO and the To: header): the local part as written, the
 * domain in A-labels. `user@пример.рф` then needs no SMTPUTF8 (RFC 5890: the A-label is the same
 * domain, and every server accepts it); only a local part beyond ASCII (`josé@…`) needs SMTPUTF8
 * (RFC 6531), which nodemailer asks for when the server offers it — a server that does not refuses
 * that recipient at RCPT, and `rali status --failed` shows it.
 */
export function wireAddress(address: string): string {
  if (ASCII.test(address)) return address;
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  return `${address.slice(0, at)}@${asciiDomain(address.slice(at + 1))}`;
}

/**
 * `--to ADDRESS`: exactly one bare, well-formed address. An empty value (an unset shell variable)
 * must never mean "everyone", and a line break must never reach a header or an SMTP command.
 */
export function parseAddressArg(value: string | undefined, flag = '--to'): string {
  if (value === undefined || value.trim() === '') {
    throw new RaliError(`${flag} is empty — give one address, e.g. ${flag} you@example.org (is the shell variable set?)`);
  }

  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) {
    throw new RaliError(`${flag}: holds a line break or control character — give one address on one line`);
  }
  const v = value.trim();
  if (/[,;]/.test(v) || /\s/.test(v) || (v.match(/@/g) ?? []).length > 1) {
    if (/[<>"]/.test(v))
      throw new RaliError(`${flag}: "${v}" has a display name — give the bare address only, e.g. ${flag} you@example.org`);
    throw new RaliError(`${flag}: "${v}" is several addresses — give exactly one`);
  }
  if (/[<>"]/.test(v))
    throw new RaliError(`${flag}: "${v}" is not a bare address — give it without <> or quotes, e.g. ${flag} you@example.org`);
  const why = addressProblem(v);
  if (why) throw new RaliError(`${flag}: "${v}" ${why} — give one address, e.g. ${flag} you@example.org`);
  return v;
}

/**
 * The file name of an address's message in the outbox: readable, safe on every file system
 * (no / \ : * ? " < > |, no leading dot, ASCII only), at most 200 bytes, and injective — two
 * different addresses never share a name, because the name ends with a hash of the exact address.
 */
export function outboxFileName(address: string): string {
  const hash = createHash('sha256').update(address, 'utf8').digest('hex').slice(0, 16);
  const readable = address
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9@._+-]/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 160);
  return `${readable}.${hash}.eml`;
}
