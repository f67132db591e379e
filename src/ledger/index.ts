/**
 * Opening a series' ledger. A command holds one `LedgerAccess`: it reads through a read-only handle
 * (nothing is created by looking), and the first write opens the ledger for writing (creating and
 * migrating it) and serves every later read too — one connection (or pool) at a time. The store is
 * SQLite beside rali.yaml, or a PostgreSQL database shared by the machines that run the series.
 */
import { PostgresLedger } from './postgres';
import { SqliteLedger } from './sqlite';
import type { Ledger, LedgerOptions } from './types';

export * from './types';
export { LedgerError, TalkChanged } from './errors';

/** Where a series' ledger is: a folder (state.db in it), or a database and the series' id in it. */
export type LedgerLocation = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string; seriesId: string };

export class LedgerAccess {
  private ro: Ledger | undefined | null = null;
  private rw: Ledger | undefined;

  constructor(
    readonly location: LedgerLocation,
    readonly options: LedgerOptions,
  ) {}

  /** For messages: the file or the database. */
  get where(): string {
    const l = this.location;
    return this.rw?.where ?? this.ro?.where ?? (l.kind === 'sqlite' ? `${l.dir}/state.db` : PostgresLedger.whereOf(l.url, l.seriesId));
  }

  private opening: Promise<Ledger> | undefined;

  /** The ledger to read, or undefined when there is none yet. */
  async read(): Promise<Ledger | undefined> {
    if (this.rw) return this.rw;
    if (this.opening) return this.opening;
    if (this.ro === null) {
      const l = this.location;
      this.ro =
        l.kind === 'sqlite'
          ? SqliteLedger.openReadOnly(l.dir, this.options)
          : await PostgresLedger.open(l.url, l.seriesId, this.options, { write: false });
    }
    return this.ro;
  }

  /** The ledger to write (created if needed). */
  async write(): Promise<Ledger> {
    if (this.rw) return this.rw;
    // Two writes asking at once (a database opens asynchronously) share one opening.
    this.opening ??= (async () => {
      const l = this.location;
      const rw =
        l.kind === 'sqlite'
          ? SqliteLedger.open(l.dir, this.options)
          : (await PostgresLedger.open(l.url, l.seriesId, this.options, { write: true }))!;
      this.rw = rw;
      const ro = this.ro;
      this.ro = null;
      await ro?.close();
      return rw;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    const [ro, rw] = [this.ro, this.rw];
    this.ro = null;
    this.rw = undefined;
    await ro?.close();
    await rw?.close();
  }
}
