/**
 * What rali owes for a talk, from the ledger and the talk file: the one place `status`, `validate`
 * and `remind` learn it from, so they say the same thing in the same words.
 *
 * - the file says something the calendars do not have yet (cancelled, scheduled again, a new date,
 *   time, place or link): `rali cancel` or `rali update` is owed;
 * - an update or cancellation that did not reach everyone who has the talk in their calendar
 *   (stopped, `--limit`, a crash, a run that was sending an older revision at the same time).
 */
import { owed as M } from '../messages';
import { DateTime } from 'luxon';
import { Ledger } from '../ledger/ledger';
import { storedSchedule } from '../ledger/state';
import { scheduleChanges, scheduleOf } from '../model/schedule';
import { Talk } from '../model/talk';
import { revisionOf } from './planner';

export interface Owed {
  /** What is owed: `cancel`/`update` from the file, `partial` for an unfinished message. */
  what: 'cancel' | 'reinstate' | 'update' | 'partial-update' | 'partial-cancel';
  message: string;
  /** For `update`: the fields that changed (the first one positions validate's warning). */
  changed?: string[];
  /** For the partial ones: how many still need it. */
  count?: number;
}

type Stored = { sequence: number; schedule: string | null; status: string };

/** Holders of an older calendar revision who have had neither the current update or cancellation. */
export function owedToHolders(ledger: Ledger, uid: string, stored: Stored, suppressed?: Map<string, unknown>): number {
  if (stored.sequence === 0) return 0;
  const kind = stored.status === 'cancelled' ? 'cancel' : 'update';
  const rev = revisionOf(kind, stored.sequence);
  const done = ledger.statuses({ uid, kind, rev });
  const off = suppressed ?? ledger.suppressed();
  return ledger
    .holders(uid)
    .filter((h) => h.seq < stored.sequence && !off.has(h.recipient))
    .filter((h) => {
      const s = done.get(h.recipient);
      return s !== 'sent' && s !== 'failed';
    }).length;
}

export function owedFor(ledger: Ledger, talk: Talk, stored: Stored, now: DateTime, suppressed?: Map<string, unknown>): Owed[] {
  const out: Owed[] = [];
  const d = talk.display;
  const unfinished = () => owedToHolders(ledger, talk.uid, stored, suppressed);
  const previous = storedSchedule(stored);
  const changed = previous ? scheduleChanges(previous, scheduleOf(talk)) : [];
  if (talk.status === 'cancelled' && stored.status !== 'cancelled') {
    out.push({ what: 'cancel', message: M.cancel(d) });
  } else if (talk.status === 'scheduled' && stored.status === 'cancelled') {
    const n = unfinished();
    out.push({
      what: 'reinstate',
      message: n ? M.reinstateOrFinish(d, n) : M.reinstate(d),
    });
  } else if (changed.length && talk.start > now) {
    out.push({ what: 'update', changed, message: M.update(d, changed) });
  } else if (talk.start > now) {
    const n = unfinished();
    if (n && stored.status === 'cancelled') out.push({ what: 'partial-cancel', count: n, message: M.partialCancel(d, n) });
    else if (n) out.push({ what: 'partial-update', count: n, message: M.partialUpdate(d, n, stored.sequence) });
  }
  return out;
}
