/**
 * What `rali inbox` keeps in the ledger: the bounces and complaints it read, and the key of each
 * message it handled (so that each is handled once, even by two runs at once). Its own tables,
 * created on first use, beside the ledger's.
 */
import type { Database } from 'better-sqlite3';
import type { Ledger } from './ledger';

export type BounceKind = 'hard' | 'soft' | 'complaint' | 'unsubscribe';

export interface BounceRow {
  address: string;
  kind: BounceKind;
  reason: string;
  message_id: string | null;
  uid: string | null;
  at: string;
}

export class InboxStore {
  constructor(readonly db: Database) {}

  ensure(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS inbox_bounces (
        id INTEGER PRIMARY KEY, address TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
        message_id TEXT, uid TEXT, at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS inbox_bounces_address ON inbox_bounces (address, kind, at);
      CREATE INDEX IF NOT EXISTS inbox_bounces_uid ON inbox_bounces (uid);
      CREATE TABLE IF NOT EXISTS inbox_processed (key TEXT PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL);`);
  }

  /** True when the tables exist (a read-only ledger from before `rali inbox` has none). */
  present(): boolean {
    return !!this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox_bounces'`).get();
  }

  processed(key: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM inbox_processed WHERE key = ?').get(key);
  }

  /** Records `key` as handled; false if another run did first (the unique key decides). */
  claim(key: string, action: string, at: string): boolean {
    return (
      this.db.prepare('INSERT INTO inbox_processed (key, at, action) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(key, at, action)
        .changes === 1
    );
  }

  addBounce(b: BounceRow): void {
    this.db
      .prepare('INSERT INTO inbox_bounces (address, kind, reason, message_id, uid, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(b.address.toLowerCase(), b.kind, b.reason, b.message_id, b.uid, b.at);
  }

  softCount(address: string, sinceIso: string): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM inbox_bounces WHERE address = ? AND kind = 'soft' AND at >= ?`)
        .get(address.toLowerCase(), sinceIso) as { n: number }
    ).n;
  }

  /** The delivery rali sent under this Message-ID. */
  byMessageId(messageId: string): { recipient: string; uid: string } | undefined {
    return this.db.prepare(`SELECT recipient, uid FROM deliveries WHERE message_id = ? AND status = 'sent' LIMIT 1`).get(messageId) as
      { recipient: string; uid: string } | undefined;
  }

  /** Every address rali has mailed, with the last talk it was mailed for. */
  mailed(): Map<string, string> {
    const rows = this.db
      .prepare(`SELECT lower(recipient) AS recipient, uid FROM deliveries WHERE status = 'sent' AND rev <> 'test' ORDER BY updated_at`)
      .all() as { recipient: string; uid: string }[];
    return new Map(rows.map((r) => [r.recipient, r.uid]));
  }

  counts(): Map<string, number> {
    const rows = this.db.prepare('SELECT action, COUNT(*) AS n FROM inbox_processed GROUP BY action').all() as {
      action: string;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.action, r.n]));
  }
}

/** Bounces and complaints per kind for one talk (for `rali status`); empty before the first `rali inbox`. */
export function bounceSummary(ledger: Ledger, uid: string): { hard: number; soft: number; complaint: number } {
  const s = new InboxStore(ledger.db);
  const out = { hard: 0, soft: 0, complaint: 0 };
  if (!s.present()) return out;
  const rows = ledger.db.prepare(`SELECT kind, COUNT(DISTINCT address) AS n FROM inbox_bounces WHERE uid = ? GROUP BY kind`).all(uid) as {
    kind: string;
    n: number;
  }[];
  for (const r of rows) if (r.kind in out) out[r.kind as keyof typeof out] = r.n;
  return out;
}

/** The line `rali status` prints under a talk, or undefined when the mailbox said nothing about it. */
export function bounceLine(ledger: Ledger, uid: string): string | undefined {
  const b = bounceSummary(ledger, uid);
  if (!b.hard && !b.soft && !b.complaint) return undefined;
  return `  ${'mailbox'.padEnd(12)} ${b.hard} hard bounce${b.hard === 1 ? '' : 's'}, ${b.soft} soft, ${b.complaint} complaint${b.complaint === 1 ? '' : 's'} (rali inbox)`;
}
