import { canonicalZone, localInstant, parseClock, parseDate, parseOffset } from '../../src/model/time';

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
  test.each(['25:00', '11:60', '1130', '13:00 PM', 'noon', '', '11:3'])('rejects %s', (t) => expect(parseClock(t)).toBeUndefined());
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
