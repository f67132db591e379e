/**
 * The series' time zone as calendars will read it. Every `.ics` carries a VTIMEZONE from
 * @touch4it/ical-timezones, and Outlook shows the time that definition gives — while the mail's
 * text uses the time zone database of this machine (Luxon). A zone is accepted only when it has a
 * definition and the two agree, season by season, over the next three years: some of the package's
 * definitions are out of date (Mexico City keeps a summer time Mexico abolished in 2022, São Paulo
 * one Brazil abolished in 2019), and an invitation would then show the talk an hour off.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime, IANAZone } from 'luxon';
import { ZONE_LINKS } from './zone-links';

/** Names calendars need spelled out (checklist §11: America/Montreal breaks VTIMEZONE generators). */
const ALIASES: Record<string, string> = {
  EST5EDT: 'America/Toronto',
  'America/Montreal': 'America/Toronto',
  'Canada/Eastern': 'America/Toronto',
};

export type ZoneResult = { zone: string } | { message: string; hint: string };

const cache = new Map<string, ZoneResult>();

/** The offsets (minutes) of `zone` at noon on the 15th of every third month, over the next three years (summer and winter, both hemispheres). */
const sampled = new Map<string, { at: DateTime; offset: number }[]>();
function samples(zone: string, from: DateTime): { at: DateTime; offset: number }[] {
  const key = `${zone}@${from.toFormat('yyyy-LL')}`;
  const hit = sampled.get(key);
  if (hit) return hit;
  const out = [];
  for (let m = 0; m <= 36; m += 3) {
    const at = from
      .plus({ months: m })
      .set({ day: 15, hour: 12, minute: 0, second: 0, millisecond: 0 })
      .setZone(zone, { keepLocalTime: true });
    out.push({ at, offset: at.offset });
  }
  sampled.set(key, out);
  return out;
}

function definitionOffsets(def: string, at: DateTime[]): number[] {
  const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
  const comp = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${def}\r\nEND:VCALENDAR`)).getFirstSubcomponent('vtimezone')!;
  const tz = new ICAL.Timezone(comp);
  return at.map(
    (t) =>
      tz.utcOffset(new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: 0, second: 0, isDate: false }, tz)) / 60,
  );
}

const utc = (min: number) =>
  `UTC${min < 0 ? '−' : '+'}${Math.floor(Math.abs(min) / 60)}${Math.abs(min) % 60 ? `:${String(Math.abs(min) % 60).padStart(2, '0')}` : ''}`;

/**
 * The first sample where the package's definition of `zone` disagrees with the time zone database,
 * as [index, the definition's offset]; undefined when they agree (or -1 when it cannot be read).
 */
const judged = new Map<string, [number, number] | undefined>();
function disagreement(zone: string, def: string, from: DateTime): [number, number] | undefined {
  const key = `${zone}@${from.toFormat('yyyy-LL')}`;
  if (!judged.has(key)) judged.set(key, judge(zone, def, from));
  return judged.get(key);
}

function judge(zone: string, def: string, from: DateTime): [number, number] | undefined {
  const s = samples(zone, from);
  let cal: number[];
  try {
    cal = definitionOffsets(
      def,
      s.map((x) => x.at),
    );
  } catch {
    return [-1, 0]; // a definition the reader cannot expand: not to be trusted either
  }
  const k = s.findIndex((x, i) => x.offset !== cal[i]);
  return k < 0 ? undefined : [k, cal[k]];
}

/**
 * Another zone with a sound definition and the same clock as `zone` over the samples: one of the
 * same region first (America/…), never an Antarctic station or Etc/.
 */
function sameClock(zone: string, from: DateTime): string | undefined {
  const want = samples(zone, from).map((s) => s.offset);
  const area = zone.split('/')[0];
  const all = Intl.supportedValuesOf('timeZone').filter((z) => z !== zone && !/^(Antarctica|Etc)\//.test(z));
  for (const z of [...all.filter((x) => x.startsWith(`${area}/`)), ...all.filter((x) => !x.startsWith(`${area}/`))]) {
    const def = getVtimezoneComponent(z);
    if (!def || samples(z, from).some((s, i) => s.offset !== want[i])) continue;
    if (!disagreement(z, def, from)) return z;
  }
  return undefined;
}

/** The zone calendars get for `name` (a link resolved to its target), or why it cannot be used. */
export function resolveZone(name: string, now: DateTime = DateTime.now()): ZoneResult {
  const key = `${name}@${now.toFormat('yyyy-LL')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let r: ZoneResult;
  if (!IANAZone.isValidZone(name)) {
    r = { message: `"${name}" is not a time zone`, hint: 'use an IANA name such as America/Toronto' };
  } else {
    // The name calendars know: a link's target, or (a zone renamed after the calendar data was
    // made, Europe/Kiev → Europe/Kyiv) an older name of the same zone.
    const target = ALIASES[name] ?? ZONE_LINKS[name] ?? name;
    const names = [target, name, ...Object.keys(ZONE_LINKS).filter((a) => ZONE_LINKS[a] === target)];
    const zone = names.find((n) => getVtimezoneComponent(n)) ?? target;
    const def = getVtimezoneComponent(zone);
    const from = now.setZone(zone).startOf('month');
    if (!def) {
      const other = sameClock(zone, from);
      r = {
        message: `"${name}" has no calendar (VTIMEZONE) definition in rali's time zone data (a zone newer than that data)`,
        hint: other
          ? `use ${other}, whose clock is the same over the next three years`
          : 'use the IANA zone of a nearby city with the same clock',
      };
    } else {
      const d = disagreement(zone, def, from);
      if (!d) r = { zone };
      else {
        const other = sameClock(zone, from);
        r = {
          message:
            d[0] < 0
              ? `the calendar (VTIMEZONE) definition rali has for "${name}" cannot be read — invitations could show the wrong time`
              : `the calendar (VTIMEZONE) definition rali has for "${name}" is out of date: it says ${utc(d[1])} on ${samples(zone, from)[d[0]].at.toISODate()}, the time zone database ${utc(samples(zone, from)[d[0]].offset)} — invitations would show the wrong time`,
          hint: other
            ? `use ${other}, whose clock is the same over the next three years`
            : 'use the IANA zone of a nearby city with the same clock',
        };
      }
    }
  }
  cache.set(key, r);
  return r;
}
