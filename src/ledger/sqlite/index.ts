/**
 * The SQLite ledger: .rali/state.db beside rali.yaml, the default, with nothing to install. Its
 * stores (runs, deliveries, talks and reminders, suppressions and notes, inbox) share one
 * connection; the send loop's statements are prepared once.
 */
import type { ClaimItem, DeliveryKey, Ledger, LedgerDump, LedgerOptions, ReminderState, TalkCommit } from '../types';
import { Db } from './db';
import { Deliveries } from './deliveries';
import { exportSqlite, importSqlite } from './dump';
import { SqliteInbox } from './inbox';
import { Runs } from './runs';
import { SqliteSubscriptions } from './subscriptions';
import { Notes, Suppressions } from './suppressions';
import { Talks } from './talks';

export class SqliteLedger implements Ledger {
  readonly where: string;
  readonly leaseMs: number;
  private readonly runs: Runs;
  private readonly talksStore: Talks;
  private readonly ds: Deliveries;
  private readonly sup: Suppressions;
  private readonly notes: Notes;
  readonly inbox: SqliteInbox;
  readonly subscriptions: SqliteSubscriptions;

  constructor(
    /** The connection, for tests that look at the rows. */
    readonly db: Db,
    /** The lease and the clock (tests move the clock to expire leases). */
    readonly options: LedgerOptions,
  ) {
    const o = options;
    this.where = db.file;
    this.leaseMs = o.leaseMs;
    this.runs = new Runs(db, o);
    const iso = () => this.runs.iso();
    this.talksStore = new Talks(db, iso);
    this.ds = new Deliveries(db, this.runs, this.talksStore);
    this.sup = new Suppressions(db, iso);
    this.notes = new Notes(db);
    this.inbox = new SqliteInbox(db, this.sup);
    this.subscriptions = new SqliteSubscriptions(db, this.sup, iso);
  }

  static open(dir: string, o: LedgerOptions): SqliteLedger {
    return new SqliteLedger(Db.open(dir), o);
  }

  static openReadOnly(dir: string, o: LedgerOptions): SqliteLedger | undefined {
    const db = Db.openReadOnly(dir);
    return db && new SqliteLedger(db, o);
  }

  async check() {
    this.db.check();
  }
  async close() {
    this.db.close();
  }

  async startRun(command: string) {
    return this.runs.start(command);
  }
  async heartbeat(runId: number) {
    return this.runs.heartbeat(runId);
  }
  async endRun(runId: number, counts: object) {
    this.runs.end(runId, counts);
  }

  async claim(key: DeliveryKey, runId: number, items: ClaimItem[], opts: { retryFailed?: boolean; talk?: TalkCommit } = {}) {
    return this.ds.claim(key, runId, items, opts);
  }
  async settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs = 5 * 24 * 3600_000,
    runId?: number,
  ) {
    return this.ds.settle(key, recipient, status, reply, maxAgeMs, runId);
  }
  async release(key: DeliveryKey, runId: number, recipients: string[]) {
    this.ds.release(key, runId, recipients);
  }
  async tried(key: DeliveryKey) {
    return this.ds.tried(key);
  }
  async sentSince(sinceMs: number) {
    return this.ds.sentSince(sinceMs);
  }
  async statuses(key: DeliveryKey) {
    return this.ds.statuses(key);
  }
  async deliveries(uid: string, kind?: string) {
    return this.ds.list(uid, kind);
  }
  async holders(uid: string, kinds: readonly string[]) {
    return this.ds.holders(uid, kinds);
  }
  async counts(uid?: string) {
    return this.ds.counts(uid);
  }

  async talk(uid: string) {
    return this.talksStore.get(uid);
  }
  async talks() {
    return this.talksStore.all();
  }
  async reminder(uid: string, label: string) {
    return this.talksStore.reminder(uid, label);
  }
  async setReminder(uid: string, label: string, state: ReminderState) {
    this.talksStore.setReminder(uid, label, state);
  }

  async suppress(address: string, reason: string) {
    this.sup.add(address, reason);
  }
  async unsuppress(address: string) {
    return this.sup.remove(address);
  }
  async suppressed() {
    return this.sup.all();
  }

  async note(name: string) {
    return this.notes.get(name);
  }
  async setNote(name: string, value: string) {
    this.notes.set(name, value);
  }
  async claimNote(name: string, value: string) {
    return this.notes.claim(name, value);
  }
  async secret() {
    return this.notes.secret();
  }

  async exportAll() {
    return exportSqlite(this.db);
  }
  async importAll(d: LedgerDump) {
    return importSqlite(this.db, d);
  }
}
