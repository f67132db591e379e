/** Throwaway series folders and a spawned bin/rali, for integration and end-to-end tests. */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { BIN, ROOT, tempDir } from './paths';

/** Whether libfaketime's `faketime` can set a process's clock here (tests of cron at a given moment). */
export function faketimeAvailable(): boolean {
  return (
    spawnSync('faketime', ['2030-01-01 00:00:00', process.execPath, '-e', 'process.exit(new Date().getUTCFullYear() === 2030 ? 0 : 1)'])
      .status === 0
  );
}

export const FUTURE_TALK = '2030-11-13-rezagholizadeh.yaml';

/** A copy of the example series with `n` subscribers and the example talk moved to 2030. */
export function makeSeries(n: number, opts: { langs?: (i: number) => string; extraConfig?: string } = {}) {
  const t = tempDir('rali-series-');
  writeFileSync(
    join(t.dir, 'rali.yaml'),
    readFileSync(join(ROOT, 'rali.yaml'), 'utf8').replace(/^# yaml-language-server.*\n/, '') + (opts.extraConfig ?? ''),
  );
  const lines = ['email,name,lang'];
  const langs = opts.langs ?? ((i: number) => ['fr+en', 'fr', 'en', ''][i % 4]);
  for (let i = 0; i < n; i++) lines.push(`user${String(i).padStart(5, '0')}@example.org,User ${i},${langs(i)}`);
  writeFileSync(join(t.dir, 'subscribers.csv'), lines.join('\n') + '\n');
  mkdirSync(join(t.dir, 'talks'));
  const talkFile = join(t.dir, 'talks', FUTURE_TALK);
  writeFileSync(
    talkFile,
    readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8')
      .replace('date: 2021-11-10', 'date: 2030-11-13')
      .replace(/^recording:.*\n/m, ''),
  );
  return { ...t, talkFile, talk: `talks/${FUTURE_TALK}`, emails: lines.slice(1).map((l) => l.split(',')[0]) };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** Spawns bin/rali without blocking the event loop (the test's SMTP server lives in this process). */
export function raliAsync(
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string>;
    onStarted?: (kill: (sig: NodeJS.Signals) => void) => void;
    /** The machine's clock for this process (libfaketime): cron running at that moment. */
    clock?: string;
  },
): Promise<RunResult> {
  const clock = opts.clock
    ? ['faketime', DateTime.fromISO(opts.clock, { setZone: true }).toUTC().toFormat('yyyy-LL-dd HH:mm:ss'), process.execPath]
    : [process.execPath];
  return new Promise((resolve) => {
    const child = spawn(clock[0], [...clock.slice(1), BIN, ...args], {
      cwd: opts.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NO_COLOR: '1',
        RALI_BACKOFF_MS: '20',
        ...(opts.clock ? { TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {}),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    opts.onStarted?.((sig) => child.kill(sig));
    child.on('close', (code, signal) => resolve({ code, stdout, stderr, signal }));
  });
}

/** stderr without the one-time note of a first send (rali.yaml now names the ledger: ledger/index.ts). */
export function withoutLedgerNote(stderr: string): string {
  return stderr.replace(/^rali\.yaml: rali wrote which ledger this series is sent from .*\n/m, '');
}
