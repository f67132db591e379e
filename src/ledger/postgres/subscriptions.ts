/** rali serve's rows in PostgreSQL: subscriptions with their consent, and the sign-ups mailed (notes in rali_meta). */
import type { SignUpNote, Subscription, SubscriptionLedger, Suppression } from '../types';
import { Ctx, iso, NOW } from './context';
import type { PgTalks } from './talks';

export type PgSubscriptionRow = {
  address: string;
  name: string | null;
  langs: string | null;
  status: Subscription['status'];
  paused_until: Date | null;
  source: string;
  consent_at: Date | null;
  consent_how: string | null;
  updated_at: Date;
};

export const PG_SUBSCRIPTION_COLUMNS = 'address, name, langs, status, paused_until, source, consent_at, consent_how, updated_at';

export function pgSubscriptionOf(r: PgSubscriptionRow): Subscription {
  return {
    address: r.address,
    name: r.name,
    langs: r.langs,
    status: r.status,
    pausedUntil: iso(r.paused_until),
    source: r.source,
    consentAt: iso(r.consent_at),
    consentHow: r.consent_how,
    updatedAt: iso(r.updated_at)!,
  };
}

/** The notes of sign-ups mailed: `signup:<key>:<day>` → the moment. */
const NOTE = 'signup:';

export class PgSubscriptions implements SubscriptionLedger {
  constructor(
    private readonly c: Ctx,
    private readonly talks: PgTalks,
  ) {}

  /** A database read (not migrated) from before migration 2 has no such table, and so no subscriptions. */
  private get present(): boolean {
    return this.c.db.version >= 2;
  }

  async get(address: string): Promise<Subscription | undefined> {
    if (!this.present) return undefined;
    const r = await this.c.db.q<PgSubscriptionRow>(
      `SELECT ${PG_SUBSCRIPTION_COLUMNS} FROM rali_subscriptions WHERE series = $1 AND address = $2`,
      [this.c.series, address.toLowerCase()],
    );
    return r.rows[0] && pgSubscriptionOf(r.rows[0]);
  }

  async all(): Promise<Subscription[]> {
    if (!this.present) return [];
    const r = await this.c.db.q<PgSubscriptionRow>(
      `SELECT ${PG_SUBSCRIPTION_COLUMNS} FROM rali_subscriptions WHERE series = $1 ORDER BY address`,
      [this.c.series],
    );
    return r.rows.map(pgSubscriptionOf);
  }

  async confirm(s: { address: string; name?: string | null; langs: string; source: string; consentAt: string; consentHow: string }) {
    const a = s.address.toLowerCase();
    await this.c.db.tx(async (q) => {
      await q(
        `INSERT INTO rali_subscriptions (series, ${PG_SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, $3, $4, 'active', NULL, $5, $6, $7, ${NOW(8)})
         ON CONFLICT (series, address) DO UPDATE SET name = COALESCE(excluded.name, rali_subscriptions.name), langs = excluded.langs,
           status = 'active', paused_until = NULL,
           source = CASE WHEN rali_subscriptions.source = 'file' THEN excluded.source ELSE rali_subscriptions.source END,
           consent_at = excluded.consent_at, consent_how = excluded.consent_how, updated_at = excluded.updated_at`,
        [this.c.series, a, s.name ?? null, s.langs, s.source, s.consentAt, s.consentHow, this.c.t()],
      );
      await q('DELETE FROM rali_suppressions WHERE series = $1 AND address = $2', [this.c.series, a]);
    });
  }

  async unsubscribe(address: string, reason: string, source: string) {
    const a = address.toLowerCase();
    await this.c.db.tx(async (q) => {
      await q(
        `INSERT INTO rali_subscriptions (series, ${PG_SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, NULL, NULL, 'unsubscribed', NULL, $3, NULL, NULL, ${NOW(4)})
         ON CONFLICT (series, address) DO UPDATE SET status = 'unsubscribed', paused_until = NULL, updated_at = excluded.updated_at`,
        [this.c.series, a, source, this.c.t()],
      );
      await this.talks.suppress(a, reason, q);
    });
  }

  async setPreferences(address: string, p: { langs: string | null; pausedUntil: string | null }, source: string) {
    await this.c.db.q(
      `INSERT INTO rali_subscriptions (series, ${PG_SUBSCRIPTION_COLUMNS}) VALUES ($1, $2, NULL, $3, $4, $5, $6, NULL, NULL, ${NOW(7)})
       ON CONFLICT (series, address) DO UPDATE SET langs = excluded.langs, paused_until = excluded.paused_until, updated_at = excluded.updated_at,
         status = CASE WHEN rali_subscriptions.status = 'unsubscribed' THEN rali_subscriptions.status ELSE excluded.status END`,
      [this.c.series, address.toLowerCase(), p.langs, p.pausedUntil ? 'paused' : 'active', p.pausedUntil, source, this.c.t()],
    );
  }

  async signUpMailed(key: string, day: string, at: string, forgetBefore: string) {
    return this.c.db.tx(async (q) => {
      await q(`DELETE FROM rali_meta WHERE series = $1 AND name >= $2 AND name < $3 AND value < $4`, [
        this.c.series,
        NOTE,
        'signup;',
        forgetBefore,
      ]);
      const r = await q('INSERT INTO rali_meta (series, name, value) VALUES ($1, $2, $3) ON CONFLICT (series, name) DO NOTHING', [
        this.c.series,
        `${NOTE}${key}:${day}`,
        at,
      ]);
      return r.rowCount > 0;
    });
  }

  async signUpFailed(key: string, day: string) {
    await this.c.db.q('DELETE FROM rali_meta WHERE series = $1 AND name = $2', [this.c.series, `${NOTE}${key}:${day}`]);
  }

  async suppression(address: string): Promise<Suppression | undefined> {
    const r = await this.c.db.q<{ reason: string; created_at: Date }>(
      'SELECT reason, created_at FROM rali_suppressions WHERE series = $1 AND address = $2',
      [this.c.series, address.toLowerCase()],
    );
    const x = r.rows[0];
    return x && { reason: x.reason, createdAt: iso(x.created_at)! };
  }

  async signUps(since: string): Promise<SignUpNote[]> {
    const r = await this.c.db.q<{ name: string; value: string }>(
      `SELECT name, value FROM rali_meta WHERE series = $1 AND name >= $2 AND name < $3 AND value >= $4 ORDER BY value`,
      [this.c.series, NOTE, 'signup;', since],
    );
    return r.rows.map((x) => ({ key: x.name.slice(NOTE.length).split(':')[0], at: x.value }));
  }
}
