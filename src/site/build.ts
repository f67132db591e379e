/**
 * `rali site`: every public file of the series, computed in memory (renderSite, pure), then
 * written only where the content changed (writeSite), so a rebuild after editing one talk
 * rewrites a handful of files and a static host or rsync sees only those.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { DateTime } from 'luxon';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { createHash } from 'node:crypto';
import { dateTime } from '../render/dates';
import { buildAtom, buildFeed, FeedTalk, feedTimes } from './feed';
import { SiteTemplates } from './templates';
import {
  absolute,
  archiveBefore,
  HTML_LANGS,
  isPast,
  PageInput,
  pageView,
  paths,
  publicOnline,
  rel,
  shorten,
  talkDescription,
  talkPageView,
  talkView,
  zoneLabel,
} from './view';

export interface SiteFile {
  path: string;
  /** Pages and feeds are rendered each time this is read (writeSite reads it once). */
  readonly content: string | Uint8Array;
  /** What the file was made from (talk and year pages, calendar feeds): the next build keeps the file when it is the same. */
  key?: string;
  /** Not rendered again: the file an earlier build wrote has the same key (content is empty). */
  keep?: boolean;
}

/** What an earlier build left in the output folder. */
export interface PreviousBuild {
  /** The key of each page and feed it wrote. */
  keys: Record<string, string>;
  /** The files it made (MANIFEST). */
  made: Set<string>;
  exists: (path: string) => boolean;
}

export interface SiteInput {
  series: Series;
  /** Every talk with its calendar SEQUENCE (from the ledger) and DTSTAMP/updated time. */
  talks: FeedTalk[];
  templates: SiteTemplates;
  /** Decides what the home page calls upcoming, and which talks are over. */
  now: DateTime;
  /** The keys of the pages an earlier build wrote (KEYS in the output folder), and whether each file is still there. */
  previous?: PreviousBuild;
  /**
   * Whether the calendar files (feeds, each talk's .ics) are made: not when the SEQUENCE the
   * invitations carry is unknown here (the ledger is elsewhere). An earlier build's stay as they are.
   */
  calendars?: boolean;
}

/** How many talks the home page lists in each of its two parts. */
export const HOME_UPCOMING = 10;
export const HOME_LATEST = 10;
/** How many upcoming talks the embeddable list holds. */
export const EMBED_UPCOMING = 10;

const byStart = (a: Talk, b: Talk) => a.start.toMillis() - b.start.toMillis() || a.id.localeCompare(b.id);

/**
 * What a page shows of a talk, for its key: the talk as the public sees it — never a withheld
 * passcode, one-tap string or join link. The keys are published (KEYS), so a key made from a
 * secret would let anyone test guesses of it offline (a 6-digit passcode in a second).
 */
export function publicTalk(series: Series, talk: Talk): object {
  return {
    ...talk,
    file: undefined,
    display: undefined,
    start: talk.start.toMillis(),
    end: talk.end.toMillis(),
    location: { ...talk.location, online: publicOnline(series, talk) },
  };
}

/** The series as its pages show it (rali.yaml holds more: SMTP, ledger, inbox — none of it on a page). */
function publicSeries(series: Series): object {
  return {
    id: series.id,
    domain: series.domain,
    name: series.name,
    timezone: series.timezone,
    languages: series.languages,
    subscribeUrl: series.subscribeUrl,
    archiveUrl: series.archiveUrl,
    from: series.from,
    site: { url: series.site.url, showPasscode: series.site.showPasscode, showJoinLink: series.site.showJoinLink },
  };
}

export function renderSite(input: SiteInput): SiteFile[] {
  const { series, templates, now } = input;
  const calendars = input.calendars !== false;
  templates.startBuild();
  const all = [...input.talks].sort((a, b) => byStart(a.talk, b.talk));
  const talks = all.map((f) => f.talk);
  const langs = series.languages;
  const years = [...new Set(talks.map((t) => t.start.year))].sort((a, b) => a - b);
  const files: SiteFile[] = [];
  const push = (path: string, content: string) => files.push({ path, content });
  const both = (f: (l: Lang) => string) => Object.fromEntries(langs.map((l) => [l, f(l)])) as Partial<Record<Lang, string>>;
  const over = (talk: Talk) => talk.status === 'cancelled' || isPast(talk, now);

  push(paths.css, templates.asset('style.css'));
  push(paths.script, templates.asset('rali.js'));
  push(
    paths.root,
    templates.render('root.hbs', {
      lang: langs[0],
      t: templates.t(langs[0]),
      languages: langs.map((l) => ({
        lang: l,
        html_lang: HTML_LANGS[l],
        name: series.name[l],
        href: paths.home(l),
        t: templates.t(l),
        first: l === langs[0],
      })),
      alternates: langs.map((l) => ({ hreflang: HTML_LANGS[l], href: series.site.url ? series.site.url + paths.home(l) : paths.home(l) })),
      html_lang: HTML_LANGS[langs[0]],
      css: paths.css,
    }),
  );

  // A page depends on the templates, the series and the list of years (its links), and on what it
  // shows: its talk, the talks of its year, or every talk (the calendar feeds). A file whose key
  // has not changed since the last build is kept as it is, unrendered.
  // (Node's ICU and time-zone data too: dates are worded and placed by them.)
  const base = createHash('sha1')
    .update(templates.fingerprint())
    .update(JSON.stringify(publicSeries(series)))
    .update(years.join(','))
    .update(`${process.versions.icu}|${process.versions.tz}`)
    .digest('hex');
  // A talk's digest once, for every key that shows it: what its pages show, and whether it is over.
  const digests = new Map<Talk, string>();
  const digestOf = (talk: Talk) => {
    let d = digests.get(talk);
    if (d === undefined) {
      d = createHash('sha1')
        .update(JSON.stringify(publicTalk(series, talk)))
        .update(over(talk) ? '|over' : '')
        .digest('base64');
      digests.set(talk, d);
    }
    return d;
  };
  const keyOf = (...parts: string[]) => {
    const h = createHash('sha1').update(base);
    for (const p of parts) h.update('\0').update(p);
    return h.digest('hex').slice(0, 20);
  };
  // A page is rendered when it is written (its `content` is read), not before: 4,000 pages held at
  // once in memory cost more in garbage collection than in rendering.
  const keyed = (path: string, key: string, render: () => string) =>
    files.push(
      input.previous?.keys[path] === key && input.previous.exists(path)
        ? { path, content: '', key, keep: true }
        : {
            path,
            key,
            get content() {
              return render();
            },
          },
    );
  const sequences = new Map(all.map((f) => [f.talk, f.sequence]));

  for (const lang of langs) {
    const t = templates.t(lang);
    const s = t as Record<string, string>;
    const fill = (str: string, v: Record<string, string | number>) =>
      str.replace(/\{(\w+)\}/g, (m, k: string) => (k in v ? String(v[k]) : m));
    const page = (path: string, versions: Partial<Record<Lang, string>>, p: Partial<PageInput> & { title: string; description: string }) =>
      pageView({ series, lang, t, path, versions, years, currentYear: null, now, ...p });

    // Talk pages
    for (const talk of talks) {
      const path = paths.talk(lang, talk);
      keyed(path, keyOf(lang, digestOf(talk), String(calendars)), () => {
        const view = talkPageView(series, talk, lang, t, path, now);
        return templates.render('talk.hbs', {
          ...page(
            path,
            both((l) => paths.talk(l, talk)),
            {
              title: `${talk.title[lang]} — ${talk.speaker.name}`,
              short: `${shorten(talk.title[lang], 70)} — ${talk.speaker.name}`,
              description: talkDescription(talk, lang, `${dateTime(talk.start, lang)} (${zoneLabel(talk.start, lang)})`),
              currentYear: talk.start.year,
              jsonLd: view.json_ld,
            },
          ),
          talk: { ...view, has_ics: calendars },
        });
      });
    }

    // Year pages: every talk of the year, in order
    for (const year of years) {
      const path = paths.year(lang, year);
      const those = talks.filter((x) => x.start.year === year);
      keyed(path, keyOf(lang, 'year', String(year), ...those.map(digestOf)), () =>
        templates.render('year.hbs', {
          ...page(
            path,
            both((l) => paths.year(l, year)),
            {
              title: fill(s.year_title, { year }),
              description: fill(s.description_year, { year, series: series.name[lang], n: those.length }),
              currentYear: year,
            },
          ),
          year,
          talks: those.map((x) => talkView(series, x, lang, t, path, now)),
        }),
      );
    }

    // Home page: what comes next, then the latest ones (it depends on the day: always rendered)
    const path = paths.home(lang);
    const coming = talks.filter((x) => x.end >= now);
    const upcoming = coming.slice(0, HOME_UPCOMING).map((x) => talkView(series, x, lang, t, path, now));
    const latest = talks
      .filter((x) => x.end < now)
      .reverse()
      .slice(0, HOME_LATEST)
      .map((x) => talkView(series, x, lang, t, path, now));
    const homeDescription = fill(s.description_home, { series: series.name[lang], first: years[0] ?? now.year });
    push(
      path,
      templates.render('home.hbs', {
        ...page(path, both(paths.home), { title: series.name[lang], description: homeDescription, home: true }),
        upcoming,
        latest,
      }),
    );

    // The search page (the index itself is made apart: search.ts)
    const sp = paths.search(lang);
    push(
      sp,
      templates.render('search.hbs', {
        ...page(sp, both(paths.search), { title: s.search_title, description: homeDescription }),
        pagefind: rel(sp, paths.pagefind),
        archive: talks.some((x) => x.start.year < archiveBefore(talks, now)) ? rel(sp, paths.pagefindArchive) : null,
        root: rel(sp, ''),
      }),
    );

    // The upcoming talks for another site to include: links that work from anywhere when the
    // site's address is known.
    const embedPath = paths.embedHtml(lang);
    push(
      embedPath,
      templates.render('embed.hbs', {
        lang,
        html_lang: HTML_LANGS[lang],
        t,
        series: { name: series.name[lang] },
        home: absolute(series, paths.home(lang)) ?? paths.home(lang),
        talks: coming.slice(0, EMBED_UPCOMING).map((x) => ({
          ...talkView(series, x, lang, t, '', now),
          href: absolute(series, paths.talk(lang, x)) ?? paths.talk(lang, x),
        })),
      }),
    );

    push(paths.atom(lang), buildAtom(series, all, lang, t));
  }
  push(paths.embedJson, embedJson(series, all, now));

  if (!calendars) return files;
  // The calendar feeds show every talk, with its SEQUENCE and DTSTAMP.
  const tf = (l: Lang) => templates.t(l);
  const descriptions = new Map<string, string>();
  // The feeds' VTIMEZONE too: made by rali from the time zone data (whose version the base key
  // holds), it changes with the way rali writes it.
  const zoneData = feedTimes(series, all).vtimezone.join('\n');
  const stampOf = (f: FeedTalk) => `${digestOf(f.talk)}|${f.sequence}|${f.stamp.toMillis()}`;
  const feedKey = (ls: Lang[]) => keyOf('ics', zoneData, ls.join(','), ...all.map(stampOf));
  keyed(paths.ics, feedKey(langs), () => buildFeed(series, all, langs, tf, descriptions, { now }));
  // One feed per language too when the titles differ, so each reader sees the titles in their language.
  if (langs.length > 1 && talks.some((x) => x.title.fr !== x.title.en)) {
    for (const l of langs) keyed(paths.icsLang(l), feedKey([l]), () => buildFeed(series, all, [l], tf, descriptions, { now }));
  }
  // Each talk's own file: "add to my calendar", with the invitation's UID and SEQUENCE.
  for (const f of all) {
    keyed(paths.talkIcs(f.talk), keyOf('talk-ics', langs.join(','), stampOf(f), String(sequences.get(f.talk))), () =>
      buildFeed(series, [f], langs, tf, descriptions, { now, single: true }),
    );
  }
  return files;
}

/** The upcoming talks as data, for another site's own script (README: "Embedding"). */
function embedJson(series: Series, all: FeedTalk[], now: DateTime): string {
  const talks = all
    .filter((f) => f.talk.end >= now)
    .slice(0, EMBED_UPCOMING)
    .map(({ talk }) => ({
      id: talk.id,
      uid: talk.uid,
      title: talk.title,
      speaker: { name: talk.speaker.name, affiliation: talk.speaker.affiliation ?? null, url: talk.speaker.url ?? null },
      start: talk.start.toISO({ suppressMilliseconds: true }),
      end: talk.end.toISO({ suppressMilliseconds: true }),
      language: talk.language,
      cancelled: talk.status === 'cancelled',
      url: Object.fromEntries(series.languages.map((l) => [l, absolute(series, paths.talk(l, talk)) ?? paths.talk(l, talk)])),
      ics: absolute(series, paths.talkIcs(talk)) ?? paths.talkIcs(talk),
    }));
  return JSON.stringify({ series: series.name, timezone: series.timezone, talks }, null, 1) + '\n';
}

/** The list of files a build made, kept in the output folder so the next build can remove stale ones. */
export const MANIFEST = '.rali-site';
/** What each page and feed was made from, so the next build renders only those whose inputs changed. */
export const KEYS = '.rali-site-keys';

/** The keys and the list of files an earlier build left in `out` (none if it left none, or they cannot be read). */
export function previousBuild(out: string): PreviousBuild {
  let keys: Record<string, string> = {};
  try {
    keys = JSON.parse(readFileSync(join(out, KEYS), 'utf8')) as Record<string, string>;
  } catch {
    /* first build, or a damaged file: render everything */
  }
  return { keys, made: readManifest(out), exists: (p) => existsSync(join(out, p)) };
}

function readManifest(out: string): Set<string> {
  try {
    return new Set(readFileSync(join(out, MANIFEST), 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set(); /* first build */
  }
}

export interface WriteResult {
  written: string[];
  unchanged: number;
  removed: string[];
  /** Files in the way that rali did not make: left alone (not overwritten), the site is incomplete. */
  foreign: string[];
}

/** Writes `out/name` only when its text differs from what is there. */
function writeIfChanged(out: string, name: string, text: string): void {
  let old = '';
  try {
    old = readFileSync(join(out, name), 'utf8');
  } catch {
    /* none yet */
  }
  if (old === text) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, name), text);
}

const inside = (dir: string, path: string) => {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/**
 * Writes the files whose content changed; removes files an earlier build made that are gone now.
 * Only files rali made (the MANIFEST of the earlier build) are overwritten or removed: a file
 * that is someone else's — a page put there by hand, a symbolic link — is left alone and reported,
 * and nothing is written through a folder that leads out of `out` (a symbolic link to the series).
 * `keepOthers`: files of earlier builds that this one does not make but must not remove either
 * (calendar files, when this build cannot make them).
 */
export function writeSite(out: string, files: SiteFile[], keepOthers: (path: string) => boolean = () => false): WriteResult {
  const written: string[] = [];
  const foreign: string[] = [];
  let unchanged = 0;
  const made = readManifest(out);
  mkdirSync(out, { recursive: true });
  const realOut = realpathSync(out);
  const dirs = new Map<string, boolean>();
  /** Folders this build made: nothing can be in the way in them (a first build writes straight away). */
  const fresh = new Set<string>();
  /** Whether folder `d` (made if needed) is really inside the output folder. */
  const safeDir = (d: string): boolean => {
    let ok = dirs.get(d);
    if (ok === undefined) {
      const made = mkdirSync(d, { recursive: true });
      if (made !== undefined) for (let x = d; x.length >= made.length; x = dirname(x)) fresh.add(x);
      ok = inside(realOut, realpathSync(d));
      dirs.set(d, ok);
    }
    return ok;
  };
  const kept = new Set<string>();
  for (const f of files) {
    if (f.keep) {
      unchanged++;
      kept.add(f.path);
      continue;
    }
    const target = join(out, f.path);
    const dir = dirname(target);
    const content = f.content; // rendered now
    if (!fresh.has(dir)) {
      let st;
      try {
        st = lstatSync(target);
      } catch {
        /* new file */
      }
      if (st) {
        let same = false;
        if (st.isFile())
          try {
            const old = readFileSync(target);
            same =
              typeof content === 'string'
                ? old.length === Buffer.byteLength(content) && old.toString('utf8') === content
                : old.equals(content);
          } catch {
            /* unreadable: rewritten below if it is ours */
          }
        if (same) {
          // The same bytes: rali's (or now adopted as rali's, nothing is lost).
          unchanged++;
          kept.add(f.path);
          continue;
        }
        if (!made.has(f.path) || !st.isFile()) {
          foreign.push(f.path);
          continue;
        }
      }
    }
    if (!safeDir(dir)) {
      foreign.push(f.path);
      continue;
    }
    try {
      writeFileSync(target, content);
    } catch (e) {
      // A full disk fails the write itself, without a path: name the file.
      (e as NodeJS.ErrnoException).path ??= target;
      throw e;
    }
    kept.add(f.path);
    written.push(f.path);
  }
  const removed: string[] = [];
  for (const p of made) {
    if (kept.has(p) || p.includes('..') || isAbsolute(p)) continue;
    if (keepOthers(p) && existsSync(join(out, p))) {
      kept.add(p);
      continue;
    }
    if (foreign.includes(p)) continue;
    const target = join(out, p);
    try {
      // Only a file of ours, inside the folder: never what a symbolic link points to.
      if (!lstatSync(target).isFile() || !safeDir(dirname(target))) continue;
      unlinkSync(target);
      removed.push(p);
    } catch {
      continue; /* already gone */
    }
    // An emptied folder goes too (a year, an index's chunks).
    for (let d = dirname(target); inside(out, d) && d !== out; d = dirname(d)) {
      try {
        if (readdirSync(d).length) break;
        rmdirSync(d);
      } catch {
        break;
      }
    }
  }
  writeIfChanged(out, MANIFEST, [...kept].sort().join('\n') + '\n');
  const keys = Object.fromEntries(files.filter((f) => f.key && kept.has(f.path)).map((f) => [f.path, f.key]));
  writeIfChanged(out, KEYS, JSON.stringify(keys));
  return { written, unchanged, removed, foreign };
}
