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
  /** One talk's calendar file, both languages: what "add to my calendar" downloads. */
  talkIcs: (talk: Talk) => `ics/${talk.id}.ics`,
  search: (lang: Lang) => `${lang}/search.html`,
  /** The few lines of script: the time in the visitor's zone, the search page. */
  script: 'rali.js',
  /** The upcoming talks for another site to include. */
  embedHtml: (lang: Lang) => `embed/upcoming.${lang}.html`,
  embedJson: 'embed/upcoming.json',
  /** The search index (Pagefind): this year's talks and those ahead… */
  pagefind: 'pagefind/',
  /** … and the earlier years', merged by the browser (search.ts). */
  pagefindArchive: 'pagefind-archive/',
};

/**
 * The first year of the search index's small bundle (this year, or the last year that has talks):
 * talks before it are in the archive's.
 */
export const archiveBefore = (talks: Talk[], now: DateTime) => Math.min(now.year, Math.max(...talks.map((t) => t.start.year)));

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

export type PublicOnline = {
  platform: string;
  url: string | null;
  meeting_id: string | null;
  phones: string | null;
  passcode: string | null;
  one_tap: string | null;
  /** Something was left out: the page says how to get it. */
  withheld: boolean;
};

/**
 * The online details the public may see, by the series' `site:` settings. Once the talk is over
 * (`over`: past or cancelled) only the platform stays: a join link, a meeting ID or "subscribe to
 * get the passcode" mean nothing any more.
 */
export function publicOnline(series: Series, talk: Talk, over = false): PublicOnline | null {
  const o = talk.location.online;
  if (!o) return null;
  if (over) return { platform: o.platform, url: null, meeting_id: null, phones: null, passcode: null, one_tap: null, withheld: false };
  const show = series.site.showPasscode;
  const url = series.site.showJoinLink ? (show ? o.url : withoutPasscode(o.url)) : null;
  // A passcode given only inside the join link (?pwd=) is withheld as much as a passcode: field.
  const inLink = !show && url !== null && url !== o.url;
  return {
    platform: o.platform,
    url,
    meeting_id: o.meetingId ?? null,
    phones: o.phones ?? null,
    passcode: show ? (o.passcode ?? null) : null,
    one_tap: show ? (o.oneTap ?? null) : null,
    withheld: (!show && Boolean(o.passcode || o.oneTap)) || inLink || !series.site.showJoinLink,
  };
}

/** Whether a talk is over for its page: ended before `now`, or cancelled. */
export const isPast = (talk: Talk, now: DateTime) => talk.end < now;

/** At most `max` characters, cut at a word with an ellipsis (a <title>, og:title, a description). */
export function shorten(s: string, max: number): string {
  // (an abstract is long: only its beginning is looked at)
  const one = (s.length > 2 * max ? s.slice(0, 2 * max) : s).replace(/\s+/g, ' ').trim();
  if (one.length <= max) return one;
  const cut = one.slice(0, max - 1);
  const at = cut.lastIndexOf(' ');
  return (at > max / 2 ? cut.slice(0, at) : cut).replace(/[\s,;:.–—-]+$/, '') + '…';
}

/**
 * French typography: a no-break space before ":" and inside « », a narrow one before ; ! ?
 * (Vitrine linguistique, OQLF: "Espacement avant et après les signes de ponctuation"). Applied to
 * rali's own French text, never to what an organizer wrote.
 */
export function frenchSpacing(s: string): string {
  return s
    .replace(/[ \u00a0\u202f]+([:»])/g, '\u00a0$1')
    .replace(/«[ \u00a0\u202f]*/g, '«\u00a0')
    .replace(/[ \u00a0\u202f]+([;!?])/g, '\u202f$1');
}

/** The `lang` a text needs when it differs from the page's: a text given once is in the talk's language. */
function textLang(b: Record<Lang, string>, talk: Talk, lang: Lang): string | null {
  const actual = b.fr !== b.en ? lang : talk.language;
  return actual === lang ? null : HTML_LANGS[actual];
}

export function talkView(series: Series, talk: Talk, lang: Lang, t: SiteStrings, from: string, now: DateTime) {
  const names = t.language_names as Record<Lang, string>;
  const sameDay = talk.start.toISODate() === talk.end.toISODate();
  const cancelled = talk.status === 'cancelled';
  const past = isPast(talk, now);
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
    online: publicOnline(series, talk, past || cancelled),
    abstract: talk.abstract[lang],
    abstract_lang: textLang(talk.abstract, talk, lang),
    recording: talk.recording ?? null,
    cancelled,
    past,
    cancel_reason: talk.cancelReason?.[lang] ?? null,
  };
}

const utcIso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;
const compact = (d: DateTime) => d.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'");

/** The place as one line: the room, the address, or the platform of an online talk. */
function placeLine(talk: Talk, lang: Lang): string {
  return [talk.location.room?.[lang], talk.location.address?.[lang], talk.location.online?.platform].filter(Boolean).join(' — ');
}

/**
 * "Add to my calendar": the talk's own .ics (the invitation's UID and SEQUENCE, so it merges with
 * an invitation already there), and, while the talk is ahead, links that open Google Calendar's
 * and Outlook on the web's new-event form filled in (those cannot carry a UID).
 */
function calendarLinks(series: Series, talk: Talk, lang: Lang, from: string, over: boolean, online: PublicOnline | null) {
  const ics = rel(from, paths.talkIcs(talk));
  if (over) return { ics, google: null, outlook: null, outlook_live: null };
  const title = `${talk.title[lang]} — ${talk.speaker.name}`;
  const page = absolute(series, paths.talk(lang, talk));
  const details = [`${series.name[lang]}`, page, online?.url].filter(Boolean).join('\n');
  const where = placeLine(talk, lang);
  const q = (o: Record<string, string>) =>
    Object.entries(o)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
  const google = `https://calendar.google.com/calendar/render?${q({
    action: 'TEMPLATE',
    text: title,
    dates: `${compact(talk.start)}/${compact(talk.end)}`,
    ctz: series.timezone,
    details,
    location: where,
  })}`;
  const ms = (host: string) =>
    `https://${host}/calendar/0/deeplink/compose?${q({
      path: '/calendar/action/compose',
      rru: 'addevent',
      subject: title,
      startdt: utcIso(talk.start),
      enddt: utcIso(talk.end),
      body: details,
      location: where,
    })}`;
  return { ics, google, outlook: ms('outlook.office.com'), outlook_live: ms('outlook.live.com') };
}

/** JSON for a <script> element: "</script>" and "<!--" cannot end or open anything inside it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/** schema.org Event (JSON-LD) for search engines and link previews: https://schema.org/Event */
function eventData(series: Series, talk: Talk, lang: Lang, online: PublicOnline | null): string {
  const url = absolute(series, paths.talk(lang, talk));
  const place = talk.location.room || talk.location.address;
  const locations: object[] = [];
  if (place)
    locations.push({
      '@type': 'Place',
      name: talk.location.room?.[lang] ?? talk.location.address![lang],
      address: talk.location.address?.[lang] ?? talk.location.room![lang],
    });
  if (talk.location.online) {
    const at = online?.url ?? url;
    locations.push({ '@type': 'VirtualLocation', ...(at ? { url: at } : {}) });
  }
  const mode = talk.location.online ? (place ? 'MixedEventAttendanceMode' : 'OnlineEventAttendanceMode') : 'OfflineEventAttendanceMode';
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: talk.title[lang],
    startDate: talk.start.toISO({ suppressMilliseconds: true }),
    endDate: talk.end.toISO({ suppressMilliseconds: true }),
    eventStatus: `https://schema.org/${talk.status === 'cancelled' ? 'EventCancelled' : 'EventScheduled'}`,
    eventAttendanceMode: `https://schema.org/${mode}`,
    ...(locations.length ? { location: locations.length === 1 ? locations[0] : locations } : {}),
    description: shorten(talk.abstract[lang], 500),
    inLanguage: HTML_LANGS[talk.language],
    ...(url ? { url } : {}),
    performer: {
      '@type': 'Person',
      name: talk.speaker.name,
      ...(talk.speaker.url ? { url: talk.speaker.url } : {}),
      ...(talk.speaker.affiliation ? { affiliation: { '@type': 'Organization', name: talk.speaker.affiliation[lang] } } : {}),
    },
    organizer: {
      '@type': 'Organization',
      name: series.name[lang],
      ...(series.site.url || series.subscribeUrl ? { url: series.site.url ?? series.subscribeUrl } : {}),
    },
  };
  return scriptJson(data);
}

/** What a talk's own page shows beyond a list item: calendar links, the time for the script, event data. */
export function talkPageView(series: Series, talk: Talk, lang: Lang, t: SiteStrings, from: string, now: DateTime) {
  const base = talkView(series, talk, lang, t, from, now);
  const over = base.past || base.cancelled;
  return {
    ...base,
    calendar: calendarLinks(series, talk, lang, from, over, base.online),
    /** For the script that adds the time in the visitor's own zone (nothing is lost without it). */
    local: { start: utcIso(talk.start), end: utcIso(talk.end), zone: series.timezone },
    json_ld: eventData(series, talk, lang, base.online),
  };
}

/** A description for search engines and link previews: when, who, then the abstract. */
export function talkDescription(talk: Talk, lang: Lang, when: string): string {
  const who = talk.speaker.name + (talk.speaker.affiliation ? ` (${talk.speaker.affiliation[lang]})` : '');
  return shorten(`${when} — ${who}. ${talk.abstract[lang]}`, 200);
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
  /** What the page is (its h1); the series' name is added for <title> unless it is the home page. */
  title: string;
  /** <title> and og:title: `title`, cut at 70 characters. */
  short?: string;
  description: string;
  home?: boolean;
  /** schema.org data of the page (a talk's Event), as JSON ready for a <script>. */
  jsonLd?: string;
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

const OG_LOCALES: Record<Lang, string> = { fr: 'fr_CA', en: 'en_CA' };

/** What every page shares: header, language switch, alternates, year links, subscribe links. */
export function pageView(p: PageInput) {
  const { series, lang, t, path } = p;
  const up = rel(path, '');
  const link = (to: string) => absolute(series, to) ?? up + to;
  const others = series.languages.filter((l) => l !== lang && p.versions[l]);
  const ics = absolute(series, paths.ics);
  const name = series.name[lang];
  const short = p.short ?? shorten(p.title, 70);
  return {
    lang,
    html_lang: HTML_LANGS[lang],
    t,
    title: p.title,
    /** <title>: the page, then the series — the series alone on the home page. */
    head_title: p.home ? name : `${short} | ${name}`,
    description: p.description,
    json_ld: p.jsonLd ?? null,
    og: {
      title: short,
      site_name: name,
      locale: OG_LOCALES[lang],
      locale_alternate: others.map((l) => OG_LOCALES[l]),
      url: absolute(series, path),
    },
    series: { name, subscribe_url: series.subscribeUrl ?? null, archive_url: series.archiveUrl ?? null },
    canonical: absolute(series, path),
    alternates: series.languages.filter((l) => p.versions[l]).map((l) => ({ hreflang: HTML_LANGS[l], href: link(p.versions[l]!) })),
    switch: others.map((l) => ({
      lang: l,
      html_lang: HTML_LANGS[l],
      href: rel(path, p.versions[l]!),
      label: (p.t.switch_labels as Record<Lang, string>)[l],
    })),
    css: rel(path, paths.css),
    script: rel(path, paths.script),
    search: rel(path, paths.search(lang)),
    home: rel(path, paths.home(lang)),
    atom: rel(path, paths.atom(lang)),
    feed: { href: rel(path, paths.ics), webcal: ics ? ics.replace(/^https?:/, 'webcal:') : null, absolute: ics },
    years: yearLinks(p.years, lang, up, p.currentYear),
  };
}
