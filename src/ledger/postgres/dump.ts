/** A series' ledger out of PostgreSQL and into it (`rali ledger move`), in the store-neutral shape of types.ts. */
import { LEDGER_TABLES, unclaimed } from '../dump';
import type { LedgerDump, LedgerTable, TableCount } from '../types';
import { Ctx, iso } from './context';
import type { Query } from './db';
import { PG_SUBSCRIPTION_COLUMNS, pgSubscriptionOf, PgSubscriptionRow } from './subscriptions';

/** Rows go in batches of this many (one statement each, arrays as parameters). */
const BATCH = 5000;

export async function exportPg(c: Ctx): Promise<LedgerDump> {
  const s = [c.series];
  return c.db.tx(async (q) => {
    // One snapshot for every table: a run writing meanwhile cannot make the dump disagree with itself.
    await q('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const talks = await q<{
      uid: string;
      talk_id: string;
      sequence: number;
      status: string;
      schedule: string | null;
      previous: string | null;
      updated_at: Date;
    }>('SELECT uid, talk_id, sequence, status, schedule, previous, updated_at FROM rali_talks WHERE series = $1 ORDER BY uid', s);
    const deliveries = await q<{
      uid: string;
      kind: string;
      rev: string;
      recipient: string;
      status: string;
      message_id: string | null;
      reply: string | null;
      attempts: number;
      seq: number | null;
      langs: string | null;
      first_try_at: Date | null;
      updated_at: Date;
    }>(
      `SELECT uid, kind, rev, recipient, status, message_id, reply, attempts, seq, langs, first_try_at, updated_at
       FROM rali_deliveries WHERE series = $1 ORDER BY uid, kind, rev, recipient`,
      s,
    );
    const sup = await q<{ address: string; reason: string; created_at: Date }>(
      'SELECT address, reason, created_at FROM rali_suppressions WHERE series = $1 ORDER BY address',
      s,
    );
    const rem = await q<{
      uid: string;
      label: string;
      status: 'sending' | 'sent' | 'skipped';
      due_at: string;
      note: string | null;
      updated_at: Date;
    }>('SELECT uid, label, status, due_at, note, updated_at FROM rali_reminders WHERE series = $1 ORDER BY uid, label', s);
    const notes = await q<{ name: string; value: string }>('SELECT name, value FROM rali_meta WHERE series = $1 ORDER BY name', s);
    const bounces = await q<{ address: string; kind: string; reason: string; message_id: string | null; uid: string | null; at: string }>(
      'SELECT address, kind, reason, message_id, uid, at FROM rali_inbox_bounces WHERE series = $1 ORDER BY id',
      s,
    );
    const processed = await q<{ key: string; at: string; action: string }>(
      'SELECT key, at, action FROM rali_inbox_processed WHERE series = $1 ORDER BY key',
      s,
    );
    const subs =
      c.db.version >= 2
        ? await q<PgSubscriptionRow>(`SELECT ${PG_SUBSCRIPTION_COLUMNS} FROM rali_subscriptions WHERE series = $1 ORDER BY address`, s)
        : { rows: [] };
    return {
      format: 1,
      talks: talks.rows.map((r) => ({
        uid: r.uid,
        talkId: r.talk_id,
        sequence: r.sequence,
        status: r.status,
        schedule: r.schedule,
        previous: r.previous,
        updatedAt: iso(r.updated_at)!,
      })),
      deliveries: deliveries.rows.map((r) => ({
        uid: r.uid,
        kind: r.kind,
        rev: r.rev,
        recipient: r.recipient,
        status: unclaimed(r.status),
        messageId: r.message_id,
        reply: r.reply,
        attempts: r.attempts,
        seq: r.seq,
        langs: r.langs,
        firstTryAt: iso(r.first_try_at),
        updatedAt: iso(r.updated_at)!,
      })),
      suppressions: sup.rows.map((r) => ({ address: r.address, reason: r.reason, createdAt: iso(r.created_at)! })),
      reminders: rem.rows.map((r) => ({
        uid: r.uid,
        label: r.label,
        status: r.status,
        dueAt: r.due_at,
        note: r.note,
        updatedAt: iso(r.updated_at)!,
      })),
      notes: notes.rows,
      inboxBounces: bounces.rows.map((r) => ({
        address: r.address,
        kind: r.kind as LedgerDump['inboxBounces'][number]['kind'],
        reason: r.reason,
        messageId: r.message_id,
        uid: r.uid,
        at: r.at,
      })),
      inboxProcessed: processed.rows,
      subscriptions: subs.rows.map(pgSubscriptionOf),
    };
  });
}

/** Inserts `rows` in batches of columns as arrays; returns how many were new. */
async function insert<T>(q: Query, rows: readonly T[], sql: string, columns: ((r: T) => unknown)[], series: string): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const part = rows.slice(i, i + BATCH);
    n += (await q(sql, [series, ...columns.map((f) => part.map(f))])).rowCount;
  }
  return n;
}

export async function importPg(c: Ctx, d: LedgerDump): Promise<TableCount[]> {
  return c.db.tx(async (q) => {
    const added: Record<LedgerTable, number> = {
      talks: await insert(
        q,
        d.talks,
        `INSERT INTO rali_talks (series, uid, talk_id, sequence, status, schedule, previous, updated_at)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [(r) => r.uid, (r) => r.talkId, (r) => r.sequence, (r) => r.status, (r) => r.schedule, (r) => r.previous, (r) => r.updatedAt],
        c.series,
      ),
      deliveries: await insert(
        q,
        d.deliveries,
        `INSERT INTO rali_deliveries (series, uid, kind, rev, recipient, status, message_id, reply, attempts, seq, langs, first_try_at, updated_at)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[], $12::timestamptz[], $13::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [
          (r) => r.uid,
          (r) => r.kind,
          (r) => r.rev,
          (r) => r.recipient,
          (r) => unclaimed(r.status),
          (r) => r.messageId,
          (r) => r.reply,
          (r) => r.attempts,
          (r) => r.seq,
          (r) => r.langs,
          (r) => r.firstTryAt,
          (r) => r.updatedAt,
        ],
        c.series,
      ),
      suppressions: await insert(
        q,
        d.suppressions,
        `INSERT INTO rali_suppressions (series, address, reason, created_at) SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [(r) => r.address, (r) => r.reason, (r) => r.createdAt],
        c.series,
      ),
      reminders: await insert(
        q,
        d.reminders,
        `INSERT INTO rali_reminders (series, uid, label, status, due_at, note, updated_at)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) ON CONFLICT DO NOTHING`,
        [(r) => r.uid, (r) => r.label, (r) => r.status, (r) => r.dueAt, (r) => r.note, (r) => r.updatedAt],
        c.series,
      ),
      notes: await insert(
        q,
        d.notes,
        'INSERT INTO rali_meta (series, name, value) SELECT $1::text, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING',
        [(r) => r.name, (r) => r.value],
        c.series,
      ),
      // Bounces have no key of their own: one identical in every column is the same bounce.
      inbox_bounces: await insert(
        q,
        d.inboxBounces,
        `INSERT INTO rali_inbox_bounces (series, address, kind, reason, message_id, uid, at)
         SELECT DISTINCT $1::text, x.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x(address, kind, reason, message_id, uid, at)
         WHERE NOT EXISTS (SELECT 1 FROM rali_inbox_bounces b WHERE b.series = $1 AND b.address = x.address AND b.kind = x.kind AND b.reason = x.reason
           AND b.message_id IS NOT DISTINCT FROM x.message_id AND b.uid IS NOT DISTINCT FROM x.uid AND b.at = x.at)`,
        [(r) => r.address, (r) => r.kind, (r) => r.reason, (r) => r.messageId, (r) => r.uid, (r) => r.at],
        c.series,
      ),
      inbox_processed: await insert(
        q,
        d.inboxProcessed,
        'INSERT INTO rali_inbox_processed (series, key, at, action) SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING',
        [(r) => r.key, (r) => r.at, (r) => r.action],
        c.series,
      ),
      subscriptions: await insert(
        q,
        d.subscriptions ?? [],
        `INSERT INTO rali_subscriptions (series, ${PG_SUBSCRIPTION_COLUMNS})
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::timestamptz[], $9::text[], $10::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [
          (r) => r.address,
          (r) => r.name,
          (r) => r.langs,
          (r) => r.status,
          (r) => r.pausedUntil,
          (r) => r.source,
          (r) => r.consentAt,
          (r) => r.consentHow,
          (r) => r.updatedAt,
        ],
        c.series,
      ),
    };
    return LEDGER_TABLES.map((table) => ({ table, rows: added[table] }));
  });
}
