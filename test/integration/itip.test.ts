/**
 * Calendars that follow: rali's announce → update → cancel applied to a stored event by a real
 * iTIP processor, Sabre/VObject 4's ITip\Broker (SabreDAV, Nextcloud), under php-cli
 * (test/vendor/sabre); and read back by ical.js.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Kind, renderKind } from '../helpers/render';
import { Series } from '../../src/model/series';
import { Talk } from '../../src/model/talk';
import { scheduleOf } from '../../src/model/schedule';
import { example, FIXED_NOW } from '../helpers/example';
import { ROOT, tempDir } from '../helpers/paths';
import { describeWith } from '../helpers/programs';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const { series, talk, templates } = example();
const ana = { email: 'ana@example.org', name: 'Ana Tremblay' };
/** The talk moved by a day and two hours, as `rali update` would send it. */
const moved: Talk = { ...talk, start: talk.start.plus({ days: 1, hours: 2 }), end: talk.end.plus({ days: 1, hours: 2 }) };

function ics(s: Series, t: Talk, kind: Kind, sequence: number, previous?: Talk): string {
  return renderKind({
    series: s,
    talk: t,
    kind,
    langs: ['fr', 'en'],
    templates,
    now: FIXED_NOW.plus({ days: sequence }),
    sequence,
    previous: previous && scheduleOf(previous),
    attendee: ana,
  }).ics!.content;
}

interface Step {
  file: string;
  method: string;
  addressed: boolean;
  applied: boolean;
  uid: string;
  dtstart: string;
  sequence: number;
  status: string | null;
}

function broker(files: string[], recipient = ana.email): Step[] {
  const t = tempDir();
  try {
    const paths = files.map((content, i) => {
      const p = join(t.dir, `${i}.ics`);
      writeFileSync(p, content);
      return p;
    });
    const r = spawnSync('php', [join(ROOT, 'test/vendor/sabre/itip.php'), recipient, ...paths], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`php exited ${r.status}: ${r.stderr}${r.stdout}`);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Step);
  } finally {
    t.cleanup();
  }
}

const utc = (dt: DateTime) => dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");

describeWith(['php'], 'php-cli php-xml php-mbstring', 'Sabre/VObject iTIP broker', () => {
  const announce = ics(series, talk, 'announce', 0);
  const update = ics(series, moved, 'update', 1, talk);
  const cancel = ics(series, moved, 'cancel', 2);

  test('request (the default): the update moves the event, the cancel cancels it', () => {
    const [a, u, c] = broker([announce, update, cancel]);
    expect(a).toMatchObject({
      method: 'REQUEST',
      addressed: true,
      applied: true,
      dtstart: utc(talk.start),
      sequence: 0,
      status: 'CONFIRMED',
    });
    expect(u).toMatchObject({
      method: 'REQUEST',
      addressed: true,
      applied: true,
      uid: a.uid,
      dtstart: utc(moved.start),
      sequence: 1,
      status: 'CONFIRMED',
    });
    expect(c).toMatchObject({
      method: 'CANCEL',
      addressed: true,
      applied: true,
      uid: a.uid,
      dtstart: utc(moved.start),
      sequence: 2,
      status: 'CANCELLED',
    });
  });

  test('publish: the broker ignores the update and the event keeps its old time (why request is the default)', () => {
    const s: Series = { ...series, icsMethod: 'PUBLISH' };
    const [a, u] = broker([ics(series, talk, 'announce', 0), ics(s, moved, 'update', 1, talk)]);
    expect(a.applied).toBe(true);
    expect(u).toMatchObject({ method: 'PUBLISH', applied: false, dtstart: utc(talk.start), sequence: 0 });
  });

  test('a message that names another attendee is not delivered to this one', () => {
    const [a] = broker([announce], 'bob@example.org');
    expect(a).toMatchObject({ addressed: false, applied: false });
  });
});

test('ical.js reads the update as the same UID with SEQUENCE + 1 and the new start', () => {
  const ev = (text: string) => new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);
  const a = ev(ics(series, talk, 'announce', 0));
  const u = ev(ics(series, moved, 'update', 1, talk));
  const c = ev(ics(series, moved, 'cancel', 2));
  expect(u.uid).toBe(a.uid);
  expect(u.sequence).toBe(a.sequence + 1);
  expect(u.startDate.toJSDate().toISOString()).toBe(moved.start.toUTC().toISO());
  expect(c.uid).toBe(a.uid);
  expect(c.sequence).toBe(u.sequence + 1);
  expect(c.component.getFirstPropertyValue('status')).toBe('CANCELLED');
});
