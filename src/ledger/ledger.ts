/**
 * The delivery ledger: .rali/state.db beside rali.yaml (SQLite, WAL). The only module that talks
 * to the database. A delivery is claimed before the send and marked sent on the server's 250;
 * claims are atomic, so two runs at once never send the same delivery twice.
 */
import { ledger as L, stops } from '../messages';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type DeliveryStatus = 'claimed' | 'sent' | 'pending' | 'failed';

export type ClaimResult = 'mine' | 'interrupted' | 'busy' | 'sent' | 'failed';

export interface DeliveryKey {
  uid: string;
  kind: string;
  rev: string;
}

/** A talk as a message carries it: what the ledger holds once the message is on its way. */
export interface TalkState {
  uid: string;
  talkId: string;
  sequence: number;
  schedule: string;
  status: string;
}

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
  // A run's claims are alive while its lease is renewed (heartbeat), whatever its PID or host name:
  // a container restart gives the next run PID 1 and another host name. first_try_at bounds how
  // long a transient failure is retried by later runs.
  `ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
   ALTER TABLE deliveries ADD COLUMN first_try_at TEXT;
   CREATE INDEX deliveries_sent_at ON deliveries (status, updated_at);`,
  // The schedule before the latest revision: a run that finishes an update cut short says what
  // changed exactly as its first run did.
  `ALTER TABLE talks ADD COLUMN previous TEXT;`,
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

/** How long a run's claims live without a heartbeat (a dead run's claims are taken over after this). */
export function leaseMs(): number {
  return Number(process.env.RALI_LEASE_MS) || 30_000;
}

/** The ledger could not be read or written: sending stops at once. Names the file and a fix. */
export class LedgerError extends Error {
  constructor(
    readonly file: string,
    readonly reason: unknown,
  ) {
    super(ledgerProblem(file, reason));
    this.name = 'LedgerError';
  }
}

function ledgerProblem(file: string, e: unknown): string {
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return L.locked(file);
  if (code === 'SQLITE_FULL' || /ENOSPC|disk is full|database or disk is full/i.test(msg)) return L.full(file);
  if (code === 'SQLITE_READONLY' || /readonly|read-only|EACCES|EROFS/i.test(msg + code)) return L.readOnly(file);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return L.damaged(file, msg);
  if (code === 'RALI_GONE') return L.gone(file);
  if (code === 'RALI_NEWER') return msg;
  if (code === 'RALI_LEASE') return L.leaseLost(file);
  return L.other(file, msg, code || 'error');
}

/**
 * The talk got a newer calendar revision (`rali update` or `rali cancel` committed it) while this run
 * was sending an older one: the run stops; its message is out of date and goes to no one else.
 */
export class TalkChanged extends Error {
  constructor(
    readonly sequence: number,
    readonly status: string,
  ) {
    super(stops.talkChanged(sequence, status === 'cancelled'));
    this.name = 'TalkChanged';
  }
}

export class Ledger {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private constructor(
    readonly db: BetterSqlite3.Database,
    readonly file: string,
  ) {}

  /** Prepared once per ledger: the send loop runs the same few statements thousands of times. */
  private st(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Opens (creating if needed) the ledger in `stateDir`. */
  static open(stateDir: string): Ledger {
    const file = join(stateDir, LEDGER_FILE);
    try {
      mkdirSync(stateDir, { recursive: true });

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
      l.inode = statSync(file).ino;
      return l;
    } catch (e) {
      if (e instanceof LedgerError || e instanceof TalkChanged) throw e;
      throw new LedgerError(file, e);
    }
  }

  private inode = 0;

  /** Throws when the ledger file was deleted or replaced under us (writes would go nowhere). */
  checkFile(): void {
    let ino = -1;
    try {
      ino = statSync(this.file).ino;
    } catch {
      /* gone */
    }
    if (ino !== this.inode) throw new LedgerError(this.file, Object.assign(new Error('gone'), { code: 'RALI_GONE' }));
  }

  /** Runs a write, turning any database failure into a LedgerError that names the file. */
  write<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof LedgerError || e instanceof TalkChanged) throw e;
      throw new LedgerError(this.file, e);
    }
  }

  /** Read-only, for preview and status: undefined when there is no ledger yet. */
  static openReadOnly(stateDir: string): Ledger | undefined {
    const file = join(stateDir, LEDGER_FILE);

    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    if (!existsSync(file)) return undefined;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 15000');
      const l = new Ledger(db, file);
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length)
        throw Object.assign(new Error(`${file} was written by a newer rali (schema ${version}); upgrade rali`), { code: 'RALI_NEWER' });
      // A ledger from before the last migration is read as it is; the next sending run migrates it.
      l.version = version;
      return l;
    } catch (e) {
      throw new LedgerError(file, e);
    }
  }

  /** The schema version (read-only ledgers may be older than this rali until a run migrates them). */
  version = MIGRATIONS.length;

  private migrate(): void {
    // Two runs may open a new ledger at once: each step re-reads the version inside its write
    // transaction, so only one of them applies it.
    for (;;) {
      const applied = this.db
        .transaction(() => {
          const version = this.db.pragma('user_version', { simple: true }) as number;
          if (version > MIGRATIONS.length) {
            throw Object.assign(new Error(`${this.file} was written by a newer rali (schema ${version}); upgrade rali`), {
              code: 'RALI_NEWER',
            });
          }
          if (version === MIGRATIONS.length) return false;
          this.db.exec(MIGRATIONS[version]);
          this.db.pragma(`user_version = ${version + 1}`);
          return true;
        })
        .immediate();
      if (!applied) return;
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- runs -------------------------------------------------------------------------------

  /** The clock (tests move it to expire leases). */
  clock: () => number = () => Date.now();
  private iso(offsetMs = 0): string {
    return new Date(this.clock() + offsetMs).toISOString();
  }

  /**
   * Starts a run with a fresh lease. Runs whose lease has expired (kill -9, power cut, a container
   * gone) are closed as interrupted here, which frees their claims: no PID or host name is trusted,
   * since a restarted container has PID 1 and a new host name every time.
   */
  startRun(command: string): number {
    return this.write(() =>
      this.db
        .transaction(() => {
          this.expireDeadRuns();
          const t = this.iso();
          return Number(
            this.st('INSERT INTO runs (command, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)').run(
              command,
              process.pid,
              hostname(),
              t,
              t,
            ).lastInsertRowid,
          );
        })
        .immediate(),
    );
  }

  private expireDeadRuns(): void {
    const stale = this.iso(-leaseMs());
    this.st(
      `UPDATE runs SET ended_at = ?, counts = '{"interrupted":true}' WHERE ended_at IS NULL AND COALESCE(heartbeat_at, started_at) < ?`,
    ).run(this.iso(), stale);
  }

  /**
   * Renews this run's lease. False when another run has declared it dead meanwhile (this process
   * was suspended past its lease): its claims may be another run's now, so it must stop sending.
   */
  heartbeat(runId: number): boolean {
    return this.write(
      () => this.st('UPDATE runs SET heartbeat_at = ? WHERE id = ? AND ended_at IS NULL').run(this.iso(), runId).changes === 1,
    );
  }

  /** Ends a run; whatever it still held goes back to pending for the next run. */
  endRun(runId: number, counts: object): void {
    this.write(() =>
      this.db
        .transaction(() => {
          this.st(`UPDATE deliveries SET status = 'pending', updated_at = ? WHERE run_id = ? AND status = 'claimed'`).run(
            this.iso(),
            runId,
          );
          this.st('UPDATE runs SET ended_at = COALESCE(ended_at, ?), counts = ? WHERE id = ?').run(
            this.iso(),
            JSON.stringify(counts),
            runId,
          );
        })
        .immediate(),
    );
  }

  // ---- deliveries -------------------------------------------------------------------------

  /**
   * Claims deliveries for this run, atomically: a recipient is claimed if it has no row, a pending
   * one, a failed one when `retryFailed`, or a claim of a run that has ended or whose lease expired
   * (an interrupted delivery). Returns, per recipient: 'mine', 'interrupted' (a dead run had it in
   * flight), 'busy' (another live run has it), 'sent' or 'failed'.
   *
   * `talk` is the talk's state this message carries (the SEQUENCE and schedule of an update or a
   * cancellation): it is committed with the first delivery claimed, never before, so a declined
   * prompt, `--limit 0` or a crash before the first claim leaves it owed.
   */
  claim(
    key: DeliveryKey,
    runId: number,
    items: { recipient: string; messageId: string; seq: number; langs: string }[],
    opts: { retryFailed?: boolean; talk?: TalkState } = {},
  ): Map<string, ClaimResult> {
    const out = new Map<string, ClaimResult>();
    const get = this.st(
      'SELECT d.status, d.run_id, r.ended_at, COALESCE(r.heartbeat_at, r.started_at) AS beat FROM deliveries d LEFT JOIN runs r ON r.id = d.run_id WHERE d.uid = ? AND d.kind = ? AND d.rev = ? AND d.recipient = ?',
    );
    // Insert first: on a first run every claim is one statement; the lookup is for the rest.
    const insert = this.st(
      `INSERT INTO deliveries (uid, kind, rev, recipient, status, message_id, attempts, seq, langs, run_id, updated_at) VALUES (?, ?, ?, ?, 'claimed', ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const endDead = this.st(`UPDATE runs SET ended_at = ?, counts = '{"interrupted":true}' WHERE id = ? AND ended_at IS NULL`);
    const reclaim = this.st(
      `UPDATE deliveries SET status = 'claimed', run_id = ?, message_id = ?, seq = ?, langs = ?, updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?`,
    );
    return this.write(() =>
      this.db
        .transaction(() => {
          const t = this.iso();
          const stale = this.iso(-leaseMs());
          // A run declared dead (suspended past its lease) claims nothing more: another run took over.
          const me = this.st('SELECT ended_at FROM runs WHERE id = ?').get(runId) as { ended_at: string | null } | undefined;
          if (me?.ended_at) throw Object.assign(new Error('lease lost'), { code: 'RALI_LEASE' });
          // A message planned for an older calendar revision is out of date once another command
          // (`rali update`, `rali cancel`) has committed a newer one: it goes to no one else.
          const cur = this.st('SELECT sequence, status FROM talks WHERE uid = ?').get(key.uid) as
            { sequence: number; status: string } | undefined;
          if (cur && items.length && cur.sequence > items[0].seq) throw new TalkChanged(cur.sequence, cur.status);
          let any = false;
          for (const it of items) {
            if (insert.run(key.uid, key.kind, key.rev, it.recipient, it.messageId, it.seq, it.langs, runId, t).changes === 1) {
              out.set(it.recipient, 'mine');
              any = true;
              continue;
            }
            const row = get.get(key.uid, key.kind, key.rev, it.recipient) as {
              status: DeliveryStatus;
              run_id: number | null;
              ended_at: string | null;
              beat: string | null;
            };
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
          if (any && opts.talk) this.applyTalk(opts.talk);
          if (any) this.st('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(t, runId);
          return out;
        })
        .immediate(),
    );
  }

  /**
   * Records the outcome of one delivery, at once (a kill -9 then resends only what was in flight).
   * A delivery still pending `maxAgeMs` after its first try fails for good. Returns the status kept.
   */
  settle(
    key: DeliveryKey,
    recipient: string,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs = 5 * 24 * 3600_000,
    runId?: number,
  ): 'sent' | 'pending' | 'failed' {
    return this.write(() => {
      const t = this.iso();
      let kept = status;
      if (status === 'pending' && reply !== null && Number.isFinite(maxAgeMs)) {
        const row = this.st('SELECT first_try_at FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ?').get(
          key.uid,
          key.kind,
          key.rev,
          recipient,
        ) as { first_try_at: string | null } | undefined;
        if (Number.isFinite(maxAgeMs) && row?.first_try_at && row.first_try_at < this.iso(-maxAgeMs)) {
          kept = 'failed';
          reply = `${reply} (still not delivered ${Math.round(maxAgeMs / 86400_000)} days after the first try)`;
        }
      }
      this.st(
        'UPDATE deliveries SET status = ?, reply = ?, attempts = attempts + 1, first_try_at = COALESCE(first_try_at, ?), updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND (? IS NULL OR run_id = ?)',
      ).run(kept, reply, t, t, key.uid, key.kind, key.rev, recipient, runId ?? null, runId ?? null);
      return kept;
    });
  }

  /**
   * Gives claims back untried (--limit, a stop): a claim never tried before is forgotten (the ledger
   * records only what happened), one tried in an earlier run is pending again, no attempt counted.
   */
  release(key: DeliveryKey, runId: number, recipients: string[]): void {
    if (!recipients.length) return;
    // Only our own claims: another run may have taken them over if this one lost its lease.
    const forget = this.st(
      `DELETE FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND status = 'claimed' AND run_id = ? AND attempts = 0`,
    );
    const back = this.st(
      `UPDATE deliveries SET status = 'pending', updated_at = ? WHERE uid = ? AND kind = ? AND rev = ? AND recipient = ? AND status = 'claimed' AND run_id = ?`,
    );
    this.write(() =>
      this.db
        .transaction(() => {
          const t = this.iso();
          for (const r of recipients) {
            if (!forget.run(key.uid, key.kind, key.rev, r, runId).changes) back.run(t, key.uid, key.kind, key.rev, r, runId);
          }
        })
        .immediate(),
    );
  }

  /** Recipients tried in an earlier run and still pending (a later run tries them after the others). */
  tried(key: DeliveryKey): Set<string> {
    const rows = this.st(
      `SELECT recipient FROM deliveries WHERE uid = ? AND kind = ? AND rev = ? AND status = 'pending' AND attempts > 0`,
    ).all(key.uid, key.kind, key.rev) as { recipient: string }[];
    return new Set(rows.map((r) => r.recipient));
  }

  /** Deliveries marked sent since `sinceMs` (epoch ms): what a provider's daily limit counts. */
  sentSince(sinceMs: number): number {
    return (
      this.st(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sent' AND updated_at >= ?`).get(new Date(sinceMs).toISOString()) as {
        n: number;
      }
    ).n;
  }

  /** The status of every delivery of a key, by recipient. */
  statuses(key: DeliveryKey): Map<string, DeliveryStatus> {
    const rows = this.st('SELECT recipient, status FROM deliveries WHERE uid = ? AND kind = ? AND rev = ?').all(
      key.uid,
      key.kind,
      key.rev,
    ) as { recipient: string; status: DeliveryStatus }[];
    return new Map(rows.map((r) => [r.recipient, r.status]));
  }

  deliveries(uid: string, kind?: string): (DeliveryRow & { kind: string; rev: string })[] {
    const sql = `SELECT kind, rev, recipient, status, message_id, reply, attempts, seq, langs, updated_at FROM deliveries WHERE uid = ?${kind ? ' AND kind = ?' : ''} ORDER BY kind, rev, recipient`;
    return this.st(sql).all(...(kind ? [uid, kind] : [uid])) as (DeliveryRow & { kind: string; rev: string })[];
  }

  /**
   * Everyone who holds a calendar entry for the talk (an announcement, a reminder or an update was
   * sent to them), with the highest SEQUENCE they have and the languages they last had it in.
   */
  holders(uid: string): { recipient: string; seq: number; langs: string | null }[] {
    return this.st(
      `SELECT recipient, MAX(COALESCE(seq, 0)) AS seq, langs FROM deliveries WHERE uid = ? AND status = 'sent' AND kind IN ('announce', 'reminder', 'update') AND rev <> 'test' GROUP BY recipient ORDER BY recipient`,
    ).all(uid) as { recipient: string; seq: number; langs: string | null }[];
  }

  summary(uid?: string): { uid: string; kind: string; rev: string; status: DeliveryStatus; n: number }[] {
    const sql = `SELECT uid, kind, rev, status, COUNT(*) AS n FROM deliveries${uid ? ' WHERE uid = ?' : ''} GROUP BY uid, kind, rev, status ORDER BY uid, kind, rev, status`;
    return this.st(sql).all(...(uid ? [uid] : [])) as { uid: string; kind: string; rev: string; status: DeliveryStatus; n: number }[];
  }

  // ---- talks: sequence and the schedule last sent -----------------------------------------

  talk(uid: string): { sequence: number; schedule: string | null; status: string; previous: string | null } | undefined {
    // A read-only ledger from before migration 3 has no `previous` yet.
    return this.st(
      `SELECT sequence, schedule, status, ${this.version >= 3 ? 'previous' : 'NULL AS previous'} FROM talks WHERE uid = ?`,
    ).get(uid) as { sequence: number; schedule: string | null; status: string; previous: string | null } | undefined;
  }

  /**
   * Commits the state a message carries: the talk at its first message, or a higher SEQUENCE with
   * the schedule and status sent with it (never lowers it). Called inside `claim`.
   */
  private applyTalk(t: TalkState): void {
    const now = this.iso();
    if (
      this.st(
        'INSERT INTO talks (uid, talk_id, sequence, schedule, status, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING',
      ).run(t.uid, t.talkId, t.sequence, t.schedule, t.status, now).changes
    )
      return;
    this.st(
      'UPDATE talks SET previous = schedule, sequence = ?, schedule = ?, status = ?, updated_at = ? WHERE uid = ? AND sequence < ?',
    ).run(t.sequence, t.schedule, t.status, now, t.uid, t.sequence);
  }

  /** Records the talk at its first announcement. */
  ensureTalk(uid: string, talkId: string, schedule: string): { sequence: number; schedule: string | null; status: string } {
    this.st('INSERT INTO talks (uid, talk_id, sequence, schedule, updated_at) VALUES (?, ?, 0, ?, ?) ON CONFLICT (uid) DO NOTHING').run(
      uid,
      talkId,
      schedule,
      nowIso(),
    );
    return this.talk(uid)!;
  }

  /** Raises SEQUENCE (never lowers it) and stores the schedule now sent. Returns the new sequence. */
  bumpSequence(uid: string, schedule: string, status: string): number {
    return this.db
      .transaction(() => {
        this.st(
          'UPDATE talks SET previous = schedule, sequence = sequence + 1, schedule = ?, status = ?, updated_at = ? WHERE uid = ?',
        ).run(schedule, status, nowIso(), uid);
        return this.talk(uid)!.sequence;
      })
      .immediate();
  }

  allTalks(): { uid: string; talk_id: string; sequence: number; status: string }[] {
    return this.st('SELECT uid, talk_id, sequence, status FROM talks ORDER BY talk_id').all() as {
      uid: string;
      talk_id: string;
      sequence: number;
      status: string;
    }[];
  }

  // ---- reminders --------------------------------------------------------------------------

  reminder(uid: string, label: string): { status: string; due_at: string; note: string | null } | undefined {
    return this.st('SELECT status, due_at, note FROM reminders WHERE uid = ? AND label = ?').get(uid, label) as
      { status: string; due_at: string; note: string | null } | undefined;
  }

  setReminder(uid: string, label: string, status: 'sending' | 'sent' | 'skipped', dueAt: string, note: string | null): void {
    this.write(() =>
      this.st(
        `INSERT INTO reminders (uid, label, status, due_at, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (uid, label) DO UPDATE SET status = excluded.status, due_at = excluded.due_at, note = excluded.note, updated_at = excluded.updated_at`,
      ).run(uid, label, status, dueAt, note, nowIso()),
    );
  }

  // ---- suppressions -----------------------------------------------------------------------

  suppress(address: string, reason: string): void {
    this.write(() =>
      this.st('INSERT INTO suppressions (address, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING').run(
        address.toLowerCase(),
        reason,
        nowIso(),
      ),
    );
  }

  unsuppress(address: string): boolean {
    return this.st('DELETE FROM suppressions WHERE address = ?').run(address.toLowerCase()).changes > 0;
  }

  suppressed(): Map<string, { reason: string; created_at: string }> {
    const rows = this.st('SELECT address, reason, created_at FROM suppressions').all() as {
      address: string;
      reason: string;
      created_at: string;
    }[];
    return new Map(rows.map((r) => [r.address, { reason: r.reason, created_at: r.created_at }]));
  }

  // ---- meta -------------------------------------------------------------------------------

  meta(name: string): string | undefined {
    if (this.version < 1) return undefined;
    return (this.st('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  setMeta(name: string, value: string): void {
    this.write(() =>
      this.st('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value),
    );
  }

  /** The secret behind unsubscribe tokens: made once, kept in the ledger. */
  secret(): string {
    const row = this.st(`SELECT value FROM meta WHERE name = 'unsubscribe_secret'`).get() as { value: string } | undefined;
    if (row) return row.value;
    const v = randomBytes(32).toString('base64url');
    this.write(() => this.st(`INSERT INTO meta (name, value) VALUES ('unsubscribe_secret', ?) ON CONFLICT (name) DO NOTHING`).run(v));
    return (this.st(`SELECT value FROM meta WHERE name = 'unsubscribe_secret'`).get() as { value: string }).value;
  }
}
