/**
 * Every time zone of this machine's time zone database is accepted, under its current IANA name;
 * anything else is refused with the reason.
 */
import { IANAZone } from 'luxon';
import { resolveZone } from '../../src/model/zones';
import { ZONE_LINKS } from '../../src/model/zone-links';
import { RUNTIME_ZONES } from '../helpers/zones';

test('every zone the runtime knows is accepted, as a current IANA name the runtime knows too', () => {
  const names = RUNTIME_ZONES;
  expect(names.length).toBeGreaterThan(560);
  const refused = names.filter((n) => !('zone' in resolveZone(n)));
  expect(refused).toEqual([]);
  for (const name of names) {
    const { zone } = resolveZone(name) as { zone: string };
    expect([name, IANAZone.isValidZone(zone)]).toEqual([name, true]);
    expect([name, ZONE_LINKS[zone]]).toEqual([name, undefined]); // a link is never written as TZID
  }
});

test('the zones that were refused for out-of-date calendar data are accepted as they are', () => {
  for (const z of ['America/Mexico_City', 'America/Sao_Paulo', 'Asia/Tehran', 'Africa/Cairo', 'Asia/Almaty', 'America/Ciudad_Juarez']) {
    expect(resolveZone(z)).toEqual({ zone: z });
  }
});

test('links, renamed zones and other spellings resolve to the current name', () => {
  expect(resolveZone('America/Montreal')).toEqual({ zone: 'America/Toronto' });
  expect(resolveZone('Canada/Eastern')).toEqual({ zone: 'America/Toronto' });
  expect(resolveZone('America/Buenos_Aires')).toEqual({ zone: 'America/Argentina/Buenos_Aires' });
  expect(resolveZone('US/Pacific')).toEqual({ zone: 'America/Los_Angeles' });
  expect(resolveZone('Europe/Kiev')).toEqual({ zone: 'Europe/Kyiv' });
  expect(resolveZone('Europe/Kyiv')).toEqual({ zone: 'Europe/Kyiv' });
  expect(resolveZone('Asia/Calcutta')).toEqual({ zone: 'Asia/Kolkata' });
  expect(resolveZone('Asia/Kolkata')).toEqual({ zone: 'Asia/Kolkata' });
  expect(resolveZone('america/toronto')).toEqual({ zone: 'America/Toronto' });
  expect(resolveZone('asia/kolkata')).toEqual({ zone: 'Asia/Kolkata' });
  expect(resolveZone('UTC')).toEqual({ zone: 'Etc/UTC' });
  expect(resolveZone('Etc/GMT+5')).toEqual({ zone: 'Etc/GMT+5' });
});

test('a name that is not a time zone is refused, with what to write', () => {
  for (const name of ['Montreal', 'Mars/Olympus', 'Factory', '', 'America/Toronto ']) {
    expect(resolveZone(name)).toEqual({ message: `"${name}" is not a time zone`, hint: 'use an IANA name such as America/Toronto' });
  }
});
