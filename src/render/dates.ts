/**
 * Localized dates with Intl, always in the series' time zone (checklist §48–53):
 * fr-CA "mercredi 10 novembre 2021 à 11 h 30", en-CA "Wednesday, November 10, 2021 at 11:30 a.m.".
 */
import { DateTime } from 'luxon';
import { Lang } from '../model/schema';

export const LOCALES: Record<Lang, string> = { fr: 'fr-CA', en: 'en-CA' };

/** The formats rali uses, by name (the name keys the cache: a site build formats thousands of dates). */
const FORMATS = {
  full: { dateStyle: 'full' },
  'full-short': { dateStyle: 'full', timeStyle: 'short' },
  'day-month': { day: 'numeric', month: 'short' },
  short: { timeStyle: 'short' },
  zone: { timeZoneName: 'longGeneric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(lang: Lang, zone: string, name: keyof typeof FORMATS): Intl.DateTimeFormat {
  const key = `${name}|${lang}|${zone}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], { ...FORMATS[name], timeZone: zone });
    cache.set(key, f);
  }
  return f;
}

const at = (dt: DateTime) => new Date(dt.toMillis());

/**
 * OQLF: "11 h 30" with a non-breaking space on each side of h (checklist §52), whatever ICU emits;
 * on the hour "13 h", not "13 h 00", and "1 h 30", not "01 h 30" (Office québécois de la langue française, Banque de dépannage
 * linguistique, "Écriture de l'heure").
 */
const nbspH = (s: string, lang: Lang) =>
  lang === 'fr'
    ? s.replace(/(?<!\d)0?(\d{1,2})[\s\u00a0\u202f]h[\s\u00a0\u202f]?(\d\d)/g, (_m, h: string, min: string) =>
        min === '00' ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${min}`,
      )
    : s;

/** "mercredi 10 novembre 2021 à 11 h 30" / "Wednesday, November 10, 2021 at 11:30 a.m." */
export function dateTime(dt: DateTime, lang: Lang): string {
  return nbspH(fmt(lang, dt.zoneName ?? 'UTC', 'full-short').format(at(dt)), lang);
}

/**
 * Start and end: "mercredi 10 novembre 2021, de 11 h 30 à 12 h 30" / "Wednesday, November 10,
 * 2021, 11:30 a.m.–12:30 p.m."; over midnight, both full dates.
 */
export function dateTimeRange(start: DateTime, end: DateTime, lang: Lang): string {
  const zone = start.zoneName ?? 'UTC';
  if (longDate(start, lang) !== longDate(end.setZone(zone), lang)) return `${dateTime(start, lang)} – ${dateTime(end.setZone(zone), lang)}`;
  const from = time(start, lang);
  const to = time(end.setZone(zone), lang);
  return lang === 'fr' ? `${longDate(start, lang)}, de ${from} à ${to}` : `${longDate(start, lang)}, ${from}\u2013${to}`;
}

/** "mercredi 10 novembre 2021" / "Wednesday, November 10, 2021" */
export function longDate(dt: DateTime, lang: Lang): string {
  return fmt(lang, dt.zoneName ?? 'UTC', 'full').format(at(dt));
}

/** "10 nov." / "Nov. 10" */
export function shortDate(dt: DateTime, lang: Lang): string {
  return fmt(lang, dt.zoneName ?? 'UTC', 'day-month').format(at(dt));
}

/** "11 h 30" / "11:30 a.m." */
export function time(dt: DateTime, lang: Lang): string {
  return nbspH(fmt(lang, dt.zoneName ?? 'UTC', 'short').format(at(dt)), lang);
}

/** The zone named in each language: "heure de l’Est" / "Eastern Time". */
export function zoneName(dt: DateTime, lang: Lang): string {
  const parts = fmt(lang, dt.zoneName ?? 'UTC', 'zone').formatToParts(at(dt));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? dt.zoneName ?? 'UTC';
}

/**
 * "demain à 11 h 30" / "tomorrow at 11:30 a.m.", "aujourd’hui à …" / "today at …"; further away,
 * the full date. Days are counted on the calendar of the talk's time zone, not in 24-hour steps.
 */
export function relativeDay(dt: DateTime, now: DateTime, lang: Lang): string {
  const days = Math.round(dt.startOf('day').diff(now.setZone(dt.zone).startOf('day'), 'days').days);
  if (days === 0 || days === 1) {
    const word = new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto' }).format(days, 'day');
    return `${word} ${lang === 'fr' ? 'à' : 'at'} ${time(dt, lang)}`;
  }
  return dateTime(dt, lang);
}
