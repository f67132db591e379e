/**
 * The SQLite ledger: .rali/state.db beside rali.yaml, the default, with nothing to install. Its
 * stores (runs, deliveries, talks and reminders, suppressions and notes, inbox) share one
 * connection; the send loop's statements are prepared once.
 */
import { LedgerParts, PartsLedger } from '../facade';
import type { Ledger, LedgerDump, LedgerOptions } from '../types';
import { Db } from './db';
import { Deliveries } from './deliveries';
import { exportSqlite, importSqlite } from './dump';
import { SqliteInbox } from './inbox';
import { Runs } from './runs';
import { SqliteSubscriptions } from './subscriptions';
import { Notes, Suppressions } from './suppressions';
import { Talks } from './talks';

/** The SQLite parts over one connection. */
function parts(db: Db, o: LedgerOptions): LedgerParts & { runs: Runs; suppressions: Suppressions } {
  const runs = new Runs(db, o);
  const iso = () => runs.iso();
  const talks = new Talks(db, iso);
  return { runs, talks, deliveries: new Deliveries(db, runs, talks), suppressions: new Suppressions(db, iso), notes: new Notes(db) };
}

export class SqliteLedger extends PartsLedger implements Ledger {
  readonly where: string;
  readonly inbox: SqliteInbox;
  readonly subscriptions: SqliteSubscriptions;

  constructor(
    /** The connection, for tests that look at the rows. */
    readonly db: Db,
    options: LedgerOptions,
    p = parts(db, options),
  ) {
    super(p, options);
    this.where = db.file;
    this.inbox = new SqliteInbox(db, p.suppressions);
    this.subscriptions = new SqliteSubscriptions(db, p.suppressions, () => p.runs.iso());
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

  async exportAll() {
    return exportSqlite(this.db);
  }
  async importAll(d: LedgerDump) {
    return importSqlite(this.db, d);
  }
}
