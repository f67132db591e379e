/** Suppressed addresses, cron's notes (what it said once) and the secret behind tokens. */
import { randomBytes } from 'node:crypto';
import type { Suppression } from '../types';
import type { Db } from './db';

export class Suppressions {
  constructor(
    private readonly db: Db,
    private readonly iso: () => string,
  ) {}

  add(address: string, reason: string): void {
    this.db.run(() =>
      this.db
        .st('INSERT INTO suppressions (address, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING')
        .run(address.toLowerCase(), reason, this.iso()),
    );
  }

  remove(address: string): boolean {
    return this.db.run(() => this.db.st('DELETE FROM suppressions WHERE address = ?').run(address.toLowerCase()).changes > 0);
  }

  all(): Map<string, Suppression> {
    const rows = this.db.run(
      () =>
        this.db.st('SELECT address, reason, created_at FROM suppressions').all() as {
          address: string;
          reason: string;
          created_at: string;
        }[],
    );
    return new Map(rows.map((r) => [r.address, { reason: r.reason, createdAt: r.created_at }]));
  }
}

export class Notes {
  constructor(private readonly db: Db) {}

  get(name: string): string | undefined {
    return this.db.run(() => (this.db.st('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined)?.value);
  }

  set(name: string, value: string): void {
    this.db.run(() =>
      this.db.st('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value),
    );
  }

  /** Sets a note only if it has none; returns the note kept (of two runs at once, the first one's). */
  claim(name: string, value: string): string {
    this.db.run(() => this.db.st(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`).run(name, value));
    return this.get(name)!;
  }

  /** The secret behind tokens: made once, kept in the ledger. */
  secret(): string {
    return this.get('unsubscribe_secret') ?? this.claim('unsubscribe_secret', randomBytes(32).toString('base64url'));
  }
}
