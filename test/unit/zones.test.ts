/**
 * Every time zone validate accepts gives calendars a VTIMEZONE that agrees with the time zone
 * database; every other one is refused with the reason and, where one exists, a zone to use.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime } from 'luxon';
import { resolveZone } from '../../src/model/zones';
import { ZONE_LINKS } from '../../src/model/zone-links';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
const now = DateTime.fromISO('2026-11-28T12:00:00Z');

/** The offsets (minutes) the VTIMEZONE gives at these local times, read by ical.js. */
function offsetsOf(def: string, at: DateTime[]): number[] {
  const comp = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${def}\r\nEND:VCALENDAR`)).getFirstSubcomponent('vtimezone')!;
  const tz = new ICAL.Timezone(comp);
  return at.map(
    (t) =>
      tz.utcOffset(new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: 0, second: 0, isDate: false }, tz)) / 60,
  );
}

test('each accepted zone (and link) has a VTIMEZONE that ical.js reads with the offsets Luxon gives, winter and summer', () => {
  const names = [...Intl.supportedValuesOf('timeZone'), ...Object.keys(ZONE_LINKS)];
  let accepted = 0;
  const checked = new Set<string>();
  for (const name of names) {
    const r = resolveZone(name, now);
    if (!('zone' in r)) {
      expect(r.message).toMatch(/VTIMEZONE/);
      continue;
    }
    accepted++;
    if (checked.has(r.zone)) continue; // a link to a zone already checked
    checked.add(r.zone);
    const def = getVtimezoneComponent(r.zone)!;
    expect(def).toBeTruthy();
    const local = ['2027-01-15T12:00', '2027-07-15T12:00'].map((at) => DateTime.fromISO(at, { zone: r.zone }));
    expect([name, ...offsetsOf(def, local)]).toEqual([name, ...local.map((l) => l.offset)]);
  }
  expect(accepted).toBeGreaterThan(450);
});

test('links and renamed zones resolve to a name calendars know', () => {
  expect(resolveZone('America/Montreal', now)).toEqual({ zone: 'America/Toronto' });
  expect(resolveZone('America/Buenos_Aires', now)).toEqual({ zone: 'America/Argentina/Buenos_Aires' });
  expect(resolveZone('US/Pacific', now)).toEqual({ zone: 'America/Los_Angeles' });
  expect(resolveZone('Europe/Kyiv', now)).toEqual({ zone: 'Europe/Kiev' }); // the calendar data predates the rename
});

test('a zone whose calendar definition is out of date is refused, with a zone that has the same clock', () => {
  const r = resolveZone('America/Mexico_City', now);
  expect(r).toEqual({
    message: expect.stringMatching(
      /definition rali has for "America\/Mexico_City" is out of date: it says UTC−5 on 2027-\d\d-15, the time zone database UTC−6/,
    ),
    hint: expect.stringMatching(/^use America\/\w+, whose clock is the same over the next three years$/),
  });
  expect(resolveZone('America/Ciudad_Juarez', now)).toMatchObject({
    message: expect.stringMatching(/no calendar \(VTIMEZONE\) definition/),
  });
  expect(resolveZone('Montreal', now)).toEqual({
    message: '"Montreal" is not a time zone',
    hint: 'use an IANA name such as America/Toronto',
  });
});
