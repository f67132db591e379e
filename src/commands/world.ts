/**
 * What a command receives from the outside world: built once at the edge (src/world.ts for the
 * process, a test's own for in-process tests) and passed down, so that nothing below reads the
 * environment, the terminal or the signals itself, and tests can play the organizer — answer "no",
 * press Ctrl-C, restart a container — without patching the process.
 */
import type { DateTime } from 'luxon';
import type { Progress, Signals, Tuning } from '../delivery/run';
import type { Env, SmtpSettings } from '../delivery/smtp-settings';
import type { Transport } from '../delivery/transport';
import type { LedgerAccess } from '../ledger';
import type { Logger } from '../log';
import type { Series } from '../model/series';

export interface World {
  /** Lines for stdout and stderr (redacted at the edge). */
  log: Logger;
  /** Raw output to stdout (`rali ics` writes the .ics there). */
  write(chunk: string): void;
  env: Env;
  /** The working folder: where relative paths start and are shown from. */
  cwd: string;
  /** The clock. */
  now(): DateTime<true>;
  /** Whether stdout and stderr are terminals, and stdout's width. */
  tty: { out: boolean; err: boolean; columns?: number };
  /** Colours on stdout and stderr (terminals, unless NO_COLOR). */
  color: { out: boolean; err: boolean };
  /** Whether a person is there to answer. */
  interactive: boolean;
  /** Asks a question on the terminal (stderr) and returns the answer; end of input is "". */
  prompt(question: string): Promise<string>;
  signals: Signals;
  /** A second Ctrl-C: stop at once. */
  exitNow(code: number): void;
  sleep(ms: number): Promise<void>;
  /** How hard a sending run tries (retries, backoff, the watchdog). */
  tuning: Tuning;
  /**
   * A series' ledger: read-only until something is written. `send` (the default): a command that
   * sends or records, which refuses a ledger that is not the series' own; `look`: status, preview…
   */
  ledger(series: Series, mode?: 'send' | 'look'): LedgerAccess;
  /** Where messages go: the SMTP server of the settings, or the outbox folder. */
  transport(smtp: SmtpSettings | undefined, outbox: { dir: string; where: string }): Transport;
  /** The progress of a run of `total` messages (a bar on a terminal; `quiet`: nothing). */
  progress(total: number, quiet?: boolean): Progress;
  /** Shows lines through the pager on a terminal (as git does); false when there is none. */
  page(lines: string[]): boolean;
  /**
   * A sending run of `total` messages starts: the process may keep its heap small for it (src/world.ts).
   * Called once the command is loaded and its list read, never at start-up, which it would slow.
   */
  bulkRun(total: number): void;
  /** This process, for lock files and the runs table. */
  pid: number;
  host: string;
}
