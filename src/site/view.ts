/**
 * What the site's templates see: one view per page and language, with the series' privacy
 * settings already applied (a withheld passcode is never in a view, so no template can leak it).
 */
import { DateTime } from 'luxon';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { zoneName } from '../render/dates';
import { SiteStrings } from './templates';

const zoneNames = new Map<string, string>();
/** "heure de l’Est" / "Eastern Time": the generic name is the same all year, so it is computed once per zone. */
export function zoneLabel(dt: DateTime, lang: Lang): string {
  const key = `${lang}|${dt.zoneName}`;
  let n = zoneNames.get(key);
  if (n === undefined) {
    n = zoneName(dt, lang);
    zoneNames.set(key, n);
  }
  return n;
}

export const HTML_LANGS: Record<Lang, string> = { fr: 'fr-CA', en: 'en-CA' };

/** Paths inside the site, relative to its root (always with "/"). */
export const paths = {
  root: 'index.html',
  css: 'style.css',
  home: (lang: Lang) => `${lang}/index.html`,
  year: (lang: Lang, year: number) => `${lang}/${year}/index.html`,
  talk: (lang: Lang, talk: Talk) => `${lang}/${talk.start.year}/${talk.id}.html`,
  atom: (lang: Lang) => `${lang}/atom.xml`,
  ics: 'seminars.ics',
  icsLang: (lang: Lang) => `seminars.${lang}.ics`,
};

/** A link from page `from` to `to`, both relative to the site root. */
export function rel(from: string, to: string): string {
  const depth = from.split('/').length - 1;
  return '../'.repeat(depth) + to;
}

/** The public address of a site path, when rali.yaml gives site.url. */
export function absolute(series: Series, path: string): string | null {
  return series.site.url ? series.site.url + path : null;
}

/** A Zoom link can carry the passcode (`pwd=`): drop it when the passcode is withheld. */
export function withoutPasscode(url: string): string {
  return url.replace(/([?&])pwd=[^&#]*&?/i, '$1').replace(/[?&](#|$)/, '$1');
}

/** The online details the public may see, by the series' `site:` settings. */
export function publicOnline(series: Series, talk: Talk) {
  const o = talk.location.online;
  if (!o) return null;
  const show = series.site.showPasscode;
  const url = series.site.showJoinLink ? (show ? o.url : withoutPasscode(o.url)) : null;
  return {
    platform: o.platform,
    url,
    meeting_id: o.meetingId ?? null,
    phones: o.phones ?? null,
    passcode: show ? (o.passcode ?? null) : null,
    one_tap: show ? (o.oneTap ?? null) : null,
    /** Something was left out: the page says how to get it. */
    withheld: (!show && Boolean(o.passcode || o.oneTap)) || !series.site.showJoinLink,
  };
}

/** The `lang` a text needs when it differs from the page's: a text given once is in the talk's language. */
function textLang(b: Record<Lang, string>, talk: Talk, lang: Lang): string | null {
  const actual = b.fr !== b.en ? lang : talk.language;
  return actual === lang ? null : HTML_LANGS[actual];
}

export function talkView(series: Series, talk: Talk, lang: Lang, t: SiteStrings, from: string) {
  const names = t.language_names as Record<Lang, string>;
  const sameDay = talk.start.toISODate() === talk.end.toISODate();
  return {
    id: talk.id,
    uid: talk.uid,
    href: rel(from, paths.talk(lang, talk)),
    year: talk.start.year,
    title: talk.title[lang],
    title_lang: textLang(talk.title, talk, lang),
    speaker: {
      name: talk.speaker.name,
      email: talk.speaker.email ?? null,
      affiliation: talk.speaker.affiliation?.[lang] ?? null,
      affiliation_lang: talk.speaker.affiliation ? textLang(talk.speaker.affiliation, talk, lang) : null,
      url: talk.speaker.url ?? null,
    },
    start: talk.start,
    end: talk.end,
    same_day: sameDay,
    language: talk.language,
    language_line: String(t.given_in).replace('{language}', names[talk.language]),
    room: talk.location.room?.[lang] ?? null,
    address: talk.location.address?.[lang] ?? null,
    online: publicOnline(series, talk),
    abstract: talk.abstract[lang],
    abstract_lang: textLang(talk.abstract, talk, lang),
    recording: talk.recording ?? null,
    cancelled: talk.status === 'cancelled',
    cancel_reason: talk.cancelReason?.[lang] ?? null,
  };
}

export interface PageInput {
  series: Series;
  lang: Lang;
  t: SiteStrings;
  /** This page, relative to the site root. */
  path: string;
  /** The same page in each language (root-relative), for hreflang and the switch. */
  versions: Partial<Record<Lang, string>>;
  years: number[];
  currentYear: number | null;
  title: string;
  now: DateTime;
}

const yearLists = new WeakMap<number[], Map<string, { year: number; href: string; current: boolean }[]>>();
/** The links to every year, built once per language, depth and current year (every page has them). */
function yearLinks(years: number[], lang: Lang, up: string, current: number | null) {
  let m = yearLists.get(years);
  if (!m) yearLists.set(years, (m = new Map()));
  const key = `${lang}|${up}|${current}`;
  let list = m.get(key);
  if (!list) m.set(key, (list = years.map((y) => ({ year: y, href: up + paths.year(lang, y), current: y === current }))));
  return list;
}

/** What every page shares: header, language switch, alternates, year links, subscribe links. */
export function pageView(p: PageInput) {
  const { series, lang, t, path } = p;
  const up = rel(path, '');
  const link = (to: string) => absolute(series, to) ?? up + to;
  const others = series.languages.filter((l) => l !== lang && p.versions[l]);
  const ics = absolute(series, paths.ics);
  return {
    lang,
    html_lang: HTML_LANGS[lang],
    t,
    title: p.title,
    series: { name: series.name[lang], subscribe_url: series.subscribeUrl ?? null, archive_url: series.archiveUrl ?? null },
    canonical: absolute(series, path),
    alternates: series.languages.filter((l) => p.versions[l]).map((l) => ({ hreflang: HTML_LANGS[l], href: link(p.versions[l]!) })),
    switch: others.map((l) => ({
      lang: l,
      html_lang: HTML_LANGS[l],
      href: rel(path, p.versions[l]!),
      label: (p.t.switch_labels as Record<Lang, string>)[l],
    })),
    css: rel(path, paths.css),
    home: rel(path, paths.home(lang)),
    atom: rel(path, paths.atom(lang)),
    feed: { href: rel(path, paths.ics), webcal: ics ? ics.replace(/^https?:/, 'webcal:') : null, absolute: ics },
    years: yearLinks(p.years, lang, up, p.currentYear),
  };
}
