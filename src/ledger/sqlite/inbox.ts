/** What `rali inbox` keeps: the messages it handled (each once, even with two runs at once) and the bounces it read. */
import type { Bounce, InboxLedger, Suppression } from '../types';
import type { Db } from './db';
import type { Suppressions } from './suppressions';

export class SqliteInbox implements InboxLedger {
  constructor(
    private readonly db: Db,
    private readonly suppressions: Suppressions,
  ) {}

  /** A read-only ledger from before migration 4 (and before any `rali inbox`) has no inbox tables. */
  private present(): boolean {
    return this.db.version >= 4 || !!this.db.st(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox_processed'`).get();
  }

  async handled(key: string): Promise<string | undefined> {
    if (!this.present()) return undefined;
    return this.db.run(
      () => (this.db.st('SELECT action FROM inbox_processed WHERE key = ?').get(key) as { action: string } | undefined)?.action,
    );
  }

  async record(
    key: string,
    action: string,
    at: string,
    effects: { bounces?: Bounce[]; suppress?: { address: string; reason: string }[] } = {},
  ) {
    return this.db.tx(() => {
      if (
        !this.db.st('INSERT INTO inbox_processed (key, at, action) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(key, at, action)
          .changes
      )
        return false;
      for (const b of effects.bounces ?? [])
        this.db
          .st('INSERT INTO inbox_bounces (address, kind, reason, message_id, uid, at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(b.address.toLowerCase(), b.kind, b.reason, b.messageId, b.uid, b.at);
      for (const s of effects.suppress ?? []) this.suppressions.add(s.address, s.reason);
      return true;
    });
  }

  async softCount(address: string, sinceIso: string, untilIso = '9999'): Promise<number> {
    if (!this.present()) return 0;
    return this.db.run(
      () =>
        (
          this.db
            .st(`SELECT COUNT(*) AS n FROM inbox_bounces WHERE address = ? AND kind = 'soft' AND at >= ? AND at <= ?`)
            .get(address.toLowerCase(), sinceIso, untilIso) as {
            n: number;
          }
        ).n,
    );
  }

  async byMessageId(messageId: string): Promise<{ recipient: string; uid: string } | undefined> {
    return this.db.run(
      () =>
        this.db.st(`SELECT recipient, uid FROM deliveries WHERE message_id = ? AND status = 'sent' LIMIT 1`).get(messageId) as
          { recipient: string; uid: string } | undefined,
    );
  }

  async mailed(): Promise<Map<string, string>> {
    const rows = this.db.run(
      () =>
        this.db
          .st(`SELECT lower(recipient) AS recipient, uid FROM deliveries WHERE status = 'sent' AND rev <> 'test' ORDER BY updated_at`)
          .all() as {
          recipient: string;
          uid: string;
        }[],
    );
    return new Map(rows.map((r) => [r.recipient, r.uid]));
  }

  async lastLangs(address: string): Promise<string | undefined> {
    const row = this.db.run(
      () =>
        this.db
          .st(
            `SELECT langs FROM deliveries WHERE lower(recipient) = lower(?) AND status = 'sent' AND rev <> 'test' ORDER BY updated_at DESC LIMIT 1`,
          )
          .get(address) as { langs: string | null } | undefined,
    );
    return row?.langs ?? undefined;
  }

  async bounceCounts(uid: string): Promise<{ hard: number; soft: number; complaint: number; refusal: number }> {
    const out = { hard: 0, soft: 0, complaint: 0, refusal: 0 };
    if (!this.present()) return out;
    const rows = this.db.run(
      () =>
        this.db.st(`SELECT kind, COUNT(DISTINCT address) AS n FROM inbox_bounces WHERE uid = ? GROUP BY kind`).all(uid) as {
          kind: string;
          n: number;
        }[],
    );
    for (const r of rows) if (r.kind in out) out[r.kind as keyof typeof out] = r.n;
    return out;
  }
}

export type { Suppression };
