/**
 * Where incoming mail is read: a Maildir, an mbox file, or an IMAP folder — one message at a time
 * (memory stays flat whatever the mailbox holds), each read only once: a source says where it
 * stopped (IMAP: the folder's UIDVALIDITY and the last UID seen; an mbox: the offset past the last
 * message), so the next run reads only what came since; a Maildir's handled messages leave for
 * its `.rali-done` folder, and the ones left in place are known by their unique names. Bodies are
 * read only for messages that may concern rali (a bounce, a report, a command, an auto-reply);
 * a person's mail is never read past its headers. A source never deletes anything.
 */
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RaliError } from '../errors';

/** The most of a message rali reads: a bounce or a command is never this long; the rest is left. */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export interface Incoming {
  /** Where it is, for messages to people: a file name, an IMAP uid. */
  where: string;
  /** Its identity in this source (remembered when it is left in place, so it is not read again). */
  key: string;
  /** The header block (up to the first blank line): enough to tell a person's mail from a bounce; undefined if it has gone. */
  headers(): Promise<Buffer | undefined>;
  /** The message (at most MAX_MESSAGE_BYTES of it); undefined if it has gone (another run took it). */
  raw(): Promise<Buffer | undefined>;
}

export interface Source {
  describe: string;
  /** A stable name of this mailbox, for the cursor and the keys rali keeps of it. */
  id: string;
  /** The messages after `cursor` (undefined: from the start). */
  messages(cursor: string | undefined): AsyncIterable<Incoming>;
  /** Where the next run starts, once every message given so far has been dealt with. */
  cursor(): string | undefined;
  /** Marks a message handled: moved to the done folder or flagged. False if it had gone (another run took it). */
  done(m: Incoming): Promise<boolean>;
  close(): Promise<void>;
}

export const DONE_KEYWORD = '$rali-done';

/** Reads at most `max` bytes of a file. */
function readHead(file: string, max: number, untilBlankLine = false): Buffer {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(Math.min(65536, max));
    for (;;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, max - total), null);
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total >= max) break;
      if (untilBlankLine) {
        const all = Buffer.concat(chunks);
        const end = headerEnd(all);
        if (end >= 0) return all.subarray(0, end);
      }
    }
    const all = Buffer.concat(chunks);
    if (!untilBlankLine) return all;
    const end = headerEnd(all);
    return end >= 0 ? all.subarray(0, end) : all;
  } finally {
    closeSync(fd);
  }
}

/** A file another run moved away meanwhile reads as undefined. */
function unlessGone(read: () => Buffer): Buffer | undefined {
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function headerEnd(b: Buffer): number {
  const crlf = b.indexOf('\r\n\r\n');
  const lf = b.indexOf('\n\n');
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

/**
 * Maildir: messages in new/ and cur/; a handled one moves to the `.rali-done` sub-folder
 * (Maildir++), in cur/ with the Seen flag. A name taken there already gets a suffix: nothing is
 * ever overwritten. Of two runs at once, one moves each message.
 */
export function maildirSource(dir: string): Source {
  for (const sub of ['cur', 'new']) {
    if (!existsSync(join(dir, sub)))
      throw new RaliError(`--maildir ${dir}: not a Maildir (no ${sub}/ folder) — give the folder that holds cur/, new/ and tmp/`);
  }
  const doneDir = join(dir, '.rali-done');
  return {
    describe: `Maildir ${dir}`,
    id: `maildir:${dir}`,
    async *messages() {
      for (const sub of ['new', 'cur']) {
        // The names are read once; each file is opened when its turn comes (it may have gone).
        for (const name of readdirSync(join(dir, sub)).sort()) {
          if (name.startsWith('.')) continue;
          const file = join(dir, sub, name);
          yield {
            where: join(sub, name),
            key: `maildir:${name.replace(/:2,[A-Za-z]*$/, '')}`,
            headers: async () => unlessGone(() => readHead(file, 256 * 1024, true)),
            raw: async () => unlessGone(() => readHead(file, MAX_MESSAGE_BYTES)),
          };
        }
      }
    },
    cursor: () => undefined,
    async done(m) {
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(doneDir, sub), { recursive: true });
      const name = basename(m.where).replace(/:2,([A-Za-z]*)$/, '');
      const flags = /:2,([A-Za-z]*)$/.exec(m.where)?.[1] ?? '';
      const newFlags = [...new Set((flags + 'S').split(''))].sort().join('');
      const from = join(dir, m.where);
      // link() refuses a name that exists, where rename() would replace that message.
      for (let n = 0; ; n++) {
        const to = join(doneDir, 'cur', `${name}${n ? `.${n}` : ''}:2,${newFlags}`);
        try {
          linkSync(from, to);
          break;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return false;
          if (code !== 'EEXIST' || n > 1000) throw e;
        }
      }
      try {
        unlinkSync(from);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      return true;
    },
    async close() {
      /* nothing held */
    },
  };
}

/**
 * mbox: read only (rewriting an mbox another program appends to is unsafe), one message at a time,
 * from where the last run stopped (the offset past its last message, kept with the file's identity:
 * a file replaced or cut shorter is read again from its start; the ledger remembers each message).
 */
export function mboxSource(file: string): Source {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new RaliError(`--mbox ${file}: cannot read it (${(e as NodeJS.ErrnoException).code}) — give an mbox file`);
  }
  const identity = `${st.ino}`;
  let next: string | undefined;
  return {
    describe: `mbox ${file}`,
    id: `mbox:${file}`,
    async *messages(cursor) {
      const m = cursor ? /^(\d+)@(\d+)$/.exec(cursor) : null;
      let offset = m && m[2] === identity && Number(m[1]) <= statSync(file).size ? Number(m[1]) : 0;
      next = `${offset}@${identity}`;
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(1 << 16);
        let pending = Buffer.alloc(0);
        let pos = offset;
        let start = -1; // offset of the current message's "From " line
        let lines: Buffer[] = [];
        let size = 0;
        let index = 0;
        const flush = (): Incoming | undefined => {
          if (start < 0) return undefined;
          const body = Buffer.concat(lines);
          const at = start;
          lines = [];
          size = 0;
          start = -1;
          index++;
          // mboxrd: ">From " lines were quoted when written.
          const raw = Buffer.from(body.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
          return {
            where: `message at byte ${at}`,
            key: `mbox:${at}`,
            headers: async () => raw.subarray(0, Math.max(0, headerEnd(raw))),
            raw: async () => raw,
          };
        };
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, pos);
          const chunk = n > 0 ? Buffer.concat([pending, buf.subarray(0, n)]) : pending;
          pos += n;
          let from = 0;
          for (;;) {
            const nl = chunk.indexOf(10, from);
            if (nl < 0) break;
            const line = chunk.subarray(from, nl + 1);
            const lineAt = offset;
            offset += line.length;
            from = nl + 1;
            if (line.subarray(0, 5).toString('latin1') === 'From ') {
              const done = flush();
              start = lineAt;
              if (done) {
                yield done;
                // Dealt with: the next run starts at the message after it.
                next = `${lineAt}@${identity}`;
              }
              continue;
            }
            if (start >= 0 && size < MAX_MESSAGE_BYTES) {
              lines.push(Buffer.from(line));
              size += line.length;
            }
          }
          pending = Buffer.from(chunk.subarray(from));
          if (n <= 0) break;
        }
        if (pending.length && start >= 0 && size < MAX_MESSAGE_BYTES) lines.push(pending);
        offset += pending.length;
        const last = flush();
        if (last) {
          yield last;
          next = `${offset}@${identity}`;
        }
        void index;
      } finally {
        closeSync(fd);
      }
    },
    cursor: () => next,
    async done() {
      return true;
    },
    async close() {
      /* nothing held */
    },
  };
}

export interface ImapSettings {
  host: string;
  port: number;
  user: string;
  folder: string;
  doneFolder?: string;
  password?: string;
  accessToken?: string;
  /** A server that stops answering ends the run after this long (RALI_IMAP_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * IMAP over TLS with imapflow: the messages whose UID is above the last one seen (the UIDVALIDITY
 * changing means the folder was rebuilt: read it all again; the ledger remembers what was handled),
 * their headers first, their bodies only when they may concern rali; handled ones flagged (and moved).
 */
export async function imapSource(s: ImapSettings): Promise<Source> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: true,
    logger: false,
    auth: s.accessToken ? { user: s.user, accessToken: s.accessToken } : { user: s.user, pass: s.password ?? '' },
    emitLogs: false,
    connectionTimeout: 30_000,
    // A server that stops answering ends the run within a minute (imapflow waits 5 by default):
    // cron's next run goes on where this one stopped.
    socketTimeout: s.timeoutMs,
  } as ConstructorParameters<typeof ImapFlow>[0]);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    const err = e as { authenticationFailed?: boolean; code?: string; message: string };
    if (err.authenticationFailed)
      throw new RaliError(
        `inbox: ${s.user}@${s.host} refused the login — check inbox.user and ${s.accessToken ? 'RALI_IMAP_ACCESS_TOKEN (it may have expired)' : 'RALI_IMAP_PASSWORD (Gmail needs an app password; Microsoft 365 needs RALI_IMAP_ACCESS_TOKEN)'}`,
      );
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code ?? ''))
      throw new RaliError(
        `inbox: ${s.host}:${s.port} presents a certificate that is not trusted (${err.code}) — use the server's public name in inbox.host, or give its CA with NODE_EXTRA_CA_CERTS=FILE`,
      );
    throw new RaliError(
      `inbox: cannot reach ${s.host}:${s.port} over TLS (${err.code ?? err.message}) — check inbox.host and inbox.port in rali.yaml (usually 993)`,
    );
  }
  let mailbox: { uidValidity: bigint | number };
  try {
    mailbox = (await client.mailboxOpen(s.folder)) as unknown as { uidValidity: bigint | number };
  } catch {
    await client.logout().catch(() => undefined);
    throw new RaliError(`inbox: no folder "${s.folder}" on ${s.host} — check inbox.folder in rali.yaml (usually INBOX)`);
  }
  if (s.doneFolder) {
    const exists = (await client.list()).some((b) => b.path === s.doneFolder);
    if (!exists) await client.mailboxCreate(s.doneFolder).catch(() => undefined);
  }
  const validity = String(mailbox.uidValidity);
  let next: string | undefined;
  return {
    describe: `IMAP ${s.user}@${s.host}/${s.folder}`,
    id: `imap:${s.user}@${s.host}/${s.folder}`,
    async *messages(cursor) {
      const m = cursor ? /^(\d+):(\d+)$/.exec(cursor) : null;
      let last = m && m[1] === validity ? Number(m[2]) : 0;
      next = `${validity}:${last}`;
      // The UIDs first (a number each), then each message's headers and, if need be, its body.
      const uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter((u) => u > last).sort((a, b) => a - b);
      for (const uid of uids) {
        const id = String(uid);
        let headers: Buffer | undefined;
        yield {
          where: `uid ${uid}`,
          key: `imap:${validity}:${uid}`,
          headers: async () =>
            (headers ??=
              ((await client.fetchOne(id, { headers: true }, { uid: true })) || { headers: Buffer.alloc(0) }).headers ?? Buffer.alloc(0)),
          raw: async () => {
            const f = await client.fetchOne(id, { source: { start: 0, maxLength: MAX_MESSAGE_BYTES } } as never, { uid: true });
            return (f && f.source) || Buffer.alloc(0);
          },
        };
        last = uid;
        next = `${validity}:${last}`;
      }
    },
    cursor: () => next,
    async done(msg) {
      const uid = msg.where.slice(4);
      await client.messageFlagsAdd(uid, ['\\Seen', DONE_KEYWORD], { uid: true });
      if (s.doneFolder) await client.messageMove(uid, s.doneFolder, { uid: true });
      return true;
    },
    async close() {
      await client.logout().catch(() => undefined);
    },
  };
}
