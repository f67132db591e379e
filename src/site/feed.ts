/**
 * The public calendar feed (seminars.ics) and the Atom feeds of the site.
 * The feed's events carry the UID and SEQUENCE of the invitations mailed (one event in a calendar
 * that has both); METHOD:PUBLISH with no ATTENDEE (RFC 5546 §3.2.1); DTSTAMP in UTC, as
 * src/render/ics.ts does (checklist §9–16). DTSTART, DTEND and the VTIMEZONE — one, right for every
 * talk of the feed — are written by src/render/ics.ts's calendarTimes, as in the mails.
 */
import { calendarTimes, CalendarTimes, fold } from '../render/ics';
import { DateTime } from 'luxon';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { dateTime } from '../render/dates';
import { SiteStrings } from './templates';
import { absolute, isPast, paths, publicOnline, zoneLabel as zoneName } from './view';

/** How often calendars should fetch the feed again (RFC 7986 §5.7; X-PUBLISHED-TTL for Outlook). */
export const FEED_TTL_SECONDS = 12 * 3600;

export interface FeedTalk {
  talk: Talk;
  sequence: number;
  stamp: DateTime;
}

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();

/** A talk's description in each language, computed once for all the feeds of a build. */
export type DescriptionCache = Map<string, string>;

function description(
  series: Series,
  ft: FeedTalk,
  langs: Lang[],
  t: (l: Lang) => SiteStrings,
  cache: DescriptionCache,
  now: DateTime | undefined,
): string {
  const { talk } = ft;
  return langs
    .map((lang) => {
      const key = `${lang}|${talk.uid}`;
      const done = cache.get(key);
      if (done !== undefined) return done;
      const online = publicOnline(series, talk, talk.status === 'cancelled' || (now !== undefined && isPast(talk, now)));
      const s = t(lang) as Record<string, string> & { language_names: Record<Lang, string> };
      const lines = [talk.speaker.name + (talk.speaker.affiliation ? ` (${talk.speaker.affiliation[lang]})` : '')];
      lines.push(`${dateTime(talk.start, lang)} (${zoneName(talk.start, lang)})`);
      if (talk.status === 'cancelled') lines.push(s.cancelled);
      if (talk.location.room) lines.push(`${s.where}${s.colon} ${talk.location.room[lang]}`);
      if (talk.location.address) lines.push(`${s.address}${s.colon} ${talk.location.address[lang]}`);
      if (online) {
        if (online.url) lines.push(`${s.join}${s.colon} ${online.url}`);
        if (online.meeting_id) lines.push(`${s.meeting_id}${s.colon} ${online.meeting_id}`);
        if (online.passcode) lines.push(`${s.passcode}${s.colon} ${online.passcode}`);
        if (online.phones) lines.push(`${s.phones}${s.colon} ${online.phones}`);
        if (online.one_tap) lines.push(`${s.one_tap}${s.colon} ${online.one_tap}`);
        if (online.withheld) lines.push(s.withheld + (series.subscribeUrl ? ` ${series.subscribeUrl}` : ''));
      }
      lines.push(s.given_in.replace('{language}', s.language_names[talk.language]));
      const page = absolute(series, paths.talk(lang, talk));
      if (page) lines.push(page);
      if (talk.recording) lines.push(`${s.recording}${s.colon} ${talk.recording}`);
      const text = lines.join('\n');
      cache.set(key, text);
      return text;
    })
    .join('\n\n———\n\n');
}

/** RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped. */
export function icsText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 6868 caret encoding inside a quoted parameter value (CN). */
const param = (s: string) => `"${oneLine(s).replace(/\^/g, '^^').replace(/"/g, "^'")}"`;

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** DTSTAMP: yyyyMMdd'T'HHmmss'Z' from the DateTime's own fields (Luxon's toFormat costs ~20 µs; a feed has thousands). */
const utcStamp = (stamp: DateTime) => {
  const d = stamp.toUTC();
  return `${String(d.year).padStart(4, '0')}${p2(d.month)}${p2(d.day)}T${p2(d.hour)}${p2(d.minute)}${p2(d.second)}Z`;
};

/** DTSTART, DTEND and the VTIMEZONE of a feed of `talks` (the build's key holds its VTIMEZONE). */
export function feedTimes(series: Series, talks: FeedTalk[]): CalendarTimes {
  return calendarTimes(
    series.timezone,
    talks.map((ft) => ft.talk),
  );
}

export interface FeedOptions {
  /** Decides which talks are over (their join details are left out); without it, none is. */
  now?: DateTime;
  /** One talk's own file (`ics/<id>.ics`, "add to my calendar"): a copy, not a feed to subscribe to. */
  single?: boolean;
}

/**
 * One calendar with every talk: `langs` gives the titles' and descriptions' languages. With
 * `single`, the file of one talk: no name, refresh interval or source, which would make calendars
 * offer it as a subscription.
 */
export function buildFeed(
  series: Series,
  talks: FeedTalk[],
  langs: Lang[],
  t: (l: Lang) => SiteStrings,
  cache: DescriptionCache = new Map(),
  o: FeedOptions = {},
): string {
  const times = feedTimes(series, talks);
  const name = oneLine(series.name[langs[0]]);
  const url = absolute(series, langs.length === 1 ? paths.icsLang(langs[0]) : paths.ics);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//${series.domain}//rali//${langs[0].toUpperCase()}`,
    'METHOD:PUBLISH',
    'CALSCALE:GREGORIAN',
    ...(o.single
      ? []
      : [
          `NAME:${icsText(name)}`,
          `X-WR-CALNAME:${icsText(name)}`,
          ...(url ? [`URL;VALUE=URI:${url}`, `SOURCE;VALUE=URI:${url}`] : []),
          `REFRESH-INTERVAL;VALUE=DURATION:PT${FEED_TTL_SECONDS / 3600}H`,
          `X-PUBLISHED-TTL:PT${FEED_TTL_SECONDS / 3600}H`,
        ]),
    ...times.vtimezone,
  ];
  const organizer = `ORGANIZER;CN=${param(series.from.name ?? series.name[langs[0]])}:mailto:${series.from.address}`;
  for (const ft of talks) {
    const { talk } = ft;
    const titles = [...new Set(langs.map((l) => talk.title[l]))].join(' / ');
    const online = publicOnline(series, talk, talk.status === 'cancelled' || (o.now !== undefined && isPast(talk, o.now)));
    const place = [talk.location.room?.[langs[0]], talk.location.address?.[langs[0]], talk.location.online?.platform]
      .filter(Boolean)
      .join(' — ');
    // URLs go in as they are (URI values are not TEXT-escaped, checklist §16); validation refuses , and ; in join links.
    const link = absolute(series, paths.talk(langs[0], talk)) ?? online?.url ?? null;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${talk.uid}`,
      `SEQUENCE:${ft.sequence}`,
      `DTSTAMP:${utcStamp(ft.stamp)}`,
      ...times.lines(talk),
      `SUMMARY:${icsText(oneLine(`${series.name[langs[0]]} — ${titles} (${talk.speaker.name})`))}`,
      `DESCRIPTION:${icsText(description(series, ft, langs, t, cache, o.now))}`,
      ...(place ? [`LOCATION:${icsText(oneLine(place))}`] : []),
      ...(link ? [`URL;VALUE=URI:${link}`] : []),
      organizer,
      `STATUS:${talk.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')

    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');

/** How many talks the Atom feed lists: the newest by date (a reader wants news, not 35 years). */
export const ATOM_ENTRIES = 50;

/** An Atom 1.0 feed (RFC 4287) of the talks in one language, the newest first. */
export function buildAtom(series: Series, talks: FeedTalk[], lang: Lang, t: SiteStrings): string {
  const s = t as Record<string, string>;
  const self = paths.atom(lang);
  const tag = (what: string) => `tag:${series.domain},2000:${series.id}/${what}`;
  // Links in the feed are relative to the feed itself unless the site's address is known.
  const link = (path: string) => absolute(series, path) ?? path.slice(`${lang}/`.length);
  const entries = [...talks]
    .sort((a, b) => b.talk.start.toMillis() - a.talk.start.toMillis() || a.talk.id.localeCompare(b.talk.id))
    .slice(0, ATOM_ENTRIES);
  const iso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;
  const updated = DateTime.fromMillis(Math.max(0, ...entries.map((e) => e.stamp.toMillis())), { zone: 'utc' });
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang === 'fr' ? 'fr-CA' : 'en-CA'}">`,
    `  <id>${xml(absolute(series, self) ?? tag(lang))}</id>`,
    `  <title>${xml(series.name[lang])}</title>`,
    `  <updated>${iso(updated)}</updated>`,
    `  <author><name>${xml(series.from.name ?? series.name[lang])}</name></author>`,
    `  <link rel="alternate" type="text/html" href="${xml(link(paths.home(lang)))}"/>`,
  ];
  if (series.site.url) out.push(`  <link rel="self" type="application/atom+xml" href="${xml(series.site.url + self)}"/>`);
  out.push('  <generator>rali</generator>');
  for (const e of entries) {
    const { talk } = e;
    const title = (talk.status === 'cancelled' ? `${s.cancelled_prefix} ` : '') + talk.title[lang];
    const when = `${dateTime(talk.start, lang)} (${zoneName(talk.start, lang)})`;
    const who = talk.speaker.name + (talk.speaker.affiliation ? ` (${talk.speaker.affiliation[lang]})` : '');
    out.push(
      '  <entry>',
      `    <id>${xml(tag(talk.id))}</id>`,
      `    <title>${xml(title)}</title>`,
      `    <updated>${iso(e.stamp)}</updated>`,
      `    <author><name>${xml(talk.speaker.name)}</name></author>`,
      `    <link rel="alternate" type="text/html" href="${xml(link(paths.talk(lang, talk)))}"/>`,
      `    <summary>${xml(`${when} — ${who}`)}</summary>`,
      `    <content type="text">${xml(`${when}\n${who}\n\n${talk.abstract[lang]}`)}</content>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}
