/**
 * Where incoming mail is read: a Maildir, an mbox file, or an IMAP folder. A source lists the
 * messages not yet handled and marks one handled; it never deletes anything.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RaliError } from '../errors';

export interface Incoming {
  /** Where it is, for messages to people: a file name or an IMAP uid. */
  where: string;
  raw: Buffer;
}

export interface Source {
  describe: string;
  list(): Promise<Incoming[]>;
  /** Marks a message handled: moved to the done folder or flagged. False if it had gone (another run took it). */
  done(m: Incoming): Promise<boolean>;
  close(): Promise<void>;
}

export const DONE_KEYWORD = '$rali-done';

/**
 * Maildir: messages in new/ and cur/; a handled one moves to the `.rali-done` sub-folder
 * (Maildir++), in cur/ with the Seen flag. The rename is atomic: of two runs, one wins.
 */
export function maildirSource(dir: string): Source {
  for (const sub of ['cur', 'new']) {
    if (!existsSync(join(dir, sub)))
      throw new RaliError(`--maildir ${dir}: not a Maildir (no ${sub}/ folder) — give the folder that holds cur/, new/ and tmp/`);
  }
  const doneDir = join(dir, '.rali-done');
  return {
    describe: `Maildir ${dir}`,
    async list() {
      const out: Incoming[] = [];
      for (const sub of ['new', 'cur']) {
        for (const name of readdirSync(join(dir, sub)).sort()) {
          if (name.startsWith('.')) continue;
          try {
            out.push({ where: join(sub, name), raw: readFileSync(join(dir, sub, name)) });
          } catch {
            /* taken by another run */
          }
        }
      }
      return out;
    },
    async done(m) {
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(doneDir, sub), { recursive: true });
      const name = basename(m.where).replace(/:2,([A-Za-z]*)$/, '');
      const flags = /:2,([A-Za-z]*)$/.exec(m.where)?.[1] ?? '';
      const newFlags = [...new Set((flags + 'S').split(''))].sort().join('');
      try {
        renameSync(join(dir, m.where), join(doneDir, 'cur', `${name}:2,${newFlags}`));
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    },
    async close() {
      /* nothing held */
    },
  };
}

/** mbox: read only (rewriting an mbox another program appends to is unsafe); the ledger remembers what was handled. */
export function mboxSource(file: string): Source {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    throw new RaliError(`--mbox ${file}: cannot read it (${(e as NodeJS.ErrnoException).code}) — give an mbox file`);
  }
  return {
    describe: `mbox ${file}`,
    async list() {
      const msgs = text.split(/^From [^\n]*\n/m).filter((s) => s.trim());
      // mboxrd: ">From " lines were quoted when written
      return msgs.map((m, i) => ({ where: `message ${i + 1}`, raw: Buffer.from(m.replace(/^>(>*From )/gm, '$1'), 'latin1') }));
    },
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

/** IMAP over TLS with imapflow: reads messages without the `$rali-done` keyword; flags (and moves) handled ones. */
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
  try {
    await client.mailboxOpen(s.folder);
  } catch {
    await client.logout().catch(() => undefined);
    throw new RaliError(`inbox: no folder "${s.folder}" on ${s.host} — check inbox.folder in rali.yaml (usually INBOX)`);
  }
  if (s.doneFolder) {
    const exists = (await client.list()).some((b) => b.path === s.doneFolder);
    if (!exists) await client.mailboxCreate(s.doneFolder!).catch(() => undefined);
  }
  return {
    describe: `IMAP ${s.user}@${s.host}/${s.folder}`,
    async list() {
      const uids = (await client.search({ unKeyword: DONE_KEYWORD }, { uid: true })) || [];
      const out: Incoming[] = [];
      for (const uid of uids) {
        const m = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (m && m.source) out.push({ where: `uid ${uid}`, raw: m.source });
      }
      return out;
    },
    async done(m) {
      const uid = m.where.slice(4);
      await client.messageFlagsAdd(uid, ['\\Seen', DONE_KEYWORD], { uid: true });
      if (s.doneFolder) await client.messageMove(uid, s.doneFolder, { uid: true });
      return true;
    },
    async close() {
      await client.logout().catch(() => undefined);
    },
  };
}
