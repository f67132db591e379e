/**
 * The one token scheme of rali, for mail and web: a token is an HMAC of what it is for, the series
 * and the address, with a key kept in the ledger — so no one can make one for someone else's
 * address. Tokens are lower-case base32 (relays fold local parts; URLs and subjects carry them
 * as they are), prefixed by the version of the key that made them, so the key can rotate: tokens
 * of older keys stay valid (an unsubscribe link works for years).
 *
 *   1abcdefghijklmnop   version 1, 80 bits of HMAC-SHA256(key₁, "<purpose>\n<series>\n<address>")
 *
 * Uses: the envelope sender of each message (VERP: `bounce_address: rali-olst+{token}@…`), the
 * Message-ID (a bounce that returns it names its recipient, and a stranger cannot compute it), the
 * List-Unsubscribe mailto (`subject=unsubscribe <token>`) and https link, and the web pages of
 * `rali serve`. Tokens are derived, not stored: the recipient of a token is found by deriving the
 * token of each address rali knows.
 */
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { Series } from './series';

/**
 * What a token is for. `unsubscribe`: the List-Unsubscribe links and the footer's link to the
 * preferences page; `confirm`: a sealed sign-up (below); `signup`: the key of the note that limits
 * confirmation mails to one an address a day (an address never stored in the clear for it).
 */
export type Purpose = 'unsubscribe' | 'bounce' | 'message' | 'confirm' | 'preferences' | 'probe' | 'signup';

/** The keys of a series: the version new tokens are made with, and every version still accepted. */
export interface TokenKeys {
  current: number;
  keys: ReadonlyMap<number, string>;
}

/** For what is never sent (preview, the outbox): tokens of the right shape, of no key that exists. */
export const PLACEHOLDER_KEYS: TokenKeys = { current: 1, keys: new Map([[1, 'rali-placeholder-key']]) };

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function mac(key: string, purpose: Purpose, seriesId: string, address: string, extra = ''): string {
  return base32(
    createHmac('sha256', key)
      .update(`${purpose}\n${seriesId}\n${address.toLowerCase()}${extra ? `\n${extra}` : ''}`)
      .digest(),
  ).slice(0, 16);
}

/** A token of `purpose` for `address`, made with the current key. */
export function makeToken(keys: TokenKeys, purpose: Purpose, seriesId: string, address: string): string {
  return `${keys.current}${mac(keys.keys.get(keys.current)!, purpose, seriesId, address)}`;
}

/** The shape of a token: a version, then 16 base32 characters. */
export const TOKEN = /^[1-9][a-z2-7]{16}$/;

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Whether `token` is the token of `purpose` for `address` under one of the keys (in constant time). */
export function tokenMatches(keys: TokenKeys, token: string, purpose: Purpose, seriesId: string, address: string): boolean {
  const t = token.toLowerCase();
  if (TOKEN.test(t)) {
    const key = keys.keys.get(Number(t[0]));
    return key !== undefined && same(t.slice(1), mac(key, purpose, seriesId, address));
  }
  // Tokens made before versions (mails already sent): key 1, no purpose.
  const key = keys.keys.get(1);
  if (!key) return false;
  if (purpose === 'bounce' && /^[a-z2-7]{16}$/.test(t)) return same(t, legacyVerp(key, seriesId, address));
  if (purpose === 'unsubscribe' && /^[\w-]{32}$/.test(token)) return same(token, legacyUnsubscribe(key, seriesId, address));
  return false;
}

/** Which of `candidates` a token was made for, if any. */
export function tokenOwner(
  keys: TokenKeys,
  token: string,
  purpose: Purpose,
  seriesId: string,
  candidates: Iterable<string>,
): string | undefined {
  for (const a of candidates) if (tokenMatches(keys, token, purpose, seriesId, a)) return a;
  return undefined;
}

function legacyVerp(key: string, seriesId: string, address: string): string {
  return base32(createHmac('sha256', key).update(`${seriesId}\n${address.toLowerCase()}`).digest()).slice(0, 16);
}

function legacyUnsubscribe(key: string, seriesId: string, address: string): string {
  return createHmac('sha256', key).update(`${seriesId}\n${address.toLowerCase()}`).digest('base64url').slice(0, 32);
}

/** The envelope sender for `recipient`, or undefined when rali.yaml sets no `inbox.bounce_address`. */
export function verpAddress(series: Pick<Series, 'id' | 'inbox'>, recipient: string, keys: TokenKeys): string | undefined {
  const tpl = series.inbox?.bounceAddress;
  if (!tpl) return undefined;
  return tpl.replace(/\{token\}/g, makeToken(keys, 'bounce', series.id, recipient));
}

/** The token in `address` if it matches the bounce address template. */
export function verpTokenOf(template: string, address: string): string | undefined {
  const [before, after] = template.toLowerCase().split('{token}');
  if (after === undefined) return undefined;
  const a = address.toLowerCase();
  if (!a.startsWith(before) || !a.endsWith(after) || a.length <= before.length + after.length) return undefined;
  const t = a.slice(before.length, a.length - after.length);
  return TOKEN.test(t) || /^[a-z2-7]{16}$/.test(t) ? t : undefined;
}

// ---- sealed tokens: a token that carries its data ------------------------------------------------

/**
 * A sealed token carries what it is about — a sign-up's address, languages and moment — so nothing
 * is stored before its owner confirms (rali serve). It is the data encrypted and authenticated with
 * the series' key, deterministically (SIV, RFC 5297's construction with HMAC-SHA256 as its PRF):
 *
 *   <version><base32( tag₁₆ ‖ AES-256-CTR(enc, iv = tag, data) )>
 *   tag = HMAC-SHA256(mac, "<purpose>\n<series>\n" ‖ data)[0..16],  mac, enc = HMAC(key, "rali sealed mac"|"… enc")
 *
 * So the address is not in the clear in a URL (the web server's access log keeps URLs), a changed
 * letter fails the tag (a 4xx, nothing done), and the key's version rotates as for other tokens.
 */
function sealKeys(key: string): { mac: Buffer; enc: Buffer } {
  return {
    mac: createHmac('sha256', key).update('rali sealed mac').digest(),
    enc: createHmac('sha256', key).update('rali sealed enc').digest(),
  };
}

function sealTag(mac: Buffer, purpose: Purpose, seriesId: string, data: Buffer): Buffer {
  return createHmac('sha256', mac).update(`${purpose}\n${seriesId}\n`).update(data).digest().subarray(0, 16);
}

function ctr(enc: Buffer, iv: Buffer, data: Buffer): Buffer {
  // CTR's counter is the whole block: clearing two bits (as SIV does) keeps it from wrapping mid-token.
  const counter = Buffer.from(iv);
  counter[8] &= 0x7f;
  counter[12] &= 0x7f;
  const c = createCipheriv('aes-256-ctr', enc, counter);
  return Buffer.concat([c.update(data), c.final()]);
}

/** Every bit of `buf` in base32 (the last letter padded with zero bits): what a sealed token needs back. */
function base32All(buf: Buffer): string {
  const rest = (buf.length * 8) % 5;
  const out = base32(buf);
  return rest ? out + B32[(buf[buf.length - 1] << (5 - rest)) & 31] : out;
}

const B32_VALUE = new Map([...B32].map((c, i) => [c, i]));

function unbase32(s: string): Buffer | undefined {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s) {
    const v = B32_VALUE.get(c);
    if (v === undefined) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The shape of a sealed token: a version, then at least 26 base32 characters (the tag and one byte). */
export const SEALED = /^[1-9][a-z2-7]{28,400}$/;

/** A sealed token of `purpose` holding `data`, with the current key. */
export function sealToken(keys: TokenKeys, purpose: Purpose, seriesId: string, data: string): string {
  const { mac, enc } = sealKeys(keys.keys.get(keys.current)!);
  const plain = Buffer.from(data, 'utf8');
  const tag = sealTag(mac, purpose, seriesId, plain);
  return `${keys.current}${base32All(Buffer.concat([tag, ctr(enc, tag, plain)]))}`;
}

/** The data of a sealed token of `purpose`, or undefined when it is not one of ours (tampered, another key, another purpose). */
export function openToken(keys: TokenKeys, token: string, purpose: Purpose, seriesId: string): string | undefined {
  const t = token.toLowerCase();
  if (!SEALED.test(t)) return undefined;
  const key = keys.keys.get(Number(t[0]));
  const raw = key === undefined ? undefined : unbase32(t.slice(1));
  if (!key || !raw || raw.length < 17) return undefined;
  const { mac, enc } = sealKeys(key);
  const tag = raw.subarray(0, 16);
  const plain = ctr(enc, tag, raw.subarray(16));
  const want = sealTag(mac, purpose, seriesId, plain);
  if (!timingSafeEqual(tag, want)) return undefined;
  // A token is made by base32 of whole bytes: another spelling of the same bytes is not ours.
  if (`${t[0]}${base32All(raw)}` !== t) return undefined;
  return plain.toString('utf8');
}

/** What a confirmation link carries: who signs up, for which languages, since when. */
export interface SignUp {
  address: string;
  /** `fr`, `en`, `fr+en`. */
  langs: string;
  /** When the form was sent (the token expires 7 days later). */
  at: Date;
}

/** The key of the note that a confirmation mail went to `address` (a keyed hash: the note does not hold the address). */
export function signUpKey(keys: TokenKeys, seriesId: string, address: string): string {
  // Always key 1's: a rotation must not reset the one-mail-a-day limit, nor the count of sign-ups pending.
  return mac(keys.keys.get(1)!, 'signup', seriesId, address);
}

/** How long a confirmation link works (Sympa's is 7 days too; unsubscribe links never expire). */
export const CONFIRM_DAYS = 7;

/** The token of a confirmation link. */
export function signUpToken(keys: TokenKeys, seriesId: string, s: SignUp): string {
  return sealToken(keys, 'confirm', seriesId, `${s.address}\n${s.langs}\n${Math.floor(s.at.getTime() / 60_000).toString(36)}`);
}

/** The sign-up a confirmation token carries; `expired` when it is older than CONFIRM_DAYS (or from the future). */
export function readSignUp(keys: TokenKeys, seriesId: string, token: string, now: Date): { signUp?: SignUp; expired?: boolean } {
  const data = openToken(keys, token, 'confirm', seriesId);
  const [address, langs, minutes, extra] = data?.split('\n') ?? [];
  if (!address || langs === undefined || !minutes || extra !== undefined) return {};
  const at = new Date(parseInt(minutes, 36) * 60_000);
  const age = now.getTime() - at.getTime();
  if (!(age >= -5 * 60_000 && age <= CONFIRM_DAYS * 24 * 3600_000)) return { expired: true };
  return { signUp: { address, langs, at } };
}
