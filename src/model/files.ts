/**
 * The one way rali replaces a file it keeps (subscribers.csv, a talk file, a cache): through a
 * temporary file beside it and a rename, so an interrupted write never leaves half a file; the
 * file keeps its permissions (a subscriber list at 0600 stays private); a failed write leaves
 * nothing behind.
 */
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function writeFileAtomic(file: string, data: string | Buffer, o: { mode?: number; fsync?: boolean } = {}): void {
  let mode = o.mode;
  if (mode === undefined) {
    try {
      mode = statSync(file).mode & 0o7777;
    } catch {
      /* a new file: the default mode */
    }
  }
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${++counter}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode ?? 0o666);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (o.fsync !== false) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // The umask narrowed the mode of the new file: give it the old file's exactly.
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw e;
  }
}
