/**
 * What an update is about: the part of a talk that calendars hold. The ledger keeps the schedule
 * last sent; `rali update` compares it with the file.
 */
import { DateTime } from 'luxon';
import { Talk } from './talk';
import { Bi } from './text';

export interface Schedule {
  start: string;
  end: string;
  room: Bi | null;
  address: Bi | null;
  online: string | null;
  status: 'scheduled' | 'cancelled';
}

export function scheduleOf(talk: Talk): Schedule {
  return {
    start: talk.start.toISO()!,
    end: talk.end.toISO()!,
    room: talk.location.room ?? null,
    address: talk.location.address ?? null,
    online: talk.location.online?.url ?? null,
    status: talk.status,
  };
}

export type ScheduleField = 'start' | 'end' | 'room' | 'address' | 'online';

/** The fields that changed (instants compared as instants, not as strings). */
export function scheduleChanges(before: Schedule, after: Schedule): ScheduleField[] {
  const out: ScheduleField[] = [];
  const instant = (s: string) => DateTime.fromISO(s, { setZone: true }).toMillis();
  if (instant(before.start) !== instant(after.start)) out.push('start');
  if (instant(before.end) !== instant(after.end)) out.push('end');
  const same = (a: Bi | null, b: Bi | null) => (a?.fr ?? null) === (b?.fr ?? null) && (a?.en ?? null) === (b?.en ?? null);
  if (!same(before.room, after.room)) out.push('room');
  if (!same(before.address, after.address)) out.push('address');
  if (before.online !== after.online) out.push('online');
  return out;
}

/** The schedule as the ledger stores it (JSON), parsed: the one place it is read. */
export function parseSchedule(json: string | null | undefined): Schedule | undefined {
  return json ? (JSON.parse(json) as Schedule) : undefined;
}
