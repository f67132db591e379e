/**
 * What goes out: one pure planner that `announce`, `update`, `cancel`, `recording`, `remind`,
 * `preview` and `status` use. It reads the talk, the subscribers and what the ledger holds, asks the
 * kind's rule (src/kinds/), and returns the revision, the SEQUENCE, the audience, the calendar
 * method and the talk state the message carries — or refuses, or says there is nothing to send.
 * It changes nothing: the send loop commits `commit` with the first claim.
 */
import { DateTime } from 'luxon';
import { RaliError } from '../errors';
import type { KindContext, KindRule } from '../kinds';
import { methodFor } from '../kinds';
import type { Holder, TalkCommit, TalkRecord } from '../ledger/types';
import { refusals as M } from '../messages';
import { Schedule, ScheduleField, scheduleChanges, scheduleOf } from '../model/schedule';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import type { MessageShape } from '../render/message';
import { parseLangs, Subscriber } from '../model/subscribers';
import { Talk } from '../model/talk';
import { audienceOf, Recipient } from './audience';
import { byCanonical, canonicalAddress } from '../model/address';

export interface PlanInput {
  series: Series;
  talk: Talk;
  rule: KindRule;
  now: DateTime;
  /** 'smtp': the ledger decides; 'outbox': a rehearsal for every subscriber, nothing recorded. */
  mode: 'smtp' | 'outbox';
  stored?: TalkRecord;
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
  /** A test copy (--to) or a preview: no refusal that depends on the audience. */
  test?: boolean;
  /** --dry-run. */
  dryRun?: boolean;
}

export interface MessagePlan {
  rule: KindRule;
  rev: string;
  sequence: number;
  /** The talk as the message shows it (a cancellation shows it cancelled). */
  talk: Talk;
  shape: MessageShape;
  /** The schedule last sent (what an update compares with). */
  previous?: Schedule;
  /** What changed since the last message (update). */
  changes: (ScheduleField | 'status')[];
  items: Recipient[];
  /** Subscribers left out because their address is suppressed. */
  suppressed: string[];
  /** The talk state committed with the first delivery claimed. */
  commit: TalkCommit;
  /** Set when there is nothing to send, and why (exit 0). */
  nothing?: string;
  notes: string[];
}

/** What render needs of a kind in a series (the plan carries it). */
export function shapeOf(rule: KindRule, series: Pick<Series, 'icsMethod'>): MessageShape {
  return { kind: rule.name, method: methodFor(rule, series), showsChanges: rule.showsChanges, calendarNote: rule.calendarNote };
}

export function plan(i: PlanInput): MessagePlan {
  const { series, rule, stored, mode } = i;
  let talk = i.talk;
  const current = scheduleOf(talk);
  const previous = stored?.schedule;
  const storedSeq = stored?.sequence ?? 0;
  const storedCancelled = stored?.status === 'cancelled';
  const recorded = mode === 'smtp' && !i.test;
  const changed: (ScheduleField | 'status')[] = previous ? scheduleChanges(previous, current) : [];
  if (storedCancelled && talk.status === 'scheduled') changed.push('status');
  const context = (audience: number): KindContext => ({
    talk,
    now: i.now,
    recorded,
    test: Boolean(i.test),
    dryRun: Boolean(i.dryRun),
    force: Boolean(i.force),
    announced: stored !== undefined,
    storedCancelled,
    changed,
    audience,
  });

  // ---- refusals: the rule's, in order ----------------------------------------------------
  for (const refuse of rule.refusals) {
    const why = refuse(context(0));
    if (why) throw new RaliError(why);
  }

  // ---- sequence and the state the message carries ----------------------------------------
  let sequence = storedSeq;
  const rehearsal = !recorded && !i.unfinished;
  if (rule.sequence === 'next-when-changed' && (changed.length || rehearsal)) sequence = storedSeq + 1;
  if (rule.sequence === 'next-unless-cancelled' && (!storedCancelled || rehearsal)) sequence = storedSeq + 1;
  const status = rule.carries === 'stored' ? (storedCancelled ? 'cancelled' : 'scheduled') : rule.carries;
  if (rule.carries === 'cancelled') talk = { ...talk, status: 'cancelled' } as Talk;
  const commit: TalkCommit = { uid: talk.uid, talkId: talk.id, sequence, schedule: { ...current, status } };
  const rev = i.revision ?? rule.revision(sequence, i.reminderLabel);

  // ---- audience --------------------------------------------------------------------------
  // The ledger's addresses in their canonical form: a ledger from before it held them lowercased only.
  const suppressed = byCanonical(i.suppressed);
  const base = audienceOf(series, i.subscribers, suppressed);
  let items: Recipient[] = base.items;
  let nothing: string | undefined;
  const notes: string[] = [];
  if (rule.audience === 'holders') {
    if (!recorded) {
      notes.push(M.outboxRehearsal);
    } else {
      const bySub = new Map(i.subscribers.map((s) => [s.key, s]));
      // Whoever has an entry older than this SEQUENCE needs this message.
      items = i.holders
        .filter((h) => !suppressed.has(canonicalAddress(h.recipient)) && h.seq < sequence)
        .map((h) => {
          const sub = bySub.get(canonicalAddress(h.recipient));
          const langs: Lang[] = (h.langs ? parseLangs(h.langs, series.languages) : undefined) ?? sub?.langs ?? series.languages;
          // The ledger's key stays the claim's key: the holder's earlier rows are under it.
          return { key: h.recipient, email: sub?.email ?? h.recipient, name: sub?.name, langs };
        });
      if (!items.length) nothing = rule.nothing?.(context(0));
    }
  }
  return {
    rule,
    rev,
    sequence,
    talk,
    shape: shapeOf(rule, series),
    // Finishing the stored revision's update: what changed is what its first run said.
    previous: rule.showsChanges && sequence === storedSeq && stored?.previous ? stored.previous : previous,
    changes: changed,
    items,
    suppressed: base.suppressed,
    commit,
    nothing,
    notes,
  };
}
