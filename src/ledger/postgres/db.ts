/**
 * The PostgreSQL ledger's connection: a small pool (the send loop settles deliveries concurrently),
 * versioned migrations applied under a transaction-scoped advisory lock (two first runs at once on
 * two machines: one migrates, the other waits and finds it done), transactions retried when the
 * server breaks a deadlock, and every failure turned into a LedgerError that names the database
 * (never its password) and a fix.
 */
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import { registerSecret } from '../../secrets';
import { LedgerError, LedgerProblem, TalkChanged } from '../errors';
import { PG_MIGRATIONS } from './migrations';

/** The key of the advisory lock taken while migrating ('rali' in ASCII): one migration at a time per database. */
const MIGRATION_LOCK = 0x72616c69;

/** The database's address without its password, e.g. `postgres://rali@db.example.org:5432/rali`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const port = u.port || u.searchParams.get('port') || '5432';
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `postgres://${user}${host}:${port}/${decodeURIComponent(u.pathname.replace(/^\//, ''))}`;
  } catch {
    return 'postgres://(an address that cannot be read)';
  }
}

/** `host:port` of the URL, for "cannot be reached". */
function hostPort(url: string): string {
  return redactUrl(url)
    .replace(/^postgres:\/\/([^@/]*@)?/, '')
    .replace(/\/.*$/, '');
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ENOENT',
]);

/** A database failure as the organizer can act on it. */
export function pgLedgerError(where: string, url: string, e: unknown): LedgerError {
  if (e instanceof LedgerError) return e;
  const code = String((e as { code?: string }).code ?? '');
  const msg = String((e as Error).message ?? e);
  const at = hostPort(url);
  const say = (problem: LedgerProblem, detail = '') => new LedgerError(where, problem, detail);
  if (NETWORK.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
    return say(
      'unreachable',
      `${at}: ${
        code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'host name not found'
            : code === 'ETIMEDOUT'
              ? 'no answer'
              : code === '57P01' || code === '57P02'
                ? 'the server is shutting down'
                : code === '57P03'
                  ? 'the server is starting up'
                  : msg
      }`,
    );
  if (/timeout expired|connection timeout|Connection terminated|Query read timeout/i.test(msg))
    return say('unreachable', `${at}: ${/terminated/i.test(msg) ? 'the connection was cut' : 'no answer within the time allowed'}`);
  if (code === '28P01' || code === '28000' || /SASL|SCRAM|password/i.test(msg)) return say('auth', msg);
  if (code === '53100') return say('full');
  if (code === '25006' || code === '42501') return say('readOnly', msg);
  if (code === '55P03' || code === '57014') return say('locked');
  if (code === 'XX001' || code === 'XX002') return say('damaged', msg);
  if (code === '42P01') return say('gone');
  return say('other', `${msg} (${code || 'error'})`);
}

/** Retried: the server broke a deadlock or a serialization conflict by aborting this transaction. */
const RETRY = new Set(['40P01', '40001']);

/**
 * One statement, its parameters apart. Never a named (prepared) statement: a plan kept from the
 * table's first rows (a talk's first run fills a table the planner thinks empty) can scan the whole
 * talk for each delivery; an unnamed statement is planned with its values every time.
 */
export type Query = <R extends QueryResultRow>(sql: string, params?: unknown[]) => Promise<{ rows: R[]; rowCount: number }>;

export class PgDb {
  /** The schema version (a read-only handle may see an older one until a sending run migrates it). */
  version = PG_MIGRATIONS.length;
  /** How many migrations this handle applied (tests: of five first opens at once, one migrates). */
  migrated = 0;

  private constructor(
    readonly pool: Pool,
    readonly url: string,
    readonly where: string,
  ) {}

  static async open(url: string, where: string, write: boolean): Promise<PgDb> {
    try {
      const u = new URL(url);
      if (u.password) registerSecret(decodeURIComponent(u.password));
    } catch {
      /* pg says what is wrong with it */
    }
    const { Pool } = require('pg') as typeof import('pg');
    const config: PoolConfig = {
      connectionString: url,
      max: 6,
      connectionTimeoutMillis: 15_000,
      idleTimeoutMillis: 10_000,
      // A network gone mid-query ends the run instead of waiting for TCP to give up.
      query_timeout: 60_000,
      keepAlive: true,
      application_name: 'rali',
      allowExitOnIdle: true,
      // A lock held elsewhere (an open transaction in psql) fails after 15 s, as SQLite's busy
      // timeout; commits are asynchronous (postgres/index.ts says what a crash of the server may lose).
      options: `-c lock_timeout=15s -c synchronous_commit=off${write ? '' : ' -c default_transaction_read_only=on'}`,
    };
    const pool = new Pool(config);
    const db = new PgDb(pool, url, where);
    // An idle connection cut (a server restarted): the pool drops it, and the next statement
    // connects again or says why it cannot.
    pool.on('error', () => undefined);
    try {
      if (write) await db.migrate();
      else await db.readVersion();
      return db;
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw pgLedgerError(where, url, e);
    }
  }

  /** The schema version in the database: 0 when there is none. */
  private async readVersion(q: Query = this.q): Promise<number> {
    const has = await q<{ t: string | null }>(`SELECT to_regclass('rali_schema')::text AS t`);
    const version = has.rows[0].t ? ((await q<{ version: number }>('SELECT version FROM rali_schema')).rows[0]?.version ?? 0) : 0;
    if (version > PG_MIGRATIONS.length) throw new LedgerError(this.where, 'newer', String(version));
    this.version = version;
    return version;
  }

  private async migrate(): Promise<void> {
    // Most opens find the schema current: no lock, no CREATE right needed.
    if ((await this.readVersion()) === PG_MIGRATIONS.length) return;
    await this.tx(async (q) => {
      // Every process migrating this database waits here for the one before it; the version is
      // read again under the lock, so each step is applied once.
      await q('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await q('CREATE TABLE IF NOT EXISTS rali_schema (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version INTEGER NOT NULL)');
      await q('INSERT INTO rali_schema (version) VALUES (0) ON CONFLICT DO NOTHING');
      let version = await this.readVersion(q);
      for (; version < PG_MIGRATIONS.length; version++) {
        await q(PG_MIGRATIONS[version]);
        this.migrated++;
      }
      await q('UPDATE rali_schema SET version = $1', [version]);
      this.version = version;
    });
  }

  /** One statement on a connection of the pool (retried when the server aborted it to break a deadlock). */
  readonly q: Query = async (sql, params) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.pool.query({ text: sql, values: params });
        return { rows: r.rows, rowCount: r.rowCount ?? 0 };
      } catch (e) {
        if (RETRY.has((e as { code?: string }).code ?? '') && attempt < 8) {
          await nap(attempt);
          continue;
        }
        throw pgLedgerError(this.where, this.url, e);
      }
    }
  };

  /**
   * `f` in one transaction (READ COMMITTED; the row locks `f` takes order it against other runs),
   * retried from the start when the server aborts it to break a deadlock.
   */
  async tx<T>(f: (q: Query) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: PoolClient | undefined;
      let broken: Error | undefined;
      try {
        client = await this.pool.connect();
        const c = client;
        const q: Query = async (sql, params) => {
          const r = await c.query({ text: sql, values: params });
          return { rows: r.rows, rowCount: r.rowCount ?? 0 };
        };
        await q('BEGIN');
        try {
          const out = await f(q);
          await q('COMMIT');
          return out;
        } catch (e) {
          await q('ROLLBACK').catch((r: Error) => (broken = r));
          throw e;
        }
      } catch (e) {
        if (e instanceof TalkChanged) throw e;
        if (RETRY.has((e as { code?: string }).code ?? '') && attempt < 8) {
          await nap(attempt);
          continue;
        }
        // An error that is not the server's answer (a cut connection): that connection is dropped.
        if (!(e instanceof LedgerError) && !(e as { severity?: string }).severity) broken ??= e as Error;
        throw pgLedgerError(this.where, this.url, e);
      } finally {
        client?.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A short random wait before trying again (the other transaction goes first). */
function nap(attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt);
  return new Promise((r) => setTimeout(r, ms / 2 + Math.random() * ms));
}
