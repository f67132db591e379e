/**
 * The CLI run in this process: the same argv parsing and commands as bin/rali, without a process
 * start (about 0.3 s of CPU each). For scenarios that need no real process — signals, exit, pipes and
 * namespaces stay in test/e2e with bin/rali.
 */
import { run } from '../../src/cli';
import type { RunResult } from './series';

export async function raliInProcess(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdout = '';
  let stderr = '';
  const capture = (add: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      add(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  Object.assign(process.env, { NO_COLOR: '1', RALI_BACKOFF_MS: '20', ...opts.env });
  process.chdir(opts.cwd);
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  try {
    const code = await run(args);
    return { code, stdout, stderr, signal: null };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
}
