/**
 * What the commands receive from the outside world, built in one place (src/cli.ts) so that the
 * core never reads the terminal or the signals itself and tests can play the organizer: answer
 * "no", press Ctrl-C, restart a container.
 */
import { createInterface } from 'node:readline/promises';
import { processSignals, Signals } from './delivery/run';

export interface World {
  /** Asks a question on the terminal (stderr) and returns the answer. */
  prompt(question: string): Promise<string>;
  /** Whether a person is there to answer. */
  interactive: boolean;
  signals: Signals;
  /** A second Ctrl-C: stop at once. */
  exitNow(code: number): void;
  sleep?: (ms: number) => Promise<void>;
}

export function defaultWorld(): World {
  return {
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        // End of input (a closed stdin) is a "no".
        const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
        return await Promise.race([rl.question(question), closed]);
      } finally {
        rl.close();
      }
    },
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    signals: processSignals,
    exitNow: (code) => process.exit(code),
  };
}
