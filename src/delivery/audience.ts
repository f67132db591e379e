/**
 * Who gets a message: subscribers minus suppressions, de-duplicated, each with their languages,
 * plus the list addresses; one message each (never a visible list of subscribers).
 */
import { canonicalAddress } from '../model/address';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Subscriber } from '../model/subscribers';

export interface Recipient {
  /** The address's canonical form (model/address.ts): the ledger key. */
  key: string;
  email: string;
  name?: string;
  langs: Lang[];
}

export interface Audience {
  items: Recipient[];
  suppressed: string[];
  byLangs: Map<string, number>;
}

export function langsKey(langs: Lang[]): string {
  return langs.join('+');
}

/** The subscribers are plan items already (no copy: the plan of 100,000 is the list itself). */
export function audienceOf(series: Series, subscribers: Subscriber[], suppressed: Map<string, unknown>): Audience {
  const items: Recipient[] = [];
  const sup: string[] = [];
  // parseSubscribers already dropped duplicates; list addresses may repeat a subscriber.
  for (const s of subscribers) {
    if (suppressed.has(s.key)) sup.push(s.email);
    else items.push(s);
  }
  const inList = new Set(series.lists.length ? subscribers.map((s) => s.key) : []);
  for (const l of series.lists) {
    const key = canonicalAddress(l);
    if (inList.has(key)) continue;
    inList.add(key);
    if (suppressed.has(key)) sup.push(l);
    else items.push({ key, email: l, langs: series.languages });
  }
  return { items, suppressed: sup, byLangs: countLangs(items) };
}

export function countLangs(items: Recipient[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(langsKey(i.langs), (m.get(langsKey(i.langs)) ?? 0) + 1);
  return m;
}

/** "213 recipients: 180 fr+en, 20 fr, 13 en" */
export function describeCounts(byLangs: Map<string, number>): string {
  const total = [...byLangs.values()].reduce((a, b) => a + b, 0);
  const parts = [...byLangs.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
  return `${total} recipient${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
