/**
 * A private PostgreSQL cluster for one test file: initdb in a temporary folder, a server on a free
 * port of 127.0.0.1 (and a socket in that folder), a role with a password and a database, all
 * removed after the file. initdb refuses to run as root: as root the cluster belongs to the
 * `postgres` user (`runuser`). Without the programs (apt-get install postgresql) the tests skip and
 * say so. The server runs with fsync off unless asked: tests measure behaviour, not durability.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client as PgClient } from 'pg';
import { findProgram } from './programs';

export interface PgCluster {
  port: number;
  /** The role's password (tests check that no message shows it). */
  password: string;
  /** The URL of a database of the cluster as the role `rali`, password included. */
  url(database?: string, password?: string): string;
  /** A new empty database owned by `rali`; its URL. */
  createDatabase(name: string): Promise<string>;
  /** A statement as the superuser in `database` (tests that look at or change the schema). */
  superQuery(sql: string, database?: string): Promise<Record<string, unknown>[]>;
  stop(): void;
}

/** The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
function binDir(): string | undefined {
  const onPath = findProgram('initdb');
  if (onPath) {
    const dir = dirname(realpathSync(onPath));
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin/initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** Why PostgreSQL cannot run here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!binDir()) return 'initdb and pg_ctl not found — apt-get install postgresql';
  if (process.getuid?.() === 0) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user to run the server';
    if (!findProgram('runuser')) return 'running as root without runuser (util-linux) to run the server as postgres';
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `durable`: fsync on, as a real server (the benchmark); tests leave it off. */
export async function startPostgres(o: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = binDir()!;
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'rali-pg-'));
  if (root) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const logFile = join(dir, 'server.log');
  /** A program of the cluster, as postgres when we are root; its output goes to the log (no pipe kept open by the server). */
  const pgRun = (prog: string, args: string[]) => {
    const out = openSync(join(dir, 'commands.log'), 'a');
    try {
      const cmd = root ? 'runuser' : join(bin, prog);
      const argv = root ? ['-u', 'postgres', '--', join(bin, prog), ...args] : args;
      const r = spawnSync(cmd, argv, { stdio: ['ignore', out, out], timeout: 180_000 });
      if (r.status !== 0) {
        const log = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').slice(-3000) : '');
        throw new Error(`${prog} failed (${r.status ?? r.signal}):\n${log('commands.log')}\n${log('server.log')}`);
      }
    } finally {
      closeSync(out);
    }
  };
  const data = join(dir, 'data');
  pgRun('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
  ]);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      pgRun('pg_ctl', [
        '-D',
        data,
        '-l',
        logFile,
        '-w',
        '-t',
        '180',
        'start',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 ${o.durable ? '' : '-c fsync=off -c full_page_writes=off -c shared_buffers=16MB'}`,
      ]);
      break;
    } catch (e) {
      if (attempt >= 2) throw e; // another test file may have taken the port in between
    }
  }
  const password = `p@ss:w/rd-${Math.random().toString(36).slice(2, 10)}`;
  const { Client } = require('pg') as typeof import('pg');
  const superQuery = async (sql: string, database = 'postgres') => {
    const c: PgClient = new Client({ host: dir, port, user: 'postgres', database });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  await superQuery(`CREATE ROLE rali LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
  const url = (database = 'rali', pw = password) => `postgres://rali:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name: string) => {
    await superQuery(`CREATE DATABASE "${name}" OWNER rali`);
    return url(name);
  };
  await createDatabase('rali');
  return {
    port,
    password,
    url,
    createDatabase,
    superQuery,
    stop() {
      try {
        pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * `describe` with a cluster started before its tests and stopped after them (`pg()` is it), or,
 * when PostgreSQL cannot run here, a skipped block that says why (and a line on stderr for the CI log).
 */
export function describeWithPostgres(title: string, body: (pg: () => PgCluster) => void): void {
  const missing = postgresMissing();
  if (missing) {
    describe(title, () => {
      test.skip(`skipped: ${missing}`, () => undefined);
    });
    process.stderr.write(`SKIP ${title}: ${missing}\n`);
    return;
  }
  let cluster: PgCluster | undefined;
  describe(title, () => {
    beforeAll(async () => {
      cluster = await startPostgres();
    }, 300_000);
    afterAll(() => cluster?.stop(), 120_000);
    body(() => cluster!);
  });
}
