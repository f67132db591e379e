/** What a talk's messages need from the ledger, read without creating it (preview, ics). */
import { Series } from '../model/series';
import { Schedule } from '../model/schedule';
import { Talk } from '../model/talk';
import { Ledger } from './ledger';

/** The schedule the ledger holds for a talk (as last sent), parsed. */
export function storedSchedule(row: { schedule: string | null } | undefined): Schedule | undefined {
  return row?.schedule ? (JSON.parse(row.schedule) as Schedule) : undefined;
}

export interface TalkState {
  sequence: number;
  previous?: Schedule;
  announced: boolean;
}

export function currentState(series: Series, talk: Talk): TalkState {
  const ledger = Ledger.openReadOnly(series.stateDir);
  if (!ledger) return { sequence: 0, announced: false };
  try {
    const t = ledger.talk(talk.uid);
    return { sequence: t?.sequence ?? 0, previous: storedSchedule(t), announced: Boolean(t) };
  } catch {
    return { sequence: 0, announced: false }; // a ledger from before the first migration
  } finally {
    ledger.close();
  }
}
