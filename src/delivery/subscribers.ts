/**
 * Who the sending commands mail, before suppressions: subscribers.csv together with the ledger's
 * subscriptions (rali serve). A web sign-up that is active joins the file's subscribers; a
 * subscription's languages override the file's for that address (the preferences page changes
 * which half of the mails one gets); a pause leaves the address out until its date. Unsubscribes
 * are suppressions, taken out later with the others (audience.ts): an address of the file stays
 * out however it was unsubscribed.
 *
 * announce, update, cancel, recording, remind, preview and status all take their subscribers here.
 */
import type { Problem } from '../errors';
import type { Ledger, Subscription } from '../ledger/types';
import { loadSubscribers } from '../model';
import { canonicalAddress } from '../model/address';
import type { Series } from '../model/series';
import { parseLangs, Subscriber } from '../model/subscribers';
import { CONFIRM_DAYS, signUpKey, TokenKeys } from '../model/tokens';

export interface Merged {
  subscribers: Subscriber[];
  /** Addresses left out for now: paused until a later date. */
  paused: string[];
  /** Subscribers from the web sign-ups (in `subscribers`). */
  fromWeb: number;
}

/** Whether a subscription is paused at `now` (a pause whose date has passed is over). */
export function pausedAt(s: Pick<Subscription, 'status' | 'pausedUntil'>, now: Date): boolean {
  return s.status === 'paused' && s.pausedUntil !== null && Date.parse(s.pausedUntil) > now.getTime();
}

/** subscribers.csv ∪ active web sign-ups, with the subscriptions' languages and pauses. Pure. */
export function mergeSubscribers(series: Pick<Series, 'languages'>, file: Subscriber[], subscriptions: Subscription[], now: Date): Merged {
  // Nothing from the web: the file's list itself (the plan of 100,000 is the list, not a copy).
  if (!subscriptions.length) return { subscribers: file, paused: [], fromWeb: 0 };
  const byAddress = new Map(subscriptions.map((s) => [canonicalAddress(s.address), s]));
  const langsOf = (s: Subscription) => (s.langs ? parseLangs(s.langs, series.languages) : undefined);
  const subscribers: Subscriber[] = [];
  const paused: string[] = [];
  const inFile = new Set<string>();
  for (const f of file) {
    inFile.add(f.key);
    const s = byAddress.get(f.key);
    if (!s) {
      subscribers.push(f);
      continue;
    }
    if (pausedAt(s, now)) {
      paused.push(f.email);
      continue;
    }
    const langs = langsOf(s);
    subscribers.push(langs?.length ? { ...f, langs } : f);
  }
  let fromWeb = 0;
  for (const s of subscriptions) {
    const key = canonicalAddress(s.address);
    // Preferences of an address of the file add no one: it left the file, it left the list.
    if (inFile.has(key) || s.source === 'file' || s.status === 'unsubscribed') continue;
    if (pausedAt(s, now)) {
      paused.push(s.address);
      continue;
    }
    const langs = langsOf(s);
    subscribers.push({ key, email: s.address, name: s.name ?? undefined, langs: langs?.length ? langs : series.languages, line: 0 });
    fromWeb++;
  }
  return { subscribers, paused, fromWeb };
}

/** The subscribers of a sending command: the file (its problems stop the command) merged with the ledger's subscriptions. */
export async function loadAudienceSubscribers(
  series: Series,
  ledger: Ledger | undefined,
  now: Date,
): Promise<Merged & { warnings: Problem[] }> {
  const { subscribers, warnings } = loadSubscribers(series);
  const subscriptions = ledger ? await ledger.subscriptions.all() : [];
  return { ...mergeSubscribers(series, subscribers, subscriptions, now), warnings };
}

/** What `rali status` says of the web sign-ups. */
export interface SignUpCounts {
  /** Web subscriptions that are active or paused (confirmed by their owner). */
  confirmed: number;
  /** Of those, confirmed in the last CONFIRM_DAYS days. */
  recent: number;
  /** Confirmation mails of the last CONFIRM_DAYS days (their links still work) not followed by a confirmation. */
  pending: number;
  unsubscribed: number;
}

export async function signUpCounts(ledger: Ledger, keys: TokenKeys | undefined, seriesId: string, now: Date): Promise<SignUpCounts> {
  const since = new Date(now.getTime() - CONFIRM_DAYS * 24 * 3600_000).toISOString();
  const all = await ledger.subscriptions.all();
  const web = all.filter((s) => s.source !== 'file');
  const confirmed = web.filter((s) => s.status !== 'unsubscribed');
  const mailed = keys ? await ledger.subscriptions.signUps(since) : [];
  // The latest confirmation of each address (by its keyed hash: the notes hold no address).
  const confirmedAt = new Map<string, string>();
  if (mailed.length) for (const s of all) if (s.consentAt) confirmedAt.set(signUpKey(keys!, seriesId, s.address), s.consentAt);
  const waiting = new Set<string>();
  for (const m of mailed) {
    const c = confirmedAt.get(m.key);
    if (!c || c < m.at) waiting.add(m.key);
  }
  return {
    confirmed: confirmed.length,
    recent: confirmed.filter((s) => s.consentAt && s.consentAt >= since).length,
    pending: waiting.size,
    unsubscribed: web.length - confirmed.length,
  };
}
