/**
 * The .ics of a talk, with ical-generator 10 (checklist §1). One UID for the life of the talk;
 * SEQUENCE from the ledger; DTSTART/DTEND with TZID and the matching VTIMEZONE; DTSTAMP in UTC.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime } from 'luxon';
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
  // ical-generator #680: a calendar-level zone name makes DTSTAMP local time without Z; set the
  // generator with no name and put the zone on the event (checklist §9, §13).
  // The generator returns null for a zone it lacks, and ical-generator then writes a TZID with no
  // VTIMEZONE, which shifts the time in Outlook (checklist §10, §26): refuse instead.
  if (!getVtimezoneComponent(series.timezone)) {
    throw new Error(`no VTIMEZONE definition for ${series.timezone}: set series.timezone to a canonical IANA zone`);
  }
  cal.timezone({ name: null, generator: getVtimezoneComponent });
  const cancelled = input.method === 'CANCEL' || talk.status === 'cancelled';
  const ev = cal.createEvent({
    id: talk.uid,
    sequence: input.sequence,
    stamp: input.stamp.toUTC(),
    // Luxon values in the zone (checklist §12: never a native Date with a zone).
    start: talk.start,
    end: talk.end,
    timezone: series.timezone,
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
  let text = cal.toString();
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
