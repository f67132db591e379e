/** A talk's row as both stores hold it, and the record the ledger gives for it. */
import { parseSchedule } from '../model/schedule';
import type { TalkRecord } from './types';

export type TalkRow = { uid: string; talk_id: string; sequence: number; schedule: string | null; status: string; previous: string | null };

export function talkRecord(r: TalkRow): TalkRecord {
  return {
    uid: r.uid,
    talkId: r.talk_id,
    sequence: r.sequence,
    status: r.status === 'cancelled' ? 'cancelled' : 'scheduled',
    schedule: parseSchedule(r.schedule),
    previous: parseSchedule(r.previous),
  };
}
