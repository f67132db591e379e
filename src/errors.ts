/**
 * Errors that reach the user. The core never prints or exits: it throws one of these,
 * and src/cli.ts turns it into a message on stderr and an exit code.
 */

/** Exit codes of the contract (design.md): 0 done, 1 something not delivered, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_UNDELIVERED = 1;
export const EXIT_INPUT = 2;

/** One problem found in an input file, positioned as precisely as the parser allows. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  /** Field path, e.g. `speaker.email`; empty for a file-level problem. */
  path?: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: Problem): string {
  let place = p.file;
  if (p.line !== undefined) place += `:${p.line}`;
  if (p.col !== undefined) place += `:${p.col}`;
  const field = p.path ? ` ${p.path}:` : '';
  const hint = p.hint ? ` — ${p.hint}` : '';
  const level = p.severity === 'warning' ? ' warning:' : '';
  return `${place}:${level}${field} ${p.message}${hint}`;
}

/** An error the user can fix; carries an exit code and never prints a stack trace. */
export class RaliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_INPUT,
    /** Printed before the message: `rali: <label>: …` (e.g. `ledger`). */
    readonly label?: string,
  ) {
    super(message);
    this.name = 'RaliError';
  }
}

/** Bad input files: every problem at once. */
export class InputError extends RaliError {
  constructor(readonly problems: Problem[]) {
    super(
      problems
        .filter((p) => p.severity === 'error')
        .map(formatProblem)
        .join('\n'),
      EXIT_INPUT,
    );
    this.name = 'InputError';
  }
}
