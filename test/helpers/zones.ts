/** The time zones this machine's runtime knows, for tests that go through all of them. */
import { ZONE_LINKS } from '../../src/model/zone-links';

/** The runtime's list, the tz database's links, and the zones it accepts but does not list (Etc/GMT±N, the POSIX-style names). */
export const RUNTIME_ZONES = [
  ...new Set([
    ...Intl.supportedValuesOf('timeZone'),
    ...Object.keys(ZONE_LINKS),
    ...Array.from({ length: 27 }, (_, i) => i - 14)
      .filter((n) => n !== 0)
      .map((n) => `Etc/GMT${n > 0 ? '+' : ''}${n}`),
    'EST5EDT',
    'CST6CDT',
    'MST7MDT',
    'PST8PDT',
  ]),
];
