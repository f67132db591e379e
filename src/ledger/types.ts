/**
 * The ledger's interface: what rali knows of what was sent to whom, who is suppressed, and the
 * calendar revision of each talk. One interface, several stores (SQLite beside rali.yaml; a shared
 * database for a series run from several machines): the commands and the send loop never know
 * which one they hold. Every method is asynchronous, since a shared store is across a network.
 */
import type { Schedule } from '../model/schedule';

export type DeliveryStatus = 'claimed' | 'sent' | 'pending' | 'failed';

/** Per recipient: mine to send, interrupted (a dead run had it in flight), busy (a live run has it), or done. */
export type ClaimResult = 'mine' | 'interrupted' | 'busy' | 'sent' | 'failed';

/** One message of a talk: its kind and revision (`announce` `0`, `update` `2`, `reminder` `1-day`…). */
export interface DeliveryKey {
  uid: string;
  kind: string;
  rev: string;
}

export interface ClaimItem {
  recipient: string;
  messageId: string;
  /** The SEQUENCE the recipient's calendar entry will have. */
  seq: number;
  langs: string;
}

/** A talk as its last message carried it. */
export interface TalkRecord {
  uid: string;
  talkId: string;
  sequence: number;
  status: 'scheduled' | 'cancelled';
  /** The schedule last sent. */
  schedule?: Schedule;
  /** The schedule before the latest revision (what an update at that revision changed). */
  previous?: Schedule;
}

/** What a message carries, committed with its first claim (never before: a declined prompt leaves it owed). */
export interface TalkCommit {
  uid: string;
  talkId: string;
  sequence: number;
  schedule: Schedule;
}

/** Someone holding a calendar entry for a talk: the highest SEQUENCE they had, in which languages. */
export interface Holder {
  recipient: string;
  seq: number;
  langs: string | null;
}

export interface Delivery {
  kind: string;
  rev: string;
  recipient: string;
  status: DeliveryStatus;
  messageId: string | null;
  reply: string | null;
  attempts: number;
  seq: number | null;
  langs: string | null;
  updatedAt: string;
}

export interface DeliveryCount {
  uid: string;
  kind: string;
  rev: string;
  status: DeliveryStatus;
  n: number;
}

export interface Suppression {
  reason: string;
  createdAt: string;
}

export interface ReminderState {
  status: 'sending' | 'sent' | 'skipped';
  dueAt: string;
  note: string | null;
}

/** refusal: a refusal about us (policy, spam, DMARC) kept for `rali status`; evidence: a bounce naming an address, not of our messages. */
export type BounceKind = 'hard' | 'soft' | 'complaint' | 'unsubscribe' | 'refusal' | 'evidence';

export interface Bounce {
  address: string;
  kind: BounceKind;
  reason: string;
  messageId: string | null;
  uid: string | null;
  at: string;
}

/** What `rali inbox` keeps: the messages it handled (each once, even with two runs at once) and the bounces. */
export interface InboxLedger {
  /** The action recorded for a handled message, or undefined. */
  handled(key: string): Promise<string | undefined>;
  /**
   * Records `key` as handled with its effects, atomically; false (and nothing changed) when another
   * run handled it first.
   */
  record(
    key: string,
    action: string,
    at: string,
    effects?: { bounces?: Bounce[]; suppress?: { address: string; reason: string }[] },
  ): Promise<boolean>;
  /** Soft bounces of the address that happened from `sinceIso` (up to `untilIso`). */
  softCount(address: string, sinceIso: string, untilIso?: string): Promise<number>;
  /** The delivery rali sent under this Message-ID. */
  byMessageId(messageId: string): Promise<{ recipient: string; uid: string } | undefined>;
  /** Every address rali has mailed, with the last talk it was mailed for. */
  mailed(): Promise<Map<string, string>>;
  /** The languages of the last message sent to an address ("fr+en"), or undefined. */
  lastLangs(address: string): Promise<string | undefined>;
  /** Bounces and complaints of one talk, by kind (distinct addresses). */
  bounceCounts(uid: string): Promise<{ hard: number; soft: number; complaint: number; refusal: number }>;
}

export type SubscriptionStatus = 'active' | 'unsubscribed' | 'paused';

/**
 * How an address asked for the mails, kept in the ledger so that a service on another machine
 * (rali serve, with a shared PostgreSQL ledger) and the machine that sends see the same list. A
 * row is either a web sign-up (`source: web`: in the audience while active) or the preferences of
 * an address of subscribers.csv (`source: file`: its languages and pause apply, it adds no one).
 */
export interface Subscription {
  /** Lowercased. */
  address: string;
  name: string | null;
  /** `fr`, `en`, `fr+en`: overrides subscribers.csv for this address. */
  langs: string | null;
  status: SubscriptionStatus;
  /** A pause ends at this moment (ISO 8601); after it the address gets the mails again. */
  pausedUntil: string | null;
  /** `web` (rali serve's form), `file` (an address of subscribers.csv), `import` … */
  source: string;
  /** When its owner consented (the confirmation button), and how. */
  consentAt: string | null;
  consentHow: string | null;
  updatedAt: string;
}

/** A confirmation mail sent for a sign-up (a note keyed by a keyed hash of the address: the address is not kept). */
export interface SignUpNote {
  /** The keyed hash of the address (makeToken(…, 'signup', …)). */
  key: string;
  /** When its confirmation mail was sent. */
  at: string;
}

/** What `rali serve` keeps: subscriptions and their consent, and which sign-ups were mailed. */
export interface SubscriptionLedger {
  get(address: string): Promise<Subscription | undefined>;
  all(): Promise<Subscription[]>;
  /**
   * A sign-up confirmed by its owner: the address is active with its languages and consent, and
   * any suppression of it is lifted (the confirmation came from its own mailbox) — one transaction.
   */
  confirm(s: {
    address: string;
    name?: string | null;
    langs: string;
    source: string;
    consentAt: string;
    consentHow: string;
  }): Promise<void>;
  /** Unsubscribed and suppressed, in one transaction; `source` for an address that had no row (one of the file). */
  unsubscribe(address: string, reason: string, source: string): Promise<void>;
  /** Languages and pause of an address (a row of `source` is made for an address that had none); status active or paused. */
  setPreferences(address: string, p: { langs: string | null; pausedUntil: string | null }, source: string): Promise<void>;
  /**
   * Notes that a confirmation mail goes to `key`'s address on `day` (YYYY-MM-DD): false when one
   * went that day already (of two requests at once, one gets true). Notes older than `forgetBefore` go.
   */
  signUpMailed(key: string, day: string, at: string, forgetBefore: string): Promise<boolean>;
  /** Forgets the note of `signUpMailed` (the mail could not be sent: a new try that day may send it). */
  signUpFailed(key: string, day: string): Promise<void>;
  /** The confirmation mails sent since `since` (ISO 8601). */
  signUps(since: string): Promise<SignUpNote[]>;
  /** The suppression of one address, if it is suppressed. */
  suppression(address: string): Promise<Suppression | undefined>;
}

export interface Ledger {
  /** Where it is, for messages: the file, or the database URL without its password. */
  readonly where: string;
  /** Throws a LedgerError when the ledger is no longer there (a file deleted or replaced under the run). */
  check(): Promise<void>;
  close(): Promise<void>;

  // ---- runs and their leases ----
  /** Starts a run with a fresh lease; runs whose lease expired are closed as interrupted. */
  startRun(command: string): Promise<number>;
  /** Renews the lease; false when another run declared this one dead meanwhile. */
  heartbeat(runId: number): Promise<boolean>;
  /** Ends a run; what it still held goes back to pending. */
  endRun(runId: number, counts: object): Promise<void>;
  /** How long a run's claims live without a heartbeat. */
  readonly leaseMs: number;

  // ---- deliveries ----
  /** Claims deliveries for a run, atomically; `talk` is committed with the first claim. Throws TalkChanged when a newer revision was committed. */
  claim(
    key: DeliveryKey,
    runId: number,
    items: ClaimItem[],
    opts?: { retryFailed?: boolean; talk?: TalkCommit },
  ): Promise<Map<string, ClaimResult>>;
  /** Records one outcome at once; a delivery pending longer than `maxAgeMs` after its first try fails for good. Returns the status kept. */
  settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs?: number,
    runId?: number,
  ): Promise<'sent' | 'pending' | 'failed'>;
  /** Gives claims back untried: a claim never tried is forgotten, one tried before is pending again. */
  release(key: DeliveryKey, runId: number, recipients: string[]): Promise<void>;
  /** Recipients tried in an earlier run and still pending. */
  tried(key: DeliveryKey): Promise<Set<string>>;
  /** Deliveries marked sent since `sinceMs` (a provider's daily limit). */
  sentSince(sinceMs: number): Promise<number>;
  statuses(key: DeliveryKey): Promise<Map<string, DeliveryStatus>>;
  deliveries(uid: string, kind?: string): Promise<Delivery[]>;
  /** Everyone a message of one of `kinds` (the ones that put the talk in a calendar) was sent to. */
  holders(uid: string, kinds: readonly string[]): Promise<Holder[]>;
  counts(uid?: string): Promise<DeliveryCount[]>;

  // ---- talks ----
  talk(uid: string): Promise<TalkRecord | undefined>;
  talks(): Promise<TalkRecord[]>;

  // ---- reminders ----
  reminder(uid: string, label: string): Promise<ReminderState | undefined>;
  setReminder(uid: string, label: string, state: ReminderState): Promise<void>;

  // ---- suppressions ----
  suppress(address: string, reason: string): Promise<void>;
  unsuppress(address: string): Promise<boolean>;
  suppressed(): Promise<Map<string, Suppression>>;

  // ---- notes kept for cron (said once) and the secret behind tokens ----
  note(name: string): Promise<string | undefined>;
  setNote(name: string, value: string): Promise<void>;
  /** Sets a note only if it has none (of two runs at once, the first one's stays); returns the note kept. */
  claimNote(name: string, value: string): Promise<string>;
  secret(): Promise<string>;

  readonly inbox: InboxLedger;
  readonly subscriptions: SubscriptionLedger;

  // ---- moving a ledger to another store (`rali ledger move`) ----
  /** Everything but the runs, in a shape neither store's: claims come out as pending (no run owns them there). */
  exportAll(): Promise<LedgerDump>;
  /**
   * Adds a dump's rows in one transaction; a row already there (same key) is kept as it is, so a
   * second import of the same dump adds nothing. Returns the rows added, per table.
   */
  importAll(d: LedgerDump): Promise<TableCount[]>;
}

/** Rows per table (what a dump holds, what an import added). */
export interface TableCount {
  table: LedgerTable;
  rows: number;
}

export type LedgerTable =
  'talks' | 'deliveries' | 'suppressions' | 'reminders' | 'notes' | 'inbox_bounces' | 'inbox_processed' | 'subscriptions';

/**
 * A series' ledger in a store-neutral shape. Moments are ISO 8601 strings in UTC; schedules are the
 * JSON text the talk's messages carried. Runs are not part of it.
 */
export interface LedgerDump {
  format: 1;
  talks: {
    uid: string;
    talkId: string;
    sequence: number;
    status: string;
    schedule: string | null;
    previous: string | null;
    updatedAt: string;
  }[];
  deliveries: {
    uid: string;
    kind: string;
    rev: string;
    recipient: string;
    status: 'sent' | 'pending' | 'failed';
    messageId: string | null;
    reply: string | null;
    attempts: number;
    seq: number | null;
    langs: string | null;
    firstTryAt: string | null;
    updatedAt: string;
  }[];
  suppressions: { address: string; reason: string; createdAt: string }[];
  reminders: { uid: string; label: string; status: ReminderState['status']; dueAt: string; note: string | null; updatedAt: string }[];
  /** Cron's notes and the secret behind unsubscribe tokens (the links already sent keep working). */
  notes: { name: string; value: string }[];
  inboxBounces: Bounce[];
  inboxProcessed: { key: string; at: string; action: string }[];
  /** Web sign-ups and preferences with their consent (absent from dumps made before rali serve). */
  subscriptions?: Subscription[];
}

/** How a store is opened: the lease's length and, for tests, the clock. */
export interface LedgerOptions {
  leaseMs: number;
  clock?: () => number;
  /** This process, for the runs table (never trusted to tell a dead run: leases do). */
  pid: number;
  host: string;
}
