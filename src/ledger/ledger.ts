/**
 * The delivery ledger: .rali/state.db beside rali.yaml (SQLite, WAL). The only module that talks
 * to the database. A delivery is claimed before the send and marked sent on the server's 250;
 * claims are atomic, so two runs at once never send the same delivery twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type DeliveryStatus = 'claimed' | 'sent' | 'pending' | 'failed';

export type ClaimResult = 'mine' | 'interrupted' | 'busy' | 'sent' | 'failed';

export interface DeliveryKey { uid: string; kind: string; rev: string }

export interface DeliveryRow {
  recipient: string;
  status: DeliveryStatus;
  message_id: string | null;
  reply: string | null;
  attempts: number;
  seq: number | null;
  langs: string | null;
  updated_at: string;
}

/** Versioned migrations: index i brings the schema from version i to i + 1. Never edit one that shipped. */
const MIGRATIONS: string[] = [
  `CREATE TABLE talks (
     uid TEXT PRIMARY KEY,
     talk_id TEXT NOT NULL,
     sequence INTEGER NOT NULL DEFAULT 0,
     schedule TEXT,
     status TEXT NOT NULL DEFAULT 'scheduled',
     updated_at TEXT NOT NULL
   );
   CREATE TABLE deliveries (
     uid TEXT NOT NULL,
     kind TEXT NOT NULL,
     rev TEXT NOT NULL,
     recipient TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'pending', 'failed')),
     message_id TEXT,
     reply TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     seq INTEGER,
     langs TEXT,
     run_id INTEGER,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (uid, kind, rev, recipient)
   ) WITHOUT ROWID;
   CREATE TABLE suppressions (
     address TEXT PRIMARY KEY,
     reason TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     command TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     counts TEXT
   );
   CREATE TABLE reminders (
     uid TEXT NOT NULL,
     label TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped')),
     due_at TEXT NOT NULL,
     note TEXT,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (uid, label)
   );
   CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export const LEDGER_FILE = 'state.db';

function nowIso(): string {
  return new Date().toISOString();
}

/** Retries `f` while SQLite says the database is locked, for up to 15 s. */
function retryBusy<T>(f: () => T): T {
  const until = Date.now() + 15_000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return f();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait + Math.random() * wait);
    }
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export class Ledger {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private constructor(readonly db: BetterSqlite3.Database, readonly file: string) {}

  /** Prepared once per ledger: the send loop runs the same few statements thousands of times. */
  private st(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) { s = this.db.prepare(sql); this.statements.set(sql, s); }
    return s;
  }

  /** Opens (creating if needed) the ledger in `stateDir`. */
  static open(stateDir: string): Ledger {
    mkdirSync(stateDir, { recursive: true });
    const file = join(stateDir, LEDGER_FILE);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(file);
    db.pragma('busy_timeout = 15000');
    // Switching a new database to WAL needs an exclusive lock, and SQLite does not wait for it
    // (no busy handler there, to avoid deadlocks): two runs starting at once retry instead.
    retryBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const l = new Ledger(db, file);
    retryBusy(() => l.migrate());
    return l;
  }

  /** Read-only, for preview and status: undefined when there is no ledger yet. */
  static openReadOnly(stateDir: string): Ledger | undefined {
    const file = join(stateDir, LEDGER_FILE);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 15000');
      return new Ledger(db, file);
    } catch {
      return undefined;
    }
  }

  private migrate(): void {
    // Two runs may open a new ledger at once: each step re-reads the version inside its write
    // transaction, so only one of them applies it.
    for (;;) {
      const applied = this.db.transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > MIGRATIONS.length) {
          throw new Error(`${this.file} was written by a newer rali (schema ${version}); upgrade rali`);
        }
        if (version === MIGRATIONS.length) return false;
        this.db.exec(MIGRATIONS[version]);
        this.db.pragma(`user_version = ${version + 1}`);
        return true;
      }).immediate();
      if (!applied) return;
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- runs -------------------------------------------------------------------------------

  /**
   * Starts a run. Runs of this host whose process is gone (kill -9, power cut) are closed as
   * interrupted, which frees their claims for this run.
   */
  startRun(command: string): number {
    const host = hostname();
    return this.db.transaction(() => {
      const open = this.st('SELECT id, pid FROM runs WHERE ended_at IS NULL AND host = ?').all(host) as { id: number; pid: number }[];
      for (const r of open) {
        if (!alive(r.pid)) this.st(`UPDATE runs SET ended_at = ?, counts = '{"interrupted":true}' WHERE id = ?`).run(nowIso(), r.id);
      }
      return Number(this.st('INSERT INTO runs (command, pid, host, started_at) VALUES (?, ?, ?, ?)').run(command, process.pid, host, nowIso()).lastInsertRowid);
    }).immediate();
  }

  /** Ends a run; whatever it still held goes back to pending for the next run. */
  endRun(runId: number, counts: object): void {
    this.db.transaction(() => {
      this.st(`UPDATE deliveries SET status = 'pending', updated_at = ? WHERE run_id = ? AND status = 'claimed'`).run(nowIso(), runId);
      this.st('UPDATE runs SET ended_at = ?, counts = ? WHERE id = ?').run(nowIso(), JSON.stringify(counts), runId);
    }).immediate();
  }

  // ---- deliveries -------------------------------------------------------------------------

  /**
   * Claims deliveries for this run, atomically: a recipient is claimed if it has no row, or a
   * pending one, or a claim of a run that has ended (an interrupted delivery). Returns, per
   * recipient: 'mine' (claimed for this run), 'interrupted' (claimed for this run, but a dead run
   * had it in flight), 'busy' (another run has it in flight), 'sent' or 'failed'.
   */
  claim(key: DeliveryKey, runId: number, items: { recipient: string; messageId: string; seq: number; langs: string }[]): Map<string, ClaimResult> {
    const out = new Map<string, ClaimResult>();
    const get = this.st('SELECT d.status, d.run_id, r.ended_at FROM deliveries d LEFT JOIN runs r ON r.id = d.run_id WHERE d.uid = ? AND d.kind = ? AND d.rev = ? AND d.recipient = ?');
    // Insert first: on a first run every claim is one statement; the lookup is for the rest.
    const insert = this.st(`INSERT INTO deliveries (uid, kind, rev, recipient, status, message_id, attempts, seq, langs, run_id, updated_at) VALUES (?, ?, ?, ?, 'claimed', ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    const reclaim = this.st(`UPDATE deliveries SET status = 'claimed', run_id = ?, message_id = ?, seq = ?, langs = ?, updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?`);
    this.db.transaction(() => {
      const t = nowIso();
      for (const it of items) {
        if (insert.run(key.uid, key.kind, key.rev, it.recipient, it.messageId, it.seq, it.langs, runId, t).changes === 1) {
          out.set(it.recipient, 'mine');
          continue;
        }
        const row = get.get(key.uid, key.kind, key.rev, it.recipient) as { status: DeliveryStatus; run_id: number | null; ended_at: string | null };
        if (row.status === 'pending' || (row.status === 'claimed' && (row.ended_at !== null || row.run_id === null))) {
          reclaim.run(runId, it.messageId, it.seq, it.langs, t, key.uid, key.kind, key.rev, it.recipient);
          out.set(it.recipient, row.status === 'claimed' ? 'interrupted' : 'mine');
        } else {
          out.set(it.recipient, row.status === 'claimed' ? 'busy' : row.status === 'sent' ? 'sent' : 'failed');
        }
      }
    }).immediate();
    return out;
  }

  /** Records the outcome of one delivery. */
  settle(key: DeliveryKey, recipient: string, status: 'sent' | 'pending' | 'failed', reply: string | null): void {
    this.st('UPDATE deliveries SET status = ?, reply = ?, attempts = attempts + 1, updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?')
      .run(status, reply, nowIso(), key.uid, key.kind, key.rev, recipient);
  }

  /** Many outcomes in one transaction (the send loop batches them). */
  settleMany(key: DeliveryKey, rows: { recipient: string; status: 'sent' | 'pending' | 'failed'; reply: string | null }[]): void {
    if (!rows.length) return;
    const st = this.st('UPDATE deliveries SET status = ?, reply = ?, attempts = attempts + 1, updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?');
    this.db.transaction(() => {
      const t = nowIso();
      for (const r of rows) st.run(r.status, r.reply, t, key.uid, key.kind, key.rev, r.recipient);
    }).immediate();
  }

  /** The status of every delivery of a key, by recipient. */
  statuses(key: DeliveryKey): Map<string, DeliveryStatus> {
    const rows = this.st('SELECT recipient, status FROM deliveries WHERE uid = ? AND kind = ? AND rev = ?').all(key.uid, key.kind, key.rev) as { recipient: string; status: DeliveryStatus }[];
    return new Map(rows.map((r) => [r.recipient, r.status]));
  }

  deliveries(uid: string, kind?: string): (DeliveryRow & { kind: string; rev: string })[] {
    const sql = `SELECT kind, rev, recipient, status, message_id, reply, attempts, seq, langs, updated_at FROM deliveries WHERE uid = ?${kind ? ' AND kind = ?' : ''} ORDER BY kind, rev, recipient`;
    return this.st(sql).all(...(kind ? [uid, kind] : [uid])) as (DeliveryRow & { kind: string; rev: string })[];
  }

  /** Recipients who have the announcement at a sequence below `seq` (they need an update or cancel). */
  announcedBefore(uid: string, seq: number): { recipient: string; langs: string | null }[] {
    return this.st(`SELECT recipient, langs FROM deliveries WHERE uid = ? AND kind = 'announce' AND status = 'sent' AND (seq IS NULL OR seq < ?) ORDER BY recipient`).all(uid, seq) as { recipient: string; langs: string | null }[];
  }

  /** Recipients who have had the announcement (at any sequence). */
  announced(uid: string): { recipient: string; langs: string | null }[] {
    return this.st(`SELECT recipient, langs FROM deliveries WHERE uid = ? AND kind = 'announce' AND status = 'sent' ORDER BY recipient`).all(uid) as { recipient: string; langs: string | null }[];
  }

  summary(uid?: string): { uid: string; kind: string; rev: string; status: DeliveryStatus; n: number }[] {
    const sql = `SELECT uid, kind, rev, status, COUNT(*) AS n FROM deliveries${uid ? ' WHERE uid = ?' : ''} GROUP BY uid, kind, rev, status ORDER BY uid, kind, rev, status`;
    return this.st(sql).all(...(uid ? [uid] : [])) as { uid: string; kind: string; rev: string; status: DeliveryStatus; n: number }[];
  }

  // ---- talks: sequence and the schedule last sent -----------------------------------------

  talk(uid: string): { sequence: number; schedule: string | null; status: string } | undefined {
    return this.st('SELECT sequence, schedule, status FROM talks WHERE uid = ?').get(uid) as { sequence: number; schedule: string | null; status: string } | undefined;
  }

  /** Records the talk at its first announcement. */
  ensureTalk(uid: string, talkId: string, schedule: string): { sequence: number; schedule: string | null; status: string } {
    this.st('INSERT INTO talks (uid, talk_id, sequence, schedule, updated_at) VALUES (?, ?, 0, ?, ?) ON CONFLICT (uid) DO NOTHING').run(uid, talkId, schedule, nowIso());
    return this.talk(uid)!;
  }

  /** Raises SEQUENCE (never lowers it) and stores the schedule now sent. Returns the new sequence. */
  bumpSequence(uid: string, schedule: string, status: string): number {
    return this.db.transaction(() => {
      this.st('UPDATE talks SET sequence = sequence + 1, schedule = ?, status = ?, updated_at = ? WHERE uid = ?').run(schedule, status, nowIso(), uid);
      return (this.talk(uid)!).sequence;
    }).immediate();
  }

  allTalks(): { uid: string; talk_id: string; sequence: number; status: string }[] {
    return this.st('SELECT uid, talk_id, sequence, status FROM talks ORDER BY talk_id').all() as { uid: string; talk_id: string; sequence: number; status: string }[];
  }

  // ---- reminders --------------------------------------------------------------------------

  reminder(uid: string, label: string): { status: string; due_at: string; note: string | null } | undefined {
    return this.st('SELECT status, due_at, note FROM reminders WHERE uid = ? AND label = ?').get(uid, label) as { status: string; due_at: string; note: string | null } | undefined;
  }

  setReminder(uid: string, label: string, status: 'sending' | 'sent' | 'skipped', dueAt: string, note: string | null): void {
    this.st(`INSERT INTO reminders (uid, label, status, due_at, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (uid, label) DO UPDATE SET status = excluded.status, due_at = excluded.due_at, note = excluded.note, updated_at = excluded.updated_at`).run(uid, label, status, dueAt, note, nowIso());
  }

  // ---- suppressions -----------------------------------------------------------------------

  suppress(address: string, reason: string): void {
    this.st('INSERT INTO suppressions (address, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING').run(address.toLowerCase(), reason, nowIso());
  }

  unsuppress(address: string): boolean {
    return this.st('DELETE FROM suppressions WHERE address = ?').run(address.toLowerCase()).changes > 0;
  }

  suppressed(): Map<string, { reason: string; created_at: string }> {
    const rows = this.st('SELECT address, reason, created_at FROM suppressions').all() as { address: string; reason: string; created_at: string }[];
    return new Map(rows.map((r) => [r.address, { reason: r.reason, created_at: r.created_at }]));
  }

  // ---- meta -------------------------------------------------------------------------------

  /** The secret behind unsubscribe tokens: made once, kept in the ledger. */
  secret(): string {
    const row = this.st(`SELECT value FROM meta WHERE name = 'unsubscribe_secret'`).get() as { value: string } | undefined;
    if (row) return row.value;
    const v = randomBytes(32).toString('base64url');
    this.st(`INSERT INTO meta (name, value) VALUES ('unsubscribe_secret', ?) ON CONFLICT (name) DO NOTHING`).run(v);
    return (this.st(`SELECT value FROM meta WHERE name = 'unsubscribe_secret'`).get() as { value: string }).value;
  }
}
