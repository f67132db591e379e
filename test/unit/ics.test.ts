/**
 * The .ics of a talk (render/ics.ts), read as a calendar reads it: content lines unfolded, one
 * property each — the method, UID, SEQUENCE, DTSTAMP in UTC, the times with their zone, what the
 * event shows, who it is for, and RFC 5545's folding.
 */
import { DateTime } from 'luxon';
import { buildIcs, calendarTimes, fold, icsFilename, IcsInput } from '../../src/render/ics';
import type { Talk } from '../../src/model/talk';
import { example, FIXED_NOW } from '../helpers/example';

const { series, talk, templates } = example(); // online (Zoom), 2021-11-10 11:30 Toronto, affiliation Huawei Montreal
const room = { fr: 'Salle 3195', en: 'Room 3195' };
const address = { fr: 'Pavillon André-Aisenstadt', en: 'André-Aisenstadt building' };

const ics = (o: Partial<IcsInput> = {}): string =>
  buildIcs({ series, talk, method: 'REQUEST', sequence: 0, stamp: FIXED_NOW, langs: ['fr', 'en'], t: (l) => templates.t(l), ...o });

/** The content lines, unfolded (RFC 5545 §3.1). */
const lines = (text: string) => text.replace(/\r\n /g, '').split('\r\n');
/** The one property `name` of the calendar or the event (not of its VTIMEZONE), as a line, or undefined. */
const prop = (text: string, name: string) => {
  const l = lines(text);
  const outside = [...l.slice(0, l.indexOf('BEGIN:VTIMEZONE')), ...l.slice(l.indexOf('END:VTIMEZONE') + 1)];
  const found = outside.filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
};
const description = (text: string) =>
  prop(text, 'DESCRIPTION')!
    .slice('DESCRIPTION:'.length)
    .replace(/\\n/g, '\n')
    .replace(/\\([,;\\])/g, '$1');

describe('the calendar and the event', () => {
  test('an invitation: method, product, calendar name in the first language', () => {
    const text = ics();
    expect(lines(text).slice(0, 6)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//iro.umontreal.ca//rali//FR',
      'METHOD:REQUEST',
      'NAME:Séminaires RALI-OLST',
      'X-WR-CALNAME:Séminaires RALI-OLST',
    ]);
    expect(prop(ics({ langs: ['en'] }), 'PRODID')).toBe('PRODID:-//iro.umontreal.ca//rali//EN');
    expect(prop(ics({ langs: ['en'] }), 'NAME')).toBe('NAME:RALI-OLST Seminars');
  });

  test('one UID for the life of the talk, the SEQUENCE given, DTSTAMP in UTC', () => {
    const text = ics({ sequence: 3 });
    expect(prop(text, 'UID')).toBe('UID:rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca');
    expect(prop(text, 'SEQUENCE')).toBe('SEQUENCE:3');
    expect(prop(text, 'DTSTAMP')).toBe('DTSTAMP:20211103T130000Z');
  });

  test('the times in the talk’s zone, after its VTIMEZONE', () => {
    const text = ics();
    expect(prop(text, 'DTSTART')).toBe('DTSTART;TZID=America/Toronto:20211110T113000');
    expect(prop(text, 'DTEND')).toBe('DTEND;TZID=America/Toronto:20211110T123000');
    const l = lines(text);
    expect(l.indexOf('BEGIN:VTIMEZONE')).toBeGreaterThan(l.indexOf('X-WR-CALNAME:Séminaires RALI-OLST'));
    expect(l.indexOf('END:VTIMEZONE') + 1).toBe(l.indexOf('BEGIN:VEVENT'));
    expect(l).toContain('TZID:America/Toronto');
  });

  test('the summary: the series, the titles once each, the speaker', () => {
    expect(prop(ics(), 'SUMMARY')).toBe(
      'SUMMARY:Séminaires RALI-OLST — Improved Knowledge Distillation for Pre-trained Language Models (Mehdi Rezagholizadeh)',
    );
    const bi: Talk = { ...talk, title: { fr: 'Distillation', en: 'Distillation of knowledge' } };
    expect(prop(ics({ talk: bi, langs: ['en', 'fr'] }), 'SUMMARY')).toBe(
      'SUMMARY:RALI-OLST Seminars — Distillation of knowledge / Distillation (Mehdi Rezagholizadeh)',
    );
  });

  test('the place: room, address and platform in the first language; none for a talk without a place', () => {
    const placed: Talk = { ...talk, location: { ...talk.location, room, address } };
    expect(prop(ics({ talk: placed }), 'LOCATION')).toBe('LOCATION:Salle 3195 — Pavillon André-Aisenstadt — Zoom');
    expect(prop(ics({ talk: placed, langs: ['en'] }), 'LOCATION')).toBe('LOCATION:Room 3195 — André-Aisenstadt building — Zoom');
    expect(prop(ics({ talk: { ...talk, location: { room } } }), 'LOCATION')).toBe('LOCATION:Salle 3195');
    expect(prop(ics({ talk: { ...talk, location: {} } }), 'LOCATION')).toBeUndefined();
  });

  test('the organizer is the series’ sender, named', () => {
    expect(prop(ics(), 'ORGANIZER')).toBe('ORGANIZER;CN="Séminaires RALI-OLST":mailto:rali-olst@iro.umontreal.ca');
    const noName = { ...series, from: { address: 'seminaires@x.org' } };
    expect(prop(ics({ series: noName, langs: ['en'] }), 'ORGANIZER')).toBe('ORGANIZER;CN="RALI-OLST Seminars":mailto:seminaires@x.org');
  });

  test('the join link is the URL and a CONFERENCE, labelled with the platform', () => {
    const text = ics();
    expect(prop(text, 'URL')).toBe('URL;VALUE=URI:https://umontreal.zoom.us/j/91690975818');
    expect(prop(text, 'CONFERENCE')).toBe('CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Zoom:https://umontreal.zoom.us/j/91690975818');
    const l = lines(text);
    expect(l.indexOf(prop(text, 'CONFERENCE')!) + 1).toBe(l.indexOf('END:VEVENT'));
    const odd: Talk = { ...talk, location: { online: { ...talk.location.online!, platform: 'Teams: "Réunion";x' } } };
    expect(prop(ics({ talk: odd }), 'CONFERENCE')).toBe(
      'CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Teams Runionx:https://umontreal.zoom.us/j/91690975818',
    );
  });

  test('a talk in a room has neither URL nor CONFERENCE', () => {
    const text = ics({ talk: { ...talk, location: { room } } });
    expect(prop(text, 'URL')).toBeUndefined();
    expect(prop(text, 'CONFERENCE')).toBeUndefined();
  });

  test('the file is named after the talk', () => expect(icsFilename(talk)).toBe('2021-11-10-rezagholizadeh.ics'));

  test('every line ends with CRLF, the last one too', () => {
    const text = ics();
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});

describe('the status and the attendee, by method', () => {
  test('a REQUEST is CONFIRMED and names its recipient, who is not asked to reply', () => {
    const text = ics({ attendee: { email: 'ada@x.org', name: 'Ada Lovelace' } });
    expect(prop(text, 'STATUS')).toBe('STATUS:CONFIRMED');
    expect(prop(text, 'ATTENDEE')).toBe(
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE;CN="Ada Lovelace":MAILTO:ada@x.org',
    );
  });

  test('without a name, the address is the name shown; quotes and controls are dropped from it', () => {
    expect(prop(ics({ attendee: { email: 'ada@x.org' } }), 'ATTENDEE')).toMatch(/;CN="ada@x\.org":MAILTO:ada@x\.org$/);
    expect(prop(ics({ attendee: { email: 'ada@x.org', name: '' } }), 'ATTENDEE')).toMatch(/;CN="ada@x\.org":/);
    expect(prop(ics({ attendee: { email: 'ada@x.org', name: ' Ada "the" \u0007Countess\u007f ' } }), 'ATTENDEE')).toMatch(
      /;CN="Ada the Countess":MAILTO:/,
    );
  });

  test('a CANCEL is CANCELLED, names its recipient, and offers no conference to join', () => {
    const text = ics({ method: 'CANCEL', attendee: { email: 'ada@x.org' } });
    expect(prop(text, 'METHOD')).toBe('METHOD:CANCEL');
    expect(prop(text, 'STATUS')).toBe('STATUS:CANCELLED');
    expect(prop(text, 'ATTENDEE')).toMatch(/MAILTO:ada@x\.org$/);
    expect(prop(text, 'CONFERENCE')).toBeUndefined();
  });

  test('a cancelled talk published is CANCELLED too', () => {
    const text = ics({ method: 'PUBLISH', talk: { ...talk, status: 'cancelled' } });
    expect(prop(text, 'STATUS')).toBe('STATUS:CANCELLED');
    expect(prop(text, 'CONFERENCE')).toBeUndefined();
  });

  test('a PUBLISH names no attendee, even when given one', () => {
    const text = ics({ method: 'PUBLISH', attendee: { email: 'ada@x.org' } });
    expect(prop(text, 'METHOD')).toBe('METHOD:PUBLISH');
    expect(prop(text, 'ATTENDEE')).toBeUndefined();
    expect(prop(text, 'STATUS')).toBe('STATUS:CONFIRMED');
  });

  test('no attendee given, none written', () => expect(prop(ics(), 'ATTENDEE')).toBeUndefined());
});

describe('the description', () => {
  test('each language’s half: speaker, date and zone, join details, the language of the talk; not the abstract', () => {
    const placed: Talk = { ...talk, location: { ...talk.location, room } };
    const d = description(ics({ talk: placed }));
    const [fr, en] = d.split('\n\n———\n\n');
    expect(fr.replace(/[\u00a0\u202f]/g, ' ').split('\n')).toEqual([
      'Mehdi Rezagholizadeh (Huawei Montreal)',
      'mercredi 10 novembre 2021 à 11 h 30 (heure de l’Est)',
      'Lieu : Salle 3195',
      'Rejoindre la réunion : https://umontreal.zoom.us/j/91690975818',
      'ID de réunion : 916 9097 5818',
      'Code secret : 343273',
      'Numéros de téléphone : https://umontreal.zoom.us/u/abitNZzLg',
      'Appel mobile en un clic : +14388097799,,91690975818#,,,,,,0#,,343273#',
      'La présentation sera donnée en anglais.',
    ]);
    expect(en.split('\n')).toEqual([
      'Mehdi Rezagholizadeh (Huawei Montreal)',
      'Wednesday, November 10, 2021 at 11:30 a.m. (Eastern Time)',
      'Where: Room 3195',
      'Join the meeting: https://umontreal.zoom.us/j/91690975818',
      'Meeting ID: 916 9097 5818',
      'Passcode: 343273',
      'Phone numbers: https://umontreal.zoom.us/u/abitNZzLg',
      'One tap mobile: +14388097799,,91690975818#,,,,,,0#,,343273#',
      'The presentation will be given in English.',
    ]);
    expect(d).not.toContain('MiniMax');
  });

  test('one language, one half; what the talk lacks is left out', () => {
    const bare: Talk = {
      ...talk,
      speaker: { name: 'Ada Lovelace' },
      language: 'fr',
      location: { online: { platform: 'Zoom', url: 'https://x.org/j/1' } },
    };
    expect(description(ics({ talk: bare, langs: ['en'] })).split('\n')).toEqual([
      'Ada Lovelace',
      'Wednesday, November 10, 2021 at 11:30 a.m. (Eastern Time)',
      'Join the meeting: https://x.org/j/1',
      'The presentation will be given in French.',
    ]);
    const inRoom: Talk = { ...bare, location: { room } };
    expect(description(ics({ talk: inRoom, langs: ['en'] })).split('\n')).toEqual([
      'Ada Lovelace',
      'Wednesday, November 10, 2021 at 11:30 a.m. (Eastern Time)',
      'Where: Room 3195',
      'The presentation will be given in French.',
    ]);
  });
});

describe('one line per property, whatever the names hold', () => {
  test('breaks around the series name are dropped, not turned into spaces', () => {
    const s = { ...series, name: { fr: '\nSéminaires\r\n', en: 'S' }, from: { address: 'seminaires@x.org' } };
    expect(prop(ics({ series: s }), 'NAME')).toBe('NAME:Séminaires');
    expect(prop(ics({ series: s }), 'ORGANIZER')).toBe('ORGANIZER;CN="Séminaires":mailto:seminaires@x.org');
  });
  test('a line break in the series name does not start a property', () => {
    const s = { ...series, name: { fr: 'Séminaires\r\nMETHOD:PUBLISH\u2028x', en: 'S' }, from: { address: 'seminaires@x.org' } };
    const text = ics({ series: s });
    expect(lines(text).filter((l) => l.startsWith('METHOD'))).toEqual(['METHOD:REQUEST']);
    expect(prop(text, 'NAME')).toBe('NAME:Séminaires METHOD:PUBLISH x');
    expect(prop(text, 'ORGANIZER')).toBe('ORGANIZER;CN="Séminaires METHOD:PUBLISH x":mailto:seminaires@x.org');
  });
  test('the sender’s name, quotes and all, is a parameter value that stays one', () => {
    const s = { ...series, from: { name: ' "Séminaires"\nRALI ', address: 'seminaires@x.org' } };
    expect(prop(ics({ series: s }), 'ORGANIZER')).toBe('ORGANIZER;CN="Séminaires RALI":mailto:seminaires@x.org');
  });
});

describe('calendarTimes', () => {
  const zone = 'America/Toronto';
  const at = (iso: string, z = zone) => DateTime.fromISO(iso, { zone: z });
  test('a time given in another zone is written in the talk’s zone', () => {
    const e = { start: at('2021-11-10T16:30', 'UTC'), end: at('2021-11-10T17:30', 'UTC') };
    expect(calendarTimes(zone, [e]).lines(e)).toEqual([
      'DTSTART;TZID=America/Toronto:20211110T113000',
      'DTEND;TZID=America/Toronto:20211110T123000',
    ]);
  });
  test('a time with seconds is written in UTC (the VTIMEZONE cannot say it)', () => {
    const e = { start: at('2021-11-10T11:30:30'), end: at('2021-11-10T12:30') };
    expect(calendarTimes(zone, [e]).lines(e)).toEqual(['DTSTART:20211110T163030Z', 'DTEND;TZID=America/Toronto:20211110T123000']);
  });
  test('without events there is no VTIMEZONE, and times are written in UTC', () => {
    const e = { start: at('2021-11-10T11:30'), end: at('2021-11-10T12:30') };
    expect(calendarTimes(zone, []).lines(e)).toEqual(['DTSTART:20211110T163000Z', 'DTEND:20211110T173000Z']);
    expect(calendarTimes(zone, []).vtimezone).toEqual([]);
  });
  test('years before 1000 keep four digits', () => {
    const e = { start: at('0999-03-10T11:30', 'UTC'), end: at('0999-03-10T12:30', 'UTC') };
    expect(calendarTimes('UTC', []).lines(e)).toEqual(['DTSTART:09990310T113000Z', 'DTEND:09990310T123000Z']);
  });
});

describe('fold', () => {
  const octets = (s: string) => Buffer.byteLength(s, 'utf8');
  test('a short ASCII line stays', () => {
    expect(fold('SUMMARY:x')).toBe('SUMMARY:x');
    expect(fold('X'.repeat(75))).toBe('X'.repeat(75));
  });
  test('a long line is cut at 75 octets, continuations starting with a space', () => {
    const l = 'X'.repeat(200);
    const parts = fold(l).split('\r\n');
    expect(parts.map(octets)).toEqual([75, 75, 52]);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(fold(l).replace(/\r\n /g, '')).toBe(l);
    expect(fold('X'.repeat(76)).split('\r\n')).toEqual(['X'.repeat(75), ' X']);
  });
  test('never inside a UTF-8 sequence: two-, three- and four-octet characters', () => {
    for (const c of ['é', '—', '😀', '\u0080', '\u0800', '\uff01', '\u{10000}', '\u{10ffff}']) {
      const l = `SUMMARY:${c.repeat(60)}`;
      const parts = fold(l).split('\r\n');
      expect(parts.every((p) => octets(p) <= 75)).toBe(true);
      expect(parts.every((p) => !p.includes('\ufffd') && Buffer.from(p, 'utf8').toString('utf8') === p)).toBe(true);
      expect(fold(l).replace(/\r\n /g, '')).toBe(l);
      // Cut as late as it may be: the next character would not have fit.
      for (const p of parts.slice(0, -1)) expect(octets(p) + octets(c)).toBeGreaterThan(75);
    }
  });
  test('a short line beyond ASCII is folded only when it is too long in octets', () => {
    expect(fold('é'.repeat(37))).toBe('é'.repeat(37));
    expect(fold('é'.repeat(38)).split('\r\n')).toEqual(['é'.repeat(37), ' é']);
    expect(fold('SUMMARY:\u0007')).toBe('SUMMARY:\u0007');
  });
});
