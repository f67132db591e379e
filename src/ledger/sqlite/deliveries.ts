/**
 * Deliveries: claimed before the send, marked sent on the server's 250. Claims are atomic (one
 * write transaction), so two runs at once never send the same delivery twice.
 */
import { LedgerError, TalkChanged } from '../errors';
import type { ClaimItem, ClaimResult, Delivery, DeliveryCount, DeliveryKey, DeliveryStatus, Holder, TalkCommit } from '../types';
import type { Db } from './db';
import type { Runs } from './runs';
import type { Talks } from './talks';

type Row = { status: DeliveryStatus; run_id: number | null; ended_at: string | null; beat: string | null };

export class Deliveries {
  constructor(
    private readonly db: Db,
    private readonly runs: Runs,
    private readonly talks: Talks,
  ) {}

  claim(key: DeliveryKey, runId: number, items: ClaimItem[], opts: { retryFailed?: boolean; talk?: TalkCommit }): Map<string, ClaimResult> {
    const out = new Map<string, ClaimResult>();
    const db = this.db;
    const get = db.st(
      'SELECT d.status, d.run_id, r.ended_at, COALESCE(r.heartbeat_at, r.started_at) AS beat FROM deliveries d LEFT JOIN runs r ON r.id = d.run_id WHERE d.uid = ? AND d.kind = ? AND d.rev = ? AND d.recipient = ?',
    );
    // Insert first: on a first run every claim is one statement; the lookup is for the rest.
    const insert = db.st(
      `INSERT INTO deliveries (uid, kind, rev, recipient, status, message_id, attempts, seq, langs, run_id, updated_at) VALUES (?, ?, ?, ?, 'claimed', ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const endDead = db.st(`UPDATE runs SET ended_at = ?, counts = '{"interrupted":true}' WHERE id = ? AND ended_at IS NULL`);
    const reclaim = db.st(
      `UPDATE deliveries SET status = 'claimed', run_id = ?, message_id = ?, seq = ?, langs = ?, updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?`,
    );
    return db.tx(() => {
      const t = this.runs.iso();
      const stale = this.runs.stale();
      // A run declared dead (suspended past its lease) claims nothing more: another run took over.
      const me = db.st('SELECT ended_at FROM runs WHERE id = ?').get(runId) as { ended_at: string | null } | undefined;
      if (me?.ended_at) throw new LedgerError(db.file, 'leaseLost');
      // A message planned for an older calendar revision is out of date once another command
      // (`rali update`, `rali cancel`) has committed a newer one: it goes to no one else.
      const cur = this.talks.current(key.uid);
      if (cur && items.length && cur.sequence > items[0].seq) throw new TalkChanged(cur.sequence, cur.status);
      let any = false;
      for (const it of items) {
        if (insert.run(key.uid, key.kind, key.rev, it.recipient, it.messageId, it.seq, it.langs, runId, t).changes === 1) {
          out.set(it.recipient, 'mine');
          any = true;
          continue;
        }
        const row = get.get(key.uid, key.kind, key.rev, it.recipient) as Row;
        const deadClaim =
          row.status === 'claimed' && (row.run_id === null || row.ended_at !== null || row.beat === null || row.beat < stale);
        if (row.status === 'pending' || deadClaim || (row.status === 'failed' && opts.retryFailed)) {
          // Taking over a dead run's claim ends that run: if it was only suspended, it learns so.
          if (deadClaim && row.run_id !== null && row.ended_at === null) endDead.run(t, row.run_id);
          reclaim.run(runId, it.messageId, it.seq, it.langs, t, key.uid, key.kind, key.rev, it.recipient);
          out.set(it.recipient, deadClaim ? 'interrupted' : 'mine');
          any = true;
        } else {
          out.set(it.recipient, row.status === 'claimed' ? 'busy' : row.status === 'sent' ? 'sent' : 'failed');
        }
      }
      if (any && opts.talk) this.talks.apply(opts.talk);
      if (any) db.st('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(t, runId);
      return out;
    });
  }

  settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs: number,
    runId?: number,
  ) {
    return this.db.run(() => {
      const t = this.runs.iso();
      let kept = status;
      if (status === 'pending' && reply !== null && Number.isFinite(maxAgeMs)) {
        const row = this.db
          .st('SELECT first_try_at FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?')
          .get(key.uid, key.kind, key.rev, recipient) as { first_try_at: string | null } | undefined;
        if (row?.first_try_at && row.first_try_at < this.runs.iso(-maxAgeMs)) {
          kept = 'failed';
          reply = `${reply} (still not delivered ${Math.round(maxAgeMs / 86400_000)} days after the first try)`;
        }
      }
      this.db
        .st(
          'UPDATE deliveries SET status = ?, reply = ?, attempts = attempts + 1, first_try_at = COALESCE(first_try_at, ?), updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND (? IS NULL OR run_id = ?)',
        )
        .run(kept, reply, t, t, key.uid, key.kind, key.rev, recipient, runId ?? null, runId ?? null);
      return kept;
    });
  }

  release(key: DeliveryKey, runId: number, recipients: string[]): void {
    if (!recipients.length) return;
    // Only our own claims: another run may have taken them over if this one lost its lease.
    const forget = this.db.st(
      `DELETE FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND status = 'claimed' AND run_id = ? AND attempts = 0`,
    );
    const back = this.db.st(
      `UPDATE deliveries SET status = 'pending', updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND status = 'claimed' AND run_id = ?`,
    );
    this.db.tx(() => {
      const t = this.runs.iso();
      for (const r of recipients)
        if (!forget.run(key.uid, key.kind, key.rev, r, runId).changes) back.run(t, key.uid, key.kind, key.rev, r, runId);
    });
  }

  tried(key: DeliveryKey): Set<string> {
    const rows = this.db.run(
      () =>
        this.db
          .st(`SELECT recipient FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND status = 'pending' AND attempts > 0`)
          .all(key.uid, key.kind, key.rev) as { recipient: string }[],
    );
    return new Set(rows.map((r) => r.recipient));
  }

  sentSince(sinceMs: number): number {
    return this.db.run(
      () =>
        (
          this.db
            .st(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sent' AND updated_at >= ?`)
            .get(new Date(sinceMs).toISOString()) as { n: number }
        ).n,
    );
  }

  statuses(key: DeliveryKey): Map<string, DeliveryStatus> {
    const rows = this.db.run(
      () =>
        this.db.st('SELECT recipient, status FROM deliveries WHERE uid = ? AND kind = ? AND rev = ?').all(key.uid, key.kind, key.rev) as {
          recipient: string;
          status: DeliveryStatus;
        }[],
    );
    return new Map(rows.map((r) => [r.recipient, r.status]));
  }

  list(uid: string, kind?: string): Delivery[] {
    const sql = `SELECT kind, rev, recipient, status, message_id, reply, attempts, seq, langs, updated_at FROM deliveries WHERE uid = ?${kind ? ' AND kind = ?' : ''} ORDER BY kind, rev, recipient`;
    const rows = this.db.run(
      () =>
        this.db.st(sql).all(...(kind ? [uid, kind] : [uid])) as (Omit<Delivery, 'messageId' | 'updatedAt'> & {
          message_id: string | null;
          updated_at: string;
        })[],
    );
    return rows.map(({ message_id, updated_at, ...r }) => ({ ...r, messageId: message_id, updatedAt: updated_at }));
  }

  holders(uid: string, kinds: readonly string[]): Holder[] {
    if (!kinds.length) return [];
    return this.db.run(
      () =>
        this.db
          .st(
            `SELECT recipient, MAX(COALESCE(seq, 0)) AS seq, langs FROM deliveries WHERE uid = ? AND status = 'sent' AND kind IN (${kinds.map(() => '?').join(', ')}) AND rev <> 'test' GROUP BY recipient ORDER BY recipient`,
          )
          .all(uid, ...kinds) as Holder[],
    );
  }

  counts(uid?: string): DeliveryCount[] {
    const sql = `SELECT uid, kind, rev, status, COUNT(*) AS n FROM deliveries${uid ? ' WHERE uid = ?' : ''} GROUP BY uid, kind, rev, status ORDER BY uid, kind, rev, status`;
    return this.db.run(() => this.db.st(sql).all(...(uid ? [uid] : [])) as DeliveryCount[]);
  }
}
