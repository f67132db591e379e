/**
 * The SQLite ledger's connection: .rali/state.db beside rali.yaml, in WAL mode, with versioned
 * migrations applied atomically (two first runs at once: one migrates, the other waits), prepared
 * statements kept, and every failure turned into a LedgerError that names the file and a fix.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { LedgerError, LedgerProblem, TalkChanged } from '../errors';
import { MIGRATIONS } from './migrations';

export const LEDGER_FILE = 'state.db';

/** Sleeps without yielding (SQLite's own busy handler does not cover the WAL switch). */
function nap(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Retries `f` while SQLite says the database is locked, for up to 15 s. */
function retryBusy<T>(f: () => T): T {
  const until = Date.now() + 15_000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return f();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw e;
      nap(wait + Math.random() * wait);
    }
  }
}

/** A database failure as the organizer can act on it. */
export function ledgerError(file: string, e: unknown): LedgerError {
  if (e instanceof LedgerError) return e;
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  const problem: LedgerProblem =
    code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
      ? 'locked'
      : code === 'SQLITE_FULL' || /ENOSPC|disk is full|database or disk is full/i.test(msg)
        ? 'full'
        : code === 'SQLITE_READONLY' || /readonly|read-only|EACCES|EROFS/i.test(msg + code)
          ? 'readOnly'
          : code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
            ? 'damaged'
            : 'other';
  return new LedgerError(file, problem, problem === 'damaged' ? msg : problem === 'other' ? `${msg} (${code || 'error'})` : '');
}

export class Db {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** The schema version (a read-only handle may see an older one until a sending run migrates it). */
  version = MIGRATIONS.length;
  private inode = 0;

  private constructor(
    readonly raw: BetterSqlite3.Database,
    readonly file: string,
  ) {}

  /** Opens (creating and migrating if needed) the ledger in `dir`. */
  static open(dir: string): Db {
    const file = join(dir, LEDGER_FILE);
    try {
      mkdirSync(dir, { recursive: true });
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const db = new Db(new Database(file), file);
      db.raw.pragma('busy_timeout = 15000');
      // Switching a new database to WAL needs an exclusive lock, and SQLite does not wait for it
      // (no busy handler there, to avoid deadlocks): two runs starting at once retry instead.
      retryBusy(() => db.raw.pragma('journal_mode = WAL'));
      db.raw.pragma('synchronous = NORMAL');
      db.raw.pragma('foreign_keys = ON');
      retryBusy(() => db.migrate());
      db.inode = statSync(file).ino;
      return db;
    } catch (e) {
      throw ledgerError(file, e);
    }
  }

  /** Read-only, for the commands that only look: undefined when there is no ledger yet. */
  static openReadOnly(dir: string): Db | undefined {
    const file = join(dir, LEDGER_FILE);
    if (!existsSync(file)) return undefined;
    try {
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const db = new Db(new Database(file, { readonly: true, fileMustExist: true }), file);
      db.raw.pragma('busy_timeout = 15000');
      const version = db.raw.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) throw new LedgerError(file, 'newer', String(version));
      if (version < 1) {
        // Being created by another run (cron and the organizer at once): not a ledger yet.
        db.raw.close();
        return undefined;
      }
      // A ledger from before the last migration is read as it is; the next sending run migrates it.
      db.version = version;
      db.inode = statSync(file).ino;
      return db;
    } catch (e) {
      throw ledgerError(file, e);
    }
  }

  private migrate(): void {
    // Each step re-reads the version inside its write transaction: of two runs opening a new
    // ledger at once, only one applies it.
    for (;;) {
      const applied = this.raw
        .transaction(() => {
          const version = this.raw.pragma('user_version', { simple: true }) as number;
          if (version > MIGRATIONS.length) throw new LedgerError(this.file, 'newer', String(version));
          if (version === MIGRATIONS.length) return false;
          this.raw.exec(MIGRATIONS[version]);
          this.raw.pragma(`user_version = ${version + 1}`);
          return true;
        })
        .immediate();
      if (!applied) return;
    }
  }

  /** Prepared once per connection: the send loop runs the same few statements thousands of times. */
  st(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs `f`, turning any database failure into a LedgerError that names the file. */
  run<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof TalkChanged) throw e;
      throw ledgerError(this.file, e);
    }
  }

  /** `f` in one write transaction (BEGIN IMMEDIATE: the write lock first, so two runs serialize). */
  tx<T>(f: () => T): T {
    return this.run(() => this.raw.transaction(f).immediate());
  }

  /** Throws when the ledger file was deleted or replaced under us (writes would go nowhere). */
  check(): void {
    let ino = -1;
    try {
      ino = statSync(this.file).ino;
    } catch {
      /* gone */
    }
    if (ino !== this.inode) throw new LedgerError(this.file, 'gone');
  }

  close(): void {
    if (this.raw.open) this.raw.close();
  }
}
