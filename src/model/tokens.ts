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
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Series } from './series';

export type Purpose = 'unsubscribe' | 'bounce' | 'message' | 'confirm' | 'preferences' | 'probe';

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
