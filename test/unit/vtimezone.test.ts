/**
 * The VTIMEZONE rali makes from the time zone database (src/render/vtimezone.ts) and the
 * DTSTART/DTEND written with it (src/render/ics.ts calendarTimes): the rules in force on the
 * talk's dates, in the shape Outlook reads.
 */
import { DateTime } from 'luxon';
import { calendarTimes } from '../../src/render/ics';
import { outlookInstant } from '../helpers/outlook';

const talk = (iso: string, zone: string, minutes = 60) => {
  const start = DateTime.fromISO(iso, { zone });
  return { start, end: start.plus({ minutes }) };
};
const vtz = (iso: string, zone: string) => calendarTimes(zone, [talk(iso, zone)]).vtimezone.join('\n');

test('Toronto, 28 October 1998: the rules of 1998 (daylight time from the first Sunday of April to the last of October)', () => {
  expect(vtz('1998-10-28T10:30', 'America/Toronto')).toBe(
    [
      'BEGIN:VTIMEZONE',
      'TZID:America/Toronto',
      'X-LIC-LOCATION:America/Toronto',
      'BEGIN:STANDARD',
      'DTSTART:19971026T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'TZOFFSETFROM:-0400',
      'TZOFFSETTO:-0500',
      'TZNAME:EST',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:19980405T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0400',
      'TZNAME:EDT',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ].join('\n'),
  );
  expect(
    calendarTimes('America/Toronto', [talk('1998-10-28T10:30', 'America/Toronto')]).lines(talk('1998-10-28T10:30', 'America/Toronto')),
  ).toEqual(['DTSTART;TZID=America/Toronto:19981028T103000', 'DTEND;TZID=America/Toronto:19981028T113000']);
});

test('Toronto, 2026: the rules since 2007 (second Sunday of March, first of November)', () => {
  expect(vtz('2026-11-10T11:30', 'America/Toronto')).toBe(
    [
      'BEGIN:VTIMEZONE',
      'TZID:America/Toronto',
      'X-LIC-LOCATION:America/Toronto',
      'BEGIN:STANDARD',
      'DTSTART:20251102T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
      'TZOFFSETFROM:-0400',
      'TZOFFSETTO:-0500',
      'TZNAME:EST',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:20260308T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0400',
      'TZNAME:EDT',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ].join('\n'),
  );
});

test('Tehran: one STANDARD since Iran ended daylight time in 2022; in 1995, the changes of 1995 (not weekday rules)', () => {
  const one = (dtstart: string, from: string, to: string, kind = 'STANDARD') => [
    `BEGIN:${kind}`,
    `DTSTART:${dtstart}`,
    `TZOFFSETFROM:${from}`,
    `TZOFFSETTO:${to}`,
    `TZNAME:${to.slice(0, 5)}`,
    `END:${kind}`,
  ];
  const head = ['BEGIN:VTIMEZONE', 'TZID:Asia/Tehran', 'X-LIC-LOCATION:Asia/Tehran'];
  expect(vtz('2026-03-10T10:00', 'Asia/Tehran')).toBe([...head, ...one('20220922T000000', '+0430', '+0330'), 'END:VTIMEZONE'].join('\n'));
  expect(vtz('1995-07-15T10:00', 'Asia/Tehran')).toBe(
    [
      ...head,
      ...one('19940922T000000', '+0430', '+0330'),
      ...one('19950322T000000', '+0330', '+0430', 'DAYLIGHT'),
      ...one('19950922T000000', '+0430', '+0330'),
      'END:VTIMEZONE',
    ].join('\n'),
  );
});

test('Mexico City after 2022 and São Paulo after 2019: standard time only, no daylight time left for Outlook to repeat', () => {
  expect(vtz('2026-06-01T10:00', 'America/Mexico_City')).toBe(
    [
      'BEGIN:VTIMEZONE',
      'TZID:America/Mexico_City',
      'X-LIC-LOCATION:America/Mexico_City',
      'BEGIN:STANDARD',
      'DTSTART:20221030T020000',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0600',
      'TZNAME:CST',
      'END:STANDARD',
      'END:VTIMEZONE',
    ].join('\n'),
  );
  expect(vtz('2026-01-15T10:00', 'America/Sao_Paulo')).not.toContain('DAYLIGHT');
  expect(vtz('2026-01-15T10:00', 'America/Sao_Paulo')).toContain('DTSTART:20190217T000000');
});

test('a zone that never changed: one STANDARD from 1970', () => {
  expect(vtz('2026-06-01T10:00', 'Etc/GMT+5')).toBe(
    [
      'BEGIN:VTIMEZONE',
      'TZID:Etc/GMT+5',
      'X-LIC-LOCATION:Etc/GMT+5',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0500',
      'TZNAME:-05',
      'END:STANDARD',
      'END:VTIMEZONE',
    ].join('\n'),
  );
});

test('a feed from 1991 to 2026 in Toronto: one VTIMEZONE with every rule; Outlook keeps the last, so the older times it would misplace are UTC', () => {
  const talks = [];
  for (let y = 1991; y <= 2026; y++) for (const md of ['03-20', '10-28', '11-03']) talks.push(talk(`${y}-${md}T10:30`, 'America/Toronto'));
  const times = calendarTimes('America/Toronto', talks);
  const text = times.vtimezone.join('\r\n');
  // The rules of 1987–2006 as observances of their own; today's, since 2007, as RRULE.
  expect(text.match(/^RRULE:.*$/gm)).toEqual(['RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU']);
  // First, the observance in force on 1 January 1991: standard time since 28 October 1990.
  expect(times.vtimezone.slice(3, 5)).toEqual(['BEGIN:STANDARD', 'DTSTART:19901028T020000']);
  expect(text).toContain('DTSTART:19980405T020000');
  expect(text).toContain('DTSTART:19981025T020000');
  const lines = talks.map((t) => times.lines(t)[0]);
  expect(lines[talks.findIndex((t) => t.start.toISODate() === '1998-10-28')]).toBe('DTSTART:19981028T153000Z');
  expect(lines[talks.findIndex((t) => t.start.toISODate() === '2026-10-28')]).toBe('DTSTART;TZID=America/Toronto:20261028T103000');
  // 20 March 1998 was standard time, daylight time under today's rule: UTC; 3 November, standard time under both.
  expect(lines[talks.findIndex((t) => t.start.toISODate() === '1998-03-20')]).toBe('DTSTART:19980320T153000Z');
  expect(lines[talks.findIndex((t) => t.start.toISODate() === '1998-11-03')]).toBe('DTSTART;TZID=America/Toronto:19981103T103000');
  talks.forEach((t, i) => {
    const m = /TZID=America\/Toronto:(\d{8}T\d{6})$/.exec(lines[i]);
    if (m) expect([i, new Date(outlookInstant(text, m[1])).toISOString()]).toEqual([i, t.start.toUTC().toISO()]);
  });
});

test('the second time the clocks show twice is written in UTC (calendars read a TZID time as the first)', () => {
  const zone = 'America/Toronto';
  const first = DateTime.fromISO('2026-11-01T05:30Z').setZone(zone); // 01:30 EDT
  const second = first.plus({ hours: 1 }); // 01:30 EST, after the clocks fell back at 02:00 EDT
  expect([first.toFormat('HH:mm ZZZZ'), second.toFormat('HH:mm ZZZZ')]).toEqual(['01:30 EDT', '01:30 EST']);
  const times = calendarTimes(zone, [{ start: first, end: second }]);
  expect(times.lines({ start: first, end: second })).toEqual(['DTSTART;TZID=America/Toronto:20261101T013000', 'DTEND:20261101T063000Z']);
});

test('an offset with seconds (Monrovia until 1972: −0:44:30) is written in UTC, the VTIMEZONE rounding it to the minute', () => {
  const t = talk('1971-06-01T10:30', 'Africa/Monrovia');
  const times = calendarTimes('Africa/Monrovia', [t]);
  expect(times.lines(t)).toEqual(['DTSTART:19710601T111430Z', 'DTEND:19710601T121430Z']);
  expect(times.vtimezone).toContainEqual(expect.stringMatching(/^TZOFFSETTO:-004[45]$/));
});

test('no events, no VTIMEZONE', () => {
  expect(calendarTimes('America/Toronto', []).vtimezone).toEqual([]);
});
