/**
 * The CLI run in this process: the same argv parsing and commands as bin/rali, without a process
 * start (about 0.3 s of CPU each), in a world of its own (its folder, its environment, its output)
 * — nothing of this process is patched. Signals, exit, pipes and namespaces stay in test/e2e with bin/rali.
 */
import { run } from '../../src/cli';
import { forTerminal } from '../../src/log';
import { redact } from '../../src/secrets';
import type { RunResult } from './series';
import { clockAt, testWorld } from './world';

/** `clock`: this machine's time for the run (cron at that moment); --now is only a rehearsal's. */
export async function raliInProcess(
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string>;
    clock?: string;
    /** The machine's name (another machine of the series). */ host?: string;
  },
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const world = testWorld({
    cwd: opts.cwd,
    ...(opts.host ? { host: opts.host } : {}),
    env: { NO_COLOR: '1', ...opts.env },
    log: Object.assign(
      {
        out: (l: string) => void (stdout += forTerminal(redact(l), false) + '\n'),
        err: (l: string) => void (stderr += forTerminal(redact(l), false) + '\n'),
      },
      { lines: [], errors: [] },
    ),
    write: (chunk) => void (stdout += chunk),
    ...(opts.clock ? { now: clockAt(opts.clock) } : {}),
  });
  const code = await run(args, () => world);
  return { code, stdout, stderr, signal: null };
}
