/** Talks (SEQUENCE and the schedule last sent), reminders, suppressions and notes, in PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { talkRecord, TalkRow } from '../rows';
import type { ReminderState, Suppression, TalkCommit, TalkRecord } from '../types';
import { Ctx, iso, NOW } from './context';
import type { Query } from './db';

/**
 * Commits the state a message carries: the talk at its first message, or a higher SEQUENCE with
 * the schedule and status sent with it (never lowers it). Called inside a claim's transaction,
 * which holds the talk's row when there is one (`cur`, as read under that lock): only what changes
 * is written.
 */
export async function applyTalk(q: Query, c: Ctx, t: TalkCommit, cur: { sequence: number } | undefined): Promise<void> {
  if (cur && cur.sequence >= t.sequence) return;
  const schedule = JSON.stringify(t.schedule);
  if (!cur) {
    const inserted = await q(
      `INSERT INTO rali_talks (series, uid, talk_id, sequence, schedule, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, ${NOW(7)})
       ON CONFLICT (series, uid) DO NOTHING`,
      [c.series, t.uid, t.talkId, t.sequence, schedule, t.schedule.status, c.t()],
    );
    if (inserted.rowCount) return;
  }
  // The row was there (or another run's claim inserted it meanwhile): raised, never lowered.
  await q(
    `UPDATE rali_talks SET previous = schedule, sequence = $3, schedule = $4, status = $5, updated_at = ${NOW(6)}
     WHERE series = $1 AND uid = $2 AND sequence < $3`,
    [c.series, t.uid, t.sequence, schedule, t.schedule.status, c.t()],
  );
}

export class PgTalks {
  constructor(private readonly c: Ctx) {}

  async get(uid: string): Promise<TalkRecord | undefined> {
    const r = await this.c.db.q<TalkRow>(
      'SELECT uid, talk_id, sequence, schedule, status, previous FROM rali_talks WHERE series = $1 AND uid = $2',
      [this.c.series, uid],
    );
    return r.rows[0] && talkRecord(r.rows[0]);
  }

  async all(): Promise<TalkRecord[]> {
    const r = await this.c.db.q<TalkRow>(
      'SELECT uid, talk_id, sequence, schedule, status, previous FROM rali_talks WHERE series = $1 ORDER BY talk_id, uid',
      [this.c.series],
    );
    return r.rows.map(talkRecord);
  }

  async reminder(uid: string, label: string): Promise<ReminderState | undefined> {
    const r = await this.c.db.q<{ status: ReminderState['status']; due_at: string; note: string | null }>(
      'SELECT status, due_at, note FROM rali_reminders WHERE series = $1 AND uid = $2 AND label = $3',
      [this.c.series, uid, label],
    );
    const x = r.rows[0];
    return x && { status: x.status, dueAt: x.due_at, note: x.note };
  }

  async setReminder(uid: string, label: string, s: ReminderState): Promise<void> {
    await this.c.db.q(
      `INSERT INTO rali_reminders (series, uid, label, status, due_at, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, ${NOW(7)})
       ON CONFLICT (series, uid, label) DO UPDATE SET status = excluded.status, due_at = excluded.due_at, note = excluded.note, updated_at = excluded.updated_at`,
      [this.c.series, uid, label, s.status, s.dueAt, s.note, this.c.t()],
    );
  }

  async suppress(address: string, reason: string, q: Query = this.c.db.q): Promise<void> {
    await q(
      `INSERT INTO rali_suppressions (series, address, reason, created_at) VALUES ($1, $2, $3, ${NOW(4)}) ON CONFLICT (series, address) DO NOTHING`,
      [this.c.series, address.toLowerCase(), reason, this.c.t()],
    );
  }

  async unsuppress(address: string): Promise<boolean> {
    const r = await this.c.db.q('DELETE FROM rali_suppressions WHERE series = $1 AND address = $2', [this.c.series, address.toLowerCase()]);
    return r.rowCount > 0;
  }

  async suppressed(): Promise<Map<string, Suppression>> {
    const r = await this.c.db.q<{ address: string; reason: string; created_at: Date }>(
      'SELECT address, reason, created_at FROM rali_suppressions WHERE series = $1',
      [this.c.series],
    );
    return new Map(r.rows.map((x) => [x.address, { reason: x.reason, createdAt: iso(x.created_at)! }]));
  }

  async note(name: string): Promise<string | undefined> {
    const r = await this.c.db.q<{ value: string }>('SELECT value FROM rali_meta WHERE series = $1 AND name = $2', [this.c.series, name]);
    return r.rows[0]?.value;
  }

  async setNote(name: string, value: string): Promise<void> {
    await this.c.db.q(
      'INSERT INTO rali_meta (series, name, value) VALUES ($1, $2, $3) ON CONFLICT (series, name) DO UPDATE SET value = excluded.value',
      [this.c.series, name, value],
    );
  }

  /** Sets a note only if it has none; returns the note kept (of two runs at once, the first one's). */
  async claimNote(name: string, value: string): Promise<string> {
    await this.c.db.q(`INSERT INTO rali_meta (series, name, value) VALUES ($1, $2, $3) ON CONFLICT (series, name) DO NOTHING`, [
      this.c.series,
      name,
      value,
    ]);
    return (await this.note(name))!;
  }

  /** The secret behind tokens: made once, kept in the ledger. */
  async secret(): Promise<string> {
    return (await this.note('unsubscribe_secret')) ?? this.claimNote('unsubscribe_secret', randomBytes(32).toString('base64url'));
  }
}
