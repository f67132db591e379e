/** Talks (SEQUENCE and the schedule last sent) and the state of each reminder. */
import { talkRecord, TalkRow } from '../rows';
import type { ReminderState, TalkCommit, TalkRecord } from '../types';
import type { Db } from './db';

export class Talks {
  constructor(
    private readonly db: Db,
    private readonly iso: () => string,
  ) {}

  /** A read-only ledger from before migration 3 has no `previous` yet. */
  private cols(): string {
    return `uid, talk_id, sequence, schedule, status, ${this.db.version >= 3 ? 'previous' : 'NULL AS previous'}`;
  }

  get(uid: string): TalkRecord | undefined {
    const r = this.db.run(() => this.db.st(`SELECT ${this.cols()} FROM talks WHERE uid = ?`).get(uid) as TalkRow | undefined);
    return r && talkRecord(r);
  }

  all(): TalkRecord[] {
    return this.db.run(() => (this.db.st(`SELECT ${this.cols()} FROM talks ORDER BY talk_id`).all() as TalkRow[]).map(talkRecord));
  }

  /** The talk's current SEQUENCE and status, inside a claim's transaction. */
  current(uid: string): { sequence: number; status: string } | undefined {
    return this.db.st('SELECT sequence, status FROM talks WHERE uid = ?').get(uid) as { sequence: number; status: string } | undefined;
  }

  /**
   * Commits the state a message carries: the talk at its first message, or a higher SEQUENCE with
   * the schedule and status sent with it (never lowers it). Called inside a claim's transaction.
   */
  apply(t: TalkCommit): void {
    const now = this.iso();
    const schedule = JSON.stringify(t.schedule);
    const inserted = this.db
      .st('INSERT INTO talks (uid, talk_id, sequence, schedule, status, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING')
      .run(t.uid, t.talkId, t.sequence, schedule, t.schedule.status, now).changes;
    if (inserted) return;
    this.db
      .st('UPDATE talks SET previous = schedule, sequence = ?, schedule = ?, status = ?, updated_at = ? WHERE uid = ? AND sequence < ?')
      .run(t.sequence, schedule, t.schedule.status, now, t.uid, t.sequence);
  }

  reminder(uid: string, label: string): ReminderState | undefined {
    const r = this.db.run(
      () =>
        this.db.st('SELECT status, due_at, note FROM reminders WHERE uid = ? AND label = ?').get(uid, label) as
          { status: ReminderState['status']; due_at: string; note: string | null } | undefined,
    );
    return r && { status: r.status, dueAt: r.due_at, note: r.note };
  }

  setReminder(uid: string, label: string, s: ReminderState): void {
    this.db.run(() =>
      this.db
        .st(
          `INSERT INTO reminders (uid, label, status, due_at, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (uid, label) DO UPDATE SET status = excluded.status, due_at = excluded.due_at, note = excluded.note, updated_at = excluded.updated_at`,
        )
        .run(uid, label, s.status, s.dueAt, s.note, this.iso()),
    );
  }
}
