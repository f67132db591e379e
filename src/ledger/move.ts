/**
 * `rali ledger move`: a series' ledger copied into another store (SQLite → PostgreSQL, or back),
 * every row counted on both sides; safe to run again (an interrupted move finishes, nothing is
 * imported twice). The old store is then retired, so that nothing sends from it any more.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from './errors';
import { dumpCounts, LEDGER_TABLES } from './dump';
import { fileIdentity, NOTE } from './identity';
import { PostgresLedger } from './postgres';
import { SqliteLedger } from './sqlite';
import { LEDGER_FILE } from './sqlite/db';
import type { Ledger, LedgerOptions, TableCount } from './types';
import type { LedgerLocation } from './index';
import { ledgerMove as M } from '../messages';

/** A note on a ledger that was moved away: it sends nothing any more, and says where the series went. */
export const MOVED_TO = 'moved_to';

export interface MoveResult {
  /** Rows per table: in the source, in the target after the move, and added by this run. */
  tables: { table: string; source: number; target: number; added: number }[];
  id: string;
  retired: string;
}

async function open(location: LedgerLocation, o: LedgerOptions): Promise<Ledger> {
  return location.kind === 'sqlite'
    ? SqliteLedger.open(location.dir, o)
    : (await PostgresLedger.open(location.url, location.seriesId, o, { write: true }))!;
}

export async function moveLedger(
  source: Ledger,
  from: LedgerLocation,
  to: LedgerLocation,
  o: LedgerOptions & { host: string; folder: string },
): Promise<MoveResult> {
  const dump = await source.exportAll();
  const id = dump.notes.find((n) => n.name === NOTE.id)?.value;
  if (!id) throw new LedgerError(source.where, 'identity', M.noIdentity);
  const target = await open(to, o);
  try {
    // The target must hold nothing of the series, or this very ledger (a move cut short, run again).
    const there = await target.note(NOTE.id);
    if (there && there !== id) throw new LedgerError(target.where, 'identity', M.targetHoldsAnother(target.where, there));
    if (!there && ((await target.talks()).length || (await target.counts()).length))
      throw new LedgerError(target.where, 'identity', M.targetNotEmpty(target.where));
    const added = await target.importAll(dump);
    const after = dumpCounts(await target.exportAll());
    const before = dumpCounts(dump);
    const tables = LEDGER_TABLES.map((table) => ({
      table,
      source: before.find((c) => c.table === table)!.rows,
      target: after.find((c) => c.table === table)!.rows,
      added: added.find((c: TableCount) => c.table === table)?.rows ?? 0,
    }));
    const short = tables.filter((t) => t.target < t.source);
    if (short.length)
      throw new LedgerError(target.where, 'other', M.countsDiffer(short.map((t) => `${t.table} ${t.source} → ${t.target}`).join(', ')));
    // The target is the series' ledger now; a SQLite target lives in this folder.
    await target.setNote(NOTE.id, id);
    await target.setNote(MOVED_TO, '');
    if (to.kind === 'sqlite') {
      await target.setNote(NOTE.folder, o.folder);
      await target.setNote(NOTE.host, o.host);
      await target.setNote(NOTE.file, fileIdentity(join(to.dir, LEDGER_FILE)) ?? '');
    }
    const retired = await retire(source, from, to);
    return { tables, id, retired };
  } finally {
    await target.close();
  }
}

/** The old store sends nothing any more: a SQLite file is set aside, a database's series marked moved. */
async function retire(source: Ledger, from: LedgerLocation, to: LedgerLocation): Promise<string> {
  const where = to.kind === 'sqlite' ? 'SQLite' : PostgresLedger.whereOf(to.url, to.seriesId);
  await source.setNote(MOVED_TO, where);
  if (from.kind !== 'sqlite') return source.where;
  await source.close();
  const file = join(from.dir, LEDGER_FILE);
  const aside = `${file}.moved-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
  return aside;
}
