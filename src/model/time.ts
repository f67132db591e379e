/**
 * Dates, clock times and offsets as organizers write them, turned into instants in the series'
 * time zone with Luxon. Never a native Date with a zone (checklist §12).
 */
import { DateTime, Duration, IANAZone } from 'luxon';
import { resolveZone } from './zones';

export interface Clock {
  hour: number;
  minute: number;
}

/** `11:30`, `11h30`, `11 h 30`, `11 h`, `11:30 AM`, `11:30 p.m.`, `9 AM`. */
export function parseClock(text: string): Clock | undefined {
  const m = /^\s*(\d{1,2})\s*(?:(:|h)\s*(\d{2})?)?\s*(?:([ap])\.?\s*m\.?)?\s*$/i.exec(text);
  if (!m) return undefined;
  // `11 h` is French for 11:00; `11:` is a time cut off while typing.
  const [, h, sep, mm, ampm] = m;
  if (sep === ':' && !mm) return undefined;
  let hour = Number(h);
  const minute = mm ? Number(mm) : 0;
  if (!sep && !ampm) return undefined; // a bare number is too ambiguous
  if (ampm) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = ampm.toLowerCase() === 'p';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return undefined;
  return { hour, minute };
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** `2021-11-10`; `2027-02-30` is undefined (does not exist). */
export function parseDate(text: string): CalendarDate | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return DateTime.fromObject(d, { zone: 'UTC' }).isValid ? d : undefined;
}

/** The zone calendars get for `name`, or undefined when it cannot be used (zones.ts says why). */
export function canonicalZone(name: string): string | undefined {
  const r = resolveZone(name);
  return 'zone' in r ? r.zone : undefined;
}

export type LocalResult = { kind: 'ok'; at: DateTime } | { kind: 'ambiguous'; at: DateTime; other: DateTime } | { kind: 'gap' };

/**
 * The instant of a wall-clock time in `zone`. Luxon silently moves a time in the spring-forward gap
 * and picks one side of a fall-back overlap; we need to know both cases.
 */
export function localInstant(date: CalendarDate, clock: Clock, zone: string): LocalResult {
  // The wall-clock time read as UTC; an instant shows it in `zone` exactly when the zone's offset
  // at that instant is the one subtracted. Offsets are asked of the zone directly (a DateTime costs
  // twice as much), around the time, to catch a change of offset that day.
  // (Date.UTC reads years 0–99 as 1900–1999: set the year apart.)
  const wall = new Date(Date.UTC(2000, date.month - 1, date.day, clock.hour, clock.minute));
  const wallMs = wall.setUTCFullYear(date.year);
  const z = IANAZone.create(zone);
  const offsets = new Set<number>();
  for (const probe of [-26, -3, 0, 3, 26]) offsets.add(z.offset(wallMs + probe * 3600_000));
  const instants = [...new Set([...offsets].filter((off) => z.offset(wallMs - off * 60_000) === off).map((off) => wallMs - off * 60_000))];
  const matches = instants.sort((a, b) => a - b).map((ms) => DateTime.fromMillis(ms, { zone }));
  if (matches.length === 0) return { kind: 'gap' };
  if (matches.length > 1) return { kind: 'ambiguous', at: matches[0], other: matches[1] };
  return { kind: 'ok', at: matches[0] };
}

const UNITS: Record<string, 'minutes' | 'hours' | 'days' | 'weeks'> = {
  minute: 'minutes',
  minutes: 'minutes',
  min: 'minutes',
  mins: 'minutes',
  m: 'minutes',
  hour: 'hours',
  hours: 'hours',
  h: 'hours',
  heure: 'hours',
  heures: 'hours',
  day: 'days',
  days: 'days',
  d: 'days',
  jour: 'days',
  jours: 'days',
  week: 'weeks',
  weeks: 'weeks',
  w: 'weeks',
  semaine: 'weeks',
  semaines: 'weeks',
};

/**
 * `1 day`, `2 hours`, `30 minutes`, `1 jour`. Days and weeks are calendar units: "1 day before"
 * is the same local time the day before, across a DST change (Luxon's `minus({days: 1})`).
 */
export function parseOffset(text: string): Duration | undefined {
  const m = /^\s*(\d+)\s*([a-zé]+)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2].toLowerCase()];
  if (!unit) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  return Duration.fromObject({ [unit]: n });
}

/**
 * A talk's length as organizers write it: `60` (minutes), `"90"`, `90 min`, `1h`, `1 hour`,
 * `1h30`, `1 h 30`, `1 heure 30`, `2 hours`. Minutes, or undefined.
 */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t) > 0 ? Number(t) : undefined;
  const hm = /^(\d+)\s*(?:h|hr|hrs|hours?|heures?)\s*(?:(\d{1,2})\s*(?:m|min|mins|minutes?)?)?$/.exec(t);
  if (hm) {
    const m = hm[2] ? Number(hm[2]) : 0;
    if (m > 59) return undefined;
    const total = Number(hm[1]) * 60 + m;
    return total > 0 ? total : undefined;
  }
  const off = parseOffset(t);
  if (!off) return undefined;
  const minutes = off.as('minutes');
  return Number.isInteger(minutes) && minutes > 0 ? minutes : undefined;
}
