/**
 * The keys behind tokens (model/tokens.ts), kept in the ledger's notes: key 1 is the secret the
 * ledger always had (`unsubscribe_secret`); rotating adds a key and makes it the current one, and
 * every older key stays, so the links of mails already sent keep working.
 */
import { randomBytes } from 'node:crypto';
import type { TokenKeys } from '../model/tokens';
import type { Ledger } from './types';

const ROTATED = 'token_keys';
const CURRENT = 'token_key_current';

/** The keys of this ledger (key 1 made on first use, so only on a ledger opened for writing). */
export async function tokenKeys(l: Ledger): Promise<TokenKeys> {
  const first = await l.secret();
  return { current: Number((await l.note(CURRENT)) ?? 1), keys: new Map([[1, first], ...rotated(await l.note(ROTATED))]) };
}

/** The keys of a ledger opened read-only, or undefined when it has none yet. */
export async function existingTokenKeys(l: Ledger): Promise<TokenKeys | undefined> {
  const first = await l.note('unsubscribe_secret');
  if (!first) return undefined;
  return { current: Number((await l.note(CURRENT)) ?? 1), keys: new Map([[1, first], ...rotated(await l.note(ROTATED))]) };
}

function rotated(json: string | undefined): [number, string][] {
  if (!json) return [];
  return Object.entries(JSON.parse(json) as Record<string, string>).map(([v, k]) => [Number(v), k]);
}

/** A new current key; the older ones stay valid. Returns its version. */
export async function rotateTokenKey(l: Ledger): Promise<number> {
  const keys = await tokenKeys(l);
  const next = Math.max(...keys.keys.keys()) + 1;
  if (next > 9) throw new Error('nine token keys already: a token carries its version in one digit');
  const more = Object.fromEntries(rotated(await l.note(ROTATED)));
  more[next] = randomBytes(32).toString('base64url');
  await l.setNote(ROTATED, JSON.stringify(more));
  await l.setNote(CURRENT, String(next));
  return next;
}
