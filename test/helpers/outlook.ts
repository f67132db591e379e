/**
 * How Outlook places a time given with TZID, per MS-OXCICAL §2.1.3.1.1.19: it keeps the STANDARD
 * and the DAYLIGHT with the largest DTSTART and makes one yearly Windows rule of them — the
 * RRULE's nth weekday of its month or, without RRULE, the nth weekday of the month its DTSTART
 * falls on (a fifth is the last). Written apart from src/render/vtimezone.ts, from the text.
 */
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

type Comp = InstanceType<typeof ICAL.Component>;
const WEEKDAYS: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };

interface WindowsRule {
  month: number;
  weekday: number;
  /** 1–4, or 5 for the last. */
  nth: number;
  seconds: number;
  to: number;
}

function windowsRule(c: Comp): WindowsRule {
  const start = c.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>;
  const rrule = c.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur> | null;
  const to = (c.getFirstPropertyValue('tzoffsetto') as InstanceType<typeof ICAL.UtcOffset>).toSeconds() / 60;
  const seconds = (start.hour * 60 + start.minute) * 60 + start.second;
  if (rrule) {
    const m = /^(-?\d)([A-Z]{2})$/.exec(String(rrule.parts.BYDAY![0]))!;
    return { month: Number(rrule.parts.BYMONTH![0]), weekday: WEEKDAYS[m[2]], nth: Number(m[1]) < 0 ? 5 : Number(m[1]), seconds, to };
  }
  const weekday = new Date(Date.UTC(2000, start.month - 1, start.day)).setUTCFullYear(start.year);
  return { month: start.month, weekday: new Date(weekday).getUTCDay(), nth: Math.ceil(start.day / 7), seconds, to };
}

/** The wall-clock time (ms, fields as UTC) a Windows rule gives in `year`. */
function onset(r: WindowsRule, year: number): number {
  const first = new Date(new Date(Date.UTC(2000, r.month - 1, 1)).setUTCFullYear(year));
  const days = new Date(new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(year, r.month, 0)).getUTCDate();
  let day = 1 + ((r.weekday - first.getUTCDay() + 7) % 7) + (r.nth - 1) * 7;
  while (day > days) day -= 7;
  return first.getTime() + (day - 1) * 86_400_000 + r.seconds * 1000;
}

/** How Outlook reads `DTSTART;TZID=…:value` (yyyyMMddTHHmmss) with this VTIMEZONE text: the instant (ms). */
export function outlookReader(vtimezone: string): (value: string) => number {
  const comp = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${vtimezone}\r\nEND:VCALENDAR`)).getFirstSubcomponent('vtimezone')!;
  const latest = (name: string) =>
    comp
      .getAllSubcomponents(name)
      .sort((a, b) =>
        (a.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>).compare(
          b.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>,
        ),
      )
      .pop();
  const std = latest('standard');
  const dst = latest('daylight');
  if (!std) throw new Error('no STANDARD: Outlook would not read the zone');
  const standard = windowsRule(std);
  const daylight = dst && windowsRule(dst);
  return (value) => {
    const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)$/.exec(value)!;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const wall = new Date(Date.UTC(2000, mo - 1, d, h, mi, s)).setUTCFullYear(y);
    if (!daylight) return wall - standard.to * 60_000;
    const a = onset(daylight, y);
    const b = onset(standard, y);
    const inDaylight = a < b ? wall >= a && wall < b : wall >= a || wall < b;
    return wall - (inDaylight ? daylight.to : standard.to) * 60_000;
  };
}

/** The instant (ms) Outlook gives `DTSTART;TZID=…:value` with this VTIMEZONE text. */
export const outlookInstant = (vtimezone: string, value: string) => outlookReader(vtimezone)(value);
