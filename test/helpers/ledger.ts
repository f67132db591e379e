/** The SQLite ledger of a folder, opened as rali opens it (tests look at its rows through `db.raw`). */
import { SqliteLedger } from '../../src/ledger/sqlite';

export function openLedger(dir: string, o: { leaseMs?: number; clock?: () => number } = {}): SqliteLedger {
  return SqliteLedger.open(dir, { leaseMs: o.leaseMs ?? 30_000, clock: o.clock, pid: process.pid, host: 'test-host' });
}

export function openLedgerReadOnly(dir: string): SqliteLedger | undefined {
  return SqliteLedger.openReadOnly(dir, { leaseMs: 30_000, pid: process.pid, host: 'test-host' });
}

/** Seeds a talk as if its messages had gone out up to `sequence` (no deliveries). */
export function seedTalk(dir: string, uid: string, talkId: string, sequence: number, schedule: object = {}): void {
  const l = openLedger(dir);
  l.db.raw
    .prepare(`INSERT INTO talks (uid, talk_id, sequence, schedule, status, updated_at) VALUES (?, ?, ?, ?, 'scheduled', ?)`)
    .run(uid, talkId, sequence, JSON.stringify(schedule), new Date().toISOString());
  l.db.close();
}
