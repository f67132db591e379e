/**
 * Opening a series' ledger. A command holds one `LedgerAccess`: it reads through a read-only handle
 * (nothing is created by looking), and the first write opens the ledger for writing (creating and
 * migrating it) and serves every later read too — one connection (or pool) at a time. The store is
 * SQLite beside rali.yaml, or a PostgreSQL database shared by the machines that run the series.
 *
 * A command that sends (`send` mode) first makes sure the ledger is the one the series was sent
 * from (identity.ts): a clone without it, or a copy of it, sends nothing and says where it is.
 */
import { setSeriesKeys } from '../model/edit';
import type { LedgerConfig } from '../model/series';
import { identity as M, ledgerMove as MM } from '../messages';
import { LedgerError } from './errors';
import { databaseIdentity, fileIdentity, homeOf, Identity, newIdentity, NOTE, realFolder, sqliteIdentity } from './identity';
import { PostgresLedger } from './postgres';
import { moveLedger, MoveResult } from './move';
import { withoutPassword } from './url';
import { SqliteLedger } from './sqlite';
import { LEDGER_FILE } from './sqlite/db';
import type { Ledger, LedgerOptions } from './types';
import { join } from 'node:path';

export * from './types';
export { LedgerError, TalkChanged } from './errors';
export { withoutPassword, withPassword } from './url';
export type { Identity } from './identity';

/** Where a series' ledger is: a folder (state.db in it), or a database and the series' id in it. */
export type LedgerLocation = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string; seriesId: string };

/** What the ledger needs to know of the series: its folder, its rali.yaml and what rali.yaml says of the ledger. */
export interface SeriesRef {
  id: string;
  dir: string;
  configFile: string;
  ledger: LedgerConfig;
}

export interface AccessOptions extends LedgerOptions {
  /** `send`: the ledger must be the series' own (a refusal otherwise); `look`: read whatever is there. */
  mode: 'send' | 'look';
  /** A note for the organizer (stderr): the folder moved, rali.yaml now names the ledger. */
  say?: (line: string) => void;
  /** rali.yaml as the organizer reads its path. */
  configShown?: string;
}

export class LedgerAccess {
  private ro: Ledger | undefined | null = null;
  private rw: Ledger | undefined;
  private checked = false;
  private opening: Promise<Ledger> | undefined;

  constructor(
    readonly series: SeriesRef,
    readonly location: LedgerLocation,
    readonly options: AccessOptions,
  ) {}

  private get stateFile(): string {
    return join(this.location.kind === 'sqlite' ? this.location.dir : '', LEDGER_FILE);
  }

  /** For messages: the file or the database. */
  get where(): string {
    const l = this.location;
    return this.rw?.where ?? this.ro?.where ?? (l.kind === 'sqlite' ? this.stateFile : PostgresLedger.whereOf(l.url, l.seriesId));
  }

  private async openRead(): Promise<Ledger | undefined> {
    if (this.rw) return this.rw;
    if (this.opening) return this.opening;
    return this.readOnlyHandle();
  }

  /** The read-only handle (never waits for an opening for writing: that opening asks it). */
  private async readOnlyHandle(): Promise<Ledger | undefined> {
    if (this.rw) return this.rw;
    if (this.ro === null) {
      const l = this.location;
      this.ro =
        l.kind === 'sqlite'
          ? SqliteLedger.openReadOnly(l.dir, this.options)
          : await PostgresLedger.open(l.url, l.seriesId, this.options, { write: false });
    }
    return this.ro;
  }

  /** What the ledger here is, against what rali.yaml says. */
  async identity(): Promise<Identity> {
    return this.identityOf(await this.openRead());
  }

  private async identityOf(ledger: Ledger | undefined): Promise<Identity> {
    const l = this.location;
    if (l.kind === 'postgres')
      return databaseIdentity(this.series.ledger, ledger, this.where, async (ledgerId) => {
        const db = await PostgresLedger.openAny(l.url, this.options);
        try {
          return db ? await db.seriesOfLedger(ledgerId) : [];
        } finally {
          await db?.close();
        }
      });
    return sqliteIdentity(this.series.ledger, ledger, {
      seriesDir: this.series.dir,
      stateFile: this.stateFile,
      readId: async (file) => {
        const other = SqliteLedger.openReadOnly(join(file, '..'), this.options);
        try {
          return await other?.note(NOTE.id);
        } finally {
          await other?.close();
        }
      },
    });
  }

  /** In send mode, a ledger that is not the series' own stops the command here, saying where it is. */
  private async check(ledger?: () => Promise<Ledger | undefined>): Promise<Identity | undefined> {
    if (this.options.mode !== 'send' || this.checked) return undefined;
    const id = await this.identityOf(await (ledger ?? (() => this.openRead()))());
    const refusal = refusalOf(id, this.series, this.options.configShown ?? this.series.configFile);
    if (refusal) throw new LedgerError(this.where, 'identity', refusal);
    this.checked = true;
    return id;
  }

  /** The ledger to read, or undefined when there is none yet. */
  async read(): Promise<Ledger | undefined> {
    await this.check();
    return this.openRead();
  }

  /** The ledger to write (created if needed): a new one gets its identity, written in rali.yaml. */
  async write(): Promise<Ledger> {
    if (this.rw) return this.rw;
    // Two writes asking at once (a database opens asynchronously) share one opening.
    this.opening ??= (async () => {
      const readOnly = () => this.readOnlyHandle();
      const before = (await this.check(readOnly)) ?? (await this.identityOf(await readOnly()));
      const l = this.location;
      const rw =
        l.kind === 'sqlite'
          ? SqliteLedger.open(l.dir, this.options)
          : (await PostgresLedger.open(l.url, l.seriesId, this.options, { write: true }))!;
      this.rw = rw;
      const ro = this.ro;
      this.ro = null;
      await ro?.close();
      await this.settle(rw, before);
      return rw;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Gives a new or older ledger its identity, follows a folder that moved, and writes rali.yaml. */
  private async settle(l: Ledger, id: Identity): Promise<void> {
    const shown = this.options.configShown ?? this.series.configFile;
    if (this.location.kind === 'postgres') {
      // A database is its own home: rali.yaml names it (without its password) and the ledger's id.
      const url = withoutPassword(this.location.url);
      if (id.state === 'new' || id.state === 'legacy') {
        const ledgerId = await l.claimNote(NOTE.id, newIdentity());
        this.writeConfig({ ledger: url, ledger_id: ledgerId, ledger_home: undefined }, M.named(shown));
      } else if (id.state === 'home' && (id.writeBack || this.series.ledger.url !== url || this.series.ledger.home)) {
        this.writeConfig({ ledger: url, ledger_id: id.id, ledger_home: undefined }, M.named(shown));
      }
      return;
    }
    const folder = realFolder(this.series.dir);
    const home = homeOf(this.options.host, folder);
    const stamp = async (ledgerId: string) => {
      ledgerId = await l.claimNote(NOTE.id, ledgerId);
      await l.setNote(NOTE.folder, folder);
      await l.setNote(NOTE.host, this.options.host);
      await l.setNote(NOTE.file, fileIdentity(this.stateFile) ?? '');
      return ledgerId;
    };
    if (id.state === 'new' || id.state === 'legacy') {
      // Of two first runs at once, the first id claimed is the one both write.
      const ledgerId = await stamp(newIdentity());
      this.writeConfig({ ledger_id: ledgerId, ledger_home: home }, M.named(shown));
    } else if (id.state === 'moved') {
      await stamp(id.id);
      this.writeConfig({ ledger_id: id.id, ledger_home: home }, M.moved(id.from, home));
    } else if (id.state === 'home' && (id.writeBack || this.series.ledger.home !== home)) {
      this.writeConfig({ ledger_id: id.id, ledger_home: home }, id.writeBack ? M.named(shown) : undefined);
    }
  }

  private writeConfig(values: Record<string, string | undefined>, note: string | undefined): void {
    try {
      setSeriesKeys(this.series.configFile, values);
      if (note) this.options.say?.(note);
    } catch (e) {
      const shown = Object.fromEntries(Object.entries(values).filter((v): v is [string, string] => v[1] !== undefined));
      this.options.say?.(M.cannotWrite(this.options.configShown ?? this.series.configFile, shown, (e as Error).message));
    }
  }

  /** Takes this copy of the ledger (or this moved folder) as the series' home from now on. */
  async adopt(): Promise<{ id: string; from?: string }> {
    const id = await this.identity();
    if (
      this.location.kind === 'postgres' ||
      id.state === 'new' ||
      id.state === 'elsewhere' ||
      id.state === 'movedAway' ||
      id.state === 'renamed'
    )
      throw new LedgerError(this.where, 'identity', M.nothingToAdopt(this.where));
    const from = id.state === 'copy' ? id.home : id.state === 'moved' ? id.from : undefined;
    const l = (this.rw ??= SqliteLedger.open(this.location.dir, this.options));
    const ledgerId = id.state === 'legacy' ? newIdentity() : id.id;
    const folder = realFolder(this.series.dir);
    await l.setNote(NOTE.id, ledgerId);
    await l.setNote(NOTE.folder, folder);
    await l.setNote(NOTE.host, this.options.host);
    await l.setNote(NOTE.file, fileIdentity(this.stateFile) ?? '');
    setSeriesKeys(this.series.configFile, { ledger_id: ledgerId, ledger_home: homeOf(this.options.host, folder) });
    return { id: ledgerId, from };
  }

  /**
   * Moves this series' own ledger to `to` (`rali ledger move`), then says so in rali.yaml: a
   * database by its URL (without its password), SQLite by its home.
   */
  async moveTo(to: LedgerLocation): Promise<MoveResult> {
    // A ledger from before identities gets its id first (the one rali.yaml will name).
    const source = (await this.read()) && (await this.write());
    if (!source) throw new LedgerError(this.where, 'identity', MM.noIdentity);
    const folder = realFolder(this.series.dir);
    const result = await moveLedger(source, this.location, to, { ...this.options, folder });
    this.ro = null;
    this.rw = undefined;
    setSeriesKeys(
      this.series.configFile,
      to.kind === 'postgres'
        ? { ledger: withoutPassword(to.url), ledger_id: result.id, ledger_home: undefined }
        : { ledger: undefined, ledger_id: result.id, ledger_home: homeOf(this.options.host, folder) },
    );
    return result;
  }

  async close(): Promise<void> {
    const [ro, rw] = [this.ro, this.rw];
    this.ro = null;
    this.rw = undefined;
    await ro?.close();
    await rw?.close();
  }
}

/** Why a sending command must not use this ledger, or undefined when it may. */
export function refusalOf(id: Identity, series: SeriesRef, configShown: string): string | undefined {
  switch (id.state) {
    case 'elsewhere':
      return id.here ? M.gone(configShown, id.id) : M.elsewhere(configShown, id.id, id.home);
    case 'copy':
      return M.copy(id.home, id.originalHere);
    case 'other':
      return M.other(configShown, id.id, id.named);
    case 'renamed':
      return M.renamed(configShown, series.id, id.was);
    case 'movedAway':
      return MM.movedAway(configShown, id.to);
    case 'notInDatabase':
      return M.notInDatabase(configShown, id.where, id.id, id.home);
    default:
      void series;
      return undefined;
  }
}
