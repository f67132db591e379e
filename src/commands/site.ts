/** `rali site [-o DIR]`: the series on the web — pages, year archives, calendar and Atom feeds. */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { DateTime } from 'luxon';
import { EXIT_OK, EXIT_UNDELIVERED, InputError, Problem, RaliError } from '../errors';
import type { Identity } from '../ledger';
import type { Ledger } from '../ledger/types';
import { owedFor } from '../delivery/owed';
import { warnAll } from '../log';
import { site as M } from '../messages';
import { readTalk, sameIdProblem, Series, sharedIds, Talk, talkFiles } from '../model';
import { packageVersion } from '../paths';
import { KEYS, MANIFEST, previousBuild, renderSite, writeSite } from '../site/build';
import { withFileLockAsync } from '../model/lock';
import { writeFileAtomic } from '../model/files';
import { FeedTalk } from '../site/feed';
import { searchIndex } from '../site/search';
import { SiteTemplates } from '../site/templates';
import { seriesOf, withLedger } from './common';
import type { World } from './world';

export interface SiteOptions {
  config?: string;
  output?: string;
  /** How long to wait for another build of the same folder (tests shorten it). */
  lockWaitMs?: number;
}

/** Another build of the folder is waited for this long; its lock is taken over when older than the stale age (or its process is gone). */
const SITE_LOCK_WAIT_MS = 60_000;
const SITE_LOCK_STALE_MS = 5 * 60_000;

/**
 * What a talk file gave last time, keyed by its path and a digest of its bytes (and the series
 * file's and rali's version, which change what a talk normalizes to): parsing YAML is most of a
 * build's time, so an unchanged talk is not parsed again. A digest, not the size and modification
 * time: an edit of the same length within the same second (coarse clocks, scripts) is still seen.
 * Kept beside the ledger, never published.
 */
const CACHE_FILE = 'site-cache.json';
/** Bumped when what an entry holds changes shape (2: times as milliseconds; 3: digests). */
const CACHE_FORMAT = 4;
interface CacheEntry {
  digest: string;
  /** None for a draft with errors (skipped). */
  talk?: Record<string, unknown>;
  problems: Problem[];
  draft?: boolean;
}
interface Cache {
  key: string;
  talks: Record<string, CacheEntry>;
}

function cacheKey(series: Series): string {
  const c = createHash('sha1').update(readFileSync(series.configFile)).digest('base64');
  return `${CACHE_FORMAT}|${packageVersion()}|${c}`;
}

function readCache(series: Series): Cache {
  const key = cacheKey(series);
  try {
    const c = JSON.parse(readFileSync(join(series.stateDir, CACHE_FILE), 'utf8')) as Cache;
    if (c.key === key && c.talks && typeof c.talks === 'object') return c;
  } catch {
    /* none yet, or unreadable: start afresh */
  }
  return { key, talks: {} };
}

function writeCache(series: Series, cache: Cache): void {
  try {
    mkdirSync(series.stateDir, { recursive: true });
    writeFileAtomic(join(series.stateDir, CACHE_FILE), JSON.stringify(cache), { fsync: false });
  } catch {
    /* a read-only folder: the next build parses again */
  }
}

const revive = (t: Record<string, unknown>, zone: string): Talk => ({
  ...(t as unknown as Talk),
  start: DateTime.fromMillis(t.start as number, { zone }),
  end: DateTime.fromMillis(t.end as number, { zone }),
});

/** What the site is made of: the talks with their SEQUENCE, the warnings, the drafts left out. */
export interface SiteTalks {
  talks: FeedTalk[];
  warnings: Problem[];
  /** Talk files with `status: draft`: not published (those with errors are not a stop either). */
  drafts: string[];
}

/**
 * Every talk of the series, with its SEQUENCE as the invitations carry it (`sequences`, from the
 * ledger; 0 for a talk never mailed); all problems at once. A draft is left out: a draft with
 * errors gives one warning instead of stopping the build.
 */
export async function loadSiteTalks(series: Series, ledger: Ledger | undefined, opts: { cache?: boolean } = {}): Promise<SiteTalks> {
  // The SEQUENCE each invitation carries, read once.
  const sequences = new Map(((await ledger?.talks().catch(() => undefined)) ?? []).map((t) => [t.uid, t.sequence]));
  return readSiteTalks(series, sequences, opts);
}

function readSiteTalks(series: Series, sequences: Map<string, number>, opts: { cache?: boolean }): SiteTalks {
  const problems: Problem[] = [];
  const talks: FeedTalk[] = [];
  const drafts: string[] = [];
  // The archive is mostly past talks: "in the past" is no warning here (the epoch is never after a talk).
  const epoch = DateTime.fromMillis(0);
  const useCache = opts.cache !== false;
  const cache: Cache = useCache ? readCache(series) : { key: '', talks: {} };
  const fresh: Cache = { key: cache.key, talks: {} };
  let parsed = 0;
  for (const file of talkFiles(series)) {
    let st, digest;
    try {
      st = statSync(file);
      digest = createHash('sha1').update(readFileSync(file)).digest('base64');
    } catch {
      continue; /* gone since the folder was listed */
    }
    let entry: CacheEntry | undefined = cache.talks[file];
    if (!entry || entry.digest !== digest) {
      parsed++;
      const r = readTalk(file, series, epoch);
      const talk = r.talk;
      entry = {
        digest,
        talk: talk && { ...talk, start: talk.start.toMillis(), end: talk.end.toMillis() },
        problems: r.problems,
        draft: r.draft,
      };
    }
    if (entry.draft) {
      // Neither published nor a stop: its errors are one warning, said again at each build until it is ready.
      drafts.push(file);
      const errors = entry.problems.filter((p) => p.severity === 'error');
      if (errors.length) problems.push(draftProblem(entry.problems[0], errors.length));
      fresh.talks[file] = entry;
      continue;
    }
    problems.push(...entry.problems);
    if (!entry.talk) continue;
    fresh.talks[file] = entry;
    const talk = revive(entry.talk, series.timezone);
    const sequence = sequences.get(talk.uid) ?? 0;
    // DTSTAMP and Atom's <updated>: when the talk file last changed, so an unchanged talk gives the same bytes.
    const stamp = DateTime.fromMillis(Math.floor(st.mtimeMs / 1000) * 1000, { zone: 'utc' });
    talks.push({ talk, sequence, stamp });
  }
  // Two files with one id would be one page and one calendar event.
  for (const [id, list] of sharedIds(talks.map((t) => t.talk)))
    for (const t of list.slice(1)) problems.push(sameIdProblem(t.file, id, list[0].file, series.cwd));
  if (problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  if (useCache && (parsed > 0 || Object.keys(fresh.talks).length !== Object.keys(cache.talks).length)) writeCache(series, fresh);
  return { talks, warnings: problems, drafts };
}

/** A draft's errors, as one warning at its first problem. */
function draftProblem(first: Problem, errors: number): Problem {
  return {
    ...first,
    severity: 'warning',
    message: M.draft(errors, first.path, first.message),
    hint: M.draftHint,
  };
}

/**
 * Whether the SEQUENCE of the invitations is known here: the ledger is the series' own, or the
 * series never sent anything. A clone whose ledger is elsewhere, or a copy of it, does not know it.
 */
const KNOWN: Identity['state'][] = ['home', 'moved', 'legacy', 'new'];

export async function site(o: SiteOptions, w: World): Promise<number> {
  const log = w.log;
  const started = process.hrtime.bigint();
  // bin/rali starts V8 with --optimize-for-size (flat memory for long recipient lists); a site
  // build allocates thousands of pages and runs twice as fast without it (npm run bench:site).
  setFlagsFromString('--no-optimize-for-size');
  const series = seriesOf(o.config, w);
  const out = o.output ? resolve(w.cwd, o.output) : series.site.output;
  checkOutput(out, series, o.output ? M.outputGiven(o.output) : M.outputConfigured(relative(w.cwd, series.configFile)));
  const now = w.now();
  const { st, known, elsewhere, changed } = await withLedger(w, series, 'look', async (a) => {
    const id = await a.identity();
    const known = KNOWN.includes(id.state);
    // A copy of the ledger (or another one) may be behind the mails: only the series' own is read.
    const ledger = known ? await a.read() : undefined;
    const st = await loadSiteTalks(series, ledger);
    return {
      st,
      known,
      elsewhere: known ? undefined : ledgerHome(id, a.where),
      changed: ledger ? await notInCalendars(ledger, st, now) : [],
    };
  });
  warnAll(log, st.warnings);
  // The site shows what the files say: a change the invitations do not carry yet is said, never silent.
  for (const c of changed) log.err(M.notInCalendars(c));
  if (!known) log.err(M.noCalendars(elsewhere));
  if (st.drafts.length) log.err(M.drafts(st.drafts.length));
  const talks = st.talks;
  const shown = relative(w.cwd, out);
  const where = !shown ? '.' : shown.startsWith('..') ? out : shown;
  // One build at a time per folder: two at once (cron and the organizer) could interleave the
  // bytes of one page, and the keys of one build could vouch for the other's file.
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw writeFailure(e, out);
  }
  const { files, r, problem } = await withFileLockAsync(
    join(out, MANIFEST),
    `${where}/${MANIFEST}`,
    async () => {
      const previous = previousBuild(out);
      // The search index is made by another process while this one renders the pages.
      const search = searchIndex(
        series,
        talks.map((t) => t.talk),
        now,
        previous,
      );
      const pages = renderSite({
        series,
        talks,
        templates: new SiteTemplates(series.templatesDir, w.cwd),
        now,
        previous,
        calendars: known,
      });
      const { files: index, problem } = await search;
      const files = [...pages, ...index];
      // Without the ledger, the calendar files an earlier build made where it is stay as they are.
      const calendarFile = (p: string) => !known && (/^seminars(\.\w+)?\.ics$/.test(p) || p.startsWith('ics/'));
      // Without Pagefind, an earlier build's index stays too (a warning says why).
      const indexFile = (p: string) => problem !== undefined && p.startsWith('pagefind');
      try {
        return { files, r: writeSite(out, files, (p) => calendarFile(p) || indexFile(p)), problem };
      } catch (e) {
        throw writeFailure(e, out);
      }
    },
    o.lockWaitMs ?? SITE_LOCK_WAIT_MS,
    SITE_LOCK_STALE_MS,
  );
  if (problem) log.err(M.noSearch(problem));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.out(M.built(where, talks.length, files.length, r.written.length, r.unchanged, r.removed.length, ms));
  if (!series.site.url) log.err(M.noUrl(relative(w.cwd, series.configFile)));
  if (r.foreign.length) {
    const list = r.foreign.slice(0, 5).map((p) => `${where}/${p}`);
    throw new RaliError(M.foreign(list, r.foreign.length), EXIT_UNDELIVERED);
  }
  return EXIT_OK;
}

/** Where the series' ledger is, said when it is not here. */
function ledgerHome(id: Identity, where: string): string {
  switch (id.state) {
    case 'elsewhere':
      return M.homeNamed(id.home, id.url);
    case 'copy':
      return M.homeCopy(id.home);
    case 'notInDatabase':
      return M.homeNotInDatabase(id.home);
    default:
      return M.homeOther(where);
  }
}

/** What the files say and the invitations do not carry yet (a new time, a cancellation): one line each. */
async function notInCalendars(ledger: Ledger, st: SiteTalks, now: DateTime): Promise<string[]> {
  const stored = new Map((await ledger.talks()).map((t) => [t.uid, t]));
  const out: string[] = [];
  for (const { talk } of st.talks) {
    const s = stored.get(talk.uid);
    if (!s) continue;
    for (const o of await owedFor(ledger, talk, s, now))
      if (o.what === 'cancel' || o.what === 'reinstate' || o.what === 'update') out.push(`${talk.display}: ${o.message}`);
  }
  return out;
}

/**
 * The real path of `p`, symbolic links resolved — a link that points nowhere yet (to a folder a
 * build would create, .rali/ before the first send) included — then what does not exist yet.
 */
function realPath(p: string, depth = 0): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    /* not there (yet), or a link to nothing */
  }
  if (depth > 40) return abs;
  try {
    if (lstatSync(abs).isSymbolicLink()) return realPath(resolve(dirname(abs), readlinkSync(abs)), depth + 1);
  } catch {
    /* not there */
  }
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPath(parent, depth + 1), basename(abs));
}

const within = (dir: string, path: string) => {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/**
 * The site folder is published as a whole: it must not hold the series' own files (the
 * subscribers, the ledger), nor be one of the series' folders — compared as real paths, so that a
 * symbolic link to the series folder is the series folder. `where` says where it was given.
 */
function checkOutput(given: string, series: Series, where: string): void {
  const fix = M.ownFolderFix;
  const out = realPath(given);
  const own: [string, string][] = [
    [series.subscribersFile, M.own.subscribers],
    [series.stateDir, M.own.ledger],
    [series.configFile, M.own.config],
    [series.talksDir, M.own.talks],
    [series.outboxDir, M.own.outbox],
  ];
  for (const [path, what] of own) if (within(out, realPath(path))) throw new RaliError(M.holdsOwn(where, given, what, fix));
  for (const dir of [series.talksDir, series.stateDir, series.outboxDir, series.templatesDir])
    if (dir && within(realPath(dir), out)) throw new RaliError(M.insideOwn(where, given, dir, fix));
  try {
    if (!statSync(given).isDirectory()) throw new RaliError(M.isFile(where, given, fix));
  } catch (e) {
    if (e instanceof RaliError) throw e;
    /* not there yet: it is made */
  }
}

/**
 * A file the build could not write: which, why, and what to do. The page keys are dropped, so the
 * next build compares every file with what it should hold (a half-written page is rewritten).
 */
function writeFailure(e: unknown, out: string): unknown {
  // Whatever stopped the build, the keys go: a page written before it stopped must not be vouched for.
  try {
    unlinkSync(join(out, KEYS));
  } catch {
    /* none, or not writable either */
  }
  const err = e as NodeJS.ErrnoException;
  if (!err.code || !err.path) return e;
  // A file in the way: name it, not the folder that could not be made under it.
  let path = err.path;
  if (err.code === 'ENOTDIR' || err.code === 'EEXIST')
    for (let p = path; within(out, p) && p !== dirname(p); p = dirname(p))
      try {
        if (!statSync(p).isDirectory()) path = p;
      } catch {
        /* not there */
      }
  return new RaliError(M.cannotWrite(path, err.code, M.writeHints[err.code] ?? M.writeHintOther), EXIT_UNDELIVERED);
}
