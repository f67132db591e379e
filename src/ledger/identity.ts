/**
 * Is the ledger this folder opens the one its talks were sent from? A series kept in git and cloned
 * on another machine has no ledger (rali.yaml says which one it was sent from, and where); a copy of
 * the folder with its .rali/ (rsync, a synced drive) has a copy of the ledger — and two copies would
 * each send every reminder. Both must send nothing and say where the ledger is.
 *
 * The identity: a ledger gets an id when it is created, written in rali.yaml (`ledger_id`, kept in
 * git) with where it is (`ledger_home: machine:folder`). A SQLite ledger also remembers its file: its
 * inode and birth time. A copy (rsync, cp, a synced drive, a backup restored) is another file; the
 * same file seen from a restarted container, or a folder moved with `mv`, is the same file — so no
 * host name or PID is trusted, only the file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerConfig } from '../model/series';
import type { Ledger } from './types';

/** The notes of a ledger that say what it is and where it lives. */
export const NOTE = { id: 'ledger_id', folder: 'home_folder', host: 'home_host', file: 'home_file' } as const;

export type Identity =
  /** No ledger, and rali.yaml names none: a new series. */
  | { state: 'new' }
  /** The ledger here is the one rali.yaml names (or it names none yet: it is written in). */
  | { state: 'home'; id: string; writeBack: boolean }
  /** A ledger from before identities: it gets one at its next write. */
  | { state: 'legacy' }
  /** The same file, in a folder that moved on this machine (mv, a bind mount): it follows, and says so once. */
  | { state: 'moved'; id: string; from: string }
  /** rali.yaml names a ledger that is not here (a clone elsewhere, or .rali/ deleted). */
  | { state: 'elsewhere'; id: string; home?: string; url?: string; here: boolean }
  /** A copy of the ledger of `home`: another file with the same id. */
  | { state: 'copy'; id: string; home: string; originalHere: boolean }
  /** The ledger here is not the one rali.yaml names. */
  | { state: 'other'; id: string; named: string }
  /** The ledger here was moved to another store (`rali ledger move`): it sends nothing any more. */
  | { state: 'movedAway'; to: string }
  /** The database holds this series' ledger under another series id: rali.yaml's series.id changed. */
  | { state: 'renamed'; was: string }
  /** The database holds nothing of the series, and rali.yaml names the ledger it was sent from (not moved here). */
  | { state: 'notInDatabase'; id: string; where: string; home?: string };

/** This machine and folder, as a home is written: "host:/real/path". */
export function homeOf(host: string, folder: string): string {
  return `${host}:${folder}`;
}

/** The real path of a folder (a symlinked path is the same folder). */
export function realFolder(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** The identity of a file: its inode and birth time (a copy has new ones; mv keeps them). */
export function fileIdentity(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

/** What a SQLite ledger (or none) in `dir` is, against what rali.yaml says. */
export async function sqliteIdentity(
  cfg: LedgerConfig,
  ledger: Ledger | undefined,
  o: { seriesDir: string; stateFile: string; readId: (stateFile: string) => Promise<string | undefined> },
): Promise<Identity> {
  if (!ledger)
    return cfg.id ? { state: 'elsewhere', id: cfg.id, home: cfg.home, here: homeIsHere(cfg.home, o.seriesDir) } : { state: 'new' };
  const id = await ledger.note(NOTE.id);
  const away = await ledger.note('moved_to');
  if (away) return { state: 'movedAway', to: away };
  if (!id) return cfg.id ? { state: 'other', id: '(none: a ledger from before rali kept identities)', named: cfg.id } : { state: 'legacy' };
  if (cfg.id && cfg.id !== id) return { state: 'other', id, named: cfg.id };
  const folder = realFolder(o.seriesDir);
  const [homeFolder, homeHost, homeFile] = await Promise.all([ledger.note(NOTE.folder), ledger.note(NOTE.host), ledger.note(NOTE.file)]);
  const home = homeOf(homeHost ?? '?', homeFolder ?? '?');
  if (homeFile && homeFile === fileIdentity(o.stateFile)) {
    if (homeFolder === folder) return { state: 'home', id, writeBack: !cfg.id };
    return { state: 'moved', id, from: home };
  }
  // Another file with this id: a copy. Is the original still here, on this machine?
  const originalHere =
    homeFolder !== undefined &&
    homeFolder !== folder &&
    existsSync(join(homeFolder, '.rali', 'state.db')) &&
    (await o.readId(join(homeFolder, '.rali', 'state.db'))) === id;
  return { state: 'copy', id, home, originalHere };
}

/** Whether a home "host:folder" names this very folder. */
function homeIsHere(home: string | undefined, seriesDir: string): boolean {
  if (!home) return false;
  return home.slice(home.indexOf(':') + 1) === realFolder(seriesDir);
}

/** A new identity: an id, and the notes of where the ledger lives. */
export function newIdentity(): string {
  return randomUUID();
}

/** What a database's ledger of the series (or none) is, against what rali.yaml says. */
export async function databaseIdentity(
  cfg: LedgerConfig,
  ledger: Ledger | undefined,
  where: string,
  seriesOf: (ledgerId: string) => Promise<string[]>,
): Promise<Identity> {
  const id = ledger && (await ledger.note(NOTE.id));
  const away = ledger && (await ledger.note('moved_to'));
  if (away) return { state: 'movedAway', to: away };
  if (!ledger || !id) {
    // The ledger rali.yaml names is in this database, under the series' old id.
    const was = cfg.id ? (await seriesOf(cfg.id))[0] : undefined;
    if (was) return { state: 'renamed', was };
    // An empty database (or one from before identities) for a series rali.yaml says was sent elsewhere.
    if (cfg.id && !(ledger && (await ledger.talks()).length)) return { state: 'notInDatabase', id: cfg.id, where, home: cfg.home };
    return ledger ? { state: 'legacy' } : { state: 'new' };
  }
  if (cfg.id && cfg.id !== id) return { state: 'other', id, named: cfg.id };
  return { state: 'home', id, writeBack: !cfg.id };
}
