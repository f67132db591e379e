import { canonicalZone, localInstant, parseClock, parseDate, parseDuration, parseOffset } from '../../src/model/time';

describe('parseClock', () => {
  test.each([
    ['11:30', 11, 30],
    ['11h30', 11, 30],
    ['11 h 30', 11, 30],
    ['11 h', 11, 0],
    ['9:05', 9, 5],
    ['11:30 AM', 11, 30],
    ['11:30 a.m.', 11, 30],
    ['1:15 PM', 13, 15],
    ['12:00 AM', 0, 0],
    ['12:00 pm', 12, 0],
    ['9 AM', 9, 0],
  ])('%s', (t, h, m) => expect(parseClock(t)).toEqual({ hour: h, minute: m }));
  test.each(['25:00', '11:60', '1130', '13:00 PM', 'noon', '', '11:3', '11:', '11 :', '9: pm'])('rejects %s', (t) =>
    expect(parseClock(t)).toBeUndefined(),
  );
});

describe('parseDate', () => {
  test('a real date', () => expect(parseDate('2021-11-10')).toEqual({ year: 2021, month: 11, day: 10 }));
  test.each(['2027-02-30', '2021-13-01', '2023-02-29', '10/11/2021', '2021-1-5'])('rejects %s', (d) =>
    expect(parseDate(d)).toBeUndefined(),
  );
  test('a leap day', () => expect(parseDate('2028-02-29')).toBeDefined());
});

describe('canonicalZone', () => {
  test('America/Montreal becomes America/Toronto', () => expect(canonicalZone('America/Montreal')).toBe('America/Toronto'));
  test('a canonical zone stays', () => expect(canonicalZone('Europe/Paris')).toBe('Europe/Paris'));
  test('rejects a non-zone', () => expect(canonicalZone('Montreal')).toBeUndefined());
});

describe('localInstant', () => {
  const zone = 'America/Toronto';
  test('10 Nov 2021 11:30 is 16:30Z (EST, after the 7 Nov change)', () => {
    const r = localInstant({ year: 2021, month: 11, day: 10 }, { hour: 11, minute: 30 }, zone);
    expect(r.kind).toBe('ok');
    expect(r.kind !== 'gap' && r.at.toUTC().toISO()).toBe('2021-11-10T16:30:00.000Z');
  });
  test('a July talk is 15:30Z (EDT)', () => {
    const r = localInstant({ year: 2022, month: 7, day: 6 }, { hour: 11, minute: 30 }, zone);
    expect(r.kind !== 'gap' && r.at.toUTC().toISO()).toBe('2022-07-06T15:30:00.000Z');
  });
  test('the spring-forward gap does not exist', () => {
    expect(localInstant({ year: 2027, month: 3, day: 14 }, { hour: 2, minute: 30 }, zone).kind).toBe('gap');
  });
  test('a fall-back time is ambiguous and resolves to the first', () => {
    const r = localInstant({ year: 2027, month: 11, day: 7 }, { hour: 1, minute: 30 }, zone);
    expect(r.kind).toBe('ambiguous');
    if (r.kind !== 'ambiguous') return;
    expect(r.at.toUTC().toISO()).toBe('2027-11-07T05:30:00.000Z');
    expect(r.other.toUTC().toISO()).toBe('2027-11-07T06:30:00.000Z');
  });
});

describe('parseOffset', () => {
  test.each([
    ['1 day', 'days', 1],
    ['2 hours', 'hours', 2],
    ['30 minutes', 'minutes', 30],
    ['1 jour', 'days', 1],
    ['1 week', 'weeks', 1],
  ])('%s', (t, unit, n) => {
    expect(parseOffset(t)?.toObject()).toEqual({ [unit]: n });
  });
  test.each(['soon', '0 days', 'day', '1 fortnight'])('rejects %s', (t) => expect(parseOffset(t)).toBeUndefined());
});

test('localInstant keeps years before 100 (Date.UTC would read 99 as 1999)', () => {
  const r = localInstant({ year: 99, month: 3, day: 10 }, { hour: 11, minute: 30 }, 'America/Toronto');
  expect(r.kind).toBe('ok');
  expect(r.kind === 'ok' && [r.at.year, r.at.month, r.at.day, r.at.hour, r.at.minute]).toEqual([99, 3, 10, 11, 30]);
});

describe('parseClock, as organizers write it', () => {
  test.each([
    ['  11:30  ', 11, 30],
    ['11H30', 11, 30],
    ['11 H', 11, 0],
    ['11:30pm', 23, 30],
    ['11:30 P.M.', 23, 30],
    ['11:30 p. m.', 23, 30],
    ['12 am', 0, 0],
    ['12 PM', 12, 0],
    ['1 pm', 13, 0],
    ['0:00', 0, 0],
    ['23:59', 23, 59],
    ['7h05', 7, 5],
  ])('%j', (t, h, m) => expect(parseClock(t)).toEqual({ hour: h, minute: m }));
  test.each(['x11:30', '11:30x', '111:30', '11:305', '11', '24:00', '0 am', '0:30 pm', '13 am', '11:30 xm', '11:30 pmm'])(
    'rejects %j',
    (t) => expect(parseClock(t)).toBeUndefined(),
  );
});

describe('parseDate, the edges', () => {
  test('spaces around are fine', () => expect(parseDate(' 2021-11-10 ')).toEqual({ year: 2021, month: 11, day: 10 }));
  test.each(['x2021-11-10', '2021-11-10x', '2021-11-100', '12021-11-10', '2021-11'])('rejects %j', (d) =>
    expect(parseDate(d)).toBeUndefined(),
  );
});

describe('parseOffset: every unit, in both languages', () => {
  test.each([
    ['minute', 'minutes'],
    ['minutes', 'minutes'],
    ['min', 'minutes'],
    ['mins', 'minutes'],
    ['m', 'minutes'],
    ['hour', 'hours'],
    ['hours', 'hours'],
    ['h', 'hours'],
    ['heure', 'hours'],
    ['heures', 'hours'],
    ['day', 'days'],
    ['days', 'days'],
    ['d', 'days'],
    ['jour', 'days'],
    ['jours', 'days'],
    ['week', 'weeks'],
    ['weeks', 'weeks'],
    ['w', 'weeks'],
    ['semaine', 'weeks'],
    ['semaines', 'weeks'],
  ])('3 %s', (word, unit) => expect(parseOffset(`3 ${word}`)?.toObject()).toEqual({ [unit]: 3 }));
  test('spaces and capitals do not matter', () => {
    expect(parseOffset(' 2h ')?.toObject()).toEqual({ hours: 2 });
    expect(parseOffset('1 DAY')?.toObject()).toEqual({ days: 1 });
  });
  test.each(['x1 day', '1 day x', '1.5 days', '-1 day', 'a day'])('rejects %j', (t) => expect(parseOffset(t)).toBeUndefined());
});

describe('parseDuration: a talk’s length in minutes', () => {
  test.each([
    [60, 60],
    ['90', 90],
    [' 90 ', 90],
    ['90 min', 90],
    ['45 minutes', 45],
    ['1h', 60],
    ['1 H', 60],
    ['1 hour', 60],
    ['2 hours', 120],
    ['1 hr', 60],
    ['2 hrs', 120],
    ['1h30', 90],
    ['1 h 30', 90],
    ['1h 5', 65],
    ['1h30min', 90],
    ['1 h 30 mins', 90],
    ['1 hour 15 minutes', 75],
    ['1 heure 30', 90],
    ['2 heures', 120],
    ['0h30', 30],
    ['10h30', 630],
    ['12 h', 720],
    ['1h59', 119],
    ['1 h 30 minute', 90],
    ['1h30 m', 90],
    ['1 day', 1440],
  ])('%j is %i', (v, n) => expect(parseDuration(v)).toBe(n));
  test.each([0, -30, 1.5, '0', '0h', '0 min', '1h60', '1h123', 'x1h', '1h30x', 'an hour', '30 s', '', true, null, undefined, {}])(
    'rejects %j',
    (v) => expect(parseDuration(v)).toBeUndefined(),
  );
});

describe('localInstant, the edges', () => {
  test('Apia skipped 30 December 2011: any time that day is in the gap', () => {
    expect(localInstant({ year: 2011, month: 12, day: 30 }, { hour: 12, minute: 0 }, 'Pacific/Apia').kind).toBe('gap');
    const before = localInstant({ year: 2011, month: 12, day: 29 }, { hour: 12, minute: 0 }, 'Pacific/Apia');
    expect(before.kind === 'ok' && before.at.toUTC().toISO()).toBe('2011-12-29T22:00:00.000Z');
    const after = localInstant({ year: 2011, month: 12, day: 31 }, { hour: 12, minute: 0 }, 'Pacific/Apia');
    expect(after.kind === 'ok' && after.at.toUTC().toISO()).toBe('2011-12-30T22:00:00.000Z');
  });
  test('Sitka, October 1867: Alaska went from Russian to American time, and a whole day was lived twice', () => {
    const r = localInstant({ year: 1867, month: 10, day: 19 }, { hour: 12, minute: 0 }, 'America/Sitka');
    expect(r.kind).toBe('ambiguous');
    expect(r.kind === 'ambiguous' && [r.at.toUTC().toISO(), r.other.toUTC().toISO()]).toEqual([
      '1867-10-18T21:01:13.000Z',
      '1867-10-19T21:01:13.000Z',
    ]);
  });
  test('the instant is given in the zone asked for', () => {
    const r = localInstant({ year: 2021, month: 11, day: 10 }, { hour: 11, minute: 30 }, 'America/Toronto');
    expect(r.kind === 'ok' && [r.at.zoneName, r.at.hour, r.at.minute]).toEqual(['America/Toronto', 11, 30]);
  });
  test('the minute and the last minute before a change', () => {
    const r = localInstant({ year: 2027, month: 3, day: 14 }, { hour: 1, minute: 59 }, 'America/Toronto');
    expect(r.kind === 'ok' && r.at.toUTC().toISO()).toBe('2027-03-14T06:59:00.000Z');
    const s = localInstant({ year: 2027, month: 3, day: 14 }, { hour: 3, minute: 0 }, 'America/Toronto');
    expect(s.kind === 'ok' && s.at.toUTC().toISO()).toBe('2027-03-14T07:00:00.000Z');
  });
});
