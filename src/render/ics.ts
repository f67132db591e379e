/**
 * The .ics of a talk, with ical-generator 10 (checklist §1). One UID for the life of the talk;
 * SEQUENCE from the ledger; DTSTART/DTEND with TZID and the matching VTIMEZONE; DTSTAMP in UTC.
 * DTSTART, DTEND and the VTIMEZONE are written here, by `calendarTimes`, for the mails, `rali ics`
 * and the site's feeds alike.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { vtimezone } from './vtimezone';
import { Series } from '../model/series';
import { Lang } from '../model/schema';
import { Talk } from '../model/talk';
import { dateTime, zoneName } from './dates';

import type { IcsMethod } from '../model/series';

export interface IcsInput {
  series: Series;
  talk: Talk;
  method: IcsMethod;
  sequence: number;
  /** DTSTAMP: when this revision was made (checklist §9: written in UTC). */
  stamp: DateTime;
  /** The description's languages, in order. */
  langs: Lang[];
  /** With REQUEST and CANCEL: the recipient, as a non-RSVP attendee (RFC 5546 §3.2.2, §3.2.5). */
  attendee?: { email: string; name?: string };
  /** Strings for the description (join details), per language. */
  t: (lang: Lang) => Record<string, unknown>;
}

export function icsFilename(talk: Talk): string {
  return `${talk.id}.ics`;
}

function description(input: IcsInput): string {
  const { talk } = input;
  const o = talk.location.online;
  const halves = input.langs.map((lang) => {
    const t = input.t(lang) as Record<string, string>;
    const lines: string[] = [];
    lines.push(talk.speaker.name + (talk.speaker.affiliation ? ` (${talk.speaker.affiliation[lang]})` : ''));
    lines.push(`${dateTime(talk.start, lang)} (${zoneName(talk.start, lang)})`);
    if (talk.location.room) lines.push(`${t.where}${t.colon} ${talk.location.room[lang]}`);
    if (o) {
      lines.push(`${t.join}${t.colon} ${o.url}`);
      if (o.meetingId) lines.push(`${t.meeting_id}${t.colon} ${o.meetingId}`);
      if (o.passcode) lines.push(`${t.passcode}${t.colon} ${o.passcode}`);
      if (o.phones) lines.push(`${t.phones}${t.colon} ${o.phones}`);
      if (o.oneTap) lines.push(`${t.one_tap}${t.colon} ${o.oneTap}`);
    }
    lines.push(String(t.given_in).replace('{language}', (t.language_names as unknown as Record<Lang, string>)[talk.language]));
    // The abstract stays in the mail: calendars show the event, not the paper.
    return lines.join('\n');
  });
  return halves.join('\n\n———\n\n');
}

function summary(input: IcsInput): string {
  const { talk, series } = input;
  const titles = [...new Set(input.langs.map((l) => talk.title[l]))].join(' / ');
  const name = series.name[input.langs[0]];
  return `${name} — ${titles} (${talk.speaker.name})`;
}

/** Human-readable place (checklist §17): the room, or the platform name for an online talk. */
function location(input: IcsInput): string | undefined {
  const { talk } = input;
  const lang = input.langs[0];
  const parts: string[] = [];
  if (talk.location.room) parts.push(talk.location.room[lang]);
  if (talk.location.address) parts.push(talk.location.address[lang]);
  if (talk.location.online) parts.push(talk.location.online.platform);
  return parts.length ? parts.join(' — ') : undefined;
}

export function buildIcs(input: IcsInput): string {
  const { series, talk } = input;
  const cal = ical({
    prodId: { company: series.domain, product: 'rali', language: input.langs[0].toUpperCase() },
    method: input.method as ICalCalendarMethod,
    // ical-generator writes NAME/X-WR-CALNAME unescaped: a line break there would start a new property.
    name: oneLine(series.name[input.langs[0]]),
  });
  const cancelled = input.method === 'CANCEL' || talk.status === 'cancelled';
  const ev = cal.createEvent({
    id: talk.uid,
    sequence: input.sequence,
    stamp: input.stamp.toUTC(),
    // ical-generator is given instants, in UTC, and no time zone anywhere: it then writes DTSTAMP
    // in UTC (checklist §9, ical-generator #680) and nothing local (§12). The lines with the talk's
    // zone replace its DTSTART and DTEND below (calendarTimes, the one writer of them).
    start: talk.start.toUTC(),
    end: talk.end.toUTC(),
    summary: summary(input),
    description: description(input),
    location: location(input),
    url: talk.location.online?.url ?? null,
    organizer: { name: paramText(oneLine(series.from.name ?? series.name[input.langs[0]])), email: series.from.address },
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  if (input.method !== 'PUBLISH' && input.attendee) {
    // RFC 5546 §3.2.2: a REQUEST names its attendees; §3.2.5: a CANCEL names those it removes the
    // event for. Nobody is asked to reply (RSVP=FALSE); the participation status is the one a new
    // invitation has (NEEDS-ACTION). CN gives clients a name to show; the address when there is none.
    ev.createAttendee({
      email: input.attendee.email,
      name: paramText(input.attendee.name || input.attendee.email),
      rsvp: false,
      status: ICalAttendeeStatus.NEEDSACTION,
      role: ICalAttendeeRole.REQ,
    });
  }
  let text = placeInTime(cal.toString(), calendarTimes(series.timezone, [talk]), talk);
  // RFC 7986 §5.11 CONFERENCE: ical-generator cannot write it (x() takes X- names only); checklist §18.
  const o = talk.location.online;
  if (o && !cancelled) {
    text = text.replace(
      /END:VEVENT\r\n/,
      `${fold(`CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=${o.platform.replace(/[^A-Za-z0-9 ._-]/g, '')}:${o.url}`)}\r\nEND:VEVENT\r\n`,
    );
  }
  // RFC 5545 §3.1: every content line, the last one included, ends with CRLF.
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** What places events in time: the start and end of each, and the VTIMEZONE they refer to. */
export interface Timed {
  start: DateTime;
  end: DateTime;
}

export interface CalendarTimes {
  /** The VTIMEZONE (content lines, unfolded), right for every event given; none without events. */
  vtimezone: string[];
  /** An event's DTSTART and DTEND lines. */
  lines(event: Timed): [string, string];
}

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** yyyyMMdd'T'HHmmss from the DateTime's own fields (Luxon's toFormat costs ~20 µs; a feed has thousands). */
const basic = (d: DateTime) => `${String(d.year).padStart(4, '0')}${p2(d.month)}${p2(d.day)}T${p2(d.hour)}${p2(d.minute)}${p2(d.second)}`;

/**
 * The one writer of DTSTART, DTEND and the VTIMEZONE, for the mails, `rali ics` and the site's
 * feeds: times as wall-clock times in `zone` with TZID (RFC 5545 §3.3.5), and one VTIMEZONE, made
 * from this machine's time zone database, that holds the rules in force over the calendar years of
 * all `events` (render/vtimezone.ts).
 *
 * A time is written in UTC instead — which every client reads right — when the wall-clock time
 * cannot say it: the second time the clocks show twice (calendars read the first, RFC 5545
 * §3.3.5), an offset with seconds (local mean time, Monrovia until 1972: the VTIMEZONE rounds it
 * to the minute), or a time Outlook would misplace because it keeps one yearly rule of the
 * VTIMEZONE, the latest (a feed's talks from before the rule of its last year; a year whose
 * standard time changed).
 */
export function calendarTimes(zone: string, events: Timed[]): CalendarTimes {
  let from = Infinity;
  let to = -Infinity;
  for (const e of events) {
    from = Math.min(from, e.start.toMillis());
    to = Math.max(to, e.end.toMillis());
  }
  const def = events.length ? vtimezone(zone, from, to) : undefined;
  const property = (name: string, d: DateTime) => {
    const local = d.zoneName === zone ? d : d.setZone(zone);
    const at = local.toMillis();
    const wall = at + local.offset * 60_000;
    const exact =
      def !== undefined &&
      at % 60_000 === 0 &&
      Number.isInteger(local.offset) &&
      def.readsAs(wall) === at &&
      def.outlookOffset(wall) === local.offset;
    return exact ? `${name};TZID=${zone}:${basic(local)}` : `${name}:${basic(local.toUTC())}Z`;
  };
  return {
    vtimezone: def?.lines ?? [],
    lines: (e) => [property('DTSTART', e.start), property('DTEND', e.end)],
  };
}

/**
 * ical-generator's text with the talk's own DTSTART and DTEND in place of the UTC ones it wrote,
 * and the VTIMEZONE before the event.
 */
function placeInTime(text: string, times: CalendarTimes, talk: Timed): string {
  const [start, end] = times.lines(talk);
  let found = 0;
  const out = text
    .replace(/^DTSTART:\d{8}T\d{6}Z\r\n/m, () => (found++, `${fold(start)}\r\n`))
    .replace(/^DTEND:\d{8}T\d{6}Z\r\n/m, () => (found++, `${fold(end)}\r\n`))
    .replace(/^BEGIN:VEVENT\r\n/m, (m) => (found++, `${times.vtimezone.map(fold).join('\r\n')}\r\n${m}`));
  if (found !== 3) throw new Error('ical-generator wrote DTSTART, DTEND or BEGIN:VEVENT in a form rali does not expect');
  return out;
}

/**
 * A parameter value such as CN: RFC 5545 §3.2 has no escape for DQUOTE inside a quoted value
 * (ical-generator writes \", which parsers read differently), so quotes and controls are dropped;
 * the same rule as the per-recipient splice (splice.ts).
 */

const paramText = (s: string) => s.replace(/["\u0000-\u001f\u007f]/g, '').trim();

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();

/**
 * RFC 5545 §3.1 folding: lines of at most 75 octets (continuations start with a space), never
 * splitting a UTF-8 sequence. Bytes are counted from the code point, not with an encoder per
 * character: the site's 2,000-event feed spent 3.5 s in ical-generator's way of doing it.
 */
export function fold(line: string): string {
  if (line.length <= 75 && /^[\x20-\x7e]*$/.test(line)) return line;
  const parts: string[] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < line.length;) {
    const c = line.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff; // a surrogate pair: one 4-byte character
    const b = c < 0x80 ? 1 : c < 0x800 ? 2 : high ? 4 : 3;
    if (bytes + b > 75) {
      parts.push(line.slice(from, i));
      from = i;
      bytes = 1; // the continuation's leading space
    }
    bytes += b;
    i += high ? 2 : 1;
  }
  parts.push(line.slice(from));
  return parts.join('\r\n ');
}
