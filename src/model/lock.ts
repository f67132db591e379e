/**
 * A lock file beside a file rali edits (subscribers.csv.lock), created with O_EXCL so that two
 * commands never read-modify-write the same file at once. A lock left by a dead command is stale
 * after STALE_MS (an edit takes milliseconds) or at once when its process is gone on this host.
 */
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { RaliError } from '../errors';

export const STALE_MS = 30_000;
const WAIT_MS = 15_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isStale(lock: string, staleMs: number): boolean {
  try {
    const st = statSync(lock);
    if (Date.now() - st.mtimeMs > staleMs) return true;
    const [pid, host] = readFileSync(lock, 'utf8').split('\n');
    if (host === hostname() && Number(pid) > 0 && Number(pid) !== process.pid) {
      try {
        process.kill(Number(pid), 0);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return false;
  } catch {
    return false; // gone already: the next attempt takes it
  }
}

/**
 * Runs `fn` while holding `${file}.lock`; waits up to 15 s for another command to finish. A lock
 * older than `staleMs` is taken over (a command that holds it longer says so with a larger value).
 */
export function withFileLock<T>(file: string, display: string, fn: () => T, waitMs = WAIT_MS, staleMs = STALE_MS): T {
  const release = acquire(file, display, waitMs, staleMs);
  try {
    return fn();
  } finally {
    release();
  }
}

/** The same, for work that waits on something else (another process) while it holds the lock. */
export async function withFileLockAsync<T>(
  file: string,
  display: string,
  fn: () => Promise<T>,
  waitMs = WAIT_MS,
  staleMs = STALE_MS,
): Promise<T> {
  const release = acquire(file, display, waitMs, staleMs);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Takes the lock of `file` (waiting for it up to `waitMs`); returns what gives it back. */
function acquire(file: string, display: string, waitMs: number, staleMs: number): () => void {
  const lock = `${file}.lock`;
  const deadline = Date.now() + waitMs;
  let fd: number | undefined;
  let delay = 5;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new RaliError(`${display}.lock: cannot be created (${code}) — check the permissions of the folder of ${display}`);
      if (isStale(lock, staleMs)) {
        // Renaming is atomic: of two commands that find the same stale lock, one removes it.
        const aside = `${lock}.stale-${process.pid}`;
        try {
          renameSync(lock, aside);
          unlinkSync(aside);
        } catch {
          /* another command took it */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new RaliError(
          `${display} is being edited by another rali command (${display}.lock) — retry in a moment; if no rali is running, remove ${display}.lock`,
          1,
        );
      }
      sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    writeSync(fd, `${process.pid}\n${hostname()}\n`);
  } finally {
    closeSync(fd);
  }
  return () => {
    try {
      unlinkSync(lock);
    } catch {
      /* removed as stale by another command: nothing to do */
    }
  };
}
