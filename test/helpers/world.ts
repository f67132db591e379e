/** A world for commands run in this process: lines kept, the environment and the folder given, no process patched. */
import { DateTime } from 'luxon';
import type { World } from '../../src/commands/world';
import type { Signals } from '../../src/delivery/run';
import type { Env } from '../../src/delivery/smtp-settings';
import { openTransport } from '../../src/delivery/transport';
import { Logger, memoryLogger } from '../../src/log';
import { ledgerAccess, progressFor, tuningFrom } from '../../src/world';

export const noSignals: Signals = { on: () => () => undefined };

export type TestWorld = World & { log: Logger & { lines: string[]; errors: string[] }; written: string[] };

/** `log` defaults to a memory logger; `env` adds to this process's environment (never changes it). */
export function testWorld(o: Partial<Omit<World, 'env'>> & { env?: Env; now?: () => DateTime<true> } = {}): TestWorld {
  const log = (o.log as TestWorld['log'] | undefined) ?? memoryLogger();
  const env: Env = { ...(process.env as Env), RALI_BACKOFF_MS: '20', ...o.env };
  const written: string[] = [];
  const pid = o.pid ?? process.pid;
  const host = o.host ?? 'test-host';
  return {
    write: (chunk) => void written.push(chunk),
    cwd: process.cwd(),
    now: () => DateTime.now(),
    tty: { out: false, err: false },
    color: { out: false, err: false },
    interactive: false,
    prompt: async () => '',
    signals: noSignals,
    exitNow: (code) => {
      throw new Error(`exitNow(${code})`);
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    tuning: tuningFrom(env),
    ledger: (series, mode) => ledgerAccess(series, env, { pid, host, mode, say: (l) => log.err(l) }),
    transport: openTransport,
    progress: (total, quiet) => progressFor(total, quiet ? 'none' : 'lines', log, process.stderr),
    page: () => false,
    bulkRun: () => undefined,
    pid,
    host,
    ...o,
    log,
    env,
    written,
  };
}

/** A clock stopped at `iso` (read in the example series' zone when it has no offset): cron run "at" that moment. */
export function clockAt(iso: string): () => DateTime<true> {
  return () => DateTime.fromISO(iso, { zone: 'America/Toronto' }) as DateTime<true>;
}
