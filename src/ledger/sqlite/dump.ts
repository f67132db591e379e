/** The SQLite ledger out and in (`rali ledger move`), in the store-neutral shape of types.ts. */
import { LEDGER_TABLES, unclaimed } from '../dump';
import type { LedgerDump, LedgerTable, TableCount } from '../types';
import type { Db } from './db';
import { subscriptionOf } from './subscriptions';

export function exportSqlite(db: Db): LedgerDump {
  const has = (table: string) => !!db.st(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table);
  const all = <T>(sql: string) => db.st(sql).all() as T[];
  // One read transaction: a run writing meanwhile cannot make the dump disagree with itself.
  return db.run(() =>
    db.raw.transaction((): LedgerDump => {
      const v = db.version;
      return {
        format: 1,
        talks: all<LedgerDump['talks'][number]>(
          `SELECT uid, talk_id AS talkId, sequence, status, schedule, ${v >= 3 ? 'previous' : 'NULL'} AS previous, updated_at AS updatedAt FROM talks ORDER BY uid`,
        ),
        deliveries: all<LedgerDump['deliveries'][number]>(
          `SELECT uid, kind, rev, recipient, status, message_id AS messageId, reply, attempts, seq, langs, ${v >= 2 ? 'first_try_at' : 'NULL'} AS firstTryAt, updated_at AS updatedAt
           FROM deliveries ORDER BY uid, kind, rev, recipient`,
        ).map((d) => ({ ...d, status: unclaimed(d.status) })),
        suppressions: all('SELECT address, reason, created_at AS createdAt FROM suppressions ORDER BY address'),
        reminders: all('SELECT uid, label, status, due_at AS dueAt, note, updated_at AS updatedAt FROM reminders ORDER BY uid, label'),
        notes: all('SELECT name, value FROM meta ORDER BY name'),
        inboxBounces: has('inbox_bounces')
          ? all('SELECT address, kind, reason, message_id AS messageId, uid, at FROM inbox_bounces ORDER BY id')
          : [],
        inboxProcessed: has('inbox_processed') ? all('SELECT key, at, action FROM inbox_processed ORDER BY key') : [],
        subscriptions:
          v >= 5
            ? all<Parameters<typeof subscriptionOf>[0]>(
                'SELECT address, name, langs, status, paused_until, source, consent_at, consent_how, updated_at FROM subscriptions ORDER BY address',
              ).map(subscriptionOf)
            : [],
      };
    })(),
  );
}

export function importSqlite(db: Db, d: LedgerDump): TableCount[] {
  const add = <T>(rows: readonly T[], sql: string, values: (r: T) => unknown[]) => {
    const st = db.st(sql);
    let n = 0;
    for (const r of rows) n += st.run(...values(r)).changes;
    return n;
  };
  return db.tx(() => {
    const added: Record<LedgerTable, number> = {
      talks: add(
        d.talks,
        'INSERT INTO talks (uid, talk_id, sequence, status, schedule, previous, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        (r) => [r.uid, r.talkId, r.sequence, r.status, r.schedule, r.previous, r.updatedAt],
      ),
      deliveries: add(
        d.deliveries,
        `INSERT INTO deliveries (uid, kind, rev, recipient, status, message_id, reply, attempts, seq, langs, first_try_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        (r) => [
          r.uid,
          r.kind,
          r.rev,
          r.recipient,
          unclaimed(r.status),
          r.messageId,
          r.reply,
          r.attempts,
          r.seq,
          r.langs,
          r.firstTryAt,
          r.updatedAt,
        ],
      ),
      suppressions: add(
        d.suppressions,
        'INSERT INTO suppressions (address, reason, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        (r) => [r.address, r.reason, r.createdAt],
      ),
      reminders: add(
        d.reminders,
        'INSERT INTO reminders (uid, label, status, due_at, note, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        (r) => [r.uid, r.label, r.status, r.dueAt, r.note, r.updatedAt],
      ),
      notes: add(d.notes, 'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING', (r) => [r.name, r.value]),
      // Bounces have no key of their own: one identical in every column is the same bounce.
      inbox_bounces: add(
        d.inboxBounces,
        `INSERT INTO inbox_bounces (address, kind, reason, message_id, uid, at) SELECT @address, @kind, @reason, @messageId, @uid, @at
         WHERE NOT EXISTS (SELECT 1 FROM inbox_bounces WHERE address = @address AND kind = @kind AND reason = @reason
           AND message_id IS @messageId AND uid IS @uid AND at = @at)`,
        (r) => [{ address: r.address, kind: r.kind, reason: r.reason, messageId: r.messageId, uid: r.uid, at: r.at }],
      ),
      inbox_processed: add(
        d.inboxProcessed,
        'INSERT INTO inbox_processed (key, at, action) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        (r) => [r.key, r.at, r.action],
      ),
      subscriptions: add(
        d.subscriptions ?? [],
        `INSERT INTO subscriptions (address, name, langs, status, paused_until, source, consent_at, consent_how, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        (r) => [r.address, r.name, r.langs, r.status, r.pausedUntil, r.source, r.consentAt, r.consentHow, r.updatedAt],
      ),
    };
    return LEDGER_TABLES.map((table) => ({ table, rows: added[table] }));
  });
}
