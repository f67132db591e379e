/**
 * Who gets a message: subscribers minus suppressions, de-duplicated, each with their languages,
 * plus the list addresses; one message each (never a visible list of subscribers).
 */
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Subscriber } from '../model/subscribers';

export interface PlanItem {
  /** Lowercased: the ledger key. */
  key: string;
  email: string;
  name?: string;
  langs: Lang[];
}

export interface Plan {
  items: PlanItem[];
  suppressed: string[];
  byLangs: Map<string, number>;
}

export function langsKey(langs: Lang[]): string {
  return langs.join('+');
}

export function planRecipients(series: Series, subscribers: Subscriber[], suppressed: Map<string, unknown>): Plan {
  const seen = new Set<string>();
  const items: PlanItem[] = [];
  const sup: string[] = [];
  const add = (email: string, name: string | undefined, langs: Lang[]) => {
    const key = email.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    if (suppressed.has(key)) { sup.push(email); return; }
    items.push({ key, email, name, langs });
  };
  for (const s of subscribers) add(s.email, s.name, s.langs);
  for (const l of series.lists) add(l, undefined, series.languages);
  return { items, suppressed: sup, byLangs: countLangs(items) };
}

export function countLangs(items: PlanItem[]): Map<string, number> {
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
