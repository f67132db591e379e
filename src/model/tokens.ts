/**
 * VERP: a bounce address per recipient (`bounce_address: rali-olst+{token}@example.org`), so that a
 * bounce names its recipient even when it returns nothing of the original message.
 *
 * The token is derived, not stored: the first 16 base32 characters of HMAC-SHA256(secret,
 * "<series id>\n<address>") with the ledger's secret. It is lower case (many relays fold local
 * parts) and cannot be forged for another address. `rali inbox` finds the recipient by deriving the
 * token of every address rali has mailed. Using it needs the send path to set the envelope sender
 * (nodemailer `envelope: { from: verpAddress(...), to }`), and a relay that allows it (a university
 * relay usually does; Microsoft 365 and Gmail rewrite the envelope sender to the account).
 */
import { createHmac } from 'node:crypto';
import type { Series } from './series';

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

export function verpToken(seriesId: string, recipient: string, secret: string): string {
  return base32(createHmac('sha256', secret).update(`${seriesId}\n${recipient.toLowerCase()}`).digest()).slice(0, 16);
}

/** The envelope sender for `recipient`, or undefined when rali.yaml sets no `inbox.bounce_address`. */
export function verpAddress(series: Pick<Series, 'id' | 'inbox'>, recipient: string, secret: string): string | undefined {
  const tpl = series.inbox?.bounceAddress;
  if (!tpl) return undefined;
  return tpl.replace(/\{token\}/g, verpToken(series.id, recipient, secret));
}

/** The token in `address` if it matches the bounce address template. */
export function verpTokenOf(template: string, address: string): string | undefined {
  const [before, after] = template.toLowerCase().split('{token}');
  if (after === undefined) return undefined;
  const a = address.toLowerCase();
  if (!a.startsWith(before) || !a.endsWith(after) || a.length <= before.length + after.length) return undefined;
  const t = a.slice(before.length, a.length - after.length);
  return /^[a-z2-7]{16}$/.test(t) ? t : undefined;
}
