/** rali serve's rows in SQLite: subscriptions with their consent, and the sign-ups mailed (notes in meta). */
import type { SignUpNote, Subscription, SubscriptionLedger, Suppression } from '../types';
import type { Db } from './db';
import type { Suppressions } from './suppressions';

type Row = {
  address: string;
  name: string | null;
  langs: string | null;
  status: Subscription['status'];
  paused_until: string | null;
  source: string;
  consent_at: string | null;
  consent_how: string | null;
  updated_at: string;
};

const COLUMNS = 'address, name, langs, status, paused_until, source, consent_at, consent_how, updated_at';

export function subscriptionOf(r: Row): Subscription {
  return {
    address: r.address,
    name: r.name,
    langs: r.langs,
    status: r.status,
    pausedUntil: r.paused_until,
    source: r.source,
    consentAt: r.consent_at,
    consentHow: r.consent_how,
    updatedAt: r.updated_at,
  };
}

/** The notes of sign-ups mailed: `signup:<key>:<day>` → the moment. */
const NOTE = 'signup:';

export class SqliteSubscriptions implements SubscriptionLedger {
  constructor(
    private readonly db: Db,
    private readonly suppressions: Suppressions,
    private readonly iso: () => string,
  ) {}

  /** A read-only ledger from before migration 5 has no such table (and so no subscriptions). */
  private get present(): boolean {
    return this.db.version >= 5;
  }

  async get(address: string): Promise<Subscription | undefined> {
    if (!this.present) return undefined;
    const r = this.db.run(() => this.db.st(`SELECT ${COLUMNS} FROM subscriptions WHERE address = ?`).get(address.toLowerCase()) as Row);
    return r && subscriptionOf(r);
  }

  async all(): Promise<Subscription[]> {
    if (!this.present) return [];
    return this.db.run(() => (this.db.st(`SELECT ${COLUMNS} FROM subscriptions ORDER BY address`).all() as Row[]).map(subscriptionOf));
  }

  async confirm(s: { address: string; name?: string | null; langs: string; source: string; consentAt: string; consentHow: string }) {
    const a = s.address.toLowerCase();
    this.db.tx(() => {
      this.db
        .st(
          `INSERT INTO subscriptions (${COLUMNS}) VALUES (?, ?, ?, 'active', NULL, ?, ?, ?, ?)
           ON CONFLICT (address) DO UPDATE SET name = COALESCE(excluded.name, name), langs = excluded.langs, status = 'active',
             paused_until = NULL, source = CASE WHEN source = 'file' THEN excluded.source ELSE source END,
             consent_at = excluded.consent_at, consent_how = excluded.consent_how, updated_at = excluded.updated_at`,
        )
        .run(a, s.name ?? null, s.langs, s.source, s.consentAt, s.consentHow, this.iso());
      this.suppressions.remove(a);
    });
  }

  async unsubscribe(address: string, reason: string, source: string) {
    const a = address.toLowerCase();
    this.db.tx(() => {
      this.db
        .st(
          `INSERT INTO subscriptions (${COLUMNS}) VALUES (?, NULL, NULL, 'unsubscribed', NULL, ?, NULL, NULL, ?)
           ON CONFLICT (address) DO UPDATE SET status = 'unsubscribed', paused_until = NULL, updated_at = excluded.updated_at`,
        )
        .run(a, source, this.iso());
      this.suppressions.add(a, reason);
    });
  }

  async setPreferences(address: string, p: { langs: string | null; pausedUntil: string | null }, source: string) {
    const status = p.pausedUntil ? 'paused' : 'active';
    this.db.run(() =>
      this.db
        .st(
          `INSERT INTO subscriptions (${COLUMNS}) VALUES (?, NULL, ?, ?, ?, ?, NULL, NULL, ?)
           ON CONFLICT (address) DO UPDATE SET langs = excluded.langs, paused_until = excluded.paused_until, updated_at = excluded.updated_at,
             status = CASE WHEN status = 'unsubscribed' THEN status ELSE excluded.status END`,
        )
        .run(address.toLowerCase(), p.langs, status, p.pausedUntil, source, this.iso()),
    );
  }

  async signUpMailed(key: string, day: string, at: string, forgetBefore: string) {
    return this.db.tx(() => {
      this.db.st(`DELETE FROM meta WHERE name >= ? AND name < ? AND value < ?`).run(NOTE, 'signup;', forgetBefore);
      return (
        this.db.st('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(`${NOTE}${key}:${day}`, at).changes > 0
      );
    });
  }

  async signUpFailed(key: string, day: string) {
    this.db.run(() => this.db.st('DELETE FROM meta WHERE name = ?').run(`${NOTE}${key}:${day}`));
  }

  async suppression(address: string): Promise<Suppression | undefined> {
    const r = this.db.run(
      () =>
        this.db.st('SELECT reason, created_at FROM suppressions WHERE address = ?').get(address.toLowerCase()) as
          { reason: string; created_at: string } | undefined,
    );
    return r && { reason: r.reason, createdAt: r.created_at };
  }

  async signUps(since: string): Promise<SignUpNote[]> {
    const rows = this.db.run(
      () =>
        this.db
          .st(`SELECT name, value FROM meta WHERE name >= ? AND name < ? AND value >= ? ORDER BY value`)
          .all(NOTE, 'signup;', since) as {
          name: string;
          value: string;
        }[],
    );
    return rows.map((r) => ({ key: r.name.slice(NOTE.length).split(':')[0], at: r.value }));
  }
}
