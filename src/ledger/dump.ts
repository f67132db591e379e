/** Moving a ledger between stores: what a dump holds, per table, in the order both stores report it. */
import type { LedgerDump, LedgerTable, TableCount } from './types';

export const LEDGER_TABLES: readonly LedgerTable[] = [
  'talks',
  'deliveries',
  'suppressions',
  'reminders',
  'notes',
  'inbox_bounces',
  'inbox_processed',
  'subscriptions',
];

/** The rows of each table of a dump. */
export function dumpRows(d: LedgerDump): Record<LedgerTable, readonly object[]> {
  return {
    talks: d.talks,
    deliveries: d.deliveries,
    suppressions: d.suppressions,
    reminders: d.reminders,
    notes: d.notes,
    inbox_bounces: d.inboxBounces,
    inbox_processed: d.inboxProcessed,
    subscriptions: d.subscriptions ?? [],
  };
}

/** How many rows of each table a dump holds (to set beside what an import added). */
export function dumpCounts(d: LedgerDump): TableCount[] {
  const rows = dumpRows(d);
  return LEDGER_TABLES.map((table) => ({ table, rows: rows[table].length }));
}

/** A claim has no owner in another store: it is pending there (tried or not, as `attempts` says). */
export function unclaimed(status: string): 'sent' | 'pending' | 'failed' {
  return status === 'sent' || status === 'failed' ? status : 'pending';
}
