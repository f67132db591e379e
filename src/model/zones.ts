/**
 * The series' time zone as calendars will name it. Any zone of this machine's time zone database
 * is accepted: every `.ics` carries a VTIMEZONE that rali makes from that same database for the
 * talk's own dates (render/vtimezone.ts), so the invitation and the mail's text cannot disagree.
 * The name written in TZID is the zone's current IANA name: a link (an old or alternative name,
 * America/Montreal, US/Pacific, Europe/Kiev) becomes its target, and a name written in another
 * case its proper spelling.
 */
import { IANAZone } from 'luxon';
import { ZONE_LINKS } from './zone-links';

/** Names given another zone than the tz database's links give (checklist §11: TZID America/Toronto, not America/Montreal). */
const ALIASES: Record<string, string> = {
  EST5EDT: 'America/Toronto',
  'America/Montreal': 'America/Toronto',
  'Canada/Eastern': 'America/Toronto',
};

export type ZoneResult = { zone: string } | { message: string; hint: string };

/** Names that are already current IANA zones, as they are spelled. */
let current: Set<string> | undefined;
const isCurrent = (name: string) =>
  (current ??= new Set([...Intl.supportedValuesOf('timeZone'), ...Object.values(ZONE_LINKS)].filter((z) => !ZONE_LINKS[z]))).has(name);

const cache = new Map<string, ZoneResult>();

/** The zone calendars get for `name` (a link resolved to its target), or why it cannot be used. */
export function resolveZone(name: string): ZoneResult {
  const hit = cache.get(name);
  if (hit) return hit;
  let r: ZoneResult;
  if (!IANAZone.isValidZone(name)) {
    r = { message: `"${name}" is not a time zone`, hint: 'use an IANA name such as America/Toronto' };
  } else {
    const direct = ALIASES[name] ?? ZONE_LINKS[name];
    if (direct) r = { zone: direct };
    else if (isCurrent(name) || name === icuName(name)) r = { zone: name };
    else {
      // Another spelling (america/toronto) or a name the link table lacks: the runtime's own name
      // for the zone, resolved the same way (ICU keeps older names: Asia/Kolkata is Asia/Calcutta).
      const icu = icuName(name);
      r = { zone: ALIASES[icu] ?? ZONE_LINKS[icu] ?? icu };
    }
  }
  cache.set(name, r);
  return r;
}

const icuName = (name: string) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
