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
import { PartsLedger } from '../facade';
import type { Ledger, LedgerDump, LedgerOptions } from '../types';
import { Ctx } from './context';
import { PgDb, redactUrl } from './db';
import { PgDeliveries } from './deliveries';
import { exportPg, importPg } from './dump';
import { PgInbox } from './inbox';
import { PgRuns } from './runs';
import { PgSubscriptions } from './subscriptions';
import { PgTalks } from './talks';

export { redactUrl } from './db';

export class PostgresLedger extends PartsLedger implements Ledger {
  readonly where: string;
  readonly inbox: PgInbox;
  readonly subscriptions: PgSubscriptions;
  private readonly c: Ctx;

  private constructor(
    /** The connection, for tests that look at the rows. */
    readonly db: PgDb,
    readonly seriesId: string,
    options: LedgerOptions,
    c = new Ctx(db, seriesId, options),
    talks = new PgTalks(c),
  ) {
    // Suppressions and notes are rows of the series like its talks (talks.ts).
    super(
      {
        runs: new PgRuns(c),
        deliveries: new PgDeliveries(c),
        talks,
        suppressions: { add: (a, r) => talks.suppress(a, r), remove: (a) => talks.unsuppress(a), all: () => talks.suppressed() },
        notes: {
          get: (n) => talks.note(n),
          set: (n, v) => talks.setNote(n, v),
          claim: (n, v) => talks.claimNote(n, v),
          secret: () => talks.secret(),
        },
      },
      options,
    );
    this.c = c;
    this.where = db.where;
    this.inbox = new PgInbox(c, talks);
    this.subscriptions = new PgSubscriptions(c, talks);
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

  async exportAll() {
    return exportPg(this.c);
  }
  async importAll(d: LedgerDump) {
    return importPg(this.c, d);
  }
}
