/**
 * The PostgreSQL ledger: one database shared by the machines that run a series (the organizer's
 * laptop, the department's server running cron), and by several series (every row carries its
 * series' id). Same guarantees as the SQLite ledger, across machines: claims are atomic
 * (deliveries.ts), leases go by the database's clock (context.ts), migrations are applied once
 * (db.ts).
 *
 * Commits are asynchronous (synchronous_commit = off): a commit returns once the server has it,
 * before it is flushed to the server's disk. rali being killed loses nothing the server answered;
 * a crash of the database server's machine may lose its last fraction of a second of commits —
 * exactly what SQLite's WAL with synchronous = NORMAL may lose to a power cut on the laptop: a few
 * deliveries sent then would be sent again (same Message-ID), never one skipped.
 */
import type { ClaimItem, DeliveryKey, Ledger, LedgerDump, LedgerOptions, ReminderState, TalkCommit } from '../types';
import { Ctx } from './context';
import { PgDb, redactUrl } from './db';
import { PgDeliveries } from './deliveries';
import { exportPg, importPg } from './dump';
import { PgInbox } from './inbox';
import { PgRuns } from './runs';
import { PgSubscriptions } from './subscriptions';
import { PgTalks } from './talks';

export { redactUrl } from './db';

export class PostgresLedger implements Ledger {
  readonly where: string;
  readonly leaseMs: number;
  readonly inbox: PgInbox;
  readonly subscriptions: PgSubscriptions;
  private readonly c: Ctx;
  private readonly runs: PgRuns;
  private readonly ds: PgDeliveries;
  private readonly store: PgTalks;

  private constructor(
    /** The connection, for tests that look at the rows. */
    readonly db: PgDb,
    readonly seriesId: string,
    /** The lease and, for tests, the clock (tests move it to expire leases). */
    readonly options: LedgerOptions,
  ) {
    this.where = db.where;
    this.leaseMs = options.leaseMs;
    this.c = new Ctx(db, seriesId, options);
    this.runs = new PgRuns(this.c);
    this.ds = new PgDeliveries(this.c);
    this.store = new PgTalks(this.c);
    this.inbox = new PgInbox(this.c, this.store);
    this.subscriptions = new PgSubscriptions(this.c, this.store);
  }

  /** How the ledger is named in messages: the URL without its password, and the series. */
  static whereOf(url: string, seriesId: string): string {
    return `${redactUrl(url)} (series ${seriesId})`;
  }

  /**
   * Opens the series' ledger in the database at `url`, creating or migrating the schema when
   * `write`. Read-only: undefined when the database has no rali schema or nothing of this series
   * yet (nothing is created by looking).
   */
  static async open(url: string, seriesId: string, o: LedgerOptions, mode: { write: boolean }): Promise<PostgresLedger | undefined> {
    const db = await PgDb.open(url, PostgresLedger.whereOf(url, seriesId), mode.write);
    try {
      if (mode.write) {
        await db.q('INSERT INTO rali_series (series) VALUES ($1) ON CONFLICT DO NOTHING', [seriesId]);
      } else if (db.version === 0 || !(await db.q('SELECT 1 FROM rali_series WHERE series = $1', [seriesId])).rowCount) {
        await db.close();
        return undefined;
      }
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
    return new PostgresLedger(db, seriesId, o);
  }

  /** The database read-only, whatever series it holds (undefined without a rali schema). */
  static async openAny(url: string, o: LedgerOptions): Promise<PostgresLedger | undefined> {
    const db = await PgDb.open(url, PostgresLedger.whereOf(url, '*'), false);
    if (db.version === 0) {
      await db.close();
      return undefined;
    }
    return new PostgresLedger(db, '', o);
  }

  /** The series of this database whose ledger has this id (rali.yaml's series.id changed since it was sent). */
  async seriesOfLedger(ledgerId: string): Promise<string[]> {
    const r = await this.db.q<{ series: string }>(`SELECT series FROM rali_meta WHERE name = 'ledger_id' AND value = $1 AND series <> $2`, [
      ledgerId,
      this.c.series,
    ]);
    return r.rows.map((x) => x.series);
  }

  /** Nothing to look at between statements: a ledger gone (tables dropped) or out of reach fails the next statement, which says so. */
  async check() {}
  async close() {
    await this.db.close();
  }

  async startRun(command: string) {
    return this.runs.start(command);
  }
  async heartbeat(runId: number) {
    return this.runs.heartbeat(runId);
  }
  async endRun(runId: number, counts: object) {
    await this.runs.end(runId, counts);
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
    await this.ds.release(key, runId, recipients);
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
    return this.store.get(uid);
  }
  async talks() {
    return this.store.all();
  }
  async reminder(uid: string, label: string) {
    return this.store.reminder(uid, label);
  }
  async setReminder(uid: string, label: string, state: ReminderState) {
    await this.store.setReminder(uid, label, state);
  }

  async suppress(address: string, reason: string) {
    await this.store.suppress(address, reason);
  }
  async unsuppress(address: string) {
    return this.store.unsuppress(address);
  }
  async suppressed() {
    return this.store.suppressed();
  }

  async note(name: string) {
    return this.store.note(name);
  }
  async setNote(name: string, value: string) {
    await this.store.setNote(name, value);
  }
  async claimNote(name: string, value: string) {
    return this.store.claimNote(name, value);
  }
  async secret() {
    return this.store.secret();
  }

  async exportAll() {
    return exportPg(this.c);
  }
  async importAll(d: LedgerDump) {
    return importPg(this.c, d);
  }
}
