/** What `rali inbox` keeps, in PostgreSQL: the messages it handled (each once, even with two runs at once) and the bounces it read. */
import type { Bounce, InboxLedger } from '../types';
import type { Ctx } from './context';
import type { PgTalks } from './talks';

export class PgInbox implements InboxLedger {
  constructor(
    private readonly c: Ctx,
    private readonly store: PgTalks,
  ) {}

  async handled(key: string): Promise<string | undefined> {
    const r = await this.c.db.q<{ action: string }>('SELECT action FROM rali_inbox_processed WHERE series = $1 AND key = $2', [
      this.c.series,
      key,
    ]);
    return r.rows[0]?.action;
  }

  async record(
    key: string,
    action: string,
    at: string,
    effects: { bounces?: Bounce[]; suppress?: { address: string; reason: string }[] } = {},
  ): Promise<boolean> {
    const { series } = this.c;
    return this.c.db.tx(async (q) => {
      const first = await q(
        'INSERT INTO rali_inbox_processed (series, key, at, action) VALUES ($1, $2, $3, $4) ON CONFLICT (series, key) DO NOTHING',
        [series, key, at, action],
      );
      if (!first.rowCount) return false;
      for (const b of effects.bounces ?? [])
        await q('INSERT INTO rali_inbox_bounces (series, address, kind, reason, message_id, uid, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          series,
          b.address.toLowerCase(),
          b.kind,
          b.reason,
          b.messageId,
          b.uid,
          b.at,
        ]);
      for (const s of effects.suppress ?? []) await this.store.suppress(s.address, s.reason, q);
      return true;
    });
  }

  async softCount(address: string, sinceIso: string, untilIso = '9999'): Promise<number> {
    const r = await this.c.db.q<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM rali_inbox_bounces WHERE series = $1 AND address = $2 AND kind = 'soft' AND at >= $3 AND at <= $4`,
      [this.c.series, address.toLowerCase(), sinceIso, untilIso],
    );
    return r.rows[0].n;
  }

  async byMessageId(messageId: string): Promise<{ recipient: string; uid: string } | undefined> {
    const r = await this.c.db.q<{ recipient: string; uid: string }>(
      `SELECT recipient, uid FROM rali_deliveries WHERE series = $1 AND message_id = $2 AND status = 'sent' LIMIT 1`,
      [this.c.series, messageId],
    );
    return r.rows[0];
  }

  async mailed(): Promise<Map<string, string>> {
    const r = await this.c.db.q<{ recipient: string; uid: string }>(
      `SELECT lower(recipient) AS recipient, uid FROM rali_deliveries WHERE series = $1 AND status = 'sent' AND rev <> 'test' ORDER BY updated_at`,
      [this.c.series],
    );
    return new Map(r.rows.map((x) => [x.recipient, x.uid]));
  }

  async lastLangs(address: string): Promise<string | undefined> {
    const r = await this.c.db.q<{ langs: string | null }>(
      `SELECT langs FROM rali_deliveries WHERE series = $1 AND lower(recipient) = lower($2) AND status = 'sent' AND rev <> 'test' ORDER BY updated_at DESC LIMIT 1`,
      [this.c.series, address],
    );
    return r.rows[0]?.langs ?? undefined;
  }

  async bounceCounts(uid: string): Promise<{ hard: number; soft: number; complaint: number; refusal: number }> {
    const out = { hard: 0, soft: 0, complaint: 0, refusal: 0 };
    const r = await this.c.db.q<{ kind: string; n: number }>(
      'SELECT kind, COUNT(DISTINCT address)::int AS n FROM rali_inbox_bounces WHERE series = $1 AND uid = $2 GROUP BY kind',
      [this.c.series, uid],
    );
    for (const x of r.rows) if (x.kind in out) out[x.kind as keyof typeof out] = x.n;
    return out;
  }
}
