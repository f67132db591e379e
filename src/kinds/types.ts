/**
 * What a message kind is, as a rule (the way a linter keeps its rules): its revision and SEQUENCE,
 * its audience, its calendar method, its refusals, what a run with nothing to do says, where its
 * rehearsal goes, and the verb that sends it. The planner, the send loop, render, the ledger and
 * `rali status` ask the rule; none of them compares kind names.
 */
import type { DateTime } from 'luxon';
import type { ScheduleField } from '../model/schedule';
import type { Talk } from '../model/talk';

/** What a refusal (or a "nothing to send") looks at. */
export interface KindContext {
  talk: Talk;
  now: DateTime;
  /** Sent over SMTP and recorded in the ledger (not a rehearsal into outbox/, not a test copy). */
  recorded: boolean;
  /** A test copy (--to) or a preview: no refusal that depends on the audience. */
  test: boolean;
  /** --dry-run: the plan is shown, nothing is sent (refusals still say what a real run would meet). */
  dryRun: boolean;
  /** --force. */
  force: boolean;
  /** The ledger holds the talk: some message of it went out. */
  announced: boolean;
  /** The ledger holds it cancelled. */
  storedCancelled: boolean;
  /** What changed in the file since the last message (`status` when a cancelled talk is scheduled again). */
  changed: (ScheduleField | 'status')[];
  /** How many recipients the message has (holders of an older revision, for update and cancel). */
  audience: number;
}

/** A refusal: the message that stops the command (exit 2), or undefined when it does not apply. */
export type Refusal = (c: KindContext) => string | undefined;

/** A command-line flag of a sending verb, as commander declares it. */
export interface Flag {
  flags: string;
  help: string;
  /** A whole number (--limit). */
  int?: boolean;
}

export interface Verb {
  name: string;
  help: string;
  flags: Flag[];
  /** Two or three lines of `--help`. */
  examples: string[];
}

export interface KindRule {
  /** The ledger's kind, the Message-ID's first part and the templates' folder. */
  readonly name: string;
  /** How summaries, prompts and `status` name it ("announcement"). */
  readonly what: string;
  /** The verb that sends it (`rali announce`); none for reminders, which cron sends (`rali remind`). */
  readonly verb?: Verb;
  /** The ledger revision (and Message-ID part) of a message of this kind at a SEQUENCE. */
  revision(sequence: number, reminderLabel?: string): string;
  /** SEQUENCE: the talk's as stored, or the next one when the calendar entry changes. */
  readonly sequence: 'stored' | 'next-when-changed' | 'next-unless-cancelled';
  /** The status the message carries: the stored one, or the one it sets. */
  readonly carries: 'stored' | 'scheduled' | 'cancelled';
  /** Who gets it: the subscribers (and list addresses), or everyone holding a calendar entry. */
  readonly audience: 'subscribers' | 'holders';
  /** Its calendar part: the series' method (REQUEST by default), CANCEL, or none. */
  readonly calendar: 'series' | 'CANCEL' | 'none';
  /** A message of this kind puts the talk in the recipient's calendar (or keeps it there). */
  readonly holdsCalendar: boolean;
  /** It lists what changed since the last message. */
  readonly showsChanges: boolean;
  /** It says what calendars will do with its invitation (follow it, or not with PUBLISH). */
  readonly calendarNote: boolean;
  /** It finishes a revision stored with this status that did not reach everyone (owed.ts). */
  readonly finishes?: 'scheduled' | 'cancelled';
  /** In order: the first that applies stops the command. */
  readonly refusals: readonly Refusal[];
  /** With no one to send to: why there is nothing to send (exit 0), if that is why. */
  nothing?(c: KindContext): string | undefined;
  /** The folder under outbox/<talk>/ that a rehearsal of this revision is written to. */
  outboxFolder(rev: string): string;
  /** How `rali status` names the rows of a revision. */
  statusLabel(rev: string): string;
}
