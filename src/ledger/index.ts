/**
 * Opening a series' ledger. A command holds one `LedgerAccess`: it reads through a read-only handle
 * (nothing is created by looking), and the first write opens the ledger for writing (creating and
 * migrating it) and serves every later read too — one connection at a time.
 */
import { SqliteLedger } from './sqlite';
import type { Ledger, LedgerOptions } from './types';

export * from './types';
export { LedgerError, TalkChanged } from './errors';

/** Where a series' ledger is. */
export type LedgerLocation = { kind: 'sqlite'; dir: string };

export class LedgerAccess {
  private ro: Ledger | undefined | null = null;
  private rw: Ledger | undefined;

  constructor(
    readonly location: LedgerLocation,
    readonly options: LedgerOptions,
  ) {}

  /** For messages: the file or the database. */
  get where(): string {
    return this.rw?.where ?? this.ro?.where ?? `${this.location.dir}/state.db`;
  }

  /** The ledger to read, or undefined when there is none yet. */
  async read(): Promise<Ledger | undefined> {
    if (this.rw) return this.rw;
    if (this.ro === null) this.ro = SqliteLedger.openReadOnly(this.location.dir, this.options);
    return this.ro;
  }

  /** The ledger to write (created if needed). */
  async write(): Promise<Ledger> {
    if (!this.rw) {
      this.rw = SqliteLedger.open(this.location.dir, this.options);
      const ro = this.ro;
      this.ro = null;
      await ro?.close();
    }
    return this.rw;
  }

  async close(): Promise<void> {
    const [ro, rw] = [this.ro, this.rw];
    this.ro = null;
    this.rw = undefined;
    await ro?.close();
    await rw?.close();
  }
}
