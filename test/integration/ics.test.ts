/** The .ics read back by ical.js, Mozilla's parser (the one inside Thunderbird). */
import { DateTime } from 'luxon';
import { readSeries, readTalk } from '../../src/model';
import { buildIcs } from '../../src/render/ics';
import { TemplateSet } from '../../src/render/templates';
import { example, EXAMPLE_TALK, FIXED_NOW } from '../helpers/example';
import { ROOT, tempDir } from '../helpers/paths';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ical.js ships ESM types and a CommonJS build, which is what jest loads here.

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

function parse(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  const vevent = comp.getFirstSubcomponent('vevent')!;
  return { comp, vevent, event: new ICAL.Event(vevent) };
}

const { series, talk, templates } = example();
const ics = (over: Partial<Parameters<typeof buildIcs>[0]> = {}) =>
  buildIcs({ series, talk, method: 'PUBLISH', sequence: 0, stamp: FIXED_NOW, langs: ['fr', 'en'], t: (l) => templates.t(l), ...over });

describe('the example talk’s .ics', () => {
  const text = ics();
  const { comp, vevent, event } = parse(text);

  test('DTSTART is 11:30 in Montreal = 16:30 UTC', () => {
    expect(event.startDate.toJSDate().toISOString()).toBe('2021-11-10T16:30:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2021-11-10T17:30:00.000Z');
    expect(vevent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/Toronto');
  });
  test('every TZID has its VTIMEZONE', () => {
    const tzids = [...text.matchAll(/TZID=([^:;]+)/g)].map((m) => m[1]);
    const defined = comp.getAllSubcomponents('vtimezone').map((v) => v.getFirstPropertyValue('tzid'));
    expect(tzids.length).toBeGreaterThan(0);
    for (const id of tzids) expect(defined).toContain(id);
  });
  test('DTSTAMP is UTC', () => expect(text).toMatch(/^DTSTAMP:\d{8}T\d{6}Z\r$/m));
  test('METHOD, ORGANIZER, no ATTENDEE, no VALARM, URL, LOCATION, STATUS', () => {
    expect(comp.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(vevent.getFirstPropertyValue('organizer')).toBe('mailto:rali-olst@iro.umontreal.ca');
    expect(vevent.getAllProperties('attendee')).toHaveLength(0);
    expect(text).not.toContain('VALARM');
    expect(vevent.getFirstPropertyValue('url')).toBe('https://umontreal.zoom.us/j/91690975818');
    expect(event.location).toBe('Zoom');
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(event.description).toContain('916 9097 5818');
  });
  test('lines are CRLF and folded at 75 octets', () => {
    expect(text.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    for (const l of text.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
  });
  test('two builds give the same UID', () => {
    expect(parse(ics({ stamp: FIXED_NOW.plus({ days: 3 }) })).event.uid).toBe(event.uid);
    expect(event.uid).toBe('rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca');
  });
  test('cancel: METHOD:CANCEL, STATUS:CANCELLED, the same UID, the given SEQUENCE', () => {
    const c = parse(ics({ method: 'CANCEL', sequence: 2 }));
    expect(c.comp.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(c.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(c.event.uid).toBe(event.uid);
    expect(c.event.sequence).toBe(2);
  });
  test('REQUEST names the recipient as a non-RSVP attendee', () => {
    const r = parse(ics({ method: 'REQUEST', attendee: { email: 'ana@example.org' } }));
    const a = r.vevent.getFirstProperty('attendee')!;
    expect(String(a.getFirstValue()).toLowerCase()).toBe('mailto:ana@example.org');
    expect(a.getParameter('rsvp')).toBe('FALSE');
    expect(a.getParameter('partstat')).toBe('NEEDS-ACTION');
    expect(a.getParameter('cn')).toBe('ana@example.org'); // no name: the address, so clients have something to show
    const named = parse(ics({ method: 'REQUEST', attendee: { email: 'ana@example.org', name: 'Ana Tremblay' } }));
    expect(named.vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe('Ana Tremblay');
    expect(r.vevent.getFirstProperty('organizer')!.getParameter('cn')).toBe('Séminaires RALI-OLST');
  });
  test('a quote in a name cannot end the CN parameter (RFC 5545 §3.2 has no escape for it)', () => {
    const text = ics({ method: 'REQUEST', attendee: { email: 'jo@example.org', name: 'Jo "Jr." Roy' } });
    expect(text.replace(/\r\n /g, '')).toMatch(/^ATTENDEE;[^\r]*;CN="Jo Jr\. Roy":MAILTO:jo@example\.org\r$/m);
    expect(parse(text).vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe('Jo Jr. Roy');
  });
  test('CANCEL names the attendee it cancels for (RFC 5546 §3.2.5)', () => {
    const c = parse(ics({ method: 'CANCEL', sequence: 1, attendee: { email: 'ana@example.org', name: 'Ana' } }));
    expect(String(c.vevent.getFirstPropertyValue('attendee')).toLowerCase()).toBe('mailto:ana@example.org');
  });
  test('PUBLISH never names an attendee', () => {
    expect(parse(ics({ method: 'PUBLISH', attendee: { email: 'ana@example.org' } })).vevent.getAllProperties('attendee')).toHaveLength(0);
  });
  test('the file ends with CRLF (RFC 5545 §3.1)', () => {
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics({ method: 'CANCEL' }).endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});

test('a July talk is 15:30 UTC (daylight time)', () => {
  const t = tempDir();
  const file = join(t.dir, '2022-07-06-x.yaml');
  writeFileSync(file, readFileSync(EXAMPLE_TALK, 'utf8').replace('date: 2021-11-10', 'date: 2022-07-06'));
  const s = readSeries(join(__dirname, '../../../rali.yaml'), ROOT).series!;
  const july = readTalk(file, s, DateTime.fromISO('2022-01-01')).talk!;
  t.cleanup();
  const { event } = parse(
    buildIcs({
      series: s,
      talk: july,
      method: 'PUBLISH',
      sequence: 0,
      stamp: FIXED_NOW,
      langs: ['fr'],
      t: (l) => new TemplateSet(undefined, ROOT).t(l),
    }),
  );
  expect(event.startDate.toJSDate().toISOString()).toBe('2022-07-06T15:30:00.000Z');
});
