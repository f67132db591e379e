/**
 * What both stores share: the `Ledger` the rest of rali sees, answered by a store's parts (runs,
 * deliveries, talks and reminders, suppressions, notes). A store (sqlite/, postgres/) makes its
 * parts — synchronous in SQLite, asynchronous in PostgreSQL — and adds what is its own (opening,
 * closing, checking, dumps). A method of the ledger is written here once.
 */
import type {
  ClaimItem,
  DeliveryKey,
  Ledger,
  LedgerDump,
  LedgerOptions,
  ReminderState,
  Suppression,
  TableCount,
  TalkCommit,
  TalkRecord,
} from './types';

/** A part's answer: now (SQLite) or later (PostgreSQL). */
type May<T> = T | Promise<T>;
type Of<K extends keyof Ledger> = Ledger[K] extends (...a: never[]) => Promise<infer R> ? May<R> : never;

export interface RunPart {
  start(command: string): May<number>;
  heartbeat(runId: number): May<boolean>;
  end(runId: number, counts: object): May<void>;
}

export interface DeliveryPart {
  claim(key: DeliveryKey, runId: number, items: ClaimItem[], opts: { retryFailed?: boolean; talk?: TalkCommit }): Of<'claim'>;
  settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs: number,
    runId?: number,
  ): Of<'settle'>;
  release(key: DeliveryKey, runId: number, recipients: string[]): May<void>;
  tried(key: DeliveryKey): Of<'tried'>;
  sentSince(sinceMs: number): May<number>;
  statuses(key: DeliveryKey): Of<'statuses'>;
  list(uid: string, kind?: string): Of<'deliveries'>;
  holders(uid: string, kinds: readonly string[]): Of<'holders'>;
  counts(uid?: string): Of<'counts'>;
}

export interface TalkPart {
  get(uid: string): May<TalkRecord | undefined>;
  all(): May<TalkRecord[]>;
  reminder(uid: string, label: string): May<ReminderState | undefined>;
  setReminder(uid: string, label: string, state: ReminderState): May<void>;
}

export interface SuppressionPart {
  add(address: string, reason: string): May<void>;
  remove(address: string): May<boolean>;
  all(): May<Map<string, Suppression>>;
}

export interface NotePart {
  get(name: string): May<string | undefined>;
  set(name: string, value: string): May<void>;
  claim(name: string, value: string): May<string>;
  secret(): May<string>;
}

export interface LedgerParts {
  runs: RunPart;
  deliveries: DeliveryPart;
  talks: TalkPart;
  suppressions: SuppressionPart;
  notes: NotePart;
}

/** The ledger over a store's parts; the store adds opening, closing, its inbox and subscriptions, and dumps. */
export abstract class PartsLedger implements Pick<Ledger, Exclude<keyof Ledger, 'where' | 'inbox' | 'subscriptions'>> {
  readonly leaseMs: number;

  protected constructor(
    private readonly parts: LedgerParts,
    /** The lease and the clock (tests move the clock to expire leases). */
    readonly options: LedgerOptions,
  ) {
    this.leaseMs = options.leaseMs;
  }

  abstract check(): Promise<void>;
  abstract close(): Promise<void>;
  abstract exportAll(): Promise<LedgerDump>;
  abstract importAll(d: LedgerDump): Promise<TableCount[]>;

  async startRun(command: string) {
    return this.parts.runs.start(command);
  }
  async heartbeat(runId: number) {
    return this.parts.runs.heartbeat(runId);
  }
  async endRun(runId: number, counts: object) {
    await this.parts.runs.end(runId, counts);
  }

  async claim(key: DeliveryKey, runId: number, items: ClaimItem[], opts: { retryFailed?: boolean; talk?: TalkCommit } = {}) {
    return this.parts.deliveries.claim(key, runId, items, opts);
  }
  async settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs = 5 * 24 * 3600_000,
    runId?: number,
  ) {
    return this.parts.deliveries.settle(key, recipient, status, reply, maxAgeMs, runId);
  }
  async release(key: DeliveryKey, runId: number, recipients: string[]) {
    await this.parts.deliveries.release(key, runId, recipients);
  }
  async tried(key: DeliveryKey) {
    return this.parts.deliveries.tried(key);
  }
  async sentSince(sinceMs: number) {
    return this.parts.deliveries.sentSince(sinceMs);
  }
  async statuses(key: DeliveryKey) {
    return this.parts.deliveries.statuses(key);
  }
  async deliveries(uid: string, kind?: string) {
    return this.parts.deliveries.list(uid, kind);
  }
  async holders(uid: string, kinds: readonly string[]) {
    return this.parts.deliveries.holders(uid, kinds);
  }
  async counts(uid?: string) {
    return this.parts.deliveries.counts(uid);
  }

  async talk(uid: string) {
    return this.parts.talks.get(uid);
  }
  async talks() {
    return this.parts.talks.all();
  }
  async reminder(uid: string, label: string) {
    return this.parts.talks.reminder(uid, label);
  }
  async setReminder(uid: string, label: string, state: ReminderState) {
    await this.parts.talks.setReminder(uid, label, state);
  }

  async suppress(address: string, reason: string) {
    await this.parts.suppressions.add(address, reason);
  }
  async unsuppress(address: string) {
    return this.parts.suppressions.remove(address);
  }
  async suppressed() {
    return this.parts.suppressions.all();
  }

  async note(name: string) {
    return this.parts.notes.get(name);
  }
  async setNote(name: string, value: string) {
    await this.parts.notes.set(name, value);
  }
  async claimNote(name: string, value: string) {
    return this.parts.notes.claim(name, value);
  }
  async secret() {
    return this.parts.notes.secret();
  }
}
