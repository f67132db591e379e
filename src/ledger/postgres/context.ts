/**
 * What every part of the PostgreSQL ledger shares: the connection, the series every query is
 * scoped to, and the clock.
 *
 * The clock is the database server's (`now()`): machines sharing a ledger may disagree on the time
 * by seconds or minutes, and a lease compared with another machine's clock could look expired
 * while its run is alive (two runs sending the same deliveries) or alive long after it died. Every
 * moment the ledger writes and every staleness test is the server's, so only one clock counts.
 * Tests set `options.clock`: then that clock is used instead, everywhere (the same statements, the
 * moment passed as a parameter; `COALESCE($n, now())` picks the server's when it is null).
 */
import type { LedgerOptions } from '../types';
import type { PgDb } from './db';

/** The moment a statement uses: the parameter `$n` when a test clock is set, else the server's `now()`. */
export const NOW = (n: number) => `COALESCE($${n}::timestamptz, now())`;

export class Ctx {
  constructor(
    readonly db: PgDb,
    readonly series: string,
    readonly o: LedgerOptions,
  ) {}

  /** The value for NOW's parameter: the test clock's moment, or null for the server's clock. */
  t(offsetMs = 0): string | null {
    return this.o.clock ? new Date(this.o.clock() + offsetMs).toISOString() : null;
  }
}

/** A timestamptz as the other store writes it (ISO 8601, UTC, milliseconds). */
export const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
