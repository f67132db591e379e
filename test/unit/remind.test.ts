import { DateTime } from 'luxon';
import { dueReminder } from '../../src/commands/remind';
import { exampleSeries } from '../helpers/example';

const series = exampleSeries(); // reminders: [1 day, 1 hour], grace 2 hours
const zone = 'America/Toronto';
const start = DateTime.fromISO('2030-11-13T11:30', { zone });
const at = (iso: string) => DateTime.fromISO(iso, { zone });

describe('dueReminder', () => {
  test('nothing before the first is due', () => expect(dueReminder(series, start, at('2030-11-12T11:29'))).toBeUndefined());
  test('the 1-day reminder from the same local time the day before', () => {
    expect(dueReminder(series, start, at('2030-11-12T11:30'))).toMatchObject({ label: '1 day', superseded: [] });
  });
  test('once the 1-hour one is due, it overtakes the 1-day one', () => {
    const d = dueReminder(series, start, at('2030-11-13T10:45'))!;
    expect(d.label).toBe('1 hour');
    expect(d.superseded.map((s) => s.label)).toEqual(['1 day']);
  });
  test('nothing once the talk has started', () => expect(dueReminder(series, start, at('2030-11-13T11:30'))).toBeUndefined());
  test('a talk the Monday after the spring change: "1 day" is Sunday at the same local time', () => {
    const monday = DateTime.fromISO('2027-03-15T11:30', { zone });
    const d = dueReminder(series, monday, at('2027-03-14T11:30'))!;
    expect(d.label).toBe('1 day');
    expect(d.dueAt.toISO()).toBe('2027-03-14T11:30:00.000-04:00');
    expect(dueReminder(series, monday, at('2027-03-14T11:29'))).toBeUndefined();
  });
  test('a talk on the day of the change: the day before at the same local time is 23 hours earlier', () => {
    const sunday = DateTime.fromISO('2027-03-14T11:30', { zone });
    const d = dueReminder(series, sunday, at('2027-03-13T11:30'))!;
    expect(d.dueAt.toISO()).toBe('2027-03-13T11:30:00.000-05:00');
    expect(sunday.diff(d.dueAt, 'hours').hours).toBe(23);
  });
  test('and after the fall change: 25 hours before, same local time', () => {
    const monday = DateTime.fromISO('2027-11-08T11:30', { zone });
    expect(dueReminder(series, monday, at('2027-11-07T11:30'))!.dueAt.toISO()).toBe('2027-11-07T11:30:00.000-05:00');
  });
});
