/**
 * The process as the commands see it (src/commands/world.ts): the terminal, the environment, the
 * signals, the clock, the ledger and the transport — built once, here, by src/cli.ts. The only
 * module besides cli.ts that touches `process`.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { DateTime } from 'luxon';
import type { World } from './commands/world';
import { NO_PROGRESS, Progress, Signals, Tuning } from './delivery/run';
import type { Env } from './delivery/smtp-settings';
import { openTransport } from './delivery/transport';
import { LedgerAccess, type LedgerLocation, withPassword } from './ledger';
import { forTerminal, type Logger, useColor } from './log';
import { display, Series } from './model/series';

export const processSignals: Signals = {
  on(handler) {
    const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const n of names) process.on(n, handler);
    return () => {
      for (const n of names) process.removeListener(n, handler);
    };
  },
};

export { useColor };

/** RALI_RETRIES, RALI_BACKOFF_MS, RALI_WATCHDOG_MS: how hard a run tries (tests shorten them). */
export function tuningFrom(env: Env): Tuning {
  const backoff = Number(env.RALI_BACKOFF_MS ?? 2000);
  return {
    retries: Number(env.RALI_RETRIES ?? 3),
    backoffMs: (n) => backoff * 2 ** (n - 1),
    watchdogMs: Number(env.RALI_WATCHDOG_MS) || 300_000,
  };
}

/** How long a run's claims live without a heartbeat (RALI_LEASE_MS; tests shorten it). */
export function leaseFrom(env: Env): number {
  return Number(env.RALI_LEASE_MS) || 30_000;
}

/**
 * The pager to use, as git chooses it: none when stdout is not a terminal or NO_PAGER is set;
 * PAGER when set ("" or "cat" mean none); otherwise `less -FRX` (quits when the text fits,
 * keeps colors, leaves the text on the screen).
 */
export function pagerCommand(env: Env, tty: boolean): string | undefined {
  if (!tty || (env.NO_PAGER !== undefined && env.NO_PAGER !== '')) return undefined;
  if (env.PAGER !== undefined) {
    const p = env.PAGER.trim();
    return p === '' || p === 'cat' ? undefined : p;
  }
  return 'less -FRX';
}

/** A progress bar on a terminal, a few lines otherwise (20 messages or more), nothing when quiet. */
export function progressFor(total: number, mode: 'bar' | 'lines' | 'none', log: Logger, stream: NodeJS.WritableStream): Progress {
  if (mode === 'none') return NO_PROGRESS;
  if (mode === 'bar' && total > 1) {
    const cliProgress = require('cli-progress') as typeof import('cli-progress');
    const bar = new cliProgress.SingleBar(
      { stream, format: '  {bar} {value}/{total} {percentage}% · {eta_formatted} left', hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    let stopped = false;
    return {
      tick: () => {
        if (!stopped) bar.increment();
      },
      stop: () => {
        if (!stopped) {
          stopped = true;
          bar.stop();
        }
      },
    };
  }
  let done = 0;
  const step = Math.max(1, Math.ceil(total / 4));
  return {
    tick: () => {
      done++;
      if (mode === 'lines' && total >= 20 && done % step === 0 && done < total) log.err(`  ${done}/${total}…`);
    },
    stop: () => undefined,
  };
}

/**
 * Where a series' ledger is: RALI_LEDGER_URL (it may hold the password), else rali.yaml's `ledger:`
 * (the password from PGPASSWORD), else .rali/state.db beside rali.yaml.
 */
export function ledgerLocation(series: Series, env: Env): LedgerLocation {
  const url = env.RALI_LEDGER_URL || series.ledger.url;
  return url ? { kind: 'postgres', url: withPassword(url, env.PGPASSWORD), seriesId: series.id } : { kind: 'sqlite', dir: series.stateDir };
}

export function ledgerAccess(
  series: Series,
  env: Env,
  o: { pid: number; host: string; mode?: 'send' | 'look'; say?: (line: string) => void; location?: LedgerLocation },
): LedgerAccess {
  return new LedgerAccess(series, o.location ?? ledgerLocation(series, env), {
    leaseMs: leaseFrom(env),
    pid: o.pid,
    host: o.host,
    mode: o.mode ?? 'send',
    say: o.say,
    configShown: display(series.configFile, series.cwd),
  });
}

/** The world of this process: `log` is the CLI's redacting logger. */
export function processWorld(log: Logger): World {
  const env = process.env as Env;
  const tty = { out: process.stdout.isTTY === true, err: process.stderr.isTTY === true, columns: process.stdout.columns };
  return {
    log,
    write: (chunk) => void process.stdout.write(chunk),
    env,
    cwd: process.cwd(),
    now: () => DateTime.now(),
    tty,
    color: { out: useColor(tty.out, env), err: useColor(tty.err, env) },
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        // End of input (a closed stdin) is a "no".
        const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
        return await Promise.race([rl.question(forTerminal(question, false)), closed]);
      } finally {
        rl.close();
      }
    },
    signals: processSignals,
    exitNow: (code) => process.exit(code),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    tuning: tuningFrom(env),
    ledger: (series, mode) => ledgerAccess(series, env, { pid: process.pid, host: hostname(), mode, say: log.err }),
    transport: openTransport,
    progress: (total, quiet) => progressFor(total, quiet ? 'none' : tty.err ? 'bar' : 'lines', log, process.stderr),
    page(lines) {
      const pager = pagerCommand(env, tty.out);
      if (!pager) return false;
      const r = spawnSync(pager, {
        shell: true,
        input: lines.map((l) => forTerminal(l, false)).join('\n') + '\n',
        stdio: ['pipe', 'inherit', 'inherit'],
        env: { ...env, LESS: env.LESS ?? 'FRX' },
      });
      return !r.error && r.status !== 127 && r.status !== 126;
    },
    bulkRun: steadyHeap,
    pid: process.pid,
    host: hostname(),
  };
}

/**
 * A send allocates a little for every message, mostly garbage, and V8 would let its young
 * generation grow to 2 × 16 MB of it; kept at 1 MB semi-spaces from here on it is collected more
 * often (a few % of CPU at 1,000 messages a second, nothing at a relay's pace) and the peak of a
 * 100,000-recipient run is ~20 MB lower (bench/RESULTS.md). Set once the command has started: from
 * the start, the many scavenges of loading rali would cost ~40% of a cold `rali validate`. V8 reads
 * the growth factor when it grows the space; the maximum size could only be set when it starts.
 */
function steadyHeap(): void {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--semi-space-growth-factor=1');
}
