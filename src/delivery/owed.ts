/**
 * What rali owes for a talk, from the ledger and the talk file: the one place `status`, `validate`
 * and `remind` learn it from, so they say the same thing in the same words.
 *
 * - the file says something the calendars do not have yet (cancelled, scheduled again, a new date,
 *   time, place or link): `rali cancel` or `rali update` is owed;
 * - an update or cancellation that did not reach everyone who has the talk in their calendar
 *   (stopped, `--limit`, a crash, a run that was sending an older revision at the same time).
 */
import { byCanonical, canonicalAddress } from '../model/address';
import { owed as M } from '../messages';
import { DateTime } from 'luxon';
import { calendarKinds, finishing } from '../kinds';
import type { Ledger, TalkRecord } from '../ledger/types';
import { scheduleChanges, scheduleOf } from '../model/schedule';
import { Problem } from '../errors';
import { display, Series, someFileFor, talkUid } from '../model';
import { Talk } from '../model/talk';

export interface Owed {
  /** What is owed: `cancel`/`update` from the file, `partial` for an unfinished message. */
  what: 'cancel' | 'reinstate' | 'update' | 'partial-update' | 'partial-cancel';
  message: string;
  /** For `update`: the fields that changed (the first one positions validate's warning). */
  changed?: string[];
  /** For the partial ones: how many still need it. */
  count?: number;
}

type Stored = Pick<TalkRecord, 'uid' | 'sequence' | 'status' | 'schedule'>;

/** Holders of an older calendar revision who have had neither the current update nor the cancellation. */
export async function owedToHolders(ledger: Ledger, stored: Stored, suppressed?: Map<string, unknown>): Promise<number> {
  const rule = finishing(stored);
  if (stored.sequence === 0 || !rule) return 0;
  const done = await ledger.statuses({ uid: stored.uid, kind: rule.name, rev: rule.revision(stored.sequence) });
  const off = byCanonical(suppressed ?? (await ledger.suppressed()));
  return (await ledger.holders(stored.uid, calendarKinds()))
    .filter((h) => h.seq < stored.sequence && !off.has(canonicalAddress(h.recipient)))
    .filter((h) => {
      const s = done.get(h.recipient);
      return s !== 'sent' && s !== 'failed';
    }).length;
}

export async function owedFor(
  ledger: Ledger,
  talk: Talk,
  stored: Stored,
  now: DateTime,
  suppressed?: Map<string, unknown>,
): Promise<Owed[]> {
  const out: Owed[] = [];
  const d = talk.display;
  const unfinished = () => owedToHolders(ledger, stored, suppressed);
  const changed = stored.schedule ? scheduleChanges(stored.schedule, scheduleOf(talk)) : [];
  if (talk.status === 'cancelled' && stored.status !== 'cancelled') {
    out.push({ what: 'cancel', message: M.cancel(d) });
  } else if (talk.status === 'scheduled' && stored.status === 'cancelled') {
    const n = await unfinished();
    out.push({ what: 'reinstate', message: n ? M.reinstateOrFinish(d, n) : M.reinstate(d) });
  } else if (changed.length && talk.start > now) {
    out.push({ what: 'update', changed, message: M.update(d, changed) });
  } else if (talk.start > now) {
    const n = await unfinished();
    if (n && stored.status === 'cancelled') out.push({ what: 'partial-cancel', count: n, message: M.partialCancel(d, n) });
    else if (n) out.push({ what: 'partial-update', count: n, message: M.partialUpdate(d, n, stored.sequence) });
  }
  return out;
}

/**
 * An announced talk, not cancelled, at the very same start as `talk` and of which no file in talks/
 * carries the id (by its name or its text): most likely this very file, renamed (its id, hence its
 * calendar UID, went with the old name). Announcing it would put a second event in everyone's
 * calendar. The old id, if so.
 */
export async function renamedFrom(ledger: Ledger, series: Series, talk: Talk): Promise<string | undefined> {
  for (const t of await announcedStarts(ledger)) {
    if (t.start !== talk.start.toMillis() || t.uid === talk.uid) continue;
    if (!someFileFor(series, t.talkId, talk.file)) return t.talkId;
  }
  return undefined;
}

/** The announced talks that are not cancelled, with their start: read once per ledger handle (validate asks for each talk). */
const starts = new WeakMap<Ledger, Promise<{ uid: string; talkId: string; start: number }[]>>();
function announcedStarts(ledger: Ledger) {
  let list = starts.get(ledger);
  if (!list) {
    list = ledger
      .talks()
      .then((all) =>
        all.flatMap((t) =>
          t.status !== 'cancelled' && t.schedule
            ? [{ uid: t.uid, talkId: t.talkId, start: DateTime.fromISO(t.schedule.start).toMillis() }]
            : [],
        ),
      );
    starts.set(ledger, list);
  }
  return list;
}

/** The problem of announcing a file that looks like the renamed file of talk `old`. */
export function renamedProblem(file: string, old: string, cwd: string): Problem {
  return {
    file: display(file, cwd),
    line: 1,
    col: 1,
    path: 'id',
    message: `looks like ${old}, announced for the same time, whose file is gone from talks/: announcing it would put a second event in everyone's calendar`,
    hint: `if you renamed ${old}.yaml, add the line "id: ${old}" to this file (it stays that event); if this is another talk, put back ${old}'s file and cancel it first`,
    severity: 'error',
  };
}

/**
 * The calendar UID of a talk is `<series id>-<talk id>@<domain>` (rali.yaml): if either changed
 * since a talk that is still ahead was announced, it would become a second event in everyone's
 * calendar, and updates, cancellations and reminders would miss the event people have. What to
 * put back, if so.
 */
export async function uidDrift(
  ledger: Ledger,
  series: Series,
  now: DateTime,
): Promise<{ field: 'series.id' | 'series.domain'; message: string } | undefined> {
  for (const t of await ledger.talks()) {
    const uid = talkUid(series, t.talkId);
    if (uid === t.uid || t.status === 'cancelled') continue;
    // A talk that is over gets no update, cancellation or reminder: a series may take a new id once those are past.
    const end = t.schedule?.end;
    if (!end || DateTime.fromISO(end) <= now) continue;
    const at = t.uid.lastIndexOf('@');
    const id = t.uid.slice(0, at).endsWith(`-${t.talkId}`) ? t.uid.slice(0, at - t.talkId.length - 1) : undefined;
    const domain = t.uid.slice(at + 1);
    const back = [id !== undefined && id !== series.id ? `id: ${id}` : '', domain !== series.domain ? `domain: ${domain}` : '']
      .filter(Boolean)
      .join(' and ');
    return {
      field: id !== undefined && id !== series.id ? 'series.id' : 'series.domain',
      message: M.uidDrift(t.talkId, t.uid, uid, back),
    };
  }
  return undefined;
}
