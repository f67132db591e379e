/** Where the core writes: a Logger is passed in, so the core never touches process.stdout itself. */
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

/** A logger that keeps lines, for tests. */
export function memoryLogger(): Logger & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

/** ANSI styles, or none (`on` comes from the world: a terminal, and no NO_COLOR). */
export function style(on: boolean) {
  const wrap = (a: number, b: number) => (s: string) => (on ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}
