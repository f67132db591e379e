/**
 * Deliveries in PostgreSQL: claimed before the send, marked sent on the server's 250, by runs on
 * several machines at once.
 *
 * A claim is one transaction (READ COMMITTED) that takes row locks in a fixed order — the talk's
 * row, this run's row (its lease renewed), the deliveries' rows (sorted by recipient), then the
 * rows of runs it declares dead — so two runs claiming the same recipients serialize on those rows
 * (a deadlock all the same, with a run that is ending another, is broken by the server and the
 * claim is tried again from the start):
 *   - INSERT … ON CONFLICT DO NOTHING: of two inserts of one key, the second waits for the first
 *     transaction and then inserts nothing (or inserts, if the first rolled back), so a new
 *     delivery is `mine` for exactly one run;
 *   - the rows that were there are read with SELECT … FOR UPDATE, which waits for any transaction
 *     holding them and returns their latest committed version: a claim taken over, settled or
 *     released meanwhile is seen as it is now, and nobody changes them until this claim commits;
 *   - a claim of a run whose lease looks expired is taken over only if ending that run succeeds,
 *     in one UPDATE that tests the heartbeat again on the row's latest version: a run that renewed
 *     its lease in between keeps its claims (busy).
 * The talk's row is locked first (FOR UPDATE when the claim commits the talk's state, else FOR
 * SHARE), so the TalkChanged check and the commit of the talk's new state are atomic with the
 * claims: `rali update` committing a new revision waits for, or is seen by, every claim of the old one.
 */
import { LedgerError, TalkChanged } from '../errors';
import type { ClaimItem, ClaimResult, Delivery, DeliveryCount, DeliveryKey, DeliveryStatus, Holder, TalkCommit } from '../types';
import { Ctx, iso, NOW } from './context';
import type { Query } from './db';
import { applyTalk } from './talks';

type Row = { recipient: string; status: DeliveryStatus; run_id: number | null; tid: string };

const byRecipient = (a: ClaimItem, b: ClaimItem) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0);

export class PgDeliveries {
  constructor(private readonly c: Ctx) {}

  async claim(
    key: DeliveryKey,
    runId: number,
    items: ClaimItem[],
    opts: { retryFailed?: boolean; talk?: TalkCommit },
  ): Promise<Map<string, ClaimResult>> {
    const { db, series } = this.c;
    const sorted = [...items].sort(byRecipient);
    const k = [series, key.uid, key.kind, key.rev];
    const res = await db.tx(async (q) => {
      const out = new Map<string, ClaimResult>();
      const t = this.c.t();
      // The talk's row first, then this run's: renewed (the run is alive: it is claiming) and held
      // until this claim commits, so no run can declare it dead halfway. One round trip for both.
      const head = (
        await q<{ ended: boolean | null; sequence: number | null; status: string | null }>(
          `WITH t AS (SELECT sequence, status FROM rali_talks WHERE series = $1 AND uid = $2 FOR ${opts.talk ? 'UPDATE' : 'SHARE'}),
                me AS (UPDATE rali_runs SET heartbeat_at = ${NOW(4)} WHERE series = $1 AND id = $3 RETURNING ended_at IS NOT NULL AS ended)
           SELECT (SELECT ended FROM me) AS ended, t.sequence, t.status FROM (SELECT 1) AS one LEFT JOIN t ON true`,
          [series, key.uid, runId, t],
        )
      ).rows[0];
      const cur = head.sequence === null ? undefined : { sequence: head.sequence, status: head.status! };
      // A run declared dead (suspended past its lease) claims nothing more: another run took over.
      if (head.ended) throw new LedgerError(db.where, 'leaseLost');
      // A message planned for an older calendar revision is out of date once another command
      // (`rali update`, `rali cancel`) has committed a newer one: it goes to no one else.
      if (cur && items.length && cur.sequence > items[0].seq) throw new TalkChanged(cur.sequence, cur.status);

      let todo = sorted;
      let rows: Row[] = [];
      // Insert first: on a first run every claim is one statement; the lookup is for the rest. A row
      // seen by the insert may be gone by the lookup (another run released a claim it never tried):
      // those are inserted again.
      for (let round = 0; todo.length && round < 5; round++) {
        const inserted = await q<{ recipient: string }>(
          `INSERT INTO rali_deliveries (series, uid, kind, rev, recipient, status, message_id, attempts, seq, langs, run_id, updated_at)
           SELECT $1, $2, $3, $4, x.r, 'claimed', x.m, 0, x.s, x.l, $5, ${NOW(6)}
           FROM unnest($7::text[], $8::text[], $9::int[], $10::text[]) WITH ORDINALITY AS x(r, m, s, l, n) ORDER BY x.n
           ON CONFLICT DO NOTHING RETURNING recipient`,
          [...k, runId, t, todo.map((i) => i.recipient), todo.map((i) => i.messageId), todo.map((i) => i.seq), todo.map((i) => i.langs)],
        );
        for (const r of inserted.rows) out.set(r.recipient, 'mine');
        const rest = todo.filter((i) => !out.has(i.recipient));
        todo = [];
        if (!rest.length) break;
        // One primary-key lookup per recipient (LATERAL): never a scan of the talk's rows, whatever
        // the planner believes of the table. Locked in recipient order.
        const found = await q<Row>(
          `SELECT d.recipient, d.status, d.run_id, d.ctid::text AS tid FROM unnest($5::text[]) WITH ORDINALITY AS x(r, n)
           CROSS JOIN LATERAL (SELECT recipient, status, run_id, ctid FROM rali_deliveries
             WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 AND recipient = x.r FOR UPDATE) AS d
           ORDER BY x.n`,
          [...k, rest.map((i) => i.recipient)],
        );
        rows = rows.concat(found.rows);
        const seen = new Set(found.rows.map((r) => r.recipient));
        todo = rest.filter((i) => !seen.has(i.recipient));
      }
      if (todo.length) throw new LedgerError(db.where, 'other', 'its deliveries kept changing during a claim');

      // The runs holding claims: ended, or silent past the lease (then ended here, if still silent).
      const holders = [...new Set(rows.filter((r) => r.status === 'claimed' && r.run_id !== null).map((r) => r.run_id!))].sort(
        (a, b) => a - b,
      );
      const dead = new Set<number>();
      if (holders.length) {
        const runs = await q<{ id: number; ended: boolean; stale: boolean }>(
          `SELECT id, ended_at IS NOT NULL AS ended, COALESCE(heartbeat_at, started_at) < ${NOW(2)} - $3 * interval '1 millisecond' AS stale
           FROM rali_runs WHERE series = $1 AND id = ANY($4::int[])`,
          [series, t, this.c.o.leaseMs, holders],
        );
        const known = new Set(runs.rows.map((r) => r.id));
        for (const h of holders) if (!known.has(h)) dead.add(h); // no such run: nobody holds it
        for (const r of runs.rows) if (r.ended) dead.add(r.id);
        const stale = runs.rows.filter((r) => r.stale && !r.ended).map((r) => r.id);
        if (stale.length) {
          // Taking over a dead run's claim ends that run: if it was only suspended, it learns so.
          await q(
            `UPDATE rali_runs SET ended_at = ${NOW(2)}, counts = '{"interrupted":true}'
             WHERE series = $1 AND id = ANY($3::int[]) AND ended_at IS NULL AND COALESCE(heartbeat_at, started_at) < ${NOW(2)} - $4 * interval '1 millisecond'`,
            [series, t, stale, this.c.o.leaseMs],
          );
          // Ended now (by this claim or another run's): dead. Renewed meanwhile: alive, its claims busy.
          const now = await q<{ id: number }>(
            'SELECT id FROM rali_runs WHERE series = $1 AND id = ANY($2::int[]) AND ended_at IS NOT NULL',
            [series, stale],
          );
          for (const r of now.rows) dead.add(r.id);
        }
      }

      const take: ClaimItem[] = [];
      const tids = new Map(rows.map((r) => [r.recipient, r.tid]));
      const byKey = new Map(sorted.map((i) => [i.recipient, i]));
      for (const row of rows) {
        const deadClaim = row.status === 'claimed' && (row.run_id === null || dead.has(row.run_id));
        if (row.status === 'pending' || deadClaim || (row.status === 'failed' && opts.retryFailed)) {
          take.push(byKey.get(row.recipient)!);
          out.set(row.recipient, deadClaim ? 'interrupted' : 'mine');
        } else out.set(row.recipient, row.status === 'claimed' ? 'busy' : row.status === 'sent' ? 'sent' : 'failed');
      }
      // The rows are locked by this transaction: their tuple ids hold until it commits.
      if (take.length) {
        const taken = await q(
          `UPDATE rali_deliveries d SET status = 'claimed', run_id = $2, message_id = x.m, seq = x.s, langs = x.l, updated_at = ${NOW(3)}
           FROM unnest($4::tid[], $5::text[], $6::text[], $7::int[], $8::text[]) AS x(tid, r, m, s, l)
           WHERE d.ctid = ANY($4::tid[]) AND d.ctid = x.tid AND d.series = $1 AND d.recipient = x.r`,
          [
            series,
            runId,
            t,
            take.map((i) => tids.get(i.recipient)),
            take.map((i) => i.recipient),
            take.map((i) => i.messageId),
            take.map((i) => i.seq),
            take.map((i) => i.langs),
          ],
        );
        // Never reported mine without being recorded (the whole claim is undone).
        if (taken.rowCount !== take.length) throw new LedgerError(db.where, 'other', 'a claim could not be recorded');
      }
      const any = [...out.values()].some((r) => r === 'mine' || r === 'interrupted');
      if (any && opts.talk) await applyTalk(q, this.c, opts.talk, cur);
      return out;
    });
    return new Map(items.map((i) => [i.recipient, res.get(i.recipient)!]));
  }

  /**
   * Records one outcome at once, in one statement that names the whole key: its plan is the primary
   * key's lookup whatever the table's statistics say (a talk's first run fills a table the planner
   * still thinks empty).
   */
  async settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs: number,
    runId?: number,
  ): Promise<'sent' | 'pending' | 'failed'> {
    // One statement: a delivery pending longer than maxAgeMs after its first try fails for good.
    const limited = status === 'pending' && reply !== null && Number.isFinite(maxAgeMs);
    const tooOld = `($5::text = 'pending' AND $7::float8 IS NOT NULL AND first_try_at < ${NOW(8)} - $7::float8 * interval '1 millisecond')`;
    const r = await this.c.db.q<{ status: 'sent' | 'pending' | 'failed' }>(
      `UPDATE rali_deliveries SET status = CASE WHEN ${tooOld} THEN 'failed' ELSE $5::text END,
         reply = CASE WHEN ${tooOld} THEN $6::text || $9::text ELSE $6::text END,
         attempts = attempts + 1, first_try_at = COALESCE(first_try_at, ${NOW(8)}), updated_at = ${NOW(8)}
       WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 AND recipient = $10 AND ($11::int IS NULL OR run_id = $11::int)
       RETURNING status`,
      [
        this.c.series,
        key.uid,
        key.kind,
        key.rev,
        status,
        reply,
        limited ? maxAgeMs : null,
        this.c.t(),
        ` (still not delivered ${Math.round(maxAgeMs / 86400_000)} days after the first try)`,
        recipient,
        runId ?? null,
      ],
    );
    return r.rows[0]?.status ?? status;
  }

  async release(key: DeliveryKey, runId: number, recipients: string[]): Promise<void> {
    if (!recipients.length) return;
    // Only our own claims: another run may have taken them over if this one lost its lease. A claim
    // never tried is forgotten, one tried before is pending again — in one statement.
    await this.c.db.q(
      `WITH forgotten AS (
         DELETE FROM rali_deliveries WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 AND recipient = ANY($5::text[])
           AND status = 'claimed' AND run_id = $6 AND attempts = 0)
       UPDATE rali_deliveries SET status = 'pending', updated_at = ${NOW(7)}
       WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 AND recipient = ANY($5::text[]) AND status = 'claimed' AND run_id = $6 AND attempts > 0`,
      [this.c.series, key.uid, key.kind, key.rev, recipients, runId, this.c.t()],
    );
  }

  async tried(key: DeliveryKey): Promise<Set<string>> {
    const r = await this.c.db.q<{ recipient: string }>(
      `SELECT recipient FROM rali_deliveries WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 AND status = 'pending' AND attempts > 0`,
      [this.c.series, key.uid, key.kind, key.rev],
    );
    return new Set(r.rows.map((x) => x.recipient));
  }

  async sentSince(sinceMs: number): Promise<number> {
    const r = await this.c.db.q<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM rali_deliveries WHERE series = $1 AND status = 'sent' AND updated_at >= $2::timestamptz`,
      [this.c.series, new Date(sinceMs).toISOString()],
    );
    return r.rows[0].n;
  }

  async statuses(key: DeliveryKey): Promise<Map<string, DeliveryStatus>> {
    const r = await this.c.db.q<{ recipient: string; status: DeliveryStatus }>(
      'SELECT recipient, status FROM rali_deliveries WHERE series = $1 AND uid = $2 AND kind = $3 AND rev = $4 ORDER BY recipient',
      [this.c.series, key.uid, key.kind, key.rev],
    );
    return new Map(r.rows.map((x) => [x.recipient, x.status]));
  }

  async list(uid: string, kind?: string): Promise<Delivery[]> {
    const r = await this.c.db.q<{
      kind: string;
      rev: string;
      recipient: string;
      status: DeliveryStatus;
      message_id: string | null;
      reply: string | null;
      attempts: number;
      seq: number | null;
      langs: string | null;
      updated_at: Date;
    }>(
      `SELECT kind, rev, recipient, status, message_id, reply, attempts, seq, langs, updated_at FROM rali_deliveries
       WHERE series = $1 AND uid = $2${kind ? ' AND kind = $3' : ''} ORDER BY kind, rev, recipient`,
      kind ? [this.c.series, uid, kind] : [this.c.series, uid],
    );
    return r.rows.map(({ message_id, updated_at, ...x }) => ({ ...x, messageId: message_id, updatedAt: iso(updated_at)! }));
  }

  async holders(uid: string, kinds: readonly string[]): Promise<Holder[]> {
    if (!kinds.length) return [];
    // Per recipient, the highest SEQUENCE sent and the languages of that message.
    const r = await this.c.db.q<Holder>(
      `SELECT DISTINCT ON (recipient) recipient, COALESCE(seq, 0) AS seq, langs FROM rali_deliveries
       WHERE series = $1 AND uid = $2 AND status = 'sent' AND kind = ANY($3::text[]) AND rev <> 'test'
       ORDER BY recipient, COALESCE(seq, 0) DESC`,
      [this.c.series, uid, [...kinds]],
    );
    return r.rows;
  }

  async counts(uid?: string): Promise<DeliveryCount[]> {
    const r = await this.c.db.q<DeliveryCount>(
      `SELECT uid, kind, rev, status, COUNT(*)::int AS n FROM rali_deliveries WHERE series = $1${uid ? ' AND uid = $2' : ''}
       GROUP BY uid, kind, rev, status ORDER BY uid, kind, rev, status`,
      uid ? [this.c.series, uid] : [this.c.series],
    );
    return r.rows;
  }
}

export type { Query };
