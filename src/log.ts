/**
 * Where the core writes: a Logger is passed in, so the core never touches process.stdout itself.
 * What reaches a terminal passes `forTerminal` at the edge (src/cli.ts, the world's prompt and
 * pager, the tests' loggers): control characters that came from outside — a subject, an imported
 * SUMMARY, a subscriber's name, a file name — are removed there, once, whatever printed them;
 * rali's own colours survive because `style` writes them with a mark no outside text can hold.
 */
import { randomBytes } from 'node:crypto';
import { formatProblem, Problem } from './errors';

export interface Logger {
  /** Normal output (stdout). */
  out(line: string): void;
  /** Warnings, progress and errors (stderr). */
  err(line: string): void;
}

export function warnAll(log: Logger, problems: Problem[]): void {
  for (const p of problems) if (p.severity === 'warning') log.err(formatProblem(p));
}

/** A logger that keeps lines as a terminal would show them (colours off), for tests. */
export function memoryLogger(): Logger & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(forTerminal(l, false)), err: (l) => errors.push(forTerminal(l, false)) };
}

/** Colours only on a terminal, and never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function useColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * The escape character of rali's own styles until the edge: private-use characters around a
 * random word of this process, which no text from outside can know, so `forTerminal` can remove
 * every ESC that came from outside and keep these.
 */
const MARK = `\ue000${randomBytes(6).toString('hex')}\ue001`;

/** ANSI styles, or none (`on` comes from the world: a terminal, and no NO_COLOR). */
export function style(on: boolean) {
  const wrap = (a: number, b: number) => (s: string) => (on ? `${MARK}[${a}m${s}${MARK}[${b}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/**
 * Characters that act on a terminal instead of showing: C0 controls but tab and line feed (ESC
 * sequences move the cursor, clear the screen, set the title, make links; CR overwrites a line), DEL,
 * C1 controls (U+009B is a one-character CSI), and the bidi overrides and isolates that reorder what
 * is shown (the "Trojan Source" characters); line and paragraph separators become line breaks.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A line as a terminal (or cron's mail) gets it: controls from outside removed, rali's own styles
 * turned into escapes, and — with `color` — errors (`rali:`) in red and warnings in yellow.
 */
export function forTerminal(line: string, color: boolean): string {
  let s = line.replace(CONTROL, '').replace(/[\u2028\u2029]/g, '\n');
  if (color) {
    const c = style(true);
    s = s
      .replace(/^rali:(?= )/, c.bold(c.red('rali:')))
      .replace(/^([^\s:][^:]*(?::\d+)*:) warning:/gm, (_, place: string) => `${place} ${c.yellow('warning:')}`);
  }
  return s.split(MARK).join('\x1b');
}
