/**
 * What goes out: one table of the five message kinds and one pure planner that `announce`,
 * `update`, `cancel`, `recording`, `remind`, `preview` and `ics` all use. The planner reads the
 * talk, the subscribers and what the ledger holds, and returns the revision, the SEQUENCE, the
 * audience, the calendar method and the talk state the message carries — or refuses, or says there
 * is nothing to send. It changes nothing: the send loop commits `talkState` with the first claim.
 */
import { DateTime } from 'luxon';
import { RaliError } from '../errors';
import type { TalkState } from '../ledger/ledger';
import { Schedule, ScheduleField, scheduleChanges, scheduleOf } from '../model/schedule';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { parseLangs, Subscriber } from '../model/subscribers';
import { Talk } from '../model/talk';
import { slugify } from '../model/text';
import { PlanItem, planRecipients } from './plan';

export type Kind = 'announce' | 'reminder' | 'update' | 'cancel' | 'recording';
export type IcsMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

export interface KindRule {
  /** How the summary and the prompt name it. */
  what: string;
  /** The ledger revision (and Message-ID part) of a message of this kind. */
  revision(sequence: number, reminderLabel?: string): string;
  /** SEQUENCE: the talk's as stored, or the next one when the calendar entry changes. */
  sequence: 'stored' | 'next-when-changed' | 'next-unless-cancelled';
  /** Who gets it: the subscribers (and list addresses), or everyone holding a calendar entry. */
  audience: 'subscribers' | 'holders';
  /** The calendar part: the series' method (REQUEST by default), CANCEL, or none. */
  calendar: 'series' | 'CANCEL' | 'none';
}

export const KINDS: Record<Kind, KindRule> = {
  announce: { what: 'announcement', revision: () => '0', sequence: 'stored', audience: 'subscribers', calendar: 'series' },
  reminder: {
    what: 'reminder',
    revision: (_s, label) => slugify(label ?? 'reminder'),
    sequence: 'stored',
    audience: 'subscribers',
    calendar: 'series',
  },
  update: { what: 'update', revision: (s) => String(s), sequence: 'next-when-changed', audience: 'holders', calendar: 'series' },
  cancel: {
    what: 'cancellation',
    revision: (s) => `cancel-${s}`,
    sequence: 'next-unless-cancelled',
    audience: 'holders',
    calendar: 'CANCEL',
  },
  recording: { what: 'recording follow-up', revision: () => 'recording', sequence: 'stored', audience: 'subscribers', calendar: 'none' },
};

/** The talk as the ledger holds it (as last sent). */
export interface StoredTalk {
  sequence: number;
  schedule: string | null;
  status: string;
  /** The schedule before the latest revision (what an update at that revision changed). */
  previous?: string | null;
}

export interface Holder {
  recipient: string;
  seq: number;
  langs: string | null;
}

export interface PlanInput {
  series: Series;
  talk: Talk;
  kind: Kind;
  now: DateTime;
  /** 'smtp': the ledger decides; 'outbox': a rehearsal for every subscriber, nothing recorded. */
  mode: 'smtp' | 'outbox';
  stored?: StoredTalk;
  /**
   * The stored revision's update or cancellation has not reached everyone yet (owed.ts): a preview
   * or test copy shows that message, not a new revision.
   */
  unfinished?: boolean;
  subscribers: Subscriber[];
  suppressed: Map<string, unknown>;
  /** Everyone holding a calendar entry for the talk (ledger.holders). */
  holders: Holder[];
  reminderLabel?: string;
  /** The reminder's revision when it is not the label's (a talk moved to another day: remind.ts). */
  revision?: string;
  /** --force: send although the talk is in the past (announce, update) or not yet over (recording). */
  force?: boolean;
  /** A test copy (--to): no refusal that depends on the audience. */
  test?: boolean;
}

export interface Plan {
  kind: Kind;
  rule: KindRule;
  rev: string;
  sequence: number;
  /** The talk as the message shows it (a cancellation shows it cancelled). */
  talk: Talk;
  /** The schedule last sent (what an update compares with). */
  previous?: Schedule;
  /** What changed since the last message (update). */
  changes: (ScheduleField | 'status')[];
  method?: IcsMethod;
  items: PlanItem[];
  /** Subscribers left out because their address is suppressed. */
  suppressed: string[];
  /** The talk state committed with the first delivery claimed. */
  talkState: TalkState;
  /** Set when there is nothing to send, and why (exit 0). */
  nothing?: string;
  notes: string[];
}

function parseStored(s: StoredTalk | undefined): Schedule | undefined {
  return s?.schedule ? (JSON.parse(s.schedule) as Schedule) : undefined;
}

/** The revision of a kind at a sequence (ledger key and Message-ID). */
export function revisionOf(kind: Kind, sequence: number, reminderLabel?: string): string {
  return KINDS[kind].revision(sequence, reminderLabel);
}

export function plan(i: PlanInput): Plan {
  const { series, kind, stored, mode } = i;
  const rule = KINDS[kind];
  let talk = i.talk;
  const current = scheduleOf(talk);
  const previous = parseStored(stored);
  const storedSeq = stored?.sequence ?? 0;
  const storedCancelled = stored?.status === 'cancelled';
  const notes: string[] = [];
  const recorded = mode === 'smtp' && !i.test;

  // ---- refusals --------------------------------------------------------------------------
  if (kind === 'recording' && !talk.recording)
    throw new RaliError(`${talk.display}: no recording: link yet — add \`recording: https://…\` to the talk file, then run this again`);
  if (kind === 'recording' && talk.start > i.now && !i.force && !i.test)
    throw new RaliError(
      `${talk.display}: the talk has not happened yet (${talk.start.toISODate()}) — the recording follow-up goes after it; add --force to send anyway`,
    );
  if (kind !== 'cancel' && talk.status === 'cancelled')
    throw new RaliError(
      `${talk.display}: the talk is cancelled (status: cancelled) — nothing to ${kind === 'reminder' ? 'remind of' : kind}`,
    );
  if ((kind === 'announce' || kind === 'update') && mode === 'smtp' && !i.test && talk.start < i.now && !i.force) {
    throw new RaliError(
      `${talk.display}: the talk was on ${talk.start.toISODate()}, in the past — check the date; add --force to send anyway`,
    );
  }
  const changed: (ScheduleField | 'status')[] = previous ? scheduleChanges(previous, current) : [];
  const reinstated = storedCancelled && talk.status === 'scheduled';
  if (reinstated) changed.push('status');
  if (recorded && (kind === 'announce' || kind === 'reminder') && changed.length) {
    throw new RaliError(
      reinstated
        ? `${talk.display}: the talk was cancelled and is scheduled again in its file — run \`rali update ${talk.display}\` first, so that those who had the cancellation get it back in their calendar`
        : `${talk.display}: the date, time or place changed since the last message (${changed.join(', ')}) — run \`rali update ${talk.display}\` first, so that those who have it get the change`,
    );
  }
  if (recorded && kind === 'update' && !stored)
    throw new RaliError(`${talk.display}: no announcement of this talk has been sent — \`rali announce\` sends the current details`);
  if (recorded && kind === 'cancel' && !stored)
    throw new RaliError(
      `${talk.display}: no announcement of this talk has been sent, so no one needs a cancellation — set \`status: cancelled\` in the file`,
    );

  // ---- sequence and the state the message carries ----------------------------------------
  let sequence = storedSeq;
  let status: 'scheduled' | 'cancelled' = storedCancelled && kind !== 'update' ? 'cancelled' : 'scheduled';
  const rehearsal = !recorded && !i.unfinished;
  if (rule.sequence === 'next-when-changed' && (changed.length || rehearsal)) sequence = storedSeq + 1;
  if (rule.sequence === 'next-unless-cancelled') {
    if (!storedCancelled || rehearsal) sequence = storedSeq + 1;
    status = 'cancelled';
    talk = { ...talk, status: 'cancelled' } as Talk;
  }
  const talkState: TalkState = { uid: talk.uid, talkId: talk.id, sequence, schedule: JSON.stringify({ ...current, status }), status };
  const rev = i.revision ?? rule.revision(sequence, i.reminderLabel);
  const method: IcsMethod | undefined = rule.calendar === 'none' ? undefined : rule.calendar === 'CANCEL' ? 'CANCEL' : series.icsMethod;

  // ---- audience --------------------------------------------------------------------------
  const base = planRecipients(series, i.subscribers, i.suppressed);
  let items: PlanItem[] = base.items;
  let nothing: string | undefined;
  if (rule.audience === 'holders') {
    if (!recorded) {
      notes.push('outbox: a rehearsal for every subscriber (the ledger records only what is sent over SMTP)');
    } else {
      const bySub = new Map(i.subscribers.map((s) => [s.key, s]));
      // Whoever has an entry older than this SEQUENCE needs this message.
      items = i.holders
        .filter((h) => !i.suppressed.has(h.recipient) && h.seq < sequence)
        .map((h) => {
          const sub = bySub.get(h.recipient);
          const langs: Lang[] = (h.langs ? parseLangs(h.langs, series.languages) : undefined) ?? sub?.langs ?? series.languages;
          return { key: h.recipient, email: sub?.email ?? h.recipient, name: sub?.name, langs };
        });
      if (kind === 'update' && !changed.length && !items.length)
        nothing = `${talk.display}: nothing changed since the last message (date, time, place and link are the same) — nothing to send`;
      else if (kind === 'cancel' && storedCancelled && !items.length)
        nothing = `${talk.display}: everyone who had the talk in their calendar has the cancellation`;
    }
  }
  return {
    kind,
    rule,
    rev,
    sequence,
    talk,
    // Finishing the stored revision's update: what changed is what its first run said.
    previous:
      kind === 'update' && sequence === storedSeq && stored?.previous ? parseStored({ ...stored, schedule: stored.previous }) : previous,
    changes: changed,
    method,
    items,
    suppressed: base.suppressed,
    talkState,
    nothing,
    notes,
  };
}
